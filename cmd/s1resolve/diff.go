package main

import (
	"context"
	"fmt"

	"github.com/s1resolve/s1resolve/pipeline"
)

var diffCommand = &command{
	name: "diff", args: "OLD NEW", min: 2, max: 2,
	summary: "compare the decisions of two runs: transitions, changes, supplier lists",
	about: `Compares the decisions of two runs (CSV, JSON Lines, gzipped or not, or Parquet): what
went from each decision and reason to each other, and which installations changed.
Writes transitions.csv, changes.csv, summary.md, report.html and suppliers/ into a folder
written whole.`,
	setup: func(f *flags) action {
		var out string
		f.String(&out, "out", "DIR", pipeline.DefaultDiffFolder, "write the comparison into DIR, replaced whole (new, empty or an earlier comparison)").Names(pipeline.ArgOut)
		return func(ctx context.Context, e *env) error {
			d, err := pipeline.Diff(ctx, pipeline.DiffConfig{Old: e.args[0], New: e.args[1], Out: out, Stdin: e.stdin, Names: e.names})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "%d installations changed decision or reason; written in %s (transitions.csv, changes.csv, summary.md, report.html, suppliers/)\n", d.Changed(), out)
			return nil
		}
	},
}
