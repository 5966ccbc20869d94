package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/s1resolve/s1resolve/pipeline"
)

func impactCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("impact", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "the store `DIR` of a run (required)")
	rulesFile := fs.String("rules", "", "the rules `FILE` (thresholds and clauses in force) to compare from (default: the store's; see s1resolve rules)")
	out := fs.String("out", "impact", "write impact.csv, impact.md and report.html into `DIR`, replaced whole (new, empty or an earlier impact)")
	workers := fs.Int("workers", 0, "`N` parallel workers, 1 to 1024 (default: all cores)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve impact --db DIR [--rules FILE] [--out DIR]\n\nDecides the stored population once with the clauses in force, once without each of them and once\nwithout any of the nine, without reading the inputs again, and writes what each clause excludes and\nunblocks, by cohort: impact.csv (FORMAT.md §7), impact.md and report.html.\n\nFlags:")
		fs.PrintDefaults()
	}
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 || *db == "" {
		fs.Usage()
		return errUsage
	}
	if err := checkRange(fs, "workers", *workers, 1, 1024); err != nil {
		return err
	}
	cfg := pipeline.ImpactConfig{DB: *db, RulesFile: *rulesFile, Out: *out, Workers: *workers}
	if err := cfg.Check(); err != nil {
		return err
	}
	if *rulesFile != "" {
		rules, err := loadRules(*rulesFile)
		if err != nil {
			return err
		}
		cfg.Rules = &rules
	}
	start := time.Now()
	im, err := pipeline.Impact(ctx, cfg)
	if err != nil {
		return err
	}
	headline := im.Headline()
	fmt.Fprintf(stderr, "%s%s; written in %s in %.2fs (impact.csv, impact.md, report.html)\n", strings.ToUpper(headline[:1]), headline[1:],
		*out, time.Since(start).Seconds())
	return nil
}
