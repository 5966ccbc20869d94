package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/synth"
)

func genCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write the population into `DIR`, replaced whole (new, empty or an earlier population) (required)")
	n := fs.Int("installations", 100000, "`N` installations, 0 to 100,000,000")
	seed := fs.Uint64("seed", 1, "random `SEED`; the same seed gives the same files")
	smsos := fs.Int("smsos", 3, "`K` SMSOs (one file each), 1 to 1000")
	gz := fs.Bool("gzip", false, "write gzip-compressed files")
	bad := fs.Float64("bad", 0, "share of installations given one bad row, a `RATE` from 0 to 1")
	smets2Rate := fs.Float64("smets2-rate", 0.03, "share of installations given a SMETS2+ installation in smets2.csv, a `RATE` from 0 to 1 (0: no inventory)")
	profile := fs.String("profile", "", "`PROFILE` \"consultation\": plant the consultation's category counts exactly, scaled to --installations")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve gen --out DIR [flags]\n\nGenerates a synthetic population in the FORMAT.md layout.\n\nFlags:")
		fs.PrintDefaults()
	}
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 || *out == "" {
		fs.Usage()
		return errUsage
	}
	if err := checkRange(fs, "installations", *n, 0, 100_000_000); err != nil {
		return err
	}
	if err := checkRange(fs, "smsos", *smsos, 1, 1000); err != nil {
		return err
	}
	if !(*bad >= 0 && *bad <= 1) {
		return usageError(fmt.Sprintf("--bad %v: must be from 0 to 1", *bad))
	}
	if !(*smets2Rate >= 0 && *smets2Rate <= 1) {
		return usageError(fmt.Sprintf("--smets2-rate %v: must be from 0 to 1", *smets2Rate))
	}
	var plan paths.Plan
	folder, err := plan.Folder("--out", *out, "a generated population", synth.Owns)
	if err != nil {
		return err
	}
	start := time.Now()
	var st *synth.Stats
	err = output.WriteDir(folder, func(dir string) (err error) {
		st, err = synth.Generate(ctx, synth.Config{Dir: dir, Installations: *n, Seed: *seed, SMSOs: *smsos, Gzip: *gz, Bad: *bad, Profile: *profile, Smets2Rate: *smets2Rate})
		return err
	})
	if err != nil {
		return err
	}
	st.Rebase(*out)
	printGenStats(stderr, st, time.Since(start))
	return nil
}

func printGenStats(w io.Writer, st *synth.Stats, el time.Duration) {
	fmt.Fprintf(w, "wrote %d installations, %d rows, %.1f MB in %s\n", st.Installations, st.Rows,
		float64(st.Bytes)/1e6, el.Round(time.Millisecond))
	for _, k := range slices.Sorted(maps.Keys(st.Groups)) {
		fmt.Fprintf(w, "  duplicate groups %-26s %8d\n", k, st.Groups[k])
	}
	fmt.Fprintf(w, "  duplicate GUIDs planted %19d\n  installations with a bad row %14d\n  MPxNs left unregistered %19d\n",
		st.DuplicateGUIDs, st.BadInstallations, st.Unregistered)
	for _, f := range st.Files {
		fmt.Fprintf(w, "  %s\n", f)
	}
	fmt.Fprintf(w, "  %s (--registration)\n  %s (--suppliers)\n", st.Registration, st.Suppliers)
	if st.Smets2 != "" {
		fmt.Fprintf(w, "  %s (--smets2)\n", st.Smets2)
		for _, k := range slices.Sorted(maps.Keys(st.Smets2Situations)) {
			fmt.Fprintf(w, "    SMETS2+ rows %-30s %8d\n", k, st.Smets2Situations[k])
		}
	}
	if st.Expected != nil {
		fmt.Fprintln(w, "  planted (what a run with --registration and --suppliers must decide):")
		for _, k := range slices.Sorted(maps.Keys(st.Expected)) {
			fmt.Fprintf(w, "    %-30s %10d\n", k, st.Expected[k])
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
}
