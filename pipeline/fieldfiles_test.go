package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/s1resolve/s1resolve/ingest"
	"github.com/s1resolve/s1resolve/value"
)

// Files from the field (issue 16): what spreadsheets and scripts write.

func fieldMPAN(n int) string {
	core := fmt.Sprintf("%012d", 200000000000+n)
	return core + string(value.MPANCheckDigit([]byte(core)))
}

// fieldFiles are an installations, a registration, a supplier and a SMETS2+
// inventory file, written with LF line ends. The installations file has
// prepay_key last, where a stray CR used to land (A1, dormant MOC_MDS with
// prepay_key N: exclude/no_prepayment_key), a quoted note over two lines,
// a blank line, an MPAN of "-" (A2: no MPAN), a Windows-1252 byte, a NUL,
// a field too many, and a lone quote that takes the last two lines.
func fieldFiles() map[string]string {
	row := func(id, cohort, mpan, mprn, guid, typ, state, note, prepay string) string {
		return fmt.Sprintf("S1,%s,%s,%s,%s,2019-01-02,Y,%s,%s,%s,%s,%s\n", cohort, id, mpan, mprn, guid, typ, state, note, prepay)
	}
	bad := fieldMPAN(3)
	bad = bad[:12] + string('0'+(bad[12]-'0'+1)%10)
	return map[string]string{
		"inst.csv": "smso,cohort,installation_id,mpan,mprn,install_date,communicating,device_guid,device_type,device_state,note,prepay_key\n" + // 1
			row("A1", "MOC_MDS", fieldMPAN(1), "", "000D6F0000000001", "ESME", "dormant", "", "N") + // 2
			row("A1", "MOC_MDS", fieldMPAN(1), "", "000D6F0000000002", "CHF", "", "", "") + // 3
			row("A2", "FOC", "-", "3365498706", "000D6F0000000003", "GSME", "active", "\"two\nlines, quoted\"", "Y") + // 4-5
			"\n" + // 6
			row("A3", "FOC", bad, "", "000D6F0000000004", "CHF", "", "", "") + // 7
			row("A\x96", "IOC", fieldMPAN(4), "", "000D6F0000000005", "CHF", "", "", "") + // 8
			row("A\x00N", "IOC", fieldMPAN(4), "", "000D6F000000000C", "CHF", "", "", "") + // 9
			strings.TrimSuffix(row("A4", "FOC", fieldMPAN(5), "", "000D6F0000000006", "CHF", "", "", ""), "\n") + ",extra\n" + // 10
			row("A5", "FOC", fieldMPAN(6), "", "000D6F0000000007", "ESME", "active", "", "Y") + // 11
			row("A6", "FOC", fieldMPAN(7), "", "000D6F0000000009", "CHF", "", "\"never closed", "") + // 12
			row("A7", "FOC", fieldMPAN(8), "", "000D6F000000000A", "CHF", "", "", "") + // 13
			row("A8", "FOC", fieldMPAN(9), "", "000D6F000000000B", "CHF", "", "", ""), // 14
		"reg.csv": "mpxn,supplier_id\n" + fieldMPAN(1) + ",SUP1\n3365498706,SUP3\n\n" + fieldMPAN(6) + ",SUP2\n - ,SUP4\n",
		"sup.csv": "supplier_id,status\nSUP1,live\nSUP2,ceased_trading\nSUP3,live\n",
		"inv.csv": "inventory_id,mpan,mprn,install_date\nI1,-,1234567,2018-01-01\nI2,-,,2018-01-01\n",
	}
}

