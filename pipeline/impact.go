package pipeline

import (
	"context"
	"fmt"
	"runtime"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/report"
)

// ImpactConfig computes the impact of the clauses in force on a stored
// population (`s1resolve impact`).
type ImpactConfig struct {
	DB string // the store of a run
	// Rules are the thresholds and clauses in force to compare from; nil
	// means the store's own.
	Rules     *engine.RuleSet
	RulesFile string // where Rules came from, an input
	Out       string // folder written whole: impact.csv, impact.md, report.html; "" means "impact"
	Workers   int    // zero means all cores
}

// Impact decides the population stored in cfg.DB once under the rules in
// force S (cfg.Rules, else the store's), once under S without each of its
// clauses and once under none of the nine, in one pass over the stored
// facts on cfg.Workers goroutines (index.Store.ScanFacts,
// engine.RuleSet.DecideEach), and writes the comparison (RULES.md, "Impact
// of the clauses"; FORMAT.md §7) into the folder cfg.Out, replaced whole.
func Impact(ctx context.Context, cfg ImpactConfig) (*report.Impact, error) {
	if cfg.Out == "" {
		cfg.Out = "impact"
	}
	folder, err := cfg.plan()
	if err != nil {
		return nil, err
	}
	st, err := index.Open(cfg.DB)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	rs, err := st.RuleSet()
	if err != nil {
		return nil, err
	}
	if cfg.Rules != nil {
		rs = *cfg.Rules
	}
	im, err := impactOf(ctx, st, rs, cfg.Workers)
	if err != nil {
		return nil, err
	}
	if err := output.WriteDir(folder, im.Write); err != nil {
		return nil, fmt.Errorf("writing the impact in %s: %w", cfg.Out, err)
	}
	return im, nil
}

// Check refuses, before any work, the slips package paths refuses.
func (cfg ImpactConfig) Check() error {
	_, err := cfg.plan()
	return err
}

func (cfg ImpactConfig) plan() (paths.Folder, error) {
	var p paths.Plan
	if cfg.RulesFile != "" {
		if err := p.Input("--rules", cfg.RulesFile); err != nil {
			return paths.Folder{}, err
		}
	}
	if _, err := p.Store("--db", cfg.DB, "an s1resolve store", index.Owns(cfg.DB)); err != nil {
		return paths.Folder{}, err
	}
	out := cfg.Out
	if out == "" {
		out = "impact"
	}
	return p.Folder("--out", out, "an s1resolve impact folder", report.ImpactOwns)
}

// impactKey is a change counted by a worker: the comparison, the cohort
// and the two outcomes.
type impactKey struct {
	comparison    uint8
	cohort        engine.Cohort
	with, without engine.Outcome
}

// impactOf decides every stored installation under each of the impact's
// clause sets and counts the changes.
func impactOf(ctx context.Context, st *index.Store, rs engine.RuleSet, workers int) (*report.Impact, error) {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	im := report.NewImpact(rs.InForce(), st.Meta.Installations)
	sets := im.Comparisons()
	counts := make([]map[impactKey]int, workers)
	outs := make([][]engine.Outcome, workers)
	for w := range workers {
		counts[w], outs[w] = map[impactKey]int{}, make([]engine.Outcome, len(sets))
	}
	err := st.ScanFacts(ctx, workers, func(w int, f *engine.Facts) error {
		out := outs[w]
		rs.DecideEach(f, sets, out)
		for i := 1; i < len(out); i++ {
			if out[i].Decision != out[0].Decision || out[i].Reason != out[0].Reason {
				counts[w][impactKey{uint8(i), f.Cohort, stepless(out[0]), stepless(out[i])}]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		for k, n := range c {
			im.Add(int(k.comparison), k.cohort, k.with, k.without, n)
		}
	}
	return im, nil
}

// stepless is the (decision, reason) of an outcome, which is what the
// impact compares.
func stepless(o engine.Outcome) engine.Outcome {
	return engine.Outcome{Decision: o.Decision, Reason: o.Reason}
}
