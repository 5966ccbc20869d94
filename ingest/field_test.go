package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// Files as they come from the field (issue 16): line ends of every kind,
// a spreadsheet's sep= line, other separators, header names with blanks
// and control characters, a lone quote, an MPAN of "-".

func mpanOf(n int) string {
	core := fmt.Sprintf("%012d", 100000000000+n)
	return core + string(value.MPANCheckDigit([]byte(core)))
}

// fieldRows is an installations file written with LF line ends, with
// prepay_key last (where a stray CR would land), a quoted note spanning
// two lines, a blank line, rejects of each kind and a lone quote near the
// end. Its rejects are fieldRejects.
func fieldRows() string {
	row := func(id, cohort, mpan, mprn, guid, typ, state, note, prepay string) string {
		return fmt.Sprintf("S1,%s,%s,%s,%s,2019-01-02,Y,%s,%s,%s,%s,%s\n", cohort, id, mpan, mprn, guid, typ, state, note, prepay)
	}
	return "smso,cohort,installation_id,mpan,mprn,install_date,communicating,device_guid,device_type,device_state,note,prepay_key\n" + // 1
		row("A1", "MOC_MDS", mpanOf(1), "", "000D6F0000000001", "ESME", "dormant", "", "N") + // 2
		row("A1", "MOC_MDS", mpanOf(1), "", "000D6F0000000002", "CHF", "", "", "") + // 3
		row("A2", "FOC", "-", "3365498706", "000D6F0000000003", "GSME", "active", "\"two\nlines\"", "Y") + // 4-5
		"\n" + // 6
		row("A3", "FOC", wrongCheckDigit(mpanOf(3)), "", "000D6F0000000004", "CHF", "", "", "") + // 7: check digit
		row("A\x96", "IOC", mpanOf(4), "", "000D6F0000000005", "CHF", "", "", "") + // 8: Windows-1252
		strings.TrimSuffix(row("A4", "FOC", mpanOf(5), "", "000D6F0000000006", "CHF", "", "", ""), "\n") + ",extra\n" + // 9
		row("A5", "FOC", mpanOf(6), "", "000D6F0000000007", "ESME", "active", "", "Y") + // 10
		row("A9", "FOC", " - ", "", "000D6F0000000008", "CHF", "", "", "") + // 11: "-" is no MPAN
		row("A6", "FOC", mpanOf(7), "", "000D6F0000000009", "CHF", "", "\"never closed", "") + // 12: a lone quote
		row("A7", "FOC", mpanOf(8), "", "000D6F000000000A", "CHF", "", "", "") + // 13
		row("A8", "FOC", mpanOf(9), "", "000D6F000000000B", "CHF", "", "", "") // 14
}

func wrongCheckDigit(m string) string { return m[:12] + string('0'+(m[12]-'0'+1)%10) }

// fieldRejects are fieldRows' rejects: line and a part of the message.
var fieldRejects = []struct {
	line uint32
	frag string
}{
	{7, "mpan: check digit"},
	{8, `installation_id: must be 1-64 printable characters ("A\x96")`},
	{9, "has 13 fields, the header has 12"},
	{11, "mpan, mprn: the row has neither an MPAN nor an MPRN"},
	{12, "not valid CSV: a quoted field that never ends: it runs from line 12 to the end of the file (line 14), " +
		"so lines 13 to 14 (2 lines) are read as part of this row, not as rows of their own"},
}

var lineEnds = []struct{ name, end string }{{"LF", "\n"}, {"CRLF", "\r\n"}, {"CRCRLF", "\r\r\n"}, {"CR", "\r"}}

// loaded is what a Load gives, in a form to compare.
type loaded struct {
	rejects string
	insts   string
	devices int
	stats   Stats
}

