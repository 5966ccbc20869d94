package main

import (
	"context"
	"fmt"

	"github.com/s1resolve/s1resolve/pipeline"
	"github.com/s1resolve/s1resolve/value"
)

var reportCommand = &command{
	name:    "report",
	summary: "write summary tables, supplier lists and an HTML page from a decisions file",
	about: `Writes summary.csv, summary.md, by_smso.csv, report.html and suppliers/*.csv (each
Responsible Supplier's installations that are not simply migrating) into a folder written
whole. With --db, the store of the same run, the supplier lists name each installation's
device GUIDs and the page what the run read, its rules and its build; a decisions file and
a store of different runs are refused. Without --db the supplier lists have no device_guids
column. With --supplier, only that Responsible Supplier's installations are reported: the
pack to send it.`,
	setup: func(f *flags) action {
		var decisions, out, db, supplier string
		f.String(&decisions, "decisions", "FILE", "", "the decisions FILE of a run: CSV, JSON Lines (.gz accepted) or Parquet; - reads standard input").Required().Names(pipeline.ArgDecisions)
		f.String(&out, "out", "DIR", pipeline.DefaultReportFolder, "write the reports into DIR, replaced whole (new, empty or an earlier report)").Names(pipeline.ArgReport)
		f.DB(&db, "the store DIR of the same run, for the device GUIDs of the supplier lists and the run's inputs, rules and build")
		f.Supplier(&supplier, "report only the installations of Responsible Supplier ID (its pack)")
		return func(ctx context.Context, e *env) error {
			rep, err := pipeline.Report(ctx, pipeline.ReportConfig{Decisions: decisions, DB: db, Out: out, Supplier: supplier, Stdin: e.stdin, Names: e.names,
				Warn: func(msg string) { fmt.Fprintln(e.stderr, "warning: "+msg) }})
			if err != nil {
				return err
			}
			of := ""
			if supplier != "" {
				of = " of Responsible Supplier " + supplier
			}
			fmt.Fprintf(e.stderr, "%s decisions%s reported in %s (report.html, summary.md, summary.csv, by_smso.csv, suppliers/)\n", value.Thousands(rep.Total()), of, out)
			return nil
		}
	},
}
