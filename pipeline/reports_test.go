package pipeline

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cespare/xxhash/v2"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/report"
	"github.com/s1resolve/s1resolve/value"
)

// readFileCSV reads a CSV file with encoding/csv.
func readFileCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return recs
}

// mpanOf returns the 13-digit MPAN core n with its check digit.
func mpanOf(n uint64) string {
	core := fmt.Sprintf("%012d", n)
	return core + string(value.MPANCheckDigit([]byte(core)))
}

// TestLargeGroupsWarned: twelve groups of more than 20 installations
// (placeholder MPANs): the run decides them as the contract says, warns of
// each (key, size, SMSOs) on the Warn channel and in the summary, ten one by
// one and the rest in one line; the summary and the reports list them, and a
// report made later from the decisions file lists the same groups.
func TestLargeGroupsWarned(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("smso,cohort,installation_id,mpan,install_date,communicating,device_guid,device_type,device_state\n")
	guid := 0
	for g := range 12 {
		for i := range 21 + g {
			guid++
			fmt.Fprintf(&b, "SMSO_%d,FOC,G%02d-%03d,%s,2019-01-01,N,%016X,ESME,dormant\n", i%2, g, i, mpanOf(uint64(1000+g)), guid)
		}
	}
	for i := range 50 { // no duplicate
		guid++
		fmt.Fprintf(&b, "SMSO_0,FOC,U%03d,%s,2019-01-01,Y,%016X,ESME,dormant\n", i, mpanOf(uint64(5000+i)), guid)
	}
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte(b.String()), 0o600)
	var told []string
	cfg := Config{Inputs: []string{in}, Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv"), Report: filepath.Join(dir, "report"),
		Warn: func(m string) { told = append(told, m) }}
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(told) != 11 || !reflect.DeepEqual(told, sum.Warnings) {
		t.Fatalf("told %d warnings, summary %d:\n%s", len(told), len(sum.Warnings), strings.Join(told, "\n"))
	}
	// The largest first: group 11 of 32 installations, 16 at each SMSO.
	largest := "E" + mpanOf(1011)
	for _, want := range []string{"duplicate group " + largest + " links 32 installations (SMSO_0 16, SMSO_1 16)", "placeholder", "its decisions file lists them (group_id " + largest + ")"} {
		if !strings.Contains(told[0], want) {
			t.Errorf("first warning lacks %q: %s", want, told[0])
		}
	}
	if !strings.HasPrefix(told[10], "2 more duplicate groups of more than 20 installations") {
		t.Errorf("last warning: %s", told[10])
	}
	groups := sum.LargestDuplicateGroups
	if len(groups) != 12 || groups[0].Key != largest || groups[0].Installations != 32 || groups[11].Installations != 21 ||
		groups[0].SMSOs["SMSO_0"] != 16 || groups[0].SMSOs["SMSO_1"] != 16 {
		t.Fatalf("summary lists %+v", groups)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report", "summary.md"))
	if !strings.Contains(string(md), "| "+largest+" | 32 | SMSO_0 16, SMSO_1 16 |") || len(regexp.MustCompile(`\| E\d{13} \|`).FindAllString(string(md), -1)) != 12 {
		t.Errorf("summary.md:\n%s", md)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "report", "report.html"))
	if !strings.Contains(string(page), largest) || !strings.Contains(string(page), told[1]) {
		t.Error("report.html does not list the largest group or the warnings")
	}
	// The decisions are the contract's: every member excluded or blocked
	// for its group (no communicating member: no_wan), none otherwise.
	for _, r := range readFileCSV(t, cfg.Out)[1:] {
		if strings.HasPrefix(r[1], "G") && r[4] != "no_wan" || strings.HasPrefix(r[1], "U") && r[4] != "unique" {
			t.Fatalf("decided %v", r)
		}
	}
	checkGroupsFromDecisions(t, cfg.Out, sum)
}

