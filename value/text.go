package value

import "unicode/utf8"

// Every output is valid UTF-8 whatever the input held (FORMATS.md §5): in
// free text, a byte that is not part of valid UTF-8, and a control
// character other than tab (U+0000-U+001F, U+007F, U+0080-U+009F), is
// written as `\xNN`: for a byte, its two hex digits; for a control
// character, those of its code point. Lower-case hex digits, as Go and
// Python print such bytes. The text `\x41` in the input stays as it is:
// the escape is for reading, not for a round trip.

const hexDigits = "0123456789abcdef"

// plain reports whether c stands for itself in free text: printable
// ASCII or a tab.
func plain(c byte) bool { return c >= 0x20 && c < 0x7f || c == '\t' }

// special reads the character at s[i], which is not plain: its length,
// and whether it is written as \xNN, with the value v.
func special(s string, i int) (v byte, escape bool, size int) {
	c := s[i]
	if c < utf8.RuneSelf { // C0 control or DEL
		return c, true, 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == utf8.RuneError && size == 1:
		return c, true, 1
	case r < 0xa0: // C1 control
		return byte(r), true, size
	}
	return 0, false, size
}

// appendEscaped appends s with every byte that is not valid UTF-8, and
// every control character but tab, written as \xNN.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		if plain(s[i]) {
			b = append(b, s[i])
			i++
			continue
		}
		v, escape, size := special(s, i)
		if escape {
			b = append(b, '\\', 'x', hexDigits[v>>4], hexDigits[v&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

// AppendText appends s as free text: valid UTF-8 with no control character
// but tab, the others written as \xNN (FORMATS.md §5).
func AppendText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plain(s[i]) {
			return appendEscaped(append(b, s[:i]...), s[i:])
		}
	}
	return append(b, s...)
}

// AppendCSVField appends s as a CSV field (RFC 4180) of free text
// (AppendText: no control character but tab, valid UTF-8), quoted when it
// holds a comma or a quote or has surrounding blanks. Line breaks are
// written as \x0a and \x0d, so a row is always one line.
func AppendCSVField(b []byte, s string) []byte {
	quote := len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[len(s)-1] == ' ' || s[len(s)-1] == '\t')
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ',' || c == '"' {
			quote = true
		} else if !plain(c) {
			clean = false
		}
	}
	if clean && !quote {
		return append(b, s...)
	}
	if !quote {
		return AppendText(b, s)
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = AppendText(b, s[start:i+1])
			b = append(b, '"')
			start = i + 1
		}
	}
	b = AppendText(b, s[start:])
	return append(b, '"')
}

// AppendJSONString appends s as a JSON string holding the same text
// AppendCSVField writes: a byte that is not valid UTF-8, or a control
// character other than tab, becomes the four characters \xNN (in JSON,
// "\\xNN"); a tab is written \t.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
			i++
		case c == '\t':
			b = append(b, '\\', 't')
			i++
		case plain(c):
			b = append(b, c)
			i++
		default:
			v, escape, size := special(s, i)
			if escape {
				b = append(b, '\\', '\\', 'x', hexDigits[v>>4], hexDigits[v&0xf])
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
	}
	return append(b, '"')
}