func loadVariant(t *testing.T, path string, opt Options) loaded {
	t.Helper()
	res, err := Load(context.Background(), []string{path}, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	var l loaded
	for _, r := range res.Rejects {
		l.rejects += fmt.Sprintf("%d %d %q %q %s\n", r.File, r.Line, r.SMSO, r.ID, r.Error)
	}
	for _, in := range res.Population.Installations {
		l.insts += fmt.Sprintf("%q %s %s %d\n", in.Name, in.MPAN, in.MPRN, in.Count)
	}
	l.devices = len(res.Population.Devices)
	l.stats = res.Stats
	l.stats.Bytes = 0
	return l
}

// TestLineEndsReadAlike (issue 16, case 1): the same file written with LF,
// CRLF, `\r\r\n` and CR line ends, read mapped, gunzipped or from standard
// input, in small blocks or one, gives the same rows, rejects and line
// numbers; the dormant MOC_MDS meter's prepay_key N is read as N.
func TestLineEndsReadAlike(t *testing.T) {
	text := fieldRows()
	dir := t.TempDir()
	var want loaded
	for _, le := range lineEnds {
		data := strings.ReplaceAll(text, "\n", le.end)
		for _, how := range []string{"mapped", "gzip", "stdin"} {
			for _, bs := range []int{0, 64} {
				opt := Options{Workers: 2, BlockSize: bs}
				var path string
				switch how {
				case "mapped":
					path = writeFile(t, dir, le.name+".csv", data)
				case "gzip":
					path = writeFile(t, dir, le.name+".csv.gz", data)
				case "stdin":
					path, opt.Stdin = Stdin, strings.NewReader(data)
				}
				got := loadVariant(t, path, opt)
				if want.stats.Rows == 0 {
					want = got
					continue
				}
				if got != want {
					t.Errorf("%s %s block %d:\n%+v\nwant (LF)\n%+v", le.name, how, bs, got, want)
				}
			}
		}
	}
	res, err := Load(context.Background(), []string{writeFile(t, dir, "x.csv", strings.ReplaceAll(text, "\n", "\r"))}, Options{Workers: 2, BlockSize: 64}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejects) != len(fieldRejects) {
		t.Fatalf("rejects %+v", res.Rejects)
	}
	for i, w := range fieldRejects {
		if r := res.Rejects[i]; r.Line != w.line || !strings.Contains(r.Error, w.frag) {
			t.Errorf("reject %+v, want line %d saying %q", r, w.line, w.frag)
		}
	}
	if res.Stats.BlankLines != 1 || res.Stats.Rows != 9 {
		t.Errorf("stats %+v, want 9 rows (lines 13 and 14 are in the quoted field) and 1 blank line", res.Stats)
	}
	pop := res.Population
	var names []string
	for _, in := range pop.Installations {
		names = append(names, strings.ReplaceAll(in.Name, "\x00", "/"))
	}
	if !slices.Equal(names, []string{"S1/A1", "S1/A2", "S1/A5"}) {
		t.Fatalf("installations %q", names)
	}
	if a2 := pop.Installations[1]; a2.MPAN != 0 || a2.MPRN.String() != "G3365498706" {
		t.Errorf("A2: MPAN %s MPRN %s: an MPAN of \"-\" is no MPAN", a2.MPAN, a2.MPRN)
	}
	if d := pop.Devices[pop.Installations[0].First]; d.Prepay() != value.No || d.State() != engine.Dormant {
		t.Errorf("A1's meter: prepay %v state %v, want N and dormant", d.Prepay(), d.State())
	}
}

// TestSepLine (issue 16, cases 2 and 3): a `sep=,` first line is skipped
// and counted; a hint naming another separator, or a header that is one
// field holding ';' or tabs, stops the run saying what the file seems to be.
func TestSepLine(t *testing.T) {
	body := hdr + goodRow + "S,FOC,2,bad,,2019-01-02,Y,000D6F0000AB1299,CHF,\n"
	for _, le := range lineEnds {
		data := strings.ReplaceAll("\xEF\xBB\xBFsep=,\n"+body, "\n", le.end)
		res, err := load(t, map[string]string{"s.csv": data}, 2)
		if err != nil {
			t.Fatalf("%s: %v", le.name, err)
		}
		if len(res.Population.Installations) != 1 || len(res.Rejects) != 1 || res.Rejects[0].Line != 4 {
			t.Errorf("%s: %d installations, rejects %+v; want 1 and one on line 4", le.name, len(res.Population.Installations), res.Rejects)
		}
	}
	semicolons := strings.ReplaceAll(hdr, ",", ";") + strings.ReplaceAll(goodRow, ",", ";")
	tabs := strings.ReplaceAll(hdr, ",", "\t") + strings.ReplaceAll(goodRow, ",", "\t")
	for name, tc := range map[string]struct {
		body, msg string
		line      int
	}{
		"semicolon-separated":    {semicolons, "line 1: the header is one field holding 9 ';': this file looks semicolon-separated; s1resolve reads comma-separated files", 1},
		"tab-separated":          {tabs, "line 1: the header is one field holding 9 tabs: this file looks tab-separated; s1resolve reads comma-separated files", 1},
		"sep=; hint":             {"sep=;\r\n" + semicolons, `line 1: the first line "sep=;" says the file is semicolon-separated; s1resolve reads comma-separated files`, 1},
		"sep=tab hint":           {"sep=\t\n" + tabs, `says the file is tab-separated`, 1},
		"semicolons after sep=,": {"sep=,\n" + semicolons, "line 2: the header is one field holding 9 ';'", 2},
		"only a sep=, line":      {"sep=,\r\n", "line 2: no header after the sep=, line", 2},
	} {
		_, err := load(t, map[string]string{"x.csv": tc.body}, 1)
		var he *HeaderError
		if !errors.As(err, &he) || !strings.Contains(err.Error(), tc.msg) || !strings.Contains(err.Error(), "x.csv") || he.Line != tc.line {
			t.Errorf("%s: %v, want an error naming x.csv and saying %q", name, err, tc.msg)
		}
		if name != "only a sep=, line" && !errors.Is(err, ErrSeparator) {
			t.Errorf("%s: %v is not ErrSeparator", name, err)
		}
	}
}

// TestHeaderNames (FORMATS.md §1): header names are read like values, and a
// control character in one is an error naming the file and the column's
// position.
func TestHeaderNames(t *testing.T) {
	names := strings.Split(strings.TrimSuffix(hdr, "\n"), ",")
	padded := slices.Clone(names)
	padded[0] = "\t Smso "
	padded[len(padded)-1] = "\"device_state\r\""
	res, err := load(t, map[string]string{"a.csv": strings.Join(padded, ",") + "\n" + goodRow}, 1)
	if err != nil || len(res.Population.Installations) != 1 {
		t.Fatalf("names with blanks and a CR around them: %v", err)
	}
	bad := slices.Clone(names)
	bad[2] = "installation\x07id"
	_, err = load(t, map[string]string{"a.csv": strings.Join(bad, ",") + "\n" + goodRow}, 1)
	var he *HeaderError
	if !errors.As(err, &he) || !errors.Is(err, ErrControlInName) || he.Field != 3 ||
		!strings.Contains(err.Error(), `a.csv: line 1: column 3: the header name "installation\aid" holds a control character ('\a')`) {
		t.Fatalf("error %v", err)
	}
	bad[2] = "installation_id\x00"
	if _, err = load(t, map[string]string{"a.csv": strings.Join(bad, ",") + "\n" + goodRow}, 1); !errors.Is(err, ErrControlInName) {
		t.Fatalf("a NUL in a name: %v", err)
	}
}

// TestOneHeaderReader: the same header fault gets the same named value and
// message from every kind of file.
func TestOneHeaderReader(t *testing.T) {
	dir := t.TempDir()
	load := func(body string) map[string]error {
		p := writeFile(t, dir, "f.csv", body)
		_, err1 := Load(context.Background(), []string{p}, Options{}, nil)
		_, err2 := LoadRegistration(context.Background(), p, 0, engine.NewRegistry(), Options{})
		_, err3 := LoadSuppliers(context.Background(), p, 0, engine.NewRegistry(), Options{})
		_, _, err4 := LoadInventory(context.Background(), p, 0, Options{})
		return map[string]error{"installations": err1, "registration": err2, "suppliers": err3, "inventory": err4}
	}
	for name, tc := range map[string]struct {
		body string
		want error
		msg  string
	}{
		"empty":          {"", ErrNoHeader, "f.csv: line 1: the file is empty: no header"},
		"semicolons":     {"a;b;c\n", ErrSeparator, "f.csv: line 1: the header is one field holding 2 ';'"},
		"sep=|":          {"sep=|\na|b\n", ErrSeparator, `f.csv: line 1: the first line "sep=|" says the file is pipe-separated`},
		"control":        {"a,b\x01\n", ErrControlInName, `f.csv: line 1: column 2: the header name "b\x01" holds a control character`},
		"UTF-16":         {"\xff\xfea\x00,\x00", ErrNotText, "f.csv: line 1: not UTF-8 text: the file is UTF-16"},
		"quote":          {"a\"b\n", ErrHeaderNotCSV, `f.csv: line 1: header is not valid CSV: a quote (") inside an unquoted field`},
		"missing column": {"sep=,\rx\r", ErrMissingColumn, "f.csv: line 2: column "},
	} {
		for kind, err := range load(tc.body) {
			if !errors.Is(err, tc.want) || !errors.Is(err, ErrHeader) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%s, %s file: %v, want %v saying %q", name, kind, err, tc.want, tc.msg)
			}
		}
	}
}