// checkGroupsFromDecisions: a report made from the decisions file lists
// the groups the run's summary lists (counted there from the population).
func checkGroupsFromDecisions(t *testing.T, decisions string, sum *output.Summary) {
	t.Helper()
	f, err := os.Open(decisions)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := report.FromDecisions(context.Background(), f, decisions, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.LargestGroups(); !reflect.DeepEqual(got, sum.LargestDuplicateGroups) {
		t.Errorf("from the decisions file %+v\nthe run's summary %+v", got, sum.LargestDuplicateGroups)
	}
}

// TestLargestGroupsAgree: on a generated population with a SMETS2+
// inventory, the groups the summary counts from the population are those a
// report counts from the decisions file (SMETS2+ members included).
func TestLargestGroupsAgree(t *testing.T) {
	st := generateAll(t, 20000, 0.002)
	dir := t.TempDir()
	cfg := Config{Inputs: st.Files, Smets2: st.Smets2, Registration: st.Registration, Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv")}
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	smets2 := 0
	for _, g := range sum.LargestDuplicateGroups {
		smets2 += g.Smets2
	}
	if len(sum.LargestDuplicateGroups) != output.ListedGroups || smets2 == 0 {
		t.Fatalf("%d groups listed, %d SMETS2+ members among them", len(sum.LargestDuplicateGroups), smets2)
	}
	checkGroupsFromDecisions(t, cfg.Out, sum)
}

// guidsOfInputs reads the installation files with encoding/csv and returns
// each installation's device GUIDs (hex digits, upper case), by
// smso/installation_id.
func guidsOfInputs(t *testing.T, files []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, f := range files {
		recs := readFileCSV(t, f)
		col := map[string]int{}
		for i, h := range recs[0] {
			col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
		}
		for _, r := range recs[1:] {
			if len(r) != len(recs[0]) {
				continue
			}
			name := strings.TrimSpace(r[col["smso"]]) + "/" + strings.TrimSpace(r[col["installation_id"]])
			g := strings.ToUpper(strings.NewReplacer("-", "", ":", "").Replace(strings.TrimSpace(r[col["device_guid"]])))
			out[name] = append(out[name], g)
		}
	}
	return out
}

// TestDiffSupplierFilesNameMeters: each supplier list of a comparison of
// two generated runs names each installation's MPAN and MPRN as the
// decisions file has them and, with the later run's store, its device
// GUIDs as the installation files list them (none for an installation that
// store does not hold). Without a store the column is left out; a store of
// neither run is refused.
func TestDiffSupplierFilesNameMeters(t *testing.T) {
	st := generateAll(t, 20000, 0)
	dir := t.TempDir()
	data, _ := os.ReadFile(st.Files[0])
	lines := strings.SplitAfter(string(data), "\n")
	later := filepath.Join(dir, "later_a.csv")
	os.WriteFile(later, []byte(lines[0]+strings.Join(lines[2001:], "")), 0o600)
	run := func(name string, files []string, smets2, db string) string {
		out := filepath.Join(dir, name)
		if _, err := Run(context.Background(), Config{Inputs: files, Registration: st.Registration, Suppliers: st.Suppliers,
			Smets2: smets2, Out: out, Rejects: out + ".rejects.csv", DB: db, Workers: 2}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	laterFiles := append([]string{later}, st.Files[1:]...)
	oldDB, newDB := filepath.Join(dir, "old.db"), filepath.Join(dir, "new.db")
	oldCSV := run("old.csv", st.Files, "", oldDB)
	newCSV := run("new.csv", laterFiles, st.Smets2, newDB)

	rows := map[string][]string{} // later run's row, else the earlier's
	for _, f := range []string{oldCSV, newCSV} {
		for _, r := range readFileCSV(t, f)[1:] {
			rows[r[0]+"/"+r[1]] = r
		}
	}
	inNew := map[string]bool{}
	for _, r := range readFileCSV(t, newCSV)[1:] {
		inNew[r[0]+"/"+r[1]] = true
	}
	guids := guidsOfInputs(t, laterFiles)

	out := filepath.Join(dir, "diff")
	d, err := Diff(context.Background(), DiffConfig{Old: oldCSV, New: newCSV, DB: newDB, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Join(out, "suppliers"))
	listed, withGUIDs, gone := 0, 0, 0
	for _, e := range entries {
		recs := readFileCSV(t, filepath.Join(out, "suppliers", e.Name()))
		if strings.Join(recs[0], ",")+"\n" != report.SupplierChangesHeader {
			t.Fatalf("%s: header %v", e.Name(), recs[0])
		}
		for _, r := range recs[1:] {
			listed++
			name := r[0] + "/" + r[1]
			dec := rows[name]
			if r[7] != dec[8] || r[8] != dec[9] {
				t.Fatalf("%s lists %s with MPAN %q MPRN %q; the decisions say %q %q", e.Name(), name, r[7], r[8], dec[8], dec[9])
			}
			got := strings.Fields(r[9])
			if !inNew[name] {
				gone++
				if len(got) != 0 {
					t.Fatalf("%s: GUIDs %v of an installation the store does not hold", name, got)
				}
				continue
			}
			want := slices.Clone(guids[name])
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) || len(got) == 0 {
				t.Fatalf("%s lists %s with GUIDs %v; its input rows hold %v", e.Name(), name, got, want)
			}
			withGUIDs++
		}
	}
	if listed != d.Changed() || withGUIDs == 0 || gone == 0 {
		t.Fatalf("%d listed (%d with GUIDs, %d gone) of %d changed", listed, withGUIDs, gone, d.Changed())
	}
	page, _ := os.ReadFile(filepath.Join(out, "report.html"))
	for _, f := range []string{oldCSV, newCSV} {
		b, _ := os.ReadFile(f)
		for _, want := range []string{f, value.Thousands(len(b)), fmt.Sprintf("%016x", xxhash.Sum64(b))} {
			if !strings.Contains(string(page), want) {
				t.Errorf("the comparison page does not name %s by %q", filepath.Base(f), want)
			}
		}
	}

	// Without a store: no device_guids column.
	plain := filepath.Join(dir, "plain")
	if _, err := Diff(context.Background(), DiffConfig{Old: oldCSV, New: newCSV, Out: plain}); err != nil {
		t.Fatal(err)
	}
	entries, _ = os.ReadDir(filepath.Join(plain, "suppliers"))
	for _, e := range entries {
		if recs := readFileCSV(t, filepath.Join(plain, "suppliers", e.Name())); strings.Join(recs[0], ",")+"\n" != report.SupplierChangesHeaderNoGUIDs {
			t.Fatalf("%s without a store: header %v", e.Name(), recs[0])
		}
	}
	// The earlier run's store is accepted too; a store of neither is not.
	if _, err := Diff(context.Background(), DiffConfig{Old: oldCSV, New: newCSV, DB: oldDB, Out: filepath.Join(dir, "byold")}); err != nil {
		t.Fatal(err)
	}
	run("third.csv", st.Files[1:], "", filepath.Join(dir, "third.db"))
	if _, err := Diff(context.Background(), DiffConfig{Old: oldCSV, New: newCSV, DB: filepath.Join(dir, "third.db"), Out: filepath.Join(dir, "refused")}); !errors.Is(err, ErrNotSameRun) {
		t.Fatalf("a store of neither run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "refused")); !os.IsNotExist(err) {
		t.Fatal("a refused comparison left its folder")
	}
}

// TestReportPacksAndProvenance: report without a store warns and leaves the
// device_guids column out; --supplier writes that supplier's pack alone and
// refuses a supplier no installation has; the run's page and a later
// report's page name what produced them.
func TestReportPacksAndProvenance(t *testing.T) {
	st := generateAll(t, 20000, 0.002)
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	rules := filepath.Join(dir, "strict.rules")
	os.WriteFile(rules, []byte("MOC_MDS firmware=5 configuration=5 groups=CB\nIOC firmware=50 configuration=20 groups=AA,BA,CA\n"), 0o600)
	cfg := Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, Smets2: st.Smets2, RulesFile: rules, DB: db,
		Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv"), Report: filepath.Join(dir, "report")}
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(cfg.Report, "report.html"))
	for _, in := range sum.Inputs {
		for _, want := range []string{in.Name, in.XXH64, value.Thousands(in.Bytes)} {
			if !strings.Contains(string(page), want) {
				t.Errorf("the run's page lacks %q (%s)", want, in.Reason)
			}
		}
	}
	for _, want := range []string{"MOC_MDS    firmware=5 configuration=5 groups=CB", "Rules in force (rules file " + rules + ")", sum.Build.Go,
		`<td class="n">` + value.Thousands(sum.RejectedRows) + `</td>`, `<td class="n">` + value.Thousands(sum.Smets2Linked) + `</td>`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the run's page lacks %q", want)
		}
	}

	// report without --db: a warning, and no device_guids column.
	var told []string
	out := filepath.Join(dir, "plain")
	rep, err := Report(context.Background(), ReportConfig{Decisions: cfg.Out, Out: out, Warn: func(m string) { told = append(told, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(told) != 1 || !strings.Contains(told[0], "device_guids") || rep.HasGUIDs() {
		t.Errorf("told %q", told)
	}
	entries, _ := os.ReadDir(filepath.Join(out, "suppliers"))
	if len(entries) < 2 {
		t.Fatalf("%d supplier lists", len(entries))
	}
	for _, e := range entries {
		recs := readFileCSV(t, filepath.Join(out, "suppliers", e.Name()))
		if strings.Join(recs[0], ",")+"\n" != report.SupplierHeaderNoGUIDs || len(recs[1]) != 9 {
			t.Fatalf("%s: %v", e.Name(), recs[:2])
		}
	}
	page, _ = os.ReadFile(filepath.Join(out, "report.html"))
	b, _ := os.ReadFile(cfg.Out)
	for _, want := range []string{cfg.Out, fmt.Sprintf("%016x", xxhash.Sum64(b)), "not known"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page of a decisions file alone lacks %q", want)
		}
	}

	// One supplier's pack, with the store: GUIDs, and the run's provenance.
	supplier := strings.TrimSuffix(entries[0].Name(), ".csv")
	want := 0
	for _, r := range readFileCSV(t, cfg.Out)[1:] {
		if r[10] == supplier {
			want++
		}
	}
	pack := filepath.Join(dir, "pack")
	told = nil
	rep, err = Report(context.Background(), ReportConfig{Decisions: cfg.Out, DB: db, Out: pack, Supplier: supplier, Warn: func(m string) { told = append(told, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total() != want || len(told) != 0 {
		t.Errorf("pack of %s counts %d, the decisions hold %d; told %q", supplier, rep.Total(), want, told)
	}
	entries, _ = os.ReadDir(filepath.Join(pack, "suppliers"))
	if len(entries) != 1 || entries[0].Name() != supplier+".csv" {
		t.Fatalf("the pack of %s holds %v", supplier, entries)
	}
	recs := readFileCSV(t, filepath.Join(pack, "suppliers", supplier+".csv"))
	if strings.Join(recs[0], ",")+"\n" != report.SupplierHeader || len(recs) < 2 || recs[1][9] == "" {
		t.Fatalf("the pack's list: %v", recs[:2])
	}
	page, _ = os.ReadFile(filepath.Join(pack, "report.html"))
	for _, want := range []string{"Responsible Supplier " + supplier, sum.Inputs[0].XXH64, "Rules in force in the run", "MOC_MDS    firmware=5",
		// the run's account, kept in the store
		`<td class="n">` + value.Thousands(sum.RejectedRows) + `</td>`, `<td class="n">` + value.Thousands(sum.Smets2Linked) + `</td>`,
		`<td class="n">` + value.Thousands(sum.RejectedReferenceRows) + `</td>`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the pack's page lacks %q", want)
		}
	}
	if strings.Contains(string(page), "not known") {
		t.Error("the page of a report with the run's store says a count is not known")
	}
	if _, err := Report(context.Background(), ReportConfig{Decisions: cfg.Out, Out: filepath.Join(dir, "nobody"), Supplier: "NOBODY"}); !errors.Is(err, ErrNoSuchSupplier) {
		t.Errorf("a supplier no installation has: %v", err)
	}
}

// TestGzippedCopyIsTheSameRun: a gzipped copy of a run's decisions.csv, or
// a gunzipped copy of its decisions.csv.gz, is still the decisions of the
// store's run (the store records the text); a copy with one byte changed is
// not.
func TestGzippedCopyIsTheSameRun(t *testing.T) {
	st := generateAll(t, 3000, 0)
	dir := t.TempDir()
	gz := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		w.Write(b)
		w.Close()
		os.WriteFile(dst, z.Bytes(), 0o600)
	}
	gunzip := func(src, dst string) {
		f, err := os.Open(src)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		os.WriteFile(dst, b, 0o600)
	}
	for _, out := range []string{"d.csv", "d.csv.gz"} {
		db := filepath.Join(dir, out+".db")
		decisions := filepath.Join(dir, out)
		if _, err := Run(context.Background(), Config{Inputs: st.Files, DB: db, Out: decisions, Rejects: filepath.Join(dir, out+".rejects.csv")}); err != nil {
			t.Fatal(err)
		}
		copied := filepath.Join(dir, "copy-of-"+out)
		if strings.HasSuffix(out, ".gz") {
			copied = strings.TrimSuffix(copied, ".gz")
			gunzip(decisions, copied)
		} else {
			copied += ".gz"
			gz(decisions, copied)
		}
		if _, err := Report(context.Background(), ReportConfig{Decisions: copied, DB: db, Out: filepath.Join(dir, "report-"+out)}); err != nil {
			t.Errorf("%s with the store of the run that wrote %s: %v", filepath.Base(copied), out, err)
		}
		if _, err := Diff(context.Background(), DiffConfig{Old: copied, New: copied, DB: db, Out: filepath.Join(dir, "diff-"+out)}); err != nil {
			t.Errorf("diff of %s with the store of the run that wrote %s: %v", filepath.Base(copied), out, err)
		}
	}
	// Its last row left out (still a valid decisions file): not the run's.
	b, _ := os.ReadFile(filepath.Join(dir, "d.csv"))
	lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	os.WriteFile(filepath.Join(dir, "changed.csv"), []byte(strings.Join(lines[:len(lines)-1], "")), 0o600)
	gz(filepath.Join(dir, "changed.csv"), filepath.Join(dir, "changed.csv.gz"))
	_, err := Report(context.Background(), ReportConfig{Decisions: filepath.Join(dir, "changed.csv.gz"), DB: filepath.Join(dir, "d.csv.db"), Out: filepath.Join(dir, "refused")})
	if !errors.Is(err, ErrNotSameRun) {
		t.Errorf("a changed copy: %v; want it refused", err)
	}
}
