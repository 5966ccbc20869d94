package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/explain"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/paths"
)

// placeholderPopulation writes n installations sharing one MPAN (a
// placeholder, as real extracts have) and one rejected installation.
func placeholderPopulation(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("smso,cohort,installation_id,mpan,install_date,communicating,device_guid,device_type,device_state\n")
	for i := 0; i < n; i++ {
		comm := "N"
		if i%7 == 0 {
			comm = "Y"
		}
		fmt.Fprintf(&b, "S%d,FOC,I%05d,1200023305967,2019-01-%02d,%s,%016X,ESME,dormant\n", i%3, i, 1+i%28, comm, i+1)
	}
	b.WriteString("S0,FOC,BAD,1200023305967,2019-02-30,,00000000000FFFFF,ESME,dormant\n")
	p := filepath.Join(t.TempDir(), "placeholder.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestExplainLargeGroupAndRejected: a group of thousands is summarised
// (counts by decision and SMSO, the asked member first, then up to the
// limit, and where the rest are); a rejected installation is said to be
// rejected, with the first of its rows and where the rejects are.
func TestExplainLargeGroupAndRejected(t *testing.T) {
	const n = 5000
	in := placeholderPopulation(t, n)
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	cfg := Config{Inputs: []string{in}, DB: db, Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv")}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	st, err := index.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	group, err := st.Group(0)
	if err != nil || len(group) != n {
		t.Fatalf("group of %d members, want %d (%v)", len(group), n, err)
	}
	var sb strings.Builder
	if err := explain.Explain(&sb, st, "S2/I04997", 10); err != nil {
		t.Fatal(err)
	}
	out := sb.String()
	for _, want := range []string{
		fmt.Sprintf("duplicate group E1200023305967: %d installations", n),
		"by decision:",
		"by SMSO:", fmt.Sprintf("... and %d more members", n-10), "--limit 0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain lacks %q:\n%.2000s", want, out)
		}
	}
	if !regexp.MustCompile(fmt.Sprintf(`exclude / duplicate_mpxn +%d\n`, n)).MatchString(out) {
		t.Errorf("explain does not count the %d members by decision:\n%.1000s", n, out)
	}
	if members := strings.Count(out, "    decision: "); members != 10 {
		t.Errorf("%d members explained in full, want the limit, 10", members)
	}
	if first := strings.Index(out, "  S2/I04997 "); first < 0 || first > strings.Index(out, "    decision: ") {
		t.Errorf("the asked installation is not explained first:\n%.1500s", out)
	}

	sb.Reset()
	if err := explain.Explain(&sb, st, "S0/BAD", 10); err != nil {
		t.Fatal(err)
	}
	rejects, _ := filepath.Abs(cfg.Rejects)
	for _, want := range []string{"installation S0/BAD was rejected", "its 1 row(s) are listed in " + rejects, "placeholder.csv line 5002", "install_date"} {
		if !strings.Contains(sb.String(), want) {
			t.Errorf("explain of a rejected installation lacks %q:\n%s", want, sb.String())
		}
	}
	if err := explain.Explain(&sb, st, "S0/NOPE", 10); !errors.Is(err, explain.ErrNotFound) {
		t.Errorf("explain of an unknown installation: %v", err)
	}
}

// TestRunRefusesBeforeAnyWork: Run itself (not only the command) checks
// its files, so a library user gets the same protection; and nothing is
// read or written when it refuses.
func TestRunRefusesBeforeAnyWork(t *testing.T) {
	in := placeholderPopulation(t, 10)
	before, _ := os.ReadFile(in)
	dir := t.TempDir()
	for name, cfg := range map[string]Config{
		"decisions over the input": {Inputs: []string{in}, Out: in, Rejects: filepath.Join(dir, "r.csv")},
		"rejects over the rules":   {Inputs: []string{in}, Out: filepath.Join(dir, "d.csv"), Rejects: in + ".rules", RulesFile: in + ".rules"},
		"input twice":              {Inputs: []string{in, in}, Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv")},
		"store in a folder of files": {Inputs: []string{in}, DB: filepath.Dir(in), Out: filepath.Join(dir, "d.csv"),
			Rejects: filepath.Join(dir, "r.csv")},
	} {
		os.WriteFile(in+".rules", []byte("MOC_MDS firmware=15 configuration=10 groups=CB\n"), 0o600)
		_, err := Run(context.Background(), cfg)
		if !errors.Is(err, paths.ErrConflict) {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
	if after, _ := os.ReadFile(in); string(after) != string(before) {
		t.Fatal("a refused run changed its input")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a refused run left %v", entries)
	}
}

// TestWarnings: legal but surprising inputs are said, not silent.
func TestWarnings(t *testing.T) {
	in := placeholderPopulation(t, 10)
	dir := t.TempDir()
	reg := filepath.Join(dir, "registration.csv")
	os.WriteFile(reg, []byte("mpxn,supplier_id\n"), 0o600)
	sup := filepath.Join(dir, "suppliers.csv")
	os.WriteFile(sup, []byte("supplier_id,status\nS1,live\n"), 0o600)
	for name, c := range map[string]struct {
		cfg  Config
		want string
	}{
		"empty registration":             {Config{Registration: reg}, "holds no accepted row"},
		"suppliers without registration": {Config{Suppliers: sup}, "suppliers file has no effect without registration file"},
	} {
		var told []string
		cfg := c.cfg
		cfg.Inputs, cfg.Out, cfg.Rejects = []string{in}, filepath.Join(dir, "d.csv"), filepath.Join(dir, "r.csv")
		cfg.Warn = func(msg string) { told = append(told, msg) }
		sum, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(told) != 1 || !strings.Contains(told[0], c.want) || len(sum.Warnings) != 1 || sum.Warnings[0] != told[0] {
			t.Errorf("%s: told %q, summary %q; want one warning containing %q", name, told, sum.Warnings, c.want)
		}
	}
}

// TestRunRefusesAServedStore: `run --db` on a store a server is reading is
// refused before any work, naming the server; once the server is gone (its
// marker released, or left by a killed server) the run goes ahead.
func TestRunRefusesAServedStore(t *testing.T) {
	in := placeholderPopulation(t, 10)
	dir := t.TempDir()
	cfg := Config{Inputs: []string{in}, DB: filepath.Join(dir, "db"), Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv")}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	release, err := index.MarkServed(cfg.DB, "pid 7, http://127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	os.Remove(cfg.Out)
	_, err = Run(context.Background(), cfg)
	if !errors.Is(err, paths.ErrConflict) || !strings.Contains(err.Error(), "served by pid 7, http://127.0.0.1:8080") {
		t.Fatalf("run on a served store: %v", err)
	}
	if _, err := os.Stat(cfg.Out); !os.IsNotExist(err) {
		t.Fatal("a refused run wrote its decisions")
	}
	release()
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatalf("run after the server stopped: %v", err)
	}
}
