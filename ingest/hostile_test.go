package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const goodRow = "S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,\n"

// TestHostileInput is the catalogue of docs/RELIABILITY.md: none of these
// may panic; each is either rejects with a line and reason, or a clear
// error naming the file, and every row read is accounted for.
func TestHostileInput(t *testing.T) {
	attempts := func(v string) string {
		return hdr[:len(hdr)-1] + ",fw_attempts\nS,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,," + v + "\n"
	}
	tests := []struct {
		name    string
		body    string
		rejects int    // rows rejected
		valid   int    // valid installations
		err     string // part of the run error, if one
	}{
		{"UTF-8 BOM before the header", "\xEF\xBB\xBF" + hdr + goodRow, 0, 1, ""},
		{"bytes that are not UTF-8 in an id", hdr + "S,FOC,\xff\xfe,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,\n", 1, 0, ""},
		{"NUL byte in a value", hdr + "S,FOC,a\x00b,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,\n", 1, 0, ""},
		{"a 10 MB line", hdr + goodRow + "S,FOC,2," + strings.Repeat("9", 10<<20) + ",,2019-01-02,Y,000D6F0000AB1235,CHF,\n", 1, 1, ""},
		{"unterminated quote at end of file", hdr + goodRow + "S,FOC,\"2,1200023305967", 1, 1, ""},
		{"empty file", "", 0, 0, "empty"},
		{"header with no rows", hdr, 0, 0, ""},
		{"header naming a column twice", strings.Replace(hdr, "mprn", "mpan", 1), 0, 0, "named twice"},
		{"mixed CRLF and LF", hdr + strings.Replace(goodRow, "\n", "\r\n", 1) + "S,FOC,2,1100012345674,,2019-01-02,Y,000D6F0000AB1235,CHF,\n", 0, 2, ""},
		{"a trailing comma on every row", strings.Replace(hdr, "\n", ",\n", 1) + strings.Replace(goodRow, "\n", ",\n", 1), 0, 1, ""},
		{"trailing comma on rows but not the header", hdr + strings.Replace(goodRow, "\n", ",\n", 1), 1, 0, ""},
		{"attempts with a sign", attempts("+3"), 1, 0, ""},
		{"attempts with inner spaces", attempts("1 2"), 1, 0, ""},
		{"attempts of 40 digits", attempts(strings.Repeat("9", 40)), 1, 0, ""},
		{"attempts with surrounding spaces", attempts(" 12 "), 0, 1, ""},
		{"date 2019-2-3", strings.Replace(hdr+goodRow, "2019-01-02", "2019-2-3", 1), 1, 0, ""},
		{"date 0000-01-01", strings.Replace(hdr+goodRow, "2019-01-02", "0000-01-01", 1), 1, 0, ""},
		{"date 2019-13-01", strings.Replace(hdr+goodRow, "2019-01-02", "2019-13-01", 1), 1, 0, ""},
		{"blank lines", hdr + "\n" + goodRow + "\n\n", 0, 1, ""},
		{"CR line ends (old Mac exports)", strings.ReplaceAll(hdr+goodRow+strings.Replace(goodRow, ",1,", ",2,", 1), "\n", "\r"), 0, 2, ""},
		{"\\r\\r\\n line ends (Python on Windows)", strings.ReplaceAll(hdr+goodRow, "\n", "\r\r\n"), 0, 1, ""},
		{"a CR in an unquoted value ends its line", hdr + strings.Replace(goodRow, "2019", "\r2019", 1), 2, 0, ""},
		{"a CR in a quoted value is data", hdr + strings.Replace(goodRow, "1,1200023305967", "\"1\r\",1200023305967", 1), 0, 1, ""},
		{"10 MB of CRs", hdr + goodRow + strings.Repeat("\r", 10<<20), 0, 1, ""},
		{"10 MB of CRs then an LF", hdr + goodRow + strings.Repeat("\r", 10<<20) + "\n", 0, 1, ""},
		{"sep=, first line", "sep=,\r\n" + hdr + goodRow, 0, 1, ""},
		{"semicolon-separated", strings.ReplaceAll(hdr+goodRow, ",", ";"), 0, 0, "looks semicolon-separated"},
		{"tab-separated", strings.ReplaceAll(hdr+goodRow, ",", "\t"), 0, 0, "looks tab-separated"},
		{"sep=; first line", "sep=;\n" + strings.ReplaceAll(hdr+goodRow, ",", ";"), 0, 0, "semicolon-separated"},
		{"a control character in a header name", strings.Replace(hdr, "cohort", "co\x1bhort", 1) + goodRow, 0, 0, "column 2"},
		{"an MPAN of only '-' beside an MPRN", hdr + strings.Replace(goodRow, "1200023305967,", "-,3365498706", 1), 0, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := load(t, map[string]string{"h.csv": tt.body}, 2)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "h.csv") {
					t.Fatalf("error %v, want one naming h.csv and %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rejects) != tt.rejects || len(res.Population.Installations) != tt.valid {
				t.Fatalf("%d rejects %+v and %d valid, want %d and %d", len(res.Rejects), res.Rejects, len(res.Population.Installations), tt.rejects, tt.valid)
			}
			for _, r := range res.Rejects {
				if r.Line < 2 || r.Error == "" {
					t.Errorf("reject without a line or reason: %+v", r)
				}
			}
			if int64(len(res.Population.Devices)+len(res.Rejects)) != res.Stats.Rows {
				t.Errorf("%d devices + %d rejects != %d rows", len(res.Population.Devices), len(res.Rejects), res.Stats.Rows)
			}
		})
	}
}

