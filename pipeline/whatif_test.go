package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/report"
)

// TestWhatIfEqualsRun: whatif under a rule set writes the very bytes that
// run --rules writes with the same inputs, for rule sets that move
// installations between exclude, pending, migrate_partial and migrate,
// and for clauses not in force.
func TestWhatIfEqualsRun(t *testing.T) {
	st := generateAll(t, 30000, 0.002)
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	base := Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, Smets2: st.Smets2, Workers: 2}
	cfg := base
	cfg.DB, cfg.Out, cfg.Rejects = db, filepath.Join(dir, "d.csv"), filepath.Join(dir, "r.csv")
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	stored, _ := os.ReadFile(cfg.Out)
	guids := guidsOfInputs(t, st.Files)
	for name, text := range map[string]string{
		"defaults":          "MOC_MDS firmware=15 configuration=10 groups=CB\nIOC firmware=108 configuration=30 groups=AA,BA,CA\n",
		"lower thresholds":  "MOC_MDS firmware=5 configuration=3 groups=CB,CC\nIOC firmware=20 configuration=5 groups=AA,BA,CA,DA\n",
		"higher thresholds": "MOC_MDS firmware=500 configuration=500 groups=CB\nIOC firmware=900 configuration=900 groups=AA\n",
		"every cohort":      "FOC firmware=1 configuration=1 groups=FA\nMOC_SECURE firmware=1 configuration=1 groups=SA\nIOC firmware=50 configuration=10 groups=DA\n",
		"none":              "none\n",
		"18.13 and 4.1B not in force": "MOC_MDS firmware=15 configuration=10 groups=CB\nIOC firmware=108 configuration=30 groups=AA,BA,CA\n" +
			"not_in_force 18.13 4.1B\n",
		"no clause in force": "MOC_MDS firmware=15 configuration=10 groups=CB\nIOC firmware=108 configuration=30 groups=AA,BA,CA\n" +
			"not_in_force 18.9 18.10 18.11 18.12 18.13 4.1A 4.1B 4.1C 4.26A\n",
		"lower thresholds, 4.26A and 4.1C not in force": "MOC_MDS firmware=5 configuration=3 groups=CB,CC\nIOC firmware=20 configuration=5 groups=AA,BA,CA,DA\n" +
			"not_in_force 4.26a 4.1c\n",
	} {
		t.Run(name, func(t *testing.T) {
			rules, err := engine.ParseRules(strings.NewReader(text), name)
			if err != nil {
				t.Fatal(err)
			}
			out := t.TempDir()
			want := base
			want.Rules, want.Out, want.Rejects = &rules, filepath.Join(out, "run.csv"), filepath.Join(out, "run-rejects.csv")
			if _, err := Run(context.Background(), want); err != nil {
				t.Fatal(err)
			}
			out = filepath.Join(out, "whatif") // beside the run's files: a folder of its own
			d, err := WhatIf(context.Background(), WhatIfConfig{DB: db, Rules: rules, Out: out, Workers: 2})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(filepath.Join(out, "decisions.csv"))
			wantBytes, _ := os.ReadFile(want.Out)
			if !bytes.Equal(got, wantBytes) {
				t.Fatalf("whatif decisions differ from run --rules (%d and %d bytes)", len(got), len(wantBytes))
			}
			// The comparison is that of the stored decisions with these.
			ref, err := compareIndependently(t, stored, wantBytes)
			if err != nil {
				t.Fatal(err)
			}
			transitions, _ := os.ReadFile(filepath.Join(out, "transitions.csv"))
			if string(transitions) != ref {
				t.Fatalf("transitions.csv\n%s\nindependent reading\n%s", transitions, ref)
			}
			if name != "defaults" && d.Changed() == 0 {
				t.Errorf("rule set %q changed no decision", name)
			}
			if name == "defaults" && d.Changed() != 0 {
				t.Errorf("the rules the store was made with changed %d decisions", d.Changed())
			}
			// The supplier lists name each installation's MPxNs, as the
			// decisions do, and its device GUIDs, as the inputs do.
			rows := map[string][]string{}
			for _, r := range readCSV(t, wantBytes)[1:] {
				rows[r[0]+"/"+r[1]] = r
			}
			listed := 0
			entries, _ := os.ReadDir(filepath.Join(out, "suppliers"))
			for _, e := range entries {
				recs := readFileCSV(t, filepath.Join(out, "suppliers", e.Name()))
				if strings.Join(recs[0], ",")+"\n" != report.SupplierChangesHeader {
					t.Fatalf("%s: header %v", e.Name(), recs[0])
				}
				for _, r := range recs[1:] {
					listed++
					name := r[0] + "/" + r[1]
					want := slices.Clone(guids[name])
					got := strings.Fields(r[9])
					slices.Sort(want)
					slices.Sort(got)
					if dec := rows[name]; r[7] != dec[8] || r[8] != dec[9] || !slices.Equal(got, want) {
						t.Fatalf("%s lists %v; decisions %v, input GUIDs %v", e.Name(), r, dec, want)
					}
				}
			}
			if listed != d.Changed() {
				t.Errorf("%d listed of %d changed", listed, d.Changed())
			}
			page, _ := os.ReadFile(filepath.Join(out, "report.html"))
			if !strings.Contains(string(page), "Rules tried") || !strings.Contains(string(page), db) {
				t.Error("the what-if page does not name the rules tried and the store")
			}
		})
	}
}
