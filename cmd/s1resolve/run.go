package main

import (
	"context"
	"fmt"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/pipeline"
)

var runCommand = &command{
	name: "run", args: "FILE...", min: 1, max: -1,
	summary: "resolve installation files: write decisions and rejects",
	about: `Resolves installation files (.gz accepted; - reads standard input) and writes the
decisions and the rejects; with --db, a store for explain, whatif, report and info.
The decisions' format follows --format, else the suffix of --out (.csv, .jsonl,
.parquet; .gz after .csv or .jsonl gzips them).`,
	setup: func(f *flags) action {
		var o struct {
			db, out, rejects, format, summary, report, supplier, registration, suppliers, smets2, rules, cpuprofile, maxMemory string
			workers                                                                                                            int
			quiet                                                                                                              bool
		}
		f.DB(&o.db, "keep the store in DIR (new, empty or an earlier store, replaced when the run completes); default: no store")
		f.String(&o.out, "out", "FILE", "", "decisions FILE, or - for standard output (default decisions.csv, .jsonl or .parquet as --format)").Names(pipeline.ArgDecisions)
		f.String(&o.rejects, "rejects", "FILE", "rejects.csv", "rejects FILE, or - for standard output").Names(pipeline.ArgRejects)
		f.String(&o.format, "format", "FORMAT", "", "decisions FORMAT: csv, jsonl or parquet (default: from the --out suffix, else csv)")
		f.String(&o.summary, "summary", "FILE", "", "also write the summary as JSON to FILE").Names(pipeline.ArgSummary)
		f.String(&o.report, "report", "DIR", "", "also write the reports (summary tables, supplier lists, HTML) into DIR, replaced whole").Names(pipeline.ArgReport)
		f.Supplier(&o.supplier, "with --report: report only the installations of Responsible Supplier ID (its pack)")
		f.String(&o.registration, "registration", "FILE", "", "registration data FILE: columns mpxn, supplier_id").Names(pipeline.ArgRegistration)
		f.String(&o.suppliers, "suppliers", "FILE", "", "supplier statuses FILE: columns supplier_id, status").Names(pipeline.ArgSuppliers)
		f.String(&o.smets2, "smets2", "FILE", "", "SMETS2+ inventory FILE: columns inventory_id, mpan, mprn, install_date, communicating").Names(pipeline.ArgSmets2)
		f.Rules(&o.rules, "rules FILE: step 5 thresholds and clauses in force (see s1resolve rules); default: all of RULES.md")
		f.Workers(&o.workers)
		f.String(&o.maxMemory, "max-memory", "SIZE", "auto", "soft memory limit, e.g. 3GiB or 2000MiB; auto: 0.85x the input size + 128MiB; 0: none")
		f.Bool(&o.quiet, "quiet", "print nothing but errors and warnings")
		f.CPUProfile(&o.cpuprofile)
		return func(ctx context.Context, e *env) error {
			format, out, err := decisionsFormat(o.format, o.out)
			if err != nil {
				return err
			}
			if o.supplier != "" && o.report == "" {
				return usageError("--supplier " + o.supplier + ": reports one supplier's installations; give --report DIR too")
			}
			limit, err := memoryLimit(o.maxMemory, e.args)
			if err != nil {
				return usageError("--max-memory: " + err.Error())
			}
			cfg := pipeline.Config{Inputs: e.args, Registration: o.registration, Suppliers: o.suppliers, Smets2: o.smets2, RulesFile: o.rules,
				DB: o.db, Out: out, Rejects: o.rejects, Summary: o.summary, Report: o.report, ReportSupplier: o.supplier, Format: format, Workers: o.workers,
				Progress: &pipeline.Progress{}, Stdin: e.stdin, Stdout: e.stdout, Names: e.names, CPUProfile: o.cpuprofile,
				Process: e.proc.pipeline(), Warn: func(msg string) { fmt.Fprintln(e.stderr, "warning: "+msg) }}
			e.proc.setMemoryLimit(limit)
			stopProgress := func() {}
			if !o.quiet {
				stopProgress = startProgress(cfg.Progress, inputSize(e.args), e.stderr)
			}
			sum, err := pipeline.Run(ctx, cfg)
			stopProgress()
			if err != nil {
				return err
			}
			if !o.quiet {
				printSummary(e.stderr, sum, cfg)
			}
			return nil
		}
	},
}

// decisionsFormat returns the format of the decisions and their file: the
// --format given, else the one the --out suffix names, else CSV; the
// default file name follows the format. A suffix naming another format
// than --format, or gzip with Parquet, is refused.
func decisionsFormat(flag, out string) (output.Format, string, error) {
	byName, named := output.FormatOf(out)
	f := byName
	if flag != "" {
		var err error
		if f, err = output.ParseFormat(flag); err != nil {
			return 0, "", usageError("--format: " + err.Error())
		}
		if named && f != byName {
			return 0, "", usageError(fmt.Sprintf("--out %s names %s, but --format is %s: give a name ending in %s (or leave out --format)", out, byName, f, f.Suffix()))
		}
	}
	if out == "" {
		out = "decisions" + f.Suffix()
	}
	if !f.Gzips() && output.Gzipped(out) {
		return 0, "", usageError(fmt.Sprintf("--out %s: %s compresses its own columns; give a name ending in %s", out, f, f.Suffix()))
	}
	return f, out, nil
}
