package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/synth"
)

// clauseOrder and cohortOrder are FORMATS.md §7's orders, written out.
var (
	clauseOrder = []string{"18.9", "18.10", "18.11", "18.12", "18.13", "4.1A", "4.1B", "4.1C", "4.26A", "all"}
	cohortOrder = []string{"FOC", "IOC", "MOC_MDS", "MOC_SECURE"}
)

// outcomesOf reads a decisions CSV into installation -> cohort and
// "decision,reason".
func outcomesOf(t *testing.T, dec []byte) map[string][2]string {
	t.Helper()
	out := map[string][2]string{}
	for _, r := range readCSV(t, dec)[1:] {
		out[r[0]+"/"+r[1]] = [2]string{r[2], r[3] + "," + r[4]}
	}
	return out
}

// expectedImpactCSV is FORMATS.md §7 computed from whole runs: with are the
// decisions under the clauses in force, without[clause] those without it
// ("all": without any of the nine), compared installation by installation.
func expectedImpactCSV(t *testing.T, with map[string][2]string, without map[string]map[string][2]string) string {
	t.Helper()
	type key struct{ clause, cohort, with, without string }
	counts := map[key]int{}
	for clause, other := range without {
		if len(other) != len(with) {
			t.Fatalf("%s: %d decisions, with %d", clause, len(other), len(with))
		}
		for name, w := range with {
			o, ok := other[name]
			if !ok {
				t.Fatalf("%s: %s missing", clause, name)
			}
			if o[1] != w[1] {
				counts[key{clause, w[0], w[1], o[1]}]++
			}
		}
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if c := slices.Index(clauseOrder, a.clause) - slices.Index(clauseOrder, b.clause); c != 0 {
			return c
		}
		if c := slices.Index(cohortOrder, a.cohort) - slices.Index(cohortOrder, b.cohort); c != 0 {
			return c
		}
		// with "decision,reason" then without: the four columns in byte order
		wa, wb := strings.Split(a.with+","+a.without, ","), strings.Split(b.with+","+b.without, ",")
		return slices.Compare(wa, wb)
	})
	var b strings.Builder
	b.WriteString("clause,cohort,with_decision,with_reason,without_decision,without_reason,installations\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%d\n", k.clause, k.cohort, k.with, k.without, counts[k])
	}
	return b.String()
}