// TestReferenceFilesReadAlike: registration, supplier and SMETS2+
// inventory files written with each line end, after a sep=, line, give
// the same registry, members and rejects; an MPAN of "-" is no MPAN.
func TestReferenceFilesReadAlike(t *testing.T) {
	reg := "mpxn,supplier_id\n" + mpanOf(1) + ",SUP1\n\n - ,SUP2\n\"" + mpanOf(2) + "\r\",\"SUP\n3\"\n" + mpanOf(1) + ",SUP4\n"
	sup := "supplier_id,status\nSUP1,live\nSUP2,\"ceased_trading\"\nSUP1,live\n"
	inv := "inventory_id,mpan,mprn,install_date\nI1,-,1234567,2018-01-01\nI2,-,,2018-01-01\nI3,\"x\n"
	dir := t.TempDir()
	read := func(prefix, le string) string {
		write := func(name, text string) string {
			return writeFile(t, dir, name, prefix+strings.ReplaceAll(text, "\n", le))
		}
		r := engine.NewRegistry()
		rj1, err := LoadRegistration(context.Background(), write("r.csv", reg), 1, r, Options{})
		if err != nil {
			t.Fatal(err)
		}
		rj2, err := LoadSuppliers(context.Background(), write("s.csv", sup), 2, r, Options{})
		if err != nil {
			t.Fatal(err)
		}
		members, rj3, err := LoadInventory(context.Background(), write("i.csv", inv), 3, Options{})
		if err != nil {
			t.Fatal(err)
		}
		s := fmt.Sprintf("%d registered, SUP2 %v, members %+v\n", r.Len(), r.Status("SUP2"), members)
		for _, m := range []string{mpanOf(1), mpanOf(2)} {
			k, _ := value.ParseMPAN([]byte(m))
			id, _ := r.Supplier(k)
			s += fmt.Sprintf("%s=%q\n", k, strings.ReplaceAll(id, le, "\n"))
		}
		for _, rj := range [][]value.Reject{rj1, rj2, rj3} {
			for _, x := range rj {
				s += fmt.Sprintf("%d line %d %s\n", x.File, x.Line, x.Error)
			}
		}
		return s
	}
	want := read("", "\n")
	for _, w := range []string{`E1000000000012="SUP1"`, `E1000000000021="SUP\n3"`, `1 line 4 mpxn: required value is missing ("-")`,
		// The CR in the quoted MPAN is a line end, as the editor shows.
		"1 line 8 mpxn: E1000000000012 is listed again; line 2 stands",
		`2 line 4 supplier_id: "SUP1" is listed again; line 2 stands`, "3 line 3 mpan, mprn: the row has neither",
		"3 line 4 not valid CSV: a quoted field that never ends: it runs from line 4 to the end of the file\n", "MPRN:G1234567"} {
		if !strings.Contains(want, w) {
			t.Errorf("LF files read as\n%s\nwithout %q", want, w)
		}
	}
	for _, le := range lineEnds {
		if got := read("", le.end); got != want {
			t.Errorf("%s:\n%s\nwant (LF)\n%s", le.name, got, want)
		}
		got := read("sep=,"+le.end, le.end)
		if shifted := shiftLines(t, want); got != shifted {
			t.Errorf("sep=, and %s:\n%s\nwant\n%s", le.name, got, shifted)
		}
	}
}

