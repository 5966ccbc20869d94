package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClausesCommands: rules, run, info, explain, report and impact on the
// binary with a clause not in force, and impact's path rules: its folder is
// replaced whole, a folder holding anything else or an output over an
// input is refused, a bad clause names file, line and word.
func TestClausesCommands(t *testing.T) {
	bin, dir, a, b, must := sampleTest(t)
	defaults := must("rules")
	if !strings.Contains(defaults, "clauses in force (RULES.md, Clauses in force): 18.9 18.10 18.11 18.12 18.13 4.1A 4.1B 4.1C 4.26A") ||
		strings.Contains(defaults, "not_in_force") {
		t.Fatalf("rules printed:\n%s", defaults)
	}
	os.WriteFile(filepath.Join(dir, "off.rules"), []byte(defaults+"not_in_force 4.1c\n"), 0o600)
	if out := must("rules", "--rules", "off.rules"); !strings.Contains(out, "\nnot_in_force 4.1C\n") {
		t.Fatalf("rules --rules printed:\n%s", out)
	}
	must("run", "--quiet", "--db", "db", "--rules", "off.rules", "--summary", "sum.json", "--report", "rep", "--out", "d.csv", "--rejects", "r.csv", a, b)
	if sum, _ := os.ReadFile(filepath.Join(dir, "sum.json")); !strings.Contains(string(sum), `"clauses_in_force": [`) ||
		strings.Contains(string(sum), `"4.1C"`) {
		t.Fatalf("summary:\n%s", sum)
	}
	if md, _ := os.ReadFile(filepath.Join(dir, "rep", "summary.md")); !strings.Contains(string(md), "Clauses not in force: 4.1C") {
		t.Fatalf("report:\n%s", md)
	}
	if out := must("info", "--db", "db"); !strings.Contains(out, "not in force: 4.1C") {
		t.Fatalf("info:\n%s", out)
	}
	dec, _ := os.ReadFile(filepath.Join(dir, "d.csv"))
	var blocked string
	for _, line := range strings.Split(string(dec), "\n") {
		if f := strings.Split(line, ","); len(f) > 4 && f[3] == "blocked" && f[4] == "duplicate_mpxn" {
			blocked = f[0] + "/" + f[1]
			break
		}
	}
	if blocked == "" {
		t.Fatalf("no duplicate blocked with 4.1C not in force:\n%s", dec)
	}
	if out := must("explain", "--db", "db", blocked); !strings.Contains(out, "4.1C is not in force: blocked, as before the consultation") {
		t.Fatalf("explain %s:\n%s", blocked, out)
	}
	must("impact", "--db", "db", "--out", "imp") // an earlier impact in imp, replaced whole below
	os.WriteFile(filepath.Join(dir, "imp", "impact.md"), []byte("an earlier impact\n"), 0o600)
	if out := must("impact", "--db", "db", "--out", "imp"); !strings.Contains(out, "Together these clauses exclude") {
		t.Fatalf("impact said %q", out)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "imp", "impact.csv"))
	if !strings.HasPrefix(string(csv), "clause,cohort,with_decision,with_reason,without_decision,without_reason,installations\n") ||
		strings.Contains(string(csv), "\n4.1C,") {
		t.Fatalf("impact.csv:\n%s", csv)
	}
	if md, _ := os.ReadFile(filepath.Join(dir, "imp", "impact.md")); strings.Contains(string(md), "an earlier impact") {
		t.Fatal("the impact folder was not replaced whole")
	}
	if _, err := os.Stat(filepath.Join(dir, "imp", "report.html")); err != nil {
		t.Fatal(err)
	}
	must("impact", "--db", "db", "--rules", "off.rules", "--out", "imp2")
	csv2, _ := os.ReadFile(filepath.Join(dir, "imp2", "impact.csv"))
	if string(csv2) != string(csv) {
		t.Fatal("impact with the store's own rules given as --rules differs")
	}
	os.WriteFile(filepath.Join(dir, "imp", "notes.txt"), []byte("mine\n"), 0o600)
	if code, _, stderr := runBin(t, bin, dir, nil, "impact", "--db", "db", "--out", "imp"); code != 2 || !strings.Contains(stderr, "notes.txt") {
		t.Fatalf("impact into a folder holding another file: exit %d %s", code, stderr)
	}
	if code, _, stderr := runBin(t, bin, dir, nil, "impact", "--db", "db", "--rules", "imp2/impact.md", "--out", "imp2"); code != 2 || !strings.Contains(stderr, "--out imp2") {
		t.Fatalf("impact over its own input: exit %d %s", code, stderr)
	}
	os.WriteFile(filepath.Join(dir, "bad.rules"), []byte(defaults+"not_in_force 18.13 5.8B\n"), 0o600)
	if code, _, stderr := runBin(t, bin, dir, nil, "impact", "--db", "db", "--rules", "bad.rules", "--out", "imp3"); code != 1 ||
		!strings.Contains(stderr, "bad.rules: line") || !strings.Contains(stderr, "5.8B cannot be switched") {
		t.Fatalf("a clause that cannot be switched: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "imp3")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a refused impact wrote its folder")
	}
	if code, _, _ := runBin(t, bin, dir, nil, "impact", "--out", "imp4"); code != 2 {
		t.Fatalf("impact without --db: exit %d", code)
	}
}
