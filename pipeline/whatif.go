package pipeline

import (
	"context"
	"io"
	"runtime"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/report"
	"github.com/s1resolve/s1resolve/value"
)

// WhatIfConfig re-decides a stored population under other step 5
// thresholds or clauses in force (`s1resolve whatif`).
type WhatIfConfig struct {
	DB        string         // the store of a run
	Rules     engine.RuleSet // the rules to decide by: thresholds and clauses in force
	RulesFile string         // where they came from, an input
	Out       string         // folder for decisions.csv and the comparison; "" means "."
	Workers   int            // zero means all cores
	// CPUProfile is checked with the outputs; WhatIf does not write it.
	CPUProfile string
}

// WhatIf re-decides the population stored in cfg.DB under cfg.Rules,
// without reading the input files again, and writes decisions.csv (the
// bytes `run --rules` would write with the same inputs) and the comparison
// of the stored decisions with these (report.Diff) into cfg.Out.
//
// Every installation is decided again by engine.RuleSet.Decide from the
// facts the store kept (index.Store.FactsOf): its duplicate GUID, its
// group's step 2 facts, its registration, meters and Responsible
// Supplier's status.
func WhatIf(ctx context.Context, cfg WhatIfConfig) (*report.Diff, error) {
	outs, err := cfg.plan()
	if err != nil {
		return nil, err
	}
	return whatIf(ctx, cfg, outs)
}

// Check refuses, before any work, the slips package paths refuses.
func (cfg WhatIfConfig) Check() error {
	_, err := cfg.plan()
	return err
}

func (cfg WhatIfConfig) plan() (*diffOutputs, error) {
	var p paths.Plan
	if cfg.RulesFile != "" {
		if err := p.Input("--rules", cfg.RulesFile); err != nil {
			return nil, err
		}
	}
	if _, err := p.Store("--db", cfg.DB, "an s1resolve store", index.Owns(cfg.DB)); err != nil {
		return nil, err
	}
	if cfg.CPUProfile != "" {
		if _, err := p.Output("--cpuprofile", cfg.CPUProfile); err != nil {
			return nil, err
		}
	}
	return planDiffOutputs(&p, cfg.Out, "decisions.csv")
}

func whatIf(ctx context.Context, cfg WhatIfConfig, outs *diffOutputs) (*report.Diff, error) {
	st, err := index.Open(cfg.DB)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	m := st.Meta
	pop := &engine.Population{Installations: make([]engine.Installation, 0, m.Installations)}
	res := &engine.Result{Outcomes: make([]engine.Outcome, 0, m.Installations), GroupID: make([]value.Key, 0, m.Installations),
		GroupSize: make([]uint32, 0, m.Installations)}
	supplierOf := make([]int32, 0, m.Installations)
	d := report.NewDiff()
	unchanged := map[engine.Outcome]int{} // counted by outcome, added to d at the end
	var f engine.Facts
	err = st.Scan(ctx, func(r *index.Record) error {
		st.FactsOf(r, &f)
		o := cfg.Rules.Decide(&f, nil)
		in := r.Installation
		in.First, in.Count = 0, 0 // the devices are not kept
		pop.Installations = append(pop.Installations, in)
		res.Outcomes = append(res.Outcomes, o)
		res.GroupID, res.GroupSize = append(res.GroupID, r.GroupID), append(res.GroupSize, r.GroupSize)
		supplierOf = append(supplierOf, r.Supplier)
		if o.Decision == r.Outcome.Decision && o.Reason == r.Outcome.Reason {
			unchanged[engine.Outcome{Decision: o.Decision, Reason: o.Reason}]++
			return nil
		}
		supplier, _ := st.Supplier(r.Supplier)
		d.Add(in.SMSO(), in.ID(), in.Cohort.String(), supplier, sideOf(r.Outcome), sideOf(o))
		return nil
	})
	if err != nil {
		return nil, err
	}
	for o, n := range unchanged {
		d.AddUnchanged(sideOf(o), n)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	dec := &output.Decisions{Pop: pop, Res: res, Format: output.CSV, Workers: cfg.Workers}
	if m.Registration != "" {
		dec.Supplier = func(id uint32) (string, bool) {
			name, status := st.Supplier(supplierOf[id])
			return name, status.Notified()
		}
	}
	return d, outs.write(d.Files(), func(w io.Writer) error { return output.WriteDecisions(ctx, w, dec) })
}

func sideOf(o engine.Outcome) report.Side {
	return report.Side{Decision: o.Decision.String(), Reason: o.Reason.String()}
}
