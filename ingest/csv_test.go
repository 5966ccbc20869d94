package ingest

import (
	"bytes"
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// lineEndRef is FORMATS.md §1's line end read plainly: CRs then an LF, or a
// CR alone.
var lineEndRef = regexp.MustCompile(`\r*\n|\r`)

// quoteFreeRecord is a record without a quote: one line, its line end, and
// the lone CRs of the empty lines after it.
var quoteFreeRecord = regexp.MustCompile(`^([^\r\n]*)(\r*\n|\r+)?$`)

// parsed is one record as the variants of a file are compared: its fields
// (line ends inside them written as LF), its fault and its own lines; the
// empty lines read with it follow as records of their own.
type parsed struct {
	fields  string
	problem error
	lines   int
}

// parseAll reads data record by record, checking each record against
// recordLen and the plain readings, and returns the records.
func parseAll(t *testing.T, data []byte, crs bool, lineEnd string) []parsed {
	t.Helper()
	var out []parsed
	var r record
	for pos := 0; pos < len(data); {
		n, ok := parseRecord(data[pos:], true, &r, crs)
		if !ok || n <= 0 || pos+n > len(data) {
			t.Fatalf("parseRecord at %d of %q: n=%d ok=%v", pos, data, n, ok)
		}
		if m, ok := recordLen(data[pos:], true); !ok || m != n {
			t.Fatalf("recordLen=%d,%v but parseRecord=%d at %d of %q", m, ok, n, pos, data)
		}
		rec := data[pos : pos+n]
		if want := len(lineEndRef.FindAllIndex(rec, -1)); r.newlines != want {
			t.Fatalf("%q: newlines %d, want %d", rec, r.newlines, want)
		}
		if bytes.IndexByte(rec, '"') < 0 {
			m := quoteFreeRecord.FindSubmatch(rec)
			if m == nil {
				t.Fatalf("%q: a record without a quote must be one line", rec)
			}
			if want := strings.Split(string(m[1]), ","); !slices.Equal(want, fieldStrings(r.fields)) {
				t.Fatalf("%q: fields %q, want %q", rec, r.fields, want)
			}
		}
		fields := strings.Join(fieldStrings(r.fields), "\x00")
		if lineEnd != "" {
			fields = strings.ReplaceAll(fields, lineEnd, "\n")
		}
		out = append(out, parsed{fields, r.problem, r.newlines - r.blanks})
		for i := 0; i < r.blanks; i++ {
			out = append(out, parsed{"", nil, 1})
		}
		pos += n
	}
	return out
}

func fieldStrings(f [][]byte) []string {
	s := make([]string, len(f))
	for i := range f {
		s[i] = string(f[i])
	}
	return s
}

// checkCut: the splitter cuts at the last record end that more input could
// not move: the end of the last record found by reading record after
// record.
func checkCut(t *testing.T, data []byte) {
	t.Helper()
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
}

// FuzzParseRecord checks that the record parser never panics, that the
// block splitter agrees with it on where records end, that records
// without a quote split like strings.Split, and that line ends count as
// FORMATS.md §1 says. The input's text is also written with each line end
// of FORMATS.md §1 (LF, CRLF, `\r\r\n`, CR alone): every variant reads as
// the same records, and a `sep=,` line before it changes the header's line
// and nothing else.
func FuzzParseRecord(f *testing.F) {
	for _, s := range []string{"a,b,c\n", "\"a,\"\"b\"\"\",c\r\nx", "a\"b,c\n", "\"open,\nmore\n", " \"q\" ,x\n", "", "\n\n", "\"x\"y,z\n",
		"a,b\rc,d\r", "a,b\r\r\nc\r\r\n", "x\r\r\ry\r", "\"q\r\",1\rz", "\"q\" \r\rb", "sep=,\nsupplier_id,status\nA,live\n",
		"sep=,\r\rsupplier_id,status\r", "sep=;\r\n", "\xEF\xBB\xBFsep=,\r\nstatus\tsupplier_id\r\n", "a\r", "\r\r\r\n\r"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := parseAll(t, data, true, "")
		if bytes.IndexByte(data, '\r') < 0 { // the LF-only path reads alike
			if lf := parseAll(t, data, false, ""); !slices.Equal(lf, got) {
				t.Fatalf("%q: the LF path reads %v, the general one %v", data, lf, got)
			}
		}
		checkCut(t, data)
		base := bytes.ReplaceAll(data, []byte{'\r'}, nil)
		want := parseAll(t, base, false, "")
		for _, le := range []string{"\r\n", "\r\r\n", "\r"} {
			v := bytes.ReplaceAll(base, []byte{'\n'}, []byte(le))
			if got := parseAll(t, v, true, le); !slices.Equal(got, want) {
				t.Fatalf("%q written with %q line ends reads %v, with LF %v", base, le, got, want)
			}
			checkCut(t, v)
			checkSepLine(t, v, le)
		}
		checkSepLine(t, base, "\n")
	})
}

// checkSepLine: with a `sep=,` line before it, data's header is read the
// same, one line further on.
func checkSepLine(t *testing.T, data []byte, le string) {
	t.Helper()
	if bytes.HasPrefix(data, utf8BOM) || bytes.HasPrefix(data, []byte(sepHint)) {
		return
	}
	h, n, next, err := readHeader("f.csv", data, true, Suppliers)
	withSep := append([]byte("sep=,"+le), data...)
	hs, ns, nexts, errs := readHeader("f.csv", withSep, true, Suppliers)
	var he, hes *HeaderError
	switch {
	case err != nil:
		if !errors.As(err, &he) || !errors.As(errs, &hes) || !errors.Is(errs, he.Err) || hes.Line != he.Line+1 && he.Err != ErrNoHeader {
			t.Fatalf("%q: %v; with a sep=, line: %v", data, err, errs)
		}
	case errs != nil:
		t.Fatalf("%q: read, but with a sep=, line: %v", data, errs)
	case !slices.Equal(h.Pos, hs.Pos) || h.Fields != hs.Fields || hs.Line != h.Line+1 || ns != n+len(withSep)-len(data) || nexts != next+1:
		t.Fatalf("%q: header %+v %d %d; with a sep=, line %+v %d %d", data, h, n, next, hs, ns, nexts)
	}
}
