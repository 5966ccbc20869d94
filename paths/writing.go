package paths

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A folder written whole (output.Dir), or a file written beside its place
// (output.File), is written under a new name beside it,
//
//	.NAME.partial-PID-START-RANDOM
//
// (PartialPattern), until it is placed or removed: PID is the writer's
// process id and START its start in clock ticks since boot, which tell it
// from another process given the same id later (after a reboot, or in
// another PID namespace). So a folder being written can be told from the
// leftover of a killed command: the process of the first is alive, that
// of the second is not. (A lock cannot say it: the store's Badger locks its
// folder itself.) Names without START (PID-RANDOM) are those of an earlier
// build.

// PartialPrefix returns the prefix of the names of the folders being
// written to replace path.
func PartialPrefix(path string) string {
	return filepath.Join(filepath.Dir(filepath.Clean(path)), "."+filepath.Base(filepath.Clean(path))+".partial-")
}

// PartialPattern returns the pattern (for os.CreateTemp and os.MkdirTemp,
// in path's folder) of the name this process writes path under.
func PartialPattern(path string) string {
	return filepath.Base(PartialPrefix(path)) + Self() + "-*"
}

// Self is this process in the names it writes: "PID-START", or "PID"
// where the start cannot be read.
func Self() string {
	if start := selfStart(); start > 0 {
		return strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(start, 10)
	}
	return strconv.Itoa(os.Getpid())
}

var selfStart = sync.OnceValue(func() int64 {
	t, _ := processTicks(os.Getpid())
	return t
})

// parseWriter reads "PID-START-REST" or "PID-REST" (an earlier build's, or
// where the start was not known), as written by Self: the process id and
// its start (0 when absent).
func parseWriter(s string) (pid int, start int64, ok bool) {
	f := strings.SplitN(s, "-", 3)
	pid, err := strconv.Atoi(f[0])
	if err != nil || pid <= 0 || len(f) < 2 {
		return 0, 0, false
	}
	if len(f) == 3 {
		start, _ = strconv.ParseInt(f[1], 10, 64)
	}
	return pid, start, true
}

// Writer says whether a command is writing a new content of the folder
// path now: it returns the writer's process id, or 0 when none is (a
// leftover of a killed command is not a writer).
func Writer(path string) int {
	pid, _ := scanPartials(path, false)
	return pid
}

// RemoveLeftovers removes what a killed command left while writing path
// (partial files or folders of a process that is gone) and returns how many
// it removed.
func RemoveLeftovers(path string) int {
	Settle(filepath.Dir(filepath.Clean(path)), nil) // a killed commit's partials are not leftovers
	_, n := scanPartials(path, true)
	return n
}

func scanPartials(path string, remove bool) (writer, removed int) {
	prefix := PartialPrefix(path)
	entries, err := os.ReadDir(filepath.Dir(prefix))
	if err != nil {
		return 0, 0
	}
	base := filepath.Base(prefix)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), base) {
			continue
		}
		pid, start, ok := parseWriter(strings.TrimPrefix(e.Name(), base))
		if !ok {
			continue // not a name this package gives
		}
		if wrote(pid, start, filepath.Join(filepath.Dir(prefix), e.Name())) {
			writer = max(writer, pid)
			continue
		}
		if remove && os.RemoveAll(filepath.Join(filepath.Dir(prefix), e.Name())) == nil {
			removed++
		}
	}
	return writer, removed
}

// alive reports whether process pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// wrote reports whether process pid, named (with its start in clock
// ticks, 0 when not recorded) in the name or the content of path, is alive
// and is the process that wrote it. A writer holds a lock on what it writes
// (Hold), which says it across PID namespaces (a run in a container, a
// command on the host); without the lock (killed, or not yet locked),
// the process must be alive. With a start recorded, the live
// process of that id must have started at that tick; without one, it must
// have started before path last changed. Either way a process given the
// same id later is not taken for the writer.
func wrote(pid int, start int64, path string) bool {
	if held(path) {
		return true // locked by its writer, in this PID namespace or another
	}
	if !alive(pid) {
		return false
	}
	if start > 0 {
		if now, ok := processTicks(pid); ok {
			return now == start
		}
	}
	st, err := os.Lstat(path)
	if err != nil {
		return true
	}
	return startedBy(pid, changedAt(st))
}

