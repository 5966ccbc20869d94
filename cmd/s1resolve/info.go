package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/job"
)

var infoCommand = &command{
	name:    "info",
	summary: "print what produced a store: inputs, rules, build, decisions",
	about: `Prints what produced a store: the files read (size and xxhash64), the rules, the build,
when, and the decisions written beside it.`,
	setup: func(f *flags) action {
		var db string
		f.DB(&db, "the store DIR written by s1resolve run --db").Required()
		return func(ctx context.Context, e *env) error {
			j := job.New(job.Streams{})
			defer j.Abort()
			if err := j.ReadFolder("--db", db); err != nil {
				return err
			}
			st, err := index.Open(db)
			if err != nil {
				return err
			}
			defer st.Close()
			m := st.Meta
			w := e.stdout
			fmt.Fprintf(w, "store %s: format %d, written %s\nbuild: %s\n", db, m.Format, m.Created, m.Build)
			fmt.Fprintf(w, "population: %d installations (%d device rows), %d rejected, %d SMETS2+ members\n",
				m.Installations, m.Devices, m.RejectedInstallations, m.Smets2)
			fmt.Fprintln(w, "inputs:")
			for _, in := range m.Inputs {
				fmt.Fprintf(w, "  %-13s %s  %d bytes  xxh64 %s\n", in.Reason, in.Name, in.Bytes, in.XXH64)
			}
			if m.Registration != "" {
				fmt.Fprintf(w, "registration: %s, %d suppliers\n", m.Registration, len(m.Suppliers))
			}
			if d := m.Decisions; d != nil {
				fmt.Fprintf(w, "decisions: %s  %d bytes  xxh64 %s\n", d.Name, d.Bytes, d.XXH64)
			}
			if m.Rejects != "" {
				fmt.Fprintf(w, "rejects: %s\n", m.Rejects)
			}
			fmt.Fprintf(w, "rules:\n  %s\n", strings.ReplaceAll(strings.TrimSpace(m.Rules), "\n", "\n  "))
			return nil
		}
	},
}
