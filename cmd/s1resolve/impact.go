package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/s1resolve/s1resolve/pipeline"
)

var impactCommand = &command{
	name:    "impact",
	summary: "what each clause in force excludes and unblocks: the consultation's table, from a store",
	about: `Decides the stored population once with the clauses in force, once without each of them
and once without any of the nine, without reading the inputs again, and writes what each
clause excludes and unblocks, by cohort: impact.csv (docs/FORMATS.md §7), impact.md and
report.html, into a folder written whole.`,
	setup: func(f *flags) action {
		var db, rules, out string
		var workers int
		f.DB(&db, "the store DIR of a run").Required()
		f.Rules(&rules, "the rules FILE (thresholds and clauses in force) to compare from (default: the store's; see s1resolve rules)")
		f.String(&out, "out", "DIR", pipeline.DefaultImpactFolder, "write impact.csv, impact.md and report.html into DIR, replaced whole (new, empty or an earlier impact)").Names(pipeline.ArgOut)
		f.Workers(&workers)
		return func(ctx context.Context, e *env) error {
			start := time.Now()
			im, err := pipeline.Impact(ctx, pipeline.ImpactConfig{DB: db, RulesFile: rules, Out: out, Workers: workers, Stdin: e.stdin, Names: e.names})
			if err != nil {
				return err
			}
			headline := im.Headline()
			fmt.Fprintf(e.stderr, "%s%s; written in %s in %.2fs (impact.csv, impact.md, report.html)\n", strings.ToUpper(headline[:1]), headline[1:],
				out, time.Since(start).Seconds())
			return nil
		}
	},
}
