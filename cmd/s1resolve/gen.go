package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/synth"
	"github.com/s1resolve/s1resolve/value"
)

var genCommand = &command{
	name:    "gen",
	summary: "generate a synthetic population",
	about: `Generates a synthetic population in the layout of docs/FORMATS.md: one file per SMSO,
registration.csv, suppliers.csv and smets2.csv, into a folder written whole.`,
	setup: func(f *flags) action {
		var o struct {
			out, profile    string
			n, smsos        int
			seed            uint64
			gz              bool
			bad, smets2Rate float64
		}
		f.String(&o.out, "out", "DIR", "", "write the population into DIR, replaced whole (new, empty or an earlier population)").Required()
		f.Int(&o.n, "installations", "N", 100000, "N installations, 0 to 100,000,000", 0, 100_000_000)
		f.Uint64(&o.seed, "seed", "SEED", 1, "random SEED; the same seed gives the same files")
		f.Int(&o.smsos, "smsos", "K", 3, "K SMSOs (one file each), 1 to 1000", 1, 1000)
		f.Bool(&o.gz, "gzip", "write gzip-compressed files")
		f.Float(&o.bad, "bad", "RATE", 0, "share of installations given one bad row, from 0 to 1")
		f.Float(&o.smets2Rate, "smets2-rate", "RATE", 0.03, "share of installations given a SMETS2+ installation in smets2.csv, from 0 to 1 (0: no inventory)")
		f.String(&o.profile, "profile", "PROFILE", "", "\"consultation\": plant the consultation's category counts exactly, scaled to --installations")
		return func(ctx context.Context, e *env) error {
			if !(o.bad >= 0 && o.bad <= 1) {
				return usageError(fmt.Sprintf("--bad %v: must be from 0 to 1", o.bad))
			}
			if !(o.smets2Rate >= 0 && o.smets2Rate <= 1) {
				return usageError(fmt.Sprintf("--smets2-rate %v: must be from 0 to 1", o.smets2Rate))
			}
			j := job.New(job.Streams{})
			defer j.Abort()
			folder, err := j.Folder("--out", o.out, job.FolderKind{Kind: "gen", What: "a generated population", Owns: synth.Owns})
			if err != nil {
				return err
			}
			if err := j.Begin(ctx); err != nil {
				return err
			}
			start := time.Now()
			st, err := synth.Generate(ctx, synth.Config{Dir: folder.Path(), Installations: o.n, Seed: o.seed, SMSOs: o.smsos, Gzip: o.gz,
				Bad: o.bad, Profile: o.profile, Smets2Rate: o.smets2Rate})
			if err != nil {
				return err
			}
			if err := j.Commit(ctx); err != nil {
				return err
			}
			st.Rebase(o.out)
			printGenStats(e.stderr, st, time.Since(start))
			return nil
		}
	},
}

func printGenStats(w io.Writer, st *synth.Stats, el time.Duration) {
	n := value.Thousands[int]
	fmt.Fprintf(w, "wrote %s installations, %s rows, %s MB in %s\n", n(st.Installations), value.Thousands(st.Rows),
		value.ThousandsFloat(float64(st.Bytes)/1e6, 1), el.Round(time.Millisecond))
	for _, k := range slices.Sorted(maps.Keys(st.Groups)) {
		fmt.Fprintf(w, "  duplicate groups %-26s %8s\n", k, n(st.Groups[k]))
	}
	fmt.Fprintf(w, "  duplicate GUIDs planted %19s\n  installations with a bad row %14s\n  MPxNs left unregistered %19s\n",
		n(st.DuplicateGUIDs), n(st.BadInstallations), n(st.Unregistered))
	for _, f := range st.Files {
		fmt.Fprintf(w, "  %s\n", f)
	}
	fmt.Fprintf(w, "  %s (--registration)\n  %s (--suppliers)\n", st.Registration, st.Suppliers)
	if st.Smets2 != "" {
		fmt.Fprintf(w, "  %s (--smets2)\n", st.Smets2)
		for _, k := range slices.Sorted(maps.Keys(st.Smets2Situations)) {
			fmt.Fprintf(w, "    SMETS2+ rows %-30s %8s\n", k, n(st.Smets2Situations[k]))
		}
	}
	if st.ExpectedImpact != nil {
		fmt.Fprintln(w, "  what s1resolve impact must show of that run's store (all nine clauses in force):")
		fmt.Fprintf(w, "    %-8s %10s %10s\n", "clause", "excludes", "unblocks")
		for _, c := range append(engine.AllClauses.Names(), "all") {
			ic := st.ExpectedImpact[c]
			fmt.Fprintf(w, "    %-8s %10d %10d\n", c, ic.Excluded, ic.Unblocked)
		}
	}
	if st.Expected != nil {
		// supplier/STATUS counts are among "unique": migrated installations
		// whose Responsible Supplier's status puts them on a supplier list.
		fmt.Fprintln(w, "  planted (what a run with --registration and --suppliers must decide):")
		for _, k := range slices.Sorted(maps.Keys(st.Expected)) {
			if !strings.HasPrefix(k, "supplier/") {
				fmt.Fprintf(w, "    %-30s %10s\n", k, n(st.Expected[k]))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(st.Expected)) {
			if status, ok := strings.CutPrefix(k, "supplier/"); ok {
				fmt.Fprintf(w, "      of which Responsible Supplier %-16s %6s\n", status, n(st.Expected[k]))
			}
		}
	}
}
