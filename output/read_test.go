package output

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// TestReadDecisionsRoundTrip: what WriteDecisions writes, in either
// format, ReadDecisions reads back to the same rows, which are the CSV's
// records as encoding/csv reads them.
func TestReadDecisionsRoundTrip(t *testing.T) {
	pop, res := benchPopulation(t, 3000)
	supplier := func(id uint32) (string, bool) {
		if id%3 == 0 {
			return `SUP,"odd" name`, false
		}
		return "", true
	}
	read := func(f Format) []Row {
		var buf bytes.Buffer
		if err := WriteDecisions(context.Background(), &buf, &Decisions{Pop: pop, Res: res, Format: f, Workers: 2, Supplier: supplier}); err != nil {
			t.Fatal(err)
		}
		var rows []Row
		if err := ReadDecisions(&buf, "d", func(line int, r *Row) error { rows = append(rows, *r); return nil }); err != nil {
			t.Fatal(err)
		}
		return rows
	}
	fromCSV, fromJSON := read(CSV), read(JSONL)
	// Parquet, through a file as ReadDecisionsFile reads it.
	pq := filepath.Join(t.TempDir(), "d.parquet")
	f, _ := os.Create(pq)
	if err := WriteDecisions(context.Background(), f, &Decisions{Pop: pop, Res: res, Format: Parquet, Workers: 3, Supplier: supplier}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var fromParquet []Row
	if err := ReadDecisionsFile(pq, func(line int, r *Row) error {
		if line != len(fromParquet)+1 {
			t.Fatalf("row %d numbered %d", len(fromParquet)+1, line)
		}
		fromParquet = append(fromParquet, *r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fromParquet, fromCSV) {
		t.Fatalf("Parquet rows differ from the CSV's (%d and %d rows)", len(fromParquet), len(fromCSV))
	}
	// Empty values are nulls, group_size an integer.
	pf, _ := os.Open(pq)
	defer pf.Close()
	type nullable struct {
		SupplierID *string `parquet:"supplier_id,optional"`
		GroupSize  int64   `parquet:"group_size"`
	}
	rows := make([]nullable, 3)
	n, _ := parquet.NewGenericReader[nullable](pf).Read(rows)
	if n != 3 || rows[0].SupplierID == nil || rows[1].SupplierID != nil || rows[1].GroupSize < 1 {
		t.Fatalf("Parquet nulls: %+v", rows[:n])
	}
	if len(fromCSV) != len(pop.Installations) || len(fromJSON) != len(fromCSV) {
		t.Fatalf("%d CSV rows, %d JSON rows, want %d", len(fromCSV), len(fromJSON), len(pop.Installations))
	}
	var buf bytes.Buffer
	WriteDecisions(context.Background(), &buf, &Decisions{Pop: pop, Res: res, Format: CSV, Workers: 1, Supplier: supplier})
	records, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(records[0], ",")+"\n" != DecisionsHeader {
		t.Fatalf("header %v", records[0])
	}
	for i := range fromCSV {
		if fromCSV[i] != fromJSON[i] {
			t.Fatalf("row %d: CSV %v, JSON %v", i, fromCSV[i], fromJSON[i])
		}
		if strings.Join(fromCSV[i][:], "\x00") != strings.Join(records[i+1], "\x00") {
			t.Fatalf("row %d: read %v, encoding/csv %v", i, fromCSV[i], records[i+1])
		}
	}
}

func TestReadDecisionsErrors(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"not a decisions file": {"a,b\n1,2\n", `line 1: column "smso": required column is missing`},
		"JSON without a key":   {`{"smso":"A"}` + "\n", `line 1: key "installation_id" is missing`},
		"broken JSON":          {`{"smso":"A"` + "\n", "line 1: not a JSON object"},
		"a number for a word":  {`{"smso":"A","installation_id":"1","cohort":3}` + "\n", `"cohort" is a number`},
	} {
		err := ReadDecisions(strings.NewReader(tc.in), "x.csv", func(int, *Row) error { return nil })
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "x.csv") {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
}
