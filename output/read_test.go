package output

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// printed is the row of installation id as FORMATS.md §4 prints it, spelled
// out here without the column table.
func printed(r Row) []string {
	notify := "N"
	if r.Notify {
		notify = "Y"
	}
	return []string{r.SMSO, r.InstallationID, r.Cohort.String(), r.Decision.String(), r.Reason.String(), r.Clause,
		r.GroupID.String(), strconv.Itoa(int(r.GroupSize)), r.MPAN.String(), r.MPRN.String(), r.SupplierID, notify}
}

// TestReadDecisionsRoundTrip: what WriteDecisions writes, in every format
// (CSV and JSON Lines gzipped too), ReadDecisions reads back to the rows
// RowOf builds; the CSV is what encoding/csv reads, value for value.
func TestReadDecisionsRoundTrip(t *testing.T) {
	defer func(n int64) { parquetRowGroup = n }(parquetRowGroup)
	parquetRowGroup = 700 // several row groups
	pop, res := benchPopulation(t, 3000)
	supplier := func(id uint32) (string, bool) {
		if id%3 == 0 {
			return `SUP,"odd" name`, false
		}
		return "", true
	}
	want := make([]Row, len(pop.Installations))
	for id := range want {
		want[id] = RowOf(pop, res, uint32(id), supplier)
	}
	write := func(f Format, gz bool) []byte {
		var buf bytes.Buffer
		w := &buf
		if err := WriteDecisions(context.Background(), w, &Decisions{Pop: pop, Res: res, Format: f, Workers: 2, Supplier: supplier}); err != nil {
			t.Fatal(err)
		}
		if !gz {
			return buf.Bytes()
		}
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(buf.Bytes())
		zw.Close()
		return z.Bytes()
	}
	for _, c := range []struct {
		name string
		f    Format
		gz   bool
	}{{"csv", CSV, false}, {"csv.gz", CSV, true}, {"jsonl", JSONL, false}, {"jsonl.gz", JSONL, true}, {"parquet", Parquet, false}} {
		var got []Row
		err := ReadDecisions(context.Background(), bytes.NewReader(write(c.f, c.gz)), "d."+c.name, func(line int, r *Row) error {
			if c.f == Parquet && line != len(got)+1 || c.f != Parquet && line != len(got)+2 && c.f == CSV {
				t.Fatalf("%s: row %d numbered %d", c.name, len(got)+1, line)
			}
			got = append(got, *r)
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows, want %d", c.name, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: row %d is %+v, want %+v", c.name, i, got[i], want[i])
			}
		}
	}
	// Rows appended to a gzipped decisions file are not dropped unread.
	appended := append(write(CSV, true), "\nS,1,2\n"...)
	err := ReadDecisions(context.Background(), bytes.NewReader(appended), "d.csv.gz", func(int, *Row) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "bytes after the end of the gzip data are not gzip") {
		t.Errorf("rows appended after the gzip data: error %v", err)
	}
	records, err := csv.NewReader(bytes.NewReader(write(CSV, false))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(records[0], ",")+"\n" != DecisionsHeader {
		t.Fatalf("header %v", records[0])
	}
	for i := range want {
		if strings.Join(printed(want[i]), "\x00") != strings.Join(records[i+1], "\x00") {
			t.Fatalf("row %d: %v, encoding/csv reads %v", i, printed(want[i]), records[i+1])
		}
	}
}

