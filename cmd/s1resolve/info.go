package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/index"
)

func infoCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("info", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "the store `DIR` written by s1resolve run --db (required)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve info --db DIR\n\nPrints what produced a store: the files read (size and xxhash64), the rules and clauses in force, the build, when.\n\nFlags:")
		fs.PrintDefaults()
	}
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 || *db == "" {
		fs.Usage()
		return errUsage
	}
	st, err := index.Open(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	m := st.Meta
	fmt.Fprintf(stdout, "store %s: format %d, written %s\nbuild: %s\n", *db, m.Format, m.Created, m.Build)
	fmt.Fprintf(stdout, "population: %d installations (%d device rows), %d rejected, %d SMETS2+ members\n",
		m.Installations, m.Devices, m.RejectedInstallations, m.Smets2)
	fmt.Fprintln(stdout, "inputs:")
	for _, in := range m.Inputs {
		fmt.Fprintf(stdout, "  %-13s %s  %d bytes  xxh64 %s\n", in.Reason, in.Name, in.Bytes, in.XXH64)
	}
	if m.Registration != "" {
		fmt.Fprintf(stdout, "registration: %s, %d suppliers\n", m.Registration, len(m.Suppliers))
	}
	if m.Rejects != "" {
		fmt.Fprintf(stdout, "rejects: %s\n", m.Rejects)
	}
	fmt.Fprintf(stdout, "rules:\n  %s\n", strings.ReplaceAll(strings.TrimSpace(m.Rules), "\n", "\n  "))
	rs, err := st.RuleSet()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, clausesLine(rs.InForce()))
	return nil
}

// clausesLine says which of the consultation's clauses are in force.
func clausesLine(in engine.ClauseSet) string {
	if in == engine.AllClauses {
		return fmt.Sprintf("clauses in force: all nine (%s)", in)
	}
	return fmt.Sprintf("clauses in force: %s; not in force: %s", in, engine.AllClauses&^in)
}
