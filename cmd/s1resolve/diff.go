package main

import (
	"context"
	"fmt"

	"github.com/s1resolve/s1resolve/pipeline"
	"github.com/s1resolve/s1resolve/value"
)

var diffCommand = &command{
	name: "diff", args: "OLD NEW", min: 2, max: 2,
	summary: "compare the decisions of two runs: transitions, changes, supplier lists",
	about: `Compares the decisions of two runs (CSV, JSON Lines, gzipped or not, or Parquet): what
went from each decision and reason to each other, and which installations changed.
Writes transitions.csv, changes.csv, summary.md, report.html and suppliers/ into a folder
written whole. Each supplier's list names its installations' MPAN and MPRN; with --db, the
store of the run that wrote OLD or NEW, their device GUIDs too.`,
	setup: func(f *flags) action {
		var out, db string
		f.String(&out, "out", "DIR", pipeline.DefaultDiffFolder, "write the comparison into DIR, replaced whole (new, empty or an earlier comparison)").Names(pipeline.ArgOut)
		f.DB(&db, "the store DIR of the run that wrote OLD or NEW, for the device GUIDs of the supplier lists")
		return func(ctx context.Context, e *env) error {
			d, err := pipeline.Diff(ctx, pipeline.DiffConfig{Old: e.args[0], New: e.args[1], Out: out, DB: db, Stdin: e.stdin, Names: e.names})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "%s installations changed decision or reason; written in %s (transitions.csv, changes.csv, summary.md, report.html, suppliers/)\n", value.Thousands(d.Changed()), out)
			return nil
		}
	},
}
