package ingest

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseRecord checks that the record parser never panics, that the
// block splitter agrees with it on where records end, and that quote-free
// records split like strings.Split.
func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{"a,b,c\n", "\"a,\"\"b\"\"\",c\r\nx", "a\"b,c\n", "\"open,\nmore\n", " \"q\" ,x\n", "", "\n\n", "\"x\"y,z\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r record
		pos := 0
		for pos < len(data) {
			n, ok := parseRecord(data[pos:], true, &r)
			if !ok || n <= 0 || pos+n > len(data) {
				t.Fatalf("parseRecord at %d: n=%d ok=%v", pos, n, ok)
			}
			m, ok2 := recordLen(data[pos:], true)
			if !ok2 || m != n {
				t.Fatalf("recordLen=%d,%v but parseRecord=%d at %d of %q", m, ok2, n, pos, data)
			}
			rec := data[pos : pos+n]
			if r.newlines != strings.Count(string(rec), "\n") {
				t.Fatalf("%q: newlines %d", rec, r.newlines)
			}
			if bytes.IndexByte(rec, '"') < 0 {
				line := strings.TrimSuffix(strings.TrimSuffix(string(rec), "\n"), "\r")
				want := strings.Split(line, ",")
				if len(want) != len(r.fields) {
					t.Fatalf("%q: %d fields, want %d", rec, len(r.fields), len(want))
				}
				for i := range want {
					if string(r.fields[i]) != want[i] {
						t.Fatalf("%q: field %d = %q, want %q", rec, i, r.fields[i], want[i])
					}
				}
			}
			pos += n
		}
		// The splitter cuts at the last record end that more input could
		// not move: the end of the last record found by reading record
		// after record.
		cut := cutBlock(data, false)
		p := 0
		for p < len(data) {
			n, ok := recordLen(data[p:], false)
			if !ok {
				break
			}
			p += n
		}
		if p != cut {
			t.Fatalf("cutBlock=%d, want %d, in %q", cut, p, data)
		}
	})
}