// TestParquetNullsFollowTheCSV: read back with parquet-go's own reader, on
// a file of several row groups, each optional column is null exactly where
// the CSV's value is empty, and group_size is an integer.
func TestParquetNullsFollowTheCSV(t *testing.T) {
	defer func(n int64) { parquetRowGroup = n }(parquetRowGroup)
	parquetRowGroup = 500
	pop, res := benchPopulation(t, 4000)
	supplier := func(id uint32) (string, bool) {
		if id%7 == 0 {
			return "", true
		}
		return "S" + strconv.Itoa(int(id%5)), id%2 == 0
	}
	var pq bytes.Buffer
	if err := WriteDecisions(context.Background(), &pq, &Decisions{Pop: pop, Res: res, Format: Parquet, Workers: 3, Supplier: supplier}); err != nil {
		t.Fatal(err)
	}
	type nullable struct {
		SMSO      *string `parquet:"smso,optional"`
		Clause    *string `parquet:"clause,optional"`
		GroupSize int64   `parquet:"group_size"`
		MPAN      *string `parquet:"mpan,optional"`
		MPRN      *string `parquet:"mprn,optional"`
		Supplier  *string `parquet:"supplier_id,optional"`
	}
	f, err := parquet.OpenFile(bytes.NewReader(pq.Bytes()), int64(pq.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.RowGroups()) < 8 {
		t.Fatalf("%d row groups, want several", len(f.RowGroups()))
	}
	rd := parquet.NewGenericReader[nullable](bytes.NewReader(pq.Bytes()))
	rows := make([]nullable, len(pop.Installations))
	n, err := rd.Read(rows)
	if n != len(rows) {
		t.Fatalf("read %d rows, want %d (%v)", n, len(rows), err)
	}
	check := func(id int, col string, got *string, want string) {
		if (got == nil) != (want == "") || got != nil && *got != want {
			t.Fatalf("row %d: %s is %v, want %q (null when empty)", id, col, got, want)
		}
	}
	nulls := 0
	for id := range rows {
		w := RowOf(pop, res, uint32(id), supplier)
		check(id, "smso", rows[id].SMSO, w.SMSO)
		check(id, "clause", rows[id].Clause, w.Clause)
		check(id, "mpan", rows[id].MPAN, w.MPAN.String())
		check(id, "mprn", rows[id].MPRN, w.MPRN.String())
		check(id, "supplier_id", rows[id].Supplier, w.SupplierID)
		if rows[id].GroupSize != int64(w.GroupSize) {
			t.Fatalf("row %d: group_size %d, want %d", id, rows[id].GroupSize, w.GroupSize)
		}
		if rows[id].Clause == nil {
			nulls++
		}
	}
	if nulls == 0 || nulls == len(rows) {
		t.Fatalf("%d null clauses of %d: the test checks nothing", nulls, len(rows))
	}
}

// TestReadDecisionsErrors: every fault is named with the file and line,
// and wraps the sentinel that says its kind; the same checks apply to
// every encoding.
func TestReadDecisionsErrors(t *testing.T) {
	header := DecisionsHeader
	good := "A,1,FOC,migrate,unique,,E1200023305967,1,E1200023305967,,,Y\n"
	json := func(decision, reason string) string {
		return `{"smso":"A","installation_id":"1","cohort":"FOC","decision":"` + decision + `","reason":"` + reason +
			`","clause":"","group_id":"E1200023305967","group_size":1,"mpan":"E1200023305967","mprn":"","supplier_id":"","notify_supplier":"Y"}` + "\n"
	}
	long := `{"smso":"A","installation_id":"` + strings.Repeat("x", 17<<20) + `"}` + "\n"
	for name, tc := range map[string]struct {
		in, want string
		is       error
	}{
		"empty file":                 {"", "x.csv: the file is empty", ErrEmpty},
		"not a decisions file":       {"a,b\n1,2\n", `x.csv: line 1: column "smso": required column is missing (not a decisions file)`, ErrNotDecisions},
		"JSON without a key":         {`{"smso":"A"}` + "\n", `x.csv: line 1: column "installation_id": key is missing`, ErrNotDecisions},
		"broken JSON":                {`{"smso":"A"` + "\n", "x.csv: line 1: not a JSON object", nil},
		"a number for a word":        {`{"smso":"A","installation_id":"1","cohort":3}` + "\n", `line 1: column "cohort": bad value: a number`, ErrBadValue},
		"a pair RULES.md lacks":      {header + strings.Replace(good, "migrate,unique", "migrate,duplicate_guid", 1), "x.csv: line 2: RULES.md gives no such decision and reason together: migrate/duplicate_guid", ErrBadOutcome},
		"exclude unique":             {json("exclude", "unique"), "line 1: RULES.md gives no such", ErrBadOutcome},
		"an unknown decision":        {header + strings.Replace(good, "migrate", "maybe", 1), `x.csv: line 2: column "decision": bad value: not a decision`, ErrBadValue},
		"an installation twice":      {header + good + good, "x.csv: line 3: installation listed twice: A/1 is listed again (line 2)", ErrListedTwice},
		"twice in JSON Lines":        {json("migrate", "unique") + json("migrate", "unique"), "line 2: installation listed twice", ErrListedTwice},
		"a quoted empty line":        {header + good + "\"\"\n", "x.csv: line 3: has 1 fields, the header has 12", nil},
		"a bad key":                  {header + strings.Replace(good, "E1200023305967,1,", "E1,1,", 1), `line 2: column "group_id": bad value`, ErrBadValue},
		"a clause the outcome lacks": {header + strings.Replace(good, "unique,,", "unique,7.4(b),", 1), `x.csv: line 2: column "clause": bad value: RULES.md gives migrate/unique of cohort FOC no clause "7.4(b)"`, ErrBadValue},
		"a JSON key twice":           {strings.Replace(json("migrate", "unique"), `"cohort":"FOC"`, `"cohort":"FOC","cohort":"FOC"`, 1), `x.csv: line 1: not a JSON object of values: key "cohort" is given twice`, nil},
		"a JSON array for a value":   {strings.Replace(json("migrate", "unique"), `"cohort":"FOC"`, `"cohort":["FOC"]`, 1), `key "cohort" holds an object or array`, nil},
		"a wrong MPAN check digit":   {header + strings.Replace(good, "1,E1200023305967,,", "1,E1200023305968,,", 1), `line 2: column "mpan": bad value: the MPAN's check digit is 8, expected 7`, ErrBadValue},
		"a line over 16 MiB named":   {long, `x.csv: line 1: column "cohort": key is missing`, ErrNotDecisions},
	} {
		err := ReadDecisions(context.Background(), strings.NewReader(tc.in), "x.csv", func(int, *Row) error { return nil })
		if err == nil || !strings.Contains(err.Error(), tc.want) || tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	// A BOM, a null and blank lines are read as a person would expect.
	in := "\xef\xbb\xbf" + strings.Replace(json("migrate", "unique"), `"mprn":""`, `"mprn":null`, 1) + "\n\n"
	n := 0
	if err := ReadDecisions(context.Background(), strings.NewReader(in), "x.jsonl", func(_ int, r *Row) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("a BOM, a null, blank lines: %d rows, %v", n, err)
	}
}
