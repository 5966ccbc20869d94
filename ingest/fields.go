package ingest

import (
	"unicode"
	"unicode/utf8"

	"github.com/s1resolve/s1resolve/engine"
)

// trim removes the blanks (spaces, tabs) around a value.
func trim(b []byte) []byte {
	for len(b) > 0 && isBlank(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isBlank(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

var mpanWeights = [12]uint64{3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43}

// MPANCheckDigit returns the check digit of the first 12 digits of an MPAN
// core.
func MPANCheckDigit(core12 []byte) byte {
	var sum uint64
	for i, w := range mpanWeights {
		sum += uint64(core12[i]-'0') * w
	}
	return byte('0' + sum%11%10)
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

// ParseMPAN normalises an MPAN: the 13-digit core, or the full 21-character
// MPAN (top line of 8, then the core), with spaces and '-' anywhere ignored.
// It returns the zero Key and a message when the value is not a valid MPAN.
func ParseMPAN(b []byte) (engine.Key, string) {
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
	return engine.MPANKey(digitsValue(s)), ""
}

// ParseMPRN normalises an MPRN: 6 to 10 digits, spaces ignored.
func ParseMPRN(b []byte) (engine.Key, string) {
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
	return engine.MPRNKey(digitsValue(s), len(s)), ""
}

// hexTable maps a byte to its hex value, or 0xff.
var hexTable = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = byte(c-'a') + 10
	}
	return t
}()

// ParseGUID normalises an EUI-64: 16 hex digits in any case, either plain or
// as eight pairs separated by '-' or ':'.
func ParseGUID(b []byte) (uint64, string) {
	var step int
	switch len(b) {
	case 16:
		step = 2
	case 23:
		step = 3
	default:
		return 0, "must be 16 hex digits, optionally in pairs separated by - or :"
	}
	var v uint64
	for i := 0; i < len(b); i += step {
		if step == 3 && i > 0 && b[i-1] != '-' && b[i-1] != ':' {
			return 0, "pairs must be separated by - or :"
		}
		hi, lo := hexTable[b[i]], hexTable[b[i+1]]
		if hi|lo == 0xff || hi > 15 || lo > 15 {
			return 0, "must be hex digits"
		}
		v = v<<8 | uint64(hi)<<4 | uint64(lo)
	}
	return v, ""
}

// AppendGUID appends the normalised GUID: 16 upper-case hex digits.
func AppendGUID(b []byte, g uint64) []byte {
	const hexdigits = "0123456789ABCDEF"
	for s := 60; s >= 0; s -= 4 {
		b = append(b, hexdigits[g>>uint(s)&0xf])
	}
	return b
}

var daysIn = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// ParseDate parses YYYY-MM-DD, a real calendar date from 0001-01-01 on.
func ParseDate(b []byte) (engine.Date, string) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' || !allDigits(b[:4]) || !allDigits(b[5:7]) || !allDigits(b[8:]) {
		return 0, "must be YYYY-MM-DD"
	}
	y, m, d := int(digitsValue(b[:4])), int(digitsValue(b[5:7])), int(digitsValue(b[8:]))
	if y == 0 || m < 1 || m > 12 || d < 1 || d > daysIn[m] ||
		(m == 2 && d == 29 && !(y%4 == 0 && (y%100 != 0 || y%400 == 0))) {
		return 0, "is not a calendar date"
	}
	return engine.MakeDate(y, m, d), ""
}

// parseAttempts parses a count of attempts: digits only, at most 9; empty is 0.
func parseAttempts(b []byte) (uint32, string) {
	if len(b) == 0 {
		return 0, ""
	}
	if len(b) > 9 || !allDigits(b) {
		return 0, "must be a whole number of at most 9 digits"
	}
	return uint32(digitsValue(b)), ""
}

// lookupWord returns the index in words of b, matched without regard to
// case, or -1. words are ASCII.
func lookupWord(b []byte, words []string) int {
	var buf [16]byte
	if len(b) > len(buf) {
		return -1
	}
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
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
		c := w[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if up[i] != c {
			return false
		}
	}
	return true
}

var (
	cohortWords = []string{"FOC", "IOC", "MOC_MDS", "MOC_SECURE"}
	typeWords   = []string{"CHF", "ESME", "GSME", "GPF", "PPMID", "IHD"}
	stateWords  = []string{"active", "dormant"}
	fwWords     = []string{"not_required", "ok", "failed", "unable"}
	cfgWords    = []string{"not_required", "ok", "failed"}
	ynWords     = []string{"Y", "N"}
)

// validSMSO reports whether b is 1-32 characters of A-Z a-z 0-9 _ -.
func validSMSO(b []byte) bool {
	if len(b) < 1 || len(b) > 32 {
		return false
	}
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || isDigit(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validInstallationID reports whether b is 1-64 printable characters of
// valid UTF-8.
func validInstallationID(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	ascii := len(b) <= 64
	for _, c := range b {
		if c < 0x20 || c >= 0x7f {
			ascii = false
			break
		}
	}
	if ascii {
		return true
	}
	if !utf8.Valid(b) {
		return false
	}
	n := 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if !unicode.IsPrint(r) {
			return false
		}
		b = b[size:]
		n++
	}
	return n <= 64
}

// validGroup reports whether b is two ASCII letters.
func validGroup(b []byte) bool {
	return len(b) == 2 && isLetter(b[0]) && isLetter(b[1])
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}
