package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/pipeline"
	"github.com/s1resolve/s1resolve/serve"
	"github.com/s1resolve/s1resolve/synth"
	"github.com/s1resolve/s1resolve/value"
)

var demoCommand = &command{
	name:    "demo",
	summary: "generate a 100,000-installation sample and resolve it",
	about: `Generates a sample population in a new temporary folder, runs on it (with a store and
the reports) and prints where everything is.`,
	setup: func(f *flags) action {
		var n int
		f.Int(&n, "installations", "N", 100000, "N installations in the sample, 1 to 10,000,000", 1, 10_000_000)
		return func(ctx context.Context, e *env) error {
			dir, err := os.MkdirTemp("", "s1resolve-demo-*")
			if err != nil {
				return err
			}
			in := filepath.Join(dir, "input")
			fmt.Fprintf(e.stderr, "generating %s installations in %s\n", value.Thousands(n), in)
			start := time.Now()
			st, err := synth.Generate(ctx, synth.Config{Dir: in, Installations: n, Seed: 1, SMSOs: 3, Bad: 0.002, Smets2Rate: 0.03})
			if err != nil {
				return err
			}
			printGenStats(e.stderr, st, time.Since(start))
			cfg := pipeline.Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, Smets2: st.Smets2,
				DB: filepath.Join(dir, "store"), Out: filepath.Join(dir, "decisions.csv"), Rejects: filepath.Join(dir, "rejects.csv"),
				Summary: filepath.Join(dir, "summary.json"), Format: output.CSV, Report: filepath.Join(dir, "report"),
				Progress: &pipeline.Progress{}, Process: e.proc.pipeline()}
			fmt.Fprintf(e.stderr, "\nrunning s1resolve run --db %s --out %s --rejects %s --summary %s --registration %s --suppliers %s --smets2 %s --report %s %s/smso_*.csv\n",
				cfg.DB, cfg.Out, cfg.Rejects, cfg.Summary, cfg.Registration, cfg.Suppliers, cfg.Smets2, cfg.Report, in)
			stopProgress := startProgress(cfg.Progress, inputSize(cfg.Inputs), e.stderr)
			sum, err := pipeline.Run(ctx, cfg)
			stopProgress()
			if err != nil {
				return err
			}
			printSummary(e.stderr, sum, cfg)
			fmt.Fprintf(e.stderr, "to look it up in a browser: s1resolve serve --db %s, then open http://%s\n", cfg.DB, serve.DefaultAddr)
			return nil
		}
	},
}
