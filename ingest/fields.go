package ingest

import (
	"unicode"
	"unicode/utf8"
)

// validSMSO reports whether b is 1-32 characters of A-Z a-z 0-9 _ -.
func validSMSO(b []byte) bool {
	if len(b) < 1 || len(b) > 32 {
		return false
	}
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
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