// TestImpactAgainstRuns: impact.csv from a store is byte for byte the
// comparison, installation by installation, of whole runs made with each
// clause taken out (and all of them), for the store's clauses and for
// clauses given with --rules; the same bytes for any worker count.
func TestImpactAgainstRuns(t *testing.T) {
	st := generateAll(t, 15000, 0.002)
	base := Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, Smets2: st.Smets2, Workers: 2}
	rulesWith := func(in engine.ClauseSet) *engine.RuleSet {
		rs := engine.DefaultRules()
		rs.NotInForce = engine.AllClauses &^ in
		return &rs
	}
	dir := t.TempDir()
	allDB := filepath.Join(dir, "all")
	cfg := base
	cfg.DB, cfg.Rules = allDB, rulesWith(engine.AllClauses)
	runWith(t, cfg)
	subset := engine.AllClauses.Without(engine.Clause18_13).Without(engine.Clause4_1B).Without(engine.Clause18_9)
	subsetDB := filepath.Join(dir, "subset")
	cfg.DB, cfg.Rules = subsetDB, rulesWith(subset)
	runWith(t, cfg)
	for _, c := range []struct {
		name  string
		db    string
		rules *engine.RuleSet
		in    engine.ClauseSet
	}{
		{"the store's nine", allDB, nil, engine.AllClauses},
		{"the store's subset", subsetDB, nil, subset},
		{"a subset given with --rules", allDB, rulesWith(subset), subset},
		{"a single clause given with --rules", subsetDB, rulesWith(engine.ClauseSet(0).With(engine.Clause4_26A)), engine.ClauseSet(0).With(engine.Clause4_26A)},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := base
			cfg.Rules = rulesWith(c.in)
			dec, _ := runWith(t, cfg)
			with := outcomesOf(t, dec)
			without := map[string]map[string][2]string{}
			for _, x := range c.in.List() {
				cfg.Rules = rulesWith(c.in.Without(x))
				d, _ := runWith(t, cfg)
				without[x.String()] = outcomesOf(t, d)
			}
			cfg.Rules = rulesWith(0)
			d, _ := runWith(t, cfg)
			without["all"] = outcomesOf(t, d)
			want := expectedImpactCSV(t, with, without)
			var got []byte
			for _, workers := range []int{1, 3} {
				out := filepath.Join(t.TempDir(), "impact")
				im, err := Impact(context.Background(), ImpactConfig{DB: c.db, Rules: c.rules, Out: out, Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(filepath.Join(out, "impact.csv"))
				if err != nil {
					t.Fatal(err)
				}
				if string(b) != want {
					t.Fatalf("%d workers: impact.csv\n%s\ncomputed from whole runs\n%s", workers, b, want)
				}
				if got != nil && !bytes.Equal(got, b) {
					t.Fatal("impact.csv differs with the worker count")
				}
				got = b
				md, _ := os.ReadFile(filepath.Join(out, "impact.md"))
				if !strings.Contains(string(md), upper(im.Headline())) || strings.Contains(string(md), "| Duplicate MPANs and MPRNs (18.13) |") != c.in.Has(engine.Clause18_13) {
					t.Errorf("impact.md lacks the headline or the 18.13 line:\n%s", md)
				}
			}
			if strings.Count(want, "\n") < 2*len(c.in.List()) {
				t.Errorf("the population exercises too little:\n%s", want)
			}
		})
	}
}

func upper(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// TestImpactConsultationProfile: `gen --profile consultation` plants what
// impact must show; the planted categories come back as each clause's
// exclusions, the partial migrations, the notification cases and the
// resolved duplicates as its unblockings.
func TestImpactConsultationProfile(t *testing.T) {
	st, err := synth.Generate(context.Background(), synth.Config{Dir: t.TempDir(), Installations: 100000, Seed: 5,
		Profile: synth.ProfileConsultation})
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "db")
	runWith(t, Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, DB: db, Workers: 2})
	out := filepath.Join(t.TempDir(), "impact")
	if _, err := Impact(context.Background(), ImpactConfig{DB: db, Out: out, Workers: 2}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, "impact.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// RULES.md's definitions, applied to the rows.
	got := map[string]synth.ImpactCount{}
	for _, c := range clauseOrder {
		got[c] = synth.ImpactCount{}
	}
	migrating := func(d string) bool { return d == "migrate" || d == "migrate_partial" }
	for _, r := range readCSV(t, data)[1:] {
		n, _ := strconv.Atoi(r[6])
		ic := got[r[0]]
		switch {
		case r[2] == "exclude" && r[4] != "exclude":
			ic.Excluded += n
		case migrating(r[2]) && !migrating(r[4]):
			ic.Unblocked += n
		default:
			t.Errorf("a change that is neither: %v", r)
		}
		got[r[0]] = ic
	}
	if fmt.Sprint(got) != fmt.Sprint(st.ExpectedImpact) {
		t.Errorf("impact %v\nplanted %v", got, st.ExpectedImpact)
	}
	if st.ExpectedImpact["4.26A"].Unblocked == 0 || st.ExpectedImpact["4.1A"].Unblocked == 0 || st.ExpectedImpact["4.1B"].Unblocked == 0 ||
		st.ExpectedImpact["18.9"].Excluded == 0 || st.ExpectedImpact["18.12"].Excluded == 0 {
		t.Errorf("the profile plants too little: %v", st.ExpectedImpact)
	}
}