// startedBy reports whether process pid started no later than t, or
// whether that cannot be told (no /proc): a second's slack covers the
// rounding of the boot time.
func startedBy(pid int, t time.Time) bool {
	start, ok := processStart(pid)
	return !ok || !start.After(t.Add(time.Second))
}

// changedAt returns when the inode of st last changed (its ctime: set by
// every write, rename and link), else its modification time.
func changedAt(st os.FileInfo) time.Time {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return time.Unix(int64(s.Ctim.Sec), int64(s.Ctim.Nsec))
	}
	return st.ModTime()
}

// processStart returns when process pid started, from Linux's /proc: the
// boot time (/proc/stat, btime) plus its start in clock ticks.
func processStart(pid int) (time.Time, bool) {
	ticks, ok := processTicks(pid)
	if !ok {
		return time.Time{}, false
	}
	boot, ok := bootTime()
	if !ok {
		return time.Time{}, false
	}
	return boot.Add(time.Duration(ticks) * 10 * time.Millisecond), true
}

// processTicks returns when process pid started, in clock ticks since the
// machine booted (field 22 of /proc/PID/stat; a tick is 1/100 s on every
// Linux port Go supports): the same in every PID namespace.
func processTicks(pid int) (int64, bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(stat, ')') // the command name may hold spaces
	if i < 0 {
		return 0, false
	}
	fields := strings.Fields(string(stat[i+1:])) // from field 3
	if len(fields) < 20 {
		return 0, false
	}
	ticks, err := strconv.ParseInt(fields[19], 10, 64)
	return ticks, err == nil && ticks > 0
}

func bootTime() (time.Time, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			if sec, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return time.Unix(sec, 0), true
			}
		}
	}
	return time.Time{}, false
}

// beingWritten refuses a folder another command is writing now.
func beingWritten(l, path string) error {
	if pid := Writer(path); pid != 0 {
		return ErrBeingWritten(l, pid)
	}
	return nil
}

// WritingLock is the file a folder being written holds for its lock
// (Hold): a folder's own descriptor cannot carry it, as Badger locks the
// store's folder itself. It is removed once the folder is placed; a folder
// may hold it (a command killed just after placing it).
const WritingLock = ".s1resolve-writing"

// lockOf returns the file whose lock says path is being written: path
// itself, or for a folder its WritingLock.
func lockOf(path string) string {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return filepath.Join(path, WritingLock)
	}
	return path
}

// Hold takes an exclusive lock saying path (a partial file or folder) is
// being written, held until the returned file is closed: so marked for
// every process of the machine, whatever its PID namespace (a killed
// process's locks go with it). A folder's lock is its WritingLock file,
// created here.
func Hold(path string) (*os.File, error) {
	target := lockOf(path)
	f, err := os.OpenFile(target, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// held reports whether another open file holds the lock of path (Hold).
func held(path string) bool {
	if path == "" {
		return false
	}
	f, err := os.Open(lockOf(path))
	if err != nil {
		return false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// OtherWriter returns the process id of a writer of path other than the
// partial own (this command's, just created and held), or 0. A command
// asks once its own partial exists: of two commands started at once, each
// sees the other, or the later sees the earlier, so at most one goes on.
func OtherWriter(path, own string) int {
	prefix := PartialPrefix(path)
	entries, err := os.ReadDir(filepath.Dir(prefix))
	if err != nil {
		return 0
	}
	base := filepath.Base(prefix)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), base) || e.Name() == filepath.Base(own) {
			continue
		}
		pid, start, ok := parseWriter(strings.TrimPrefix(e.Name(), base))
		if ok && wrote(pid, start, filepath.Join(filepath.Dir(prefix), e.Name())) {
			return pid
		}
	}
	return 0
}

// ErrBeingWritten refuses an output another command is writing now.
func ErrBeingWritten(arg string, pid int) error {
	return &Error{arg, fmt.Sprintf("another s1resolve command (process %d) is writing it now; wait for it to finish", pid)}
}
