package output

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/ingest"
)

type readRow struct {
	line int
	row  Row
}

func readAllCSV(t *testing.T, data []byte) []readRow {
	t.Helper()
	var rows []readRow
	if err := ReadDecisions(context.Background(), bytes.NewReader(data), "d.csv", func(line int, r *Row) error {
		rows = append(rows, readRow{line, *r})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestReadDecisionsCSVLikeEveryInput: a decisions CSV is read by the rules
// of every input (FORMATS.md §1, ingest.Reader): written with CRLF, `\r\r\n`
// or CR line ends, after a BOM and a `sep=,` line, with blank lines, it
// reads as the same rows on the same lines (one further on after sep=,).
func TestReadDecisionsCSVLikeEveryInput(t *testing.T) {
	pop, res := benchPopulation(t, 500)
	var buf bytes.Buffer
	if err := WriteDecisions(context.Background(), &buf, &Decisions{Pop: pop, Res: res, Format: CSV, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	lf := buf.Bytes()
	want := readAllCSV(t, lf)
	if len(want) != len(pop.Installations) || want[0].line != 2 || want[len(want)-1].line != len(want)+1 {
		t.Fatalf("%d rows, lines %d to %d", len(want), want[0].line, want[len(want)-1].line)
	}
	for _, le := range []string{"\r\n", "\r\r\n", "\r"} {
		v := bytes.ReplaceAll(lf, []byte("\n"), []byte(le))
		if got := readAllCSV(t, v); !slices.Equal(got, want) {
			t.Errorf("with %q line ends: rows differ", le)
		}
		got := readAllCSV(t, append([]byte("\xEF\xBB\xBFsep=,"+le), v...))
		for i := range got {
			got[i].line--
		}
		if !slices.Equal(got, want) {
			t.Errorf("with a BOM and sep=, and %q line ends: rows differ", le)
		}
	}
	// Blank lines are skipped, and counted as lines.
	header, rest, _ := bytes.Cut(lf, []byte("\n"))
	first, rest, _ := bytes.Cut(rest, []byte("\n"))
	got := readAllCSV(t, slices.Concat(header, []byte("\n\n"), first, []byte("\r\r"), rest))
	if len(got) != len(want) || got[0].row != want[0].row || got[0].line != 3 || got[1].line != 5 {
		t.Errorf("with blank lines: %d rows, lines %d and %d", len(got), got[0].line, got[1].line)
	}
}

// TestReadDecisionsCSVFaults: the faults are the named values of package
// ingest, with the file and the line.
func TestReadDecisionsCSVFaults(t *testing.T) {
	hdr := DecisionsHeader
	row := "S,1,FOC,migrate,unique,,E1200023305967,1,E1200023305967,,,Y\n"
	for name, tc := range map[string]struct {
		in   string
		want error
		msg  string
	}{
		"a bare quote":       {hdr + row + `S,2",FOC,migrate,unique,,E1,1,E1,,,Y` + "\n", ingest.ErrBareQuote, "d.csv: line 3: not valid CSV"},
		"a field too many":   {hdr + row + strings.TrimSuffix(row, "\n") + ",x\n", ingest.ErrFieldCount, "d.csv: line 3: has 13 fields, the header has 12"},
		"an unending quote":  {hdr + `"S` + "\n" + row + row, ingest.ErrUnterminated, "d.csv: line 2: not valid CSV: a quoted field that never ends: it runs from line 2 to the end of the file (line 4)"},
		"semicolons":         {strings.ReplaceAll(hdr, ",", ";") + row, ingest.ErrSeparator, "d.csv: line 1: the header is one field holding 11 ';'"},
		"a column missing":   {strings.Replace(hdr, "cohort", "kohort", 1) + row, ingest.ErrMissingColumn, `d.csv: line 1: column "cohort": required column is missing`},
		"a sep=; first line": {"sep=;\n" + hdr + row, ingest.ErrSeparator, "semicolon-separated"},
	} {
		err := ReadDecisions(context.Background(), strings.NewReader(tc.in), "d.csv", func(int, *Row) error { return nil })
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want %v saying %q", name, err, tc.want, tc.msg)
		}
	}
}

// BenchmarkReadDecisionsCSV reads a decisions CSV of n rows as diff and
// report do; MB/s is of the file read. Run at scale with, e.g.,
// -bench ReadDecisionsCSV -benchtime 3x after raising n.
func BenchmarkReadDecisionsCSV(b *testing.B) {
	pop, res := benchPopulation(b, 100_000)
	var buf bytes.Buffer
	if err := WriteDecisions(context.Background(), &buf, &Decisions{Pop: pop, Res: res, Format: CSV, Workers: 2}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rows := 0
		if err := ReadDecisions(context.Background(), bytes.NewReader(buf.Bytes()), "d.csv", func(int, *Row) error { rows++; return nil }); err != nil || rows != len(pop.Installations) {
			b.Fatal(rows, err)
		}
	}
}
