package paths

// SetCrashPoint makes f be called at each step of a commit.
func SetCrashPoint(f func(step string)) { crashPoint = f }