// shiftLines adds one to every line number in s (a sep=, line before
// the header).
func shiftLines(t *testing.T, s string) string {
	t.Helper()
	return lineNumber.ReplaceAllStringFunc(s, func(m string) string {
		i := strings.LastIndexAny(m, " :") + 1
		n, err := strconv.Atoi(m[i:])
		if err != nil {
			t.Fatal(err)
		}
		return m[:i] + strconv.Itoa(n+1)
	})
}

var lineNumber = regexp.MustCompile(`(line |Line:)[0-9]+`)

// TestLoneQuoteSaysHowFar (issue 16, case 4): the reject of a quoted field
// that never ends says where it runs and which lines it took, in every
// file and line end; at the last line it says no more than that.
func TestLoneQuoteSaysHowFar(t *testing.T) {
	for _, tc := range []struct {
		body, want string
	}{
		{goodRow + "S,FOC,\"2,x\n" + goodRow + goodRow + goodRow, "not valid CSV: a quoted field that never ends: it runs from line 3 to the end of the file (line 6), " +
			"so lines 4 to 6 (3 lines) are read as part of this row, not as rows of their own"},
		{goodRow + "S,FOC,\"2,x\n" + strings.TrimSuffix(goodRow, "\n"), "it runs from line 3 to the end of the file (line 4), so line 4 is read as part of this row, not as a row of its own"},
		// The field that never ends is not read as a value: here, the
		// installation_id.
		{goodRow + "S,FOC,\"2,x\n", "not valid CSV: a quoted field that never ends: it runs from line 3 to the end of the file; its installation cannot be identified"},
	} {
		for _, le := range lineEnds {
			res, err := load(t, map[string]string{"q.csv": strings.ReplaceAll(hdr+tc.body, "\n", le.end)}, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rejects) != 1 || res.Rejects[0].Line != 3 || !strings.Contains(res.Rejects[0].Error, tc.want) {
				t.Errorf("%s: rejects %+v, want one on line 3 saying %q", le.name, res.Rejects, tc.want)
			}
		}
	}
}

