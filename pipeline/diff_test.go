package pipeline

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/output"
)

// compareIndependently reads two decisions CSVs with encoding/csv and
// counts the transitions with plain maps: the expected transitions.csv.
func compareIndependently(t *testing.T, old, new []byte) (string, error) {
	t.Helper()
	read := func(b []byte) (map[string][2]string, error) {
		recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil {
			return nil, err
		}
		m := map[string][2]string{}
		for _, r := range recs[1:] {
			m[r[0]+"/"+r[1]] = [2]string{r[3], r[4]}
		}
		return m, nil
	}
	o, err := read(old)
	if err != nil {
		return "", err
	}
	n, err := read(new)
	if err != nil {
		return "", err
	}
	counts := map[string]int{}
	for k, a := range o {
		b, ok := n[k]
		if !ok {
			b = [2]string{"absent", ""}
		}
		counts[strings.Join([]string{a[0], a[1], b[0], b[1]}, ",")]++
	}
	for k, b := range n {
		if _, ok := o[k]; !ok {
			counts[strings.Join([]string{"absent", "", b[0], b[1]}, ",")]++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		return slices.Compare(strings.Split(a, ","), strings.Split(b, ","))
	})
	var sb strings.Builder
	sb.WriteString("from_decision,from_reason,to_decision,to_reason,installations\n")
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s,%d\n", k, counts[k])
	}
	return sb.String(), nil
}

// TestDiffAgainstIndependentReading: two runs on different extracts
// (installations gone, new ones, reason-only changes), compared from CSV,
// JSON Lines and Parquet files, give the transitions an independent
// reading counts, and changes.csv lists exactly the installations that
// differ.
func TestDiffAgainstIndependentReading(t *testing.T) {
	st := generateAll(t, 20000, 0)
	dir := t.TempDir()
	// The later extract: the first file without its first 3,000 rows, and
	// the SMETS2+ inventory added (smets2_replaced where there was none).
	data, _ := os.ReadFile(st.Files[0])
	lines := strings.SplitAfter(string(data), "\n")
	later := filepath.Join(dir, "later_a.csv")
	os.WriteFile(later, []byte(lines[0]+strings.Join(lines[3001:], "")), 0o600)
	run := func(name string, format output.Format, files []string, smets2 string) string {
		out := filepath.Join(dir, name)
		if _, err := Run(context.Background(), Config{Inputs: files, Registration: st.Registration, Suppliers: st.Suppliers,
			Smets2: smets2, Format: format, Out: out, Rejects: out + ".rejects.csv", Workers: 2}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	oldCSV := run("old.csv", output.CSV, st.Files, "")
	newFiles := append([]string{later}, st.Files[1:]...)
	newCSV := run("new.csv", output.CSV, newFiles, st.Smets2)
	oldB, _ := os.ReadFile(oldCSV)
	newB, _ := os.ReadFile(newCSV)
	want, err := compareIndependently(t, oldB, newB)
	if err != nil {
		t.Fatal(err)
	}
	for _, absent := range []string{"absent,,", ",absent,,"} {
		if !strings.Contains(want, absent) {
			t.Fatalf("the runs have no installation %q on one side:\n%s", absent, want)
		}
	}
	reasonOnly := false
	for _, l := range strings.Split(want, "\n") {
		if f := strings.Split(l, ","); len(f) == 5 && f[0] == f[2] && f[1] != f[3] {
			reasonOnly = true
		}
	}
	if !reasonOnly {
		t.Fatalf("no reason-only change between the runs:\n%s", want)
	}
	for _, pair := range [][2]string{
		{oldCSV, newCSV},
		{run("old.jsonl", output.JSONL, st.Files, ""), newCSV},
		{oldCSV, run("new.parquet", output.Parquet, newFiles, st.Smets2)},
	} {
		out := t.TempDir()
		d, err := Diff(context.Background(), DiffConfig{Old: pair[0], New: pair[1], Out: out})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(filepath.Join(out, "transitions.csv"))
		if string(got) != want {
			t.Fatalf("%s vs %s: transitions.csv\n%s\nindependent reading\n%s", filepath.Base(pair[0]), filepath.Base(pair[1]), got, want)
		}
		changes, _ := os.ReadFile(filepath.Join(out, "changes.csv"))
		recs, err := csv.NewReader(strings.NewReader(string(changes))).ReadAll()
		if err != nil || len(recs)-1 != d.Changed() {
			t.Fatalf("changes.csv: %d rows, %d changed, %v", len(recs)-1, d.Changed(), err)
		}
		for i, r := range recs[1:] {
			if r[2] == r[4] && r[3] == r[5] {
				t.Fatalf("changes.csv lists an unchanged installation: %v", r)
			}
			if i > 0 && (recs[i][0] > r[0] || recs[i][0] == r[0] && recs[i][1] >= r[1]) {
				t.Fatalf("changes.csv out of order at %v", r)
			}
		}
		if entries, _ := os.ReadDir(filepath.Join(out, "suppliers")); len(entries) == 0 {
			t.Fatal("no supplier lists")
		}
	}
}

// TestDiffRefusals: a file that is not a decisions file, or one listing an
// installation twice, is an error naming the file and line.
func TestDiffRefusals(t *testing.T) {
	dir := t.TempDir()
	good := "smso,installation_id,cohort,decision,reason,clause,group_id,group_size,mpan,mprn,supplier_id,notify_supplier\n" +
		"A,1,FOC,migrate,unique,,E1200023305967,1,E1200023305967,,,Y\n"
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	ok := write("ok.csv", good)
	for name, c := range map[string]struct{ file, want string }{
		"not a decisions file": {write("x.csv", "a,b\n1,2\n"), `x.csv: line 1: column "smso": required column is missing`},
		"an installation twice": {write("twice.csv", good+"A,1,FOC,exclude,no_wan,4.1C,E1200023305967,2,E1200023305967,,,Y\n"),
			"twice.csv: line 3: installation listed twice: A/1 is listed again (line 2)"},
		"an unknown decision": {write("odd.csv", strings.Replace(good, "migrate,unique", "maybe,unique", 1)), `odd.csv: line 2: column "decision": bad value: not a decision RULES.md names ("maybe")`},
	} {
		_, err := Diff(context.Background(), DiffConfig{Old: ok, New: c.file, Out: t.TempDir()})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}
