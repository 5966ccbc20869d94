package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/pipeline"
)

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "keep the store in `DIR` (new, empty or an earlier store) for s1resolve explain; default: no store")
	out := fs.String("out", "decisions.csv", "decisions `FILE`, or - for standard output")
	rejects := fs.String("rejects", "rejects.csv", "rejects `FILE`, or - for standard output")
	format := fs.String("format", "csv", "decisions `FORMAT`: csv or jsonl")
	summary := fs.String("summary", "", "also write the summary as JSON to `FILE`")
	reportDir := fs.String("report", "", "also write the reports (summary tables, supplier lists, HTML) into `DIR`, replaced whole")
	workers := fs.Int("workers", 0, "`N` parallel workers, 1 to 1024 (default: all cores)")
	registration := fs.String("registration", "", "registration data `FILE`: CSV with columns mpxn, supplier_id (FORMAT.md §2)")
	suppliers := fs.String("suppliers", "", "supplier statuses `FILE`: CSV with columns supplier_id, status (FORMAT.md §3)")
	smets2 := fs.String("smets2", "", "SMETS2+ inventory `FILE`: CSV with columns inventory_id, mpan, mprn, install_date, communicating (FORMAT.md §6)")
	rulesFile := fs.String("rules", "", "step 5 thresholds `FILE` (see s1resolve rules); default: RULES.md's")
	quiet := fs.Bool("quiet", false, "print nothing but errors and warnings")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to `FILE`")
	maxMemory := fs.String("max-memory", "auto", "soft memory limit `SIZE`, e.g. 3GiB or 2000MiB; auto: 0.85x the input size + 128MiB; 0: none")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve run [flags] FILE...\n\nResolves installation files (FORMAT.md §1; .gz accepted; - reads standard input) and writes decisions and rejects.\n\nFlags:")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return errUsage
	}
	if err := checkRange(fs, "workers", *workers, 1, 1024); err != nil {
		return err
	}
	f, err := output.ParseFormat(*format)
	if err != nil {
		return usageError(err.Error())
	}
	limit, err := memoryLimit(*maxMemory, files)
	if err != nil {
		return usageError("--max-memory: " + err.Error())
	}
	cfg := pipeline.Config{Inputs: files, Registration: *registration, Suppliers: *suppliers, Smets2: *smets2, RulesFile: *rulesFile, DB: *db,
		Out: *out, Rejects: *rejects, Summary: *summary, Report: *reportDir, Format: f, Workers: *workers,
		Progress: &pipeline.Progress{}, Stdout: stdout, CPUProfile: *cpuprofile, Warn: func(msg string) { fmt.Fprintln(stderr, "warning: "+msg) }}
	if err := cfg.Check(); err != nil {
		return err
	}
	rules, err := loadRules(*rulesFile)
	if err != nil {
		return err
	}
	cfg.Rules = &rules
	applyMemoryLimit(limit)
	stopProfile, err := startProfile(*cpuprofile)
	if err != nil {
		return err
	}
	stopProgress := func() {}
	if !*quiet {
		stopProgress = startProgress(cfg.Progress, inputSize(files), stderr)
	}
	sum, err := pipeline.Run(ctx, cfg)
	stopProgress()
	if perr := stopProfile(); err == nil {
		err = perr
	}
	if err != nil {
		return err
	}
	if !*quiet {
		printSummary(stderr, sum, cfg)
	}
	return nil
}
