package main

import (
	"context"
	"fmt"
	"time"

	"github.com/s1resolve/s1resolve/pipeline"
	"github.com/s1resolve/s1resolve/value"
)

var whatifCommand = &command{
	name:    "whatif",
	summary: "re-decide a stored population under other thresholds or clauses in force",
	about: `Re-decides the population of a store under other step 5 thresholds or clauses in force,
without reading the inputs again: writes decisions.csv (as run --rules FILE would) and what
changed (as s1resolve diff does, the supplier lists naming each installation's MPAN, MPRN and
device GUIDs, the page the rules tried) into a folder written whole.`,
	setup: func(f *flags) action {
		var db, rules, out, cpuprofile string
		var workers int
		f.DB(&db, "the store DIR of a run").Required()
		f.Rules(&rules, "the rules FILE to decide by: step 5 thresholds and clauses in force (see s1resolve rules)").Required()
		f.String(&out, "out", "DIR", pipeline.DefaultWhatIfFolder, "write decisions.csv and the comparison into DIR, replaced whole").Names(pipeline.ArgOut)
		f.Workers(&workers)
		f.CPUProfile(&cpuprofile)
		return func(ctx context.Context, e *env) error {
			cfg := pipeline.WhatIfConfig{DB: db, RulesFile: rules, Out: out, Workers: workers, CPUProfile: cpuprofile, Process: e.proc.pipeline(),
				Stdin: e.stdin, Names: e.names}
			start := time.Now()
			d, err := pipeline.WhatIf(ctx, cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "%s installations would change decision or reason; written in %s in %.2fs (decisions.csv, transitions.csv, changes.csv, summary.md, report.html, suppliers/)\n",
				value.Thousands(d.Changed()), out, time.Since(start).Seconds())
			return nil
		}
	},
}
