package value

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// escapeRef is a plain reading of FORMATS.md §5: rune by rune, a byte that
// is not valid UTF-8 and a control character other than tab become \xNN.
func escapeRef(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r) && r != '\t':
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

var hostileText = []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\r", "crlf\r\n", " lead", "trail ", "\ttab\t",
	"ünïcode", "caf\xe9", "\xff\xfe", "nul\x00byte", "bell\a", "del\x7f", "c1\u0085next", "\u00a0nbsp", "\uFFFD kept",
	"cut \xe2\x82", `back\slash`, `\x41 stays`, "\"\x01\",", "\xc0\x80 overlong"}

// TestAppendCSVFieldIsValidText: every field written is valid UTF-8 with no
// control character but tab, reads back with encoding/csv as the reference
// escaping of the input, and needs no line break.
func TestAppendCSVFieldIsValidText(t *testing.T) {
	for _, s := range hostileText {
		field := AppendCSVField(nil, s)
		if !utf8.Valid(field) {
			t.Errorf("%q -> %q: not UTF-8", s, field)
		}
		for _, r := range string(field) {
			if unicode.IsControl(r) && r != '\t' {
				t.Errorf("%q -> %q: holds control character %U", s, field, r)
			}
		}
		rec, err := csv.NewReader(strings.NewReader(string(field) + ",x\n")).Read()
		if err != nil || len(rec) != 2 || rec[0] != escapeRef(s) {
			t.Errorf("%q -> %q -> %q, %v; want %q", s, field, rec, err, escapeRef(s))
		}
	}
	// Named cases, written out.
	for in, want := range map[string]string{
		"caf\xe9":     `caf\xe9`,
		"a\x00b":      `a\x00b`,
		"two\nlines":  `two\x0alines`,
		"c1\u0085":    `c1\x85`,
		"x,\"y\"\r\n": `"x,""y""\x0d\x0a"`,
		"plain":       "plain",
		"tab\there":   "tab\there",
	} {
		if got := string(AppendCSVField(nil, in)); got != want {
			t.Errorf("AppendCSVField(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestAppendJSONStringIsValidJSON: the JSON string is valid and decodes to
// the same text the CSV field holds.
func TestAppendJSONStringIsValidJSON(t *testing.T) {
	for _, s := range hostileText {
		var got string
		b := AppendJSONString(nil, s)
		if !utf8.Valid(b) {
			t.Errorf("%q -> %q: not UTF-8", s, b)
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q -> %s: %v", s, b, err)
		}
		if want := escapeRef(s); got != want {
			t.Errorf("%q -> %s -> %q, want %q", s, b, got, want)
		}
	}
}