// runField writes files (with each LF as lineEnd, after prefix) in a
// folder of its own and runs them; how says how the installations file is
// read: "mapped" (a plain file), "gzip" or "stdin". It returns the
// decisions and rejects with the folder written DIR, and the summary's
// counts.
func runField(t *testing.T, files map[string]string, lineEnd, prefix, how string) (dec, rej []byte, counts string) {
	t.Helper()
	dir := t.TempDir()
	path := func(name string) string {
		p := filepath.Join(dir, name)
		data := []byte(prefix + strings.ReplaceAll(files[name], "\n", lineEnd))
		if how == "gzip" && name == "inst.csv" {
			p += ".gz"
			var b bytes.Buffer
			z := gzip.NewWriter(&b)
			z.Write(data)
			z.Close()
			data = b.Bytes()
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg := Config{Inputs: []string{path("inst.csv")}, Registration: path("reg.csv"), Suppliers: path("sup.csv"),
		Smets2: path("inv.csv"), Workers: 2, Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv")}
	if how == "stdin" {
		data, _ := os.ReadFile(cfg.Inputs[0])
		cfg.Inputs, cfg.Stdin = []string{"-"}, bytes.NewReader(data)
	}
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	dec, _ = os.ReadFile(cfg.Out)
	rej, _ = os.ReadFile(cfg.Rejects)
	if how == "stdin" { // standard input is named "-"
		rej = bytes.ReplaceAll(bytes.ReplaceAll(rej, []byte("\n-,"), []byte("\nINST,")), []byte("by - line"), []byte("by INST line"))
	} else {
		rej = bytes.ReplaceAll(rej, []byte(cfg.Inputs[0]), []byte("INST"))
	}
	rej = bytes.ReplaceAll(rej, []byte(dir), []byte("DIR"))
	counts = fmt.Sprintf("rows %d blank %d rejected %d reference rejects %d smets2 %d registered %d", sum.Rows, sum.BlankLines,
		sum.RejectedRows, sum.RejectedReferenceRows, sum.Smets2Read, sum.RegisteredMPxNs)
	return dec, rej, counts
}

// TestLineEndsGiveTheSameRun (issue 16, case 1): the same files written
// with LF, CRLF, `\r\r\n` and CR line ends, the installations read mapped,
// gunzipped or from standard input, give the same decisions and rejects,
// byte for byte, line numbers included.
func TestLineEndsGiveTheSameRun(t *testing.T) {
	files := fieldFiles()
	dec, rej, counts := runField(t, files, "\n", "", "mapped")
	checkFieldRun(t, dec, rej)
	if want := "rows 9 blank 1 rejected 5 reference rejects 2 smets2 1 registered 3"; counts != want {
		t.Errorf("summary: %s, want %s", counts, want)
	}
	for _, le := range []struct{ name, end string }{{"LF", "\n"}, {"CRLF", "\r\n"}, {"CRCRLF", "\r\r\n"}, {"CR", "\r"}} {
		for _, how := range []string{"mapped", "gzip", "stdin"} {
			d, r, c := runField(t, files, le.end, "", how)
			if !bytes.Equal(d, dec) {
				t.Errorf("%s %s: decisions\n%s\nwant (LF)\n%s", le.name, how, d, dec)
			}
			if !bytes.Equal(r, rej) {
				t.Errorf("%s %s: rejects\n%s\nwant (LF)\n%s", le.name, how, r, rej)
			}
			if c != counts {
				t.Errorf("%s %s: %s, want %s", le.name, how, c, counts)
			}
		}
	}
}

// checkFieldRun checks the LF run of fieldFiles against what the contract
// says of each row.
func checkFieldRun(t *testing.T, dec, rej []byte) {
	t.Helper()
	rows := readCSV(t, dec)
	got := map[string]string{}
	for _, r := range rows[1:] {
		got[r[1]] = strings.Join([]string{r[3], r[4], r[8], r[9], r[10], r[11]}, " ")
	}
	want := map[string]string{
		"A1": "exclude no_prepayment_key E" + fieldMPAN(1) + "  SUP1 Y", // prepay_key N, read whatever the line ends
		"A2": "migrate unique  G3365498706 SUP3 Y",                      // "-" is no MPAN
		"A5": "migrate unique E" + fieldMPAN(6) + "  SUP2 N",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("decisions %v, want %v", got, want)
	}
	// Rejects: valid UTF-8 whatever the input held (FORMATS.md §5), each
	// row where it starts, the lone quote saying which lines it took.
	if !utf8.Valid(rej) {
		t.Errorf("rejects are not UTF-8: %q", rej)
	}
	for _, r := range string(rej) {
		if unicode.IsControl(r) && r != '\n' {
			t.Errorf("rejects hold control character %U: %q", r, rej)
		}
	}
	records, err := csv.NewReader(bytes.NewReader(rej)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range records[1:] {
		lines = append(lines, r[0]+":"+r[1]+" "+r[3])
	}
	wantLines := "[INST:7 A3 INST:8 A\\x96 INST:9 A\\x00N INST:10 A4 INST:12 A6 DIR/reg.csv:6  DIR/inv.csv:3 ]"
	if fmt.Sprint(lines) != wantLines {
		t.Errorf("rejects at %v, want %s", lines, wantLines)
	}
	for _, frag := range []string{
		`installation_id: must be 1-64 printable characters (""A\x96"")`,
		"a quoted field that never ends: it runs from line 12 to the end of the file (line 14), so lines 13 to 14 (2 lines) are read as part of this row, not as rows of their own",
		`installation_id: must be 1-64 printable characters (""A\x00N"")`,
		`mpxn: required value is missing (""-"")`,
		"mpan, mprn: the row has neither an MPAN nor an MPRN",
	} {
		if !bytes.Contains(rej, []byte(frag)) {
			t.Errorf("rejects without %q:\n%s", frag, rej)
		}
	}
}

// TestSepLineGivesTheSameRun (issue 16, case 2): Excel's `sep=,` first
// line, in every file, is skipped: the same decisions, and every reject one
// line further on.
func TestSepLineGivesTheSameRun(t *testing.T) {
	files := fieldFiles()
	dec, rej, counts := runField(t, files, "\n", "", "mapped")
	want := readCSV(t, rej)
	for _, le := range []string{"\n", "\r\n", "\r"} {
		d, r, c := runField(t, files, le, "sep=,"+le, "mapped")
		if !bytes.Equal(d, dec) || c != counts {
			t.Errorf("%q: decisions\n%s\nwant\n%s", le, d, dec)
		}
		got := readCSV(t, r)
		if len(got) != len(want) {
			t.Fatalf("%q: %d rejects, want %d", le, len(got), len(want))
		}
		for i := 1; i < len(got); i++ {
			if got[i][0] != want[i][0] || got[i][1] != fmt.Sprint(atoi(t, want[i][1])+1) {
				t.Errorf("%q: reject %v, want %v one line further on", le, got[i], want[i])
			}
		}
	}
}

func atoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOtherSeparatorStopsTheRun (issue 16, case 3): a semicolon-separated
// export stops the run saying what the file looks like, and no decisions
// are written.
func TestOtherSeparatorStopsTheRun(t *testing.T) {
	files := fieldFiles()
	files["inst.csv"] = strings.ReplaceAll(files["inst.csv"], ",", ";")
	dir := t.TempDir()
	in := filepath.Join(dir, "inst.csv")
	if err := os.WriteFile(in, []byte(files["inst.csv"]), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "d.csv")
	_, err := Run(context.Background(), Config{Inputs: []string{in}, Out: out, Rejects: filepath.Join(dir, "r.csv"), Workers: 2})
	want := in + ": line 1: the header is one field holding 11 ';': this file looks semicolon-separated; s1resolve reads comma-separated files"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("decisions written: %v", err)
	}
}

// TestSameTextTwiceIsRefused: a copy of an input, or a gzipped copy, given
// beside it is refused, naming both: read twice, every row would be a
// duplicate GUID and decisions would change silently.
func TestSameTextTwiceIsRefused(t *testing.T) {
	dir := t.TempDir()
	text := "smso,cohort,installation_id,mpan,install_date,device_guid,device_type,device_state\nS,FOC,A1,1200023305967,2019-01-01,0000000000000001,ESME,dormant\n"
	a, copyOfA, gz := filepath.Join(dir, "a.csv"), filepath.Join(dir, "copy.csv"), filepath.Join(dir, "a.csv.gz")
	os.WriteFile(a, []byte(text), 0o600)
	os.WriteFile(copyOfA, []byte(text), 0o600)
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write([]byte(text))
	z.Close()
	os.WriteFile(gz, b.Bytes(), 0o600)
	for _, pair := range [][2]string{{a, copyOfA}, {a, gz}} {
		_, err := Run(context.Background(), Config{Inputs: pair[:], Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv")})
		if !errors.Is(err, ingest.ErrSameText) || !strings.Contains(err.Error(), filepath.Base(pair[1])) {
			t.Errorf("%v: %v", pair, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "d.csv")); err == nil {
		t.Error("a refused run wrote decisions")
	}
	// Two files of the same size and the same first 2 MiB that differ in
	// their last row are two files: both are read.
	var big strings.Builder
	big.WriteString("smso,cohort,installation_id,mpan,install_date,device_guid,device_type,device_state\n")
	for i := 0; big.Len() < 2<<20; i++ {
		fmt.Fprintf(&big, "S,FOC,B%07d,1200023305967,2019-01-01,%016X,ESME,dormant\n", i, i+16)
	}
	p1, p2 := filepath.Join(dir, "p1.csv"), filepath.Join(dir, "p2.csv")
	os.WriteFile(p1, []byte(big.String()+"T,FOC,LAST1,1200023305967,2019-01-01,00000000FFFFFFF1,ESME,dormant\n"), 0o600)
	os.WriteFile(p2, []byte(big.String()+"T,FOC,LAST2,1200023305967,2019-01-01,00000000FFFFFFF2,ESME,dormant\n"), 0o600)
	if _, err := Run(context.Background(), Config{Inputs: []string{p1, p2}, Out: filepath.Join(dir, "d2.csv"), Rejects: filepath.Join(dir, "r2.csv")}); err != nil {
		t.Errorf("two files differing at their end: %v", err)
	}
}
