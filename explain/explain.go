// Package explain says in words why the store's installations were decided
// as they were: for a key (MPAN, MPRN, GUID or smso/installation_id) it
// finds the installations, their duplicate group and, for each, the
// rule that decided it and the evidence it rests on (the rows holding a
// duplicate GUID, the group's latest and communicating members, the meters
// that failed and the thresholds in force). The facts are those the engine
// recorded when it decided (engine.GroupFacts, engine.MeterState) and the
// store kept: no rule is applied again here.
//
// Build makes the explanation as data (model.go); Explain prints it as
// `s1resolve explain` does, and `s1resolve serve` sends it as JSON.
package explain

import (
	"errors"
	"fmt"
	"io"

	"github.com/s1resolve/s1resolve/index"
)

// ErrNotFound is returned when the key matches no installation.
var ErrNotFound = errors.New("no installation matches")

// Explain prints the explanation of key. A group of more than limit
// members (limit > 0) is summarised: counts by decision and by SMSO, then
// the installations the key found and the first others up to limit.
func Explain(w io.Writer, s *index.Store, key string, limit int) error {
	x, err := Build(s, key, Options{Limit: limit})
	if err != nil {
		return err
	}
	x.WriteText(w)
	return nil
}

// WriteText prints the explanation as `s1resolve explain` does.
func (x *Explanation) WriteText(w io.Writer) {
	if r := x.Rejected; r != nil {
		fmt.Fprintf(w, "%s was rejected: it has no decision and takes no part in any group.\n", x.What)
		fmt.Fprintf(w, "  its %d row(s) are listed in %s; the first, %s line %d: %s\n", r.Rows, r.Rejects, r.File, r.Line, r.Error)
		return
	}
	fmt.Fprintf(w, "%s: %d installation(s)\n", x.What, x.Found)
	for i := range x.Groups {
		x.writeGroup(w, &x.Groups[i])
	}
}

func (x *Explanation) writeGroup(w io.Writer, g *Group) {
	fmt.Fprintf(w, "\n%s\n", g.Heading)
	for _, c := range []struct {
		title  string
		counts []Count
	}{{"by decision", g.ByDecision}, {"by SMSO", g.BySMSO}} {
		if c.counts == nil {
			continue
		}
		fmt.Fprintf(w, "  %s:\n", c.title)
		for _, n := range c.counts {
			fmt.Fprintf(w, "    %-50s %8d\n", n.Label, n.N)
		}
	}
	for i := range g.Members {
		x.writeMember(w, &g.Members[i])
	}
	if g.More > 0 {
		fmt.Fprintf(w, "\n  ... and %d more members: run explain with --limit 0 to list them all, or select group_id %s in the decisions file\n",
			g.More, g.GroupID)
	}
}

// writeMember prints one installation: its columns, registration, devices
// with their rows, decision and why.
func (x *Explanation) writeMember(w io.Writer, m *Member) {
	switch {
	case !m.Visible:
		if m.Smets2 {
			fmt.Fprintf(w, "\n  %s: a SMETS2+ installation, its details withheld\n", m.Label)
		} else {
			fmt.Fprintf(w, "\n  %s: another supplier's installation, decision %s\n", m.Label, m.Decision)
		}
		return
	case m.Smets2:
		fmt.Fprintf(w, "\n  SMETS2+ %s  installed %s  communicating %s   (%s line %d)\n", m.Label, m.InstallDate, m.Communicating, m.File, m.Line)
		fmt.Fprintf(w, "    mpan %s  mprn %s\n", orDash(m.MPAN), orDash(m.MPRN))
		fmt.Fprintf(w, "    no decision: a SMETS2+ installation takes part in its group's step 2 only (its date and communicating flag count)\n")
		return
	}
	r := m.Row
	fmt.Fprintf(w, "\n  %s/%s  cohort %s  installed %s  communicating %s\n", r.SMSO, r.InstallationID, r.Cohort, m.InstallDate, m.Communicating)
	fmt.Fprintf(w, "    mpan %s  mprn %s\n", orDash(r.MPAN.String()), orDash(r.MPRN.String()))
	for _, reg := range m.Registrations {
		switch {
		case reg.Withheld:
			fmt.Fprintf(w, "    %s is registered to another supplier (withheld)\n", reg.MPxN)
		case reg.Registered:
			fmt.Fprintf(w, "    %s is registered to %s (%s), %s line %d\n", reg.MPxN, reg.Supplier, reg.Status, x.Registration, reg.Line)
		default:
			fmt.Fprintf(w, "    %s is not in the registration data (%s)\n", reg.MPxN, x.Registration)
		}
	}
	for _, d := range m.Devices {
		line := fmt.Sprintf("    %-5s %s", d.Type, d.GUID)
		if d.Meter {
			line += " " + d.State
		}
		if d.Group != "" {
			line += " group " + d.Group
		}
		fmt.Fprintf(w, "%s   (%s line %d)\n", line, d.File, d.Line)
	}
	clause := r.Clause
	if clause != "" {
		clause = ", clause " + clause
	}
	fmt.Fprintf(w, "    decision: %s / %s%s (step %s)\n", r.Decision, r.Reason, clause, m.Step)
	fmt.Fprintf(w, "    why: %s\n", m.Why)
}

func fileName(s *index.Store, i uint16) string {
	if int(i) < len(s.Meta.Files) {
		return s.Meta.Files[i]
	}
	return "?"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// dormancy names the installation's kind, which decides exclude or block.
func dormancy(r *index.Record) string {
	if r.Dormant {
		return "it is dormant-only, so it is excluded"
	}
	return "it is Active or Mixed, so it is blocked: an active device is the Responsible Supplier's to resolve"
}
