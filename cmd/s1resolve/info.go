package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

var infoCommand = &command{
	name:    "info",
	summary: "print what produced a store: inputs, rules, build, decisions",
	about: `Prints what produced a store: the files read (size and xxhash64), the rules and
clauses in force, the build, when, and the decisions written beside it.`,
	setup: func(f *flags) action {
		var db string
		f.DB(&db, "the store DIR written by s1resolve run --db").Required()
		return func(ctx context.Context, e *env) error {
			st, err := readStore(db)
			if err != nil {
				return err
			}
			defer st.Close()
			m := st.Meta
			w := e.stdout
			fmt.Fprintf(w, "store %s: format %d, written %s\nbuild: %s\n", db, m.Format, m.Created, m.Build)
			n := value.Thousands[int]
			fmt.Fprintf(w, "population: %s installations (%s device rows), %s rejected, %s SMETS2+ members\n",
				n(m.Installations), n(m.Devices), n(m.RejectedInstallations), n(m.Smets2))
			fmt.Fprintln(w, "inputs:")
			for _, in := range m.Inputs {
				fmt.Fprintf(w, "  %-13s %s  %s bytes  xxh64 %s\n", in.Reason, in.Name, value.Thousands(in.Bytes), in.XXH64)
			}
			if m.Registration != "" {
				fmt.Fprintf(w, "registration: %s, %s suppliers\n", m.Registration, n(len(m.Suppliers)))
			}
			if d := m.Decisions; d != nil {
				fmt.Fprintf(w, "decisions: %s  %s bytes  xxh64 %s\n", d.Name, value.Thousands(d.Bytes), d.XXH64)
			}
			if m.Rejects != "" {
				fmt.Fprintf(w, "rejects: %s\n", m.Rejects)
			}
			fmt.Fprintf(w, "rules:\n  %s\n", strings.ReplaceAll(strings.TrimSpace(m.Rules), "\n", "\n  "))
			rs, err := st.RuleSet()
			if err != nil {
				return err
			}
			fmt.Fprintln(w, clausesLine(rs.InForce()))
			return nil
		}
	},
}

// clausesLine says which of the consultation's clauses are in force.
func clausesLine(in engine.ClauseSet) string {
	if in == engine.AllClauses {
		return fmt.Sprintf("clauses in force: all nine (%s)", in)
	}
	return fmt.Sprintf("clauses in force: %s; not in force: %s", in, engine.AllClauses&^in)
}
