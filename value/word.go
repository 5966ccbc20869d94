package value

// ParseAttempts reads a count of attempts (fw_attempts, config_attempts):
// digits only, no sign, at most 9 digits; empty is 0.
func ParseAttempts(b []byte) (uint32, string) {
	if len(b) == 0 {
		return 0, ""
	}
	if len(b) > 9 || !allDigits(b) {
		return 0, "must be a whole number of at most 9 digits"
	}
	return uint32(digitsValue(b)), ""
}

// LookupWord returns the index in words of b, matched without regard to
// case (FORMATS.md: "the listed words are matched without regard to case"),
// or -1. words are ASCII.
func LookupWord(b []byte, words []string) int {
	for i, w := range words { // the spelling as listed, by far the commonest
		if string(b) == w {
			return i
		}
	}
	var buf [16]byte
	if len(b) > len(buf) {
		return -1
	}
	for i, c := range b {
		buf[i] = upper(c)
	}
	up := buf[:len(b)]
	for i, w := range words {
		if len(w) == len(up) && upperEqual(up, w) {
			return i
		}
	}
	return -1
}

// upperEqual reports whether up, already upper case, equals w without
// regard to case.
func upperEqual(up []byte, w string) bool {
	for i := 0; i < len(w); i++ {
		if up[i] != upper(w[i]) {
			return false
		}
	}
	return true
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// YesNo is an optional Y/N column: Unset where the value was empty.
type YesNo uint8

// YesNo values.
const (
	Unset YesNo = iota
	Yes
	No
)

var yesNoWords = []string{"Y", "N"}

// ParseYesNo reads Y or N in any case; empty is Unset. ok is false for
// anything else.
func ParseYesNo(b []byte) (y YesNo, ok bool) {
	if len(b) == 0 {
		return Unset, true
	}
	i := LookupWord(b, yesNoWords)
	return YesNo(i + 1), i >= 0
}

// String returns "Y", "N" or "".
func (y YesNo) String() string { return [...]string{"", "Y", "N"}[y] }

// YN prints a flag as the contract does: "Y" or "N".
func YN(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}
