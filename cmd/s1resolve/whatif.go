package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/s1resolve/s1resolve/pipeline"
)

func whatifCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("whatif", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "the store `DIR` of a run (required)")
	rulesFile := fs.String("rules", "", "the rules `FILE` to decide by: step 5 thresholds and clauses in force (required; see s1resolve rules)")
	out := fs.String("out", ".", "write decisions.csv and the comparison with the stored decisions into `DIR`")
	workers := fs.Int("workers", 0, "`N` parallel workers, 1 to 1024 (default: all cores)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to `FILE`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve whatif --db DIR --rules FILE [--out DIR]\n\nRe-decides the stored population under other step 5 thresholds or clauses in force, without reading the inputs again:\nwrites decisions.csv (as run --rules FILE would) and what changed (as s1resolve diff does).\n\nFlags:")
		fs.PrintDefaults()
	}
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 || *db == "" || *rulesFile == "" {
		fs.Usage()
		return errUsage
	}
	if err := checkRange(fs, "workers", *workers, 1, 1024); err != nil {
		return err
	}
	rules, err := loadRules(*rulesFile)
	if err != nil {
		return err
	}
	cfg := pipeline.WhatIfConfig{DB: *db, Rules: rules, RulesFile: *rulesFile, Out: *out, Workers: *workers, CPUProfile: *cpuprofile}
	if err := cfg.Check(); err != nil {
		return err
	}
	stopProfile, err := startProfile(*cpuprofile)
	if err != nil {
		return err
	}
	start := time.Now()
	d, err := pipeline.WhatIf(ctx, cfg)
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d installations would change decision or reason; written in %s in %.2fs (decisions.csv, transitions.csv, changes.csv, summary.md, report.html, suppliers/)\n",
		d.Changed(), *out, time.Since(start).Seconds())
	return nil
}