// TestNormalizeLineEnds: the rules file's reader sees the lines an editor
// shows, whatever its line ends: engine.ParseRules reads the same rules
// through LineEnds (without it, a CR-only file is one line).
func TestNormalizeLineEnds(t *testing.T) {
	for in, want := range map[string]string{
		"a\nb\n": "a\nb\n", "a\r\nb": "a\nb", "a\r\r\nb\r\r\n": "a\nb\n", "a\rb\r": "a\nb\n", "a\r\r\rb": "a\n\n\nb", "\r": "\n", "": "",
	} {
		if got := string(NormalizeLineEnds([]byte(in))); got != want {
			t.Errorf("NormalizeLineEnds(%q) = %q, want %q", in, got, want)
		}
		got, err := io.ReadAll(LineEnds(strings.NewReader(in)))
		if err != nil || string(got) != want {
			t.Errorf("LineEnds(%q) reads %q, %v", in, got, err)
		}
	}
	rules := "# thresholds\nMOC_MDS firmware=15 configuration=10 groups=CB\n\nIOC firmware=108 configuration=30 groups=AA,BA\n"
	want, err := engine.ParseRules(strings.NewReader(rules), "rules.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, le := range lineEnds {
		got, err := engine.ParseRules(LineEnds(strings.NewReader(strings.ReplaceAll(rules, "\n", le.end))), "rules.txt")
		if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: rules %v, %v; want %v", le.name, got, err, want)
		}
	}
}
