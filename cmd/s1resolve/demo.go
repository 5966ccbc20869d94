package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/pipeline"
	"github.com/s1resolve/s1resolve/serve"
	"github.com/s1resolve/s1resolve/synth"
)

func demoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("installations", 100000, "number of installations in the sample")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve demo [flags]\n\nGenerates a sample population in a temporary directory, runs on it and prints where everything is.\n\nFlags:")
		fs.PrintDefaults()
	}
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		fs.Usage()
		return errUsage
	}
	dir, err := os.MkdirTemp("", "s1resolve-demo-*")
	if err != nil {
		return err
	}
	in := filepath.Join(dir, "input")
	fmt.Fprintf(stderr, "generating %d installations in %s\n", *n, in)
	start := time.Now()
	st, err := synth.Generate(ctx, synth.Config{Dir: in, Installations: *n, Seed: 1, SMSOs: 3, Bad: 0.002, Smets2Rate: 0.03})
	if err != nil {
		return err
	}
	printGenStats(stderr, st, time.Since(start))
	cfg := pipeline.Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, Smets2: st.Smets2, DB: filepath.Join(dir, "store"), Out: filepath.Join(dir, "decisions.csv"),
		Rejects: filepath.Join(dir, "rejects.csv"), Summary: filepath.Join(dir, "summary.json"), Format: output.CSV,
		Report:   filepath.Join(dir, "report"),
		Progress: &pipeline.Progress{}}
	fmt.Fprintf(stderr, "\nrunning s1resolve run --db %s --out %s --rejects %s --summary %s --registration %s --suppliers %s --smets2 %s --report %s %s/smso_*.csv\n",
		cfg.DB, cfg.Out, cfg.Rejects, cfg.Summary, cfg.Registration, cfg.Suppliers, cfg.Smets2, cfg.Report, in)
	stopProgress := startProgress(cfg.Progress, inputSize(cfg.Inputs), stderr)
	sum, err := pipeline.Run(ctx, cfg)
	stopProgress()
	if err != nil {
		return err
	}
	printSummary(stderr, sum, cfg)
	fmt.Fprintf(stderr, "summary:   %s\nreports:   %s (open report.html in a browser)\n", cfg.Summary, cfg.Report)
	fmt.Fprintf(stderr, "to look it up in a browser: s1resolve serve --db %s, then open http://%s\n", cfg.DB, serve.DefaultAddr)
	return nil
}