// TestBrokenGzip: a truncated or corrupt .gz is an error naming the file.
func TestBrokenGzip(t *testing.T) {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write([]byte(hdr + strings.Repeat(goodRow, 2000)))
	z.Close()
	dir := t.TempDir()
	whole := b.Bytes()
	for name, c := range map[string]struct {
		data []byte
		says string
	}{
		"truncated.csv.gz": {whole[:len(whole)/2], "the file is cut short"},
		"corrupt.csv.gz":   {append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}, bytes.Repeat([]byte{0xAB}, 100)...), "gzip"},
		"notgzip.csv.gz":   {[]byte(hdr + goodRow), "not a readable gzip file"},
		// Rows appended to a .gz file would otherwise be dropped unread.
		"appended.csv.gz": {append(append([]byte{}, whole...), goodRow...), fmt.Sprintf("%d bytes after the end of the gzip data are not gzip", len(goodRow))},
		"member.csv.gz":   {append(append([]byte{}, whole...), whole[:5]...), "a gzip member after the first is damaged"},
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, c.data, 0o600)
		_, err := Load(context.Background(), []string{p}, Options{}, nil)
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: error %v, want one naming the file and saying %q", name, err, c.says)
		}
	}
}

// TestGzipMembersAndPadding: a file of two gzip members (cat a.gz b.gz)
// is read whole, as gzip -d reads it; zero bytes after the last member (a
// tape's padding) are skipped.
func TestGzipMembersAndPadding(t *testing.T) {
	member := func(text string) []byte {
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		z.Write([]byte(text))
		z.Close()
		return b.Bytes()
	}
	rows := strings.Repeat(goodRow, 3)
	dir := t.TempDir()
	for name, data := range map[string][]byte{
		"two.csv.gz":    append(member(hdr+rows[:len(rows)/2]), member(rows[len(rows)/2:])...),
		"padded.csv.gz": append(member(hdr+rows), make([]byte, 512)...),
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o600)
		res, err := Load(context.Background(), []string{p}, Options{}, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Stats.Rows != 3 {
			t.Errorf("%s: read %d rows; want 3", name, res.Stats.Rows)
		}
	}
}
