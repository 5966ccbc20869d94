package value

// Key is a normalised MPxN key packed into 64 bits: an MPAN key holds its
// 13-digit core, an MPRN key its digits and their count (leading zeros are
// significant). The zero Key means "absent". Printed, an MPAN key is "E" and
// the core (E1200023305967), an MPRN key "G" and the digits as given
// (G0007443536).
type Key uint64

const (
	keyMPAN  = 1 << 62
	keyMPRN  = 2 << 62
	keyKinds = 3 << 62
)

// MPANKey returns the key of an MPAN core (a number below 10^13).
func MPANKey(core uint64) Key { return Key(keyMPAN | core) }

// MPRNKey returns the key of an MPRN of n digits (6 to 10) with value v.
func MPRNKey(v uint64, n int) Key { return Key(keyMPRN | uint64(n)<<40 | v) }

// IsMPAN reports whether k is an MPAN key.
func (k Key) IsMPAN() bool { return k&keyKinds == keyMPAN }

// IsMPRN reports whether k is an MPRN key.
func (k Key) IsMPRN() bool { return k&keyKinds == keyMPRN }

var mpanWeights = [12]uint64{3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43}

// MPANCheckDigit returns the check digit of the first 12 digits of an MPAN
// core: each digit times its weight, summed, modulo 11, modulo 10.
func MPANCheckDigit(core12 []byte) byte {
	var sum uint64
	for i, w := range mpanWeights {
		sum += uint64(core12[i]-'0') * w
	}
	return byte('0' + sum%11%10)
}

// ParseMPAN normalises an MPAN: the 13-digit core, or the full 21-character
// MPAN (top line of 8, then the core), with spaces and '-' anywhere ignored.
// It returns the zero Key and a message when the value is not a valid MPAN.
func ParseMPAN(b []byte) (Key, string) {
	var buf [32]byte
	s := buf[:0]
	for _, c := range b {
		if c == ' ' || c == '-' {
			continue
		}
		if len(s) == 21 {
			return 0, "more than 21 characters"
		}
		s = append(s, c)
	}
	switch len(s) {
	case 13:
	case 21:
		top := s[:8]
		if !allDigits(top[:5]) {
			return 0, "top line: profile class and meter time-switch code must be digits"
		}
		for _, c := range top[5:8] {
			if !isDigit(c) && !(c >= 'A' && c <= 'Z') {
				return 0, "top line: line loss factor class must be 3 digits or capital letters"
			}
		}
		s = s[8:]
	default:
		return 0, "must be the 13-digit core or the 21-character full MPAN"
	}
	if !allDigits(s) {
		return 0, "core must be 13 digits"
	}
	if want := MPANCheckDigit(s[:12]); s[12] != want {
		return 0, "check digit is " + string(s[12]) + ", expected " + string(want)
	}
	return MPANKey(digitsValue(s)), ""
}

// IsEmptyMPAN reports whether b holds nothing but spaces and '-': an
// empty MPAN, no electricity meter point (FORMATS.md §1: spaces and '-'
// are ignored, and an empty value is no meter point).
func IsEmptyMPAN(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '-' {
			return false
		}
	}
	return true
}

// ParseMPRN normalises an MPRN: 6 to 10 digits, spaces ignored.
func ParseMPRN(b []byte) (Key, string) {
	var buf [16]byte
	s := buf[:0]
	for _, c := range b {
		if c == ' ' {
			continue
		}
		if !isDigit(c) {
			return 0, "must be digits"
		}
		if len(s) == 10 {
			return 0, "more than 10 digits"
		}
		s = append(s, c)
	}
	if len(s) < 6 {
		return 0, "fewer than 6 digits"
	}
	return MPRNKey(digitsValue(s), len(s)), ""
}

// ParseMPxN normalises an MPAN or an MPRN, told apart by length (FORMATS.md
// §2): 13 or 21 characters once spaces and '-' are removed is an MPAN.
func ParseMPxN(b []byte) (Key, string) {
	n := 0 // characters, not bytes: a stray multi-byte character counts once
	for _, c := range string(b) {
		if c != ' ' && c != '-' {
			n++
		}
	}
	if n == 13 || n == 21 {
		return ParseMPAN(b)
	}
	if n == 0 { // empty, or only spaces and '-'
		return 0, "required value is missing"
	}
	return ParseMPRN(b)
}

// Append appends the printed key: "E" and 13 digits, or "G" and the MPRN
// digits; nothing for the zero Key.
func (k Key) Append(b []byte) []byte {
	var n int
	var v uint64
	switch {
	case k.IsMPAN():
		b = append(b, 'E')
		n, v = 13, uint64(k)&(1<<62-1)
	case k.IsMPRN():
		b = append(b, 'G')
		n, v = int(uint64(k)>>40&0xff), uint64(k)&(1<<40-1)
	default:
		return b
	}
	var digits [20]byte
	for i := n - 1; i >= 0; i-- {
		digits[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, digits[:n]...)
}

// String returns the printed key, or "" for the zero Key.
func (k Key) String() string { return string(k.Append(nil)) }

// Less reports whether a sorts before b in the byte order of their printed
// forms, the order FORMATS.md uses for group_id.
func (a Key) Less(b Key) bool {
	var x, y [24]byte
	return string(a.Append(x[:0])) < string(b.Append(y[:0]))
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(b []byte) bool {
	for _, c := range b {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

func digitsValue(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v*10 + uint64(c-'0')
	}
	return v
}
