package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/s1resolve/s1resolve/pipeline"
)

func diffCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", ".", "write transitions.csv, changes.csv, summary.md, report.html and suppliers/ into `DIR`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve diff [--out DIR] OLD NEW\n\nCompares the decisions of two runs (CSV, JSON Lines or Parquet, told by the name; .gz for the first two):\nwhat went from each decision and reason to each other, and which installations changed.\n\nFlags:")
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 2 {
		fs.Usage()
		return errUsage
	}
	d, err := pipeline.Diff(ctx, pipeline.DiffConfig{Old: rest[0], New: rest[1], Out: *out})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d installations changed decision or reason; written in %s (transitions.csv, changes.csv, summary.md, report.html, suppliers/)\n", d.Changed(), *out)
	return nil
}
