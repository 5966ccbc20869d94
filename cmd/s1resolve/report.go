package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/report"
)

func reportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	decisions := fs.String("decisions", "", "decisions `FILE` written by run: CSV, JSON Lines or Parquet (by the name; .gz accepted); - reads standard input (required)")
	out := fs.String("out", "report", "write the reports into `DIR`, replaced whole (new, empty or an earlier report)")
	db := fs.String("db", "", "the store `DIR` of the same run, to list device GUIDs in the supplier files and say which clauses were not in force")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve report --decisions FILE [--out DIR] [--db DIR]\n\nWrites summary.csv, summary.md, by_smso.csv, report.html and suppliers/*.csv.\n\nFlags:")
		fs.PrintDefaults()
	}
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 || *decisions == "" {
		fs.Usage()
		return errUsage
	}
	var plan paths.Plan
	if err := plan.Input("--decisions", *decisions); err != nil {
		return err
	}
	if *db != "" {
		if _, err := plan.Store("--db", *db, "an s1resolve store", index.Owns(*db)); err != nil {
			return err
		}
	}
	folder, err := plan.Folder("--out", *out, "an s1resolve report folder", report.Owns)
	if err != nil {
		return err
	}
	var guids func(smso, id string) []string
	var notInForce []string
	if *db != "" {
		st, err := index.Open(*db)
		if err != nil {
			return err
		}
		defer st.Close()
		rs, err := st.RuleSet()
		if err != nil {
			return err
		}
		notInForce = rs.NotInForce.Names()
		guids = func(smso, id string) []string {
			n, ok, err := st.ByName(smso, id)
			if err != nil || !ok {
				return nil
			}
			rec, err := st.Installation(n)
			if err != nil {
				return nil
			}
			return deviceGUIDs(rec.Devices)
		}
	}
	rep, err := report.FromDecisionsFile(*decisions, guids)
	if err != nil {
		return err
	}
	rep.NotInForce = notInForce
	if err := output.WriteDir(folder, rep.Write); err != nil {
		return fmt.Errorf("writing the reports in %s: %w", *out, err)
	}
	fmt.Fprintf(stderr, "%d decisions reported in %s (report.html, summary.md, summary.csv, by_smso.csv, suppliers/)\n", rep.Total(), *out)
	return nil
}

func deviceGUIDs(devs []engine.Device) []string {
	out := make([]string, len(devs))
	for i, d := range devs {
		out[i] = string(d.GUID.Append(nil))
	}
	return out
}
