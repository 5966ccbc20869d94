// Package explain says in words why the store's installations were decided
// as they were: for a key (MPAN, MPRN, GUID or smso/installation_id) it
// prints the installations found, their duplicate group and, for each, the
// rule that decided it and the evidence it rests on (the rows holding a
// duplicate GUID, the group's latest and communicating members, the meters
// that failed and the thresholds in force). The facts are those the engine
// recorded when it decided (engine.GroupFacts, engine.MeterState) and the
// store kept: no rule is applied again here.
package explain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/value"
)

// ErrNotFound is returned when the key matches no installation.
var ErrNotFound = errors.New("no installation matches")

// Explain prints the explanation of key. A group of more than limit
// members (limit > 0) is summarised: counts by decision and by SMSO, then
// the installations the key found and the first others up to limit.
func Explain(w io.Writer, s *index.Store, key string, limit int) error {
	ids, what, err := find(s, key)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		if smso, id, ok := strings.Cut(strings.TrimSpace(key), "/"); ok {
			rj, found, err := s.RejectedByName(smso, id)
			if err != nil {
				return err
			}
			if found {
				rejected(w, s, what, rj)
				return nil
			}
		}
		return fmt.Errorf("%w %s", ErrNotFound, what)
	}
	fmt.Fprintf(w, "%s: %d installation(s)\n", what, len(ids))
	done := map[uint32]bool{}
	for _, id := range ids {
		if done[id] {
			continue
		}
		group, err := s.Group(id)
		if err != nil {
			return err
		}
		for _, r := range group {
			done[r.ID] = true
		}
		if err := explainGroup(w, s, group, ids, limit); err != nil {
			return err
		}
	}
	return nil
}

// find resolves a key to installation ids and a description of the key.
func find(s *index.Store, key string) ([]uint32, string, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return nil, "", fmt.Errorf("the key is empty: give an MPAN, MPRN, GUID, smso/installation_id or SMETS2+ inventory_id")
	}
	if smso, id, ok := strings.Cut(key, "/"); ok {
		n, found, err := s.ByName(smso, id)
		if err != nil || !found {
			return nil, "installation " + key, err
		}
		return []uint32{n}, "installation " + key, nil
	}
	if g, p := value.ParseGUID([]byte(key)); p == "" {
		ids, rows, err := s.ByGUID(g)
		what := "GUID " + g.String()
		if rows > 1 {
			what += fmt.Sprintf(" (on %d device rows: a duplicate GUID)", rows)
		}
		return ids, what, err
	}
	// A printed key says its kind by its first letter (E1200023305967,
	// G3365498706); a bare number is told by its length in characters, as
	// the registration file's MPxNs are (FORMAT.md §2).
	var k value.Key
	var p string
	switch bare := key[min(1, len(key)):]; {
	case key[0] == 'E' || key[0] == 'e':
		k, p = value.ParseMPAN([]byte(bare))
	case key[0] == 'G' || key[0] == 'g':
		k, p = value.ParseMPRN([]byte(bare))
	default:
		k, p = value.ParseMPxN([]byte(key))
	}
	if p != "" {
		if id, ok, err := s.BySmets2ID(key); err != nil || ok {
			return []uint32{id}, "SMETS2+ installation " + key, err
		}
		if names, err := holders(s, key); err != nil || len(names) > 0 {
			return nil, "", holdersError(key, names, err)
		}
		return nil, "", fmt.Errorf("%q is not an MPAN, MPRN, GUID, smso/installation_id, installation_id or SMETS2+ inventory_id: %s", key, p)
	}
	ids, err := s.ByMPxN(k)
	kind := "MPAN"
	if k.IsMPRN() {
		kind = "MPRN"
	}
	if err == nil && len(ids) == 0 {
		if id, ok, err := s.BySmets2ID(key); err != nil || ok {
			return []uint32{id}, "SMETS2+ installation " + key, err
		}
		if names, err := holders(s, key); err != nil || len(names) > 0 {
			return nil, "", holdersError(key, names, err)
		}
	}
	return ids, kind + " " + k.String(), err
}

// ErrAmbiguous is wrapped when a key is an installation_id without its
// SMSO: the error names the smso/installation_id keys that hold it.
var ErrAmbiguous = errors.New("an installation_id names an installation with its SMSO")

// holders returns the smso/installation_id of every installation whose
// installation_id is id (a key given without its SMSO), in name order.
func holders(s *index.Store, id string) ([]string, error) {
	var out []string
	err := s.Scan(context.Background(), func(r *index.Record) error {
		if r.Installation.ID() == id {
			out = append(out, r.Installation.SMSO()+"/"+id)
		}
		return nil
	})
	return out, err
}

func holdersError(key string, names []string, err error) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: %q is the installation_id of %s; explain %s", ErrAmbiguous, key, strings.Join(names, ", "), names[0])
}

// rejected says that an installation was rejected and where its rows are.
func rejected(w io.Writer, s *index.Store, what string, r index.Rejected) {
	where := "the rejects output of the run"
	if s.Meta.Rejects != "" {
		where = s.Meta.Rejects
	}
	fmt.Fprintf(w, "%s was rejected: it has no decision and takes no part in any group.\n", what)
	fmt.Fprintf(w, "  its %d row(s) are listed in %s; the first, %s line %d: %s\n", r.Rows, where, fileName(s, r.File), r.Line, r.Error)
}

func fileName(s *index.Store, i uint16) string {
	if int(i) < len(s.Meta.Files) {
		return s.Meta.Files[i]
	}
	return "?"
}

// explainGroup explains each member of group, the installations the key
// found (asked) first.
func explainGroup(w io.Writer, s *index.Store, group []*index.Record, asked []uint32, limit int) error {
	first := group[0]
	smets2 := 0
	for _, r := range group {
		if r.Smets2 != nil {
			smets2++
		}
	}
	switch {
	case smets2 == len(group):
		fmt.Fprintf(w, "\nSMETS2+ installations only (%d): a group without a SMETS1 installation decides nothing\n", len(group))
	case len(group) == 1:
		fmt.Fprintf(w, "\nno duplicate: the installation shares no MPAN or MPRN with another (group %s)\n", first.GroupID)
	case smets2 > 0:
		fmt.Fprintf(w, "\nduplicate group %s: %d members, %d of them SMETS2+, share MPANs/MPRNs (directly or through one another)\n",
			first.GroupID, len(group), smets2)
	default:
		fmt.Fprintf(w, "\nduplicate group %s: %d installations share MPANs/MPRNs (directly or through one another)\n",
			first.GroupID, len(group))
	}
	isAsked := make(map[uint32]bool, len(asked))
	for _, id := range asked {
		isAsked[id] = true
	}
	shown := make([]*index.Record, 0, len(group))
	for _, r := range group {
		if isAsked[r.ID] {
			shown = append(shown, r)
		}
	}
	for _, r := range group {
		if !isAsked[r.ID] {
			shown = append(shown, r)
		}
	}
	if limit > 0 && len(group) > limit {
		summarise(w, group)
		shown = shown[:limit]
	}
	g := newGroupView(group)
	for _, r := range shown {
		if err := member(w, s, r, g); err != nil {
			return err
		}
	}
	if len(shown) < len(group) {
		fmt.Fprintf(w, "\n  ... and %d more members: run explain with --limit 0 to list them all, or select group_id %s in the decisions file\n",
			len(group)-len(shown), first.GroupID)
	}
	return nil
}

// summarise prints a large group's members counted by decision and reason
// and by SMSO.
func summarise(w io.Writer, group []*index.Record) {
	byOutcome, bySMSO := map[string]int{}, map[string]int{}
	for _, r := range group {
		if r.Smets2 != nil {
			byOutcome["SMETS2+ (no decision)"]++
			bySMSO["SMETS2+"]++
			continue
		}
		byOutcome[r.Outcome.Decision.String()+" / "+r.Outcome.Reason.String()]++
		bySMSO[r.Installation.SMSO()]++
	}
	for _, c := range []struct {
		title  string
		counts map[string]int
	}{{"by decision", byOutcome}, {"by SMSO", bySMSO}} {
		fmt.Fprintf(w, "  %s:\n", c.title)
		for _, k := range slices.Sorted(maps.Keys(c.counts)) {
			fmt.Fprintf(w, "    %-50s %8d\n", k, c.counts[k])
		}
	}
}

// member prints one installation: its columns, registration, devices with
// their rows, decision and why.
func member(w io.Writer, s *index.Store, r *index.Record, g *groupView) error {
	if m := r.Smets2; m != nil {
		fmt.Fprintf(w, "\n  SMETS2+ %s  installed %s  communicating %s   (%s line %d)\n", m.ID, m.Date, value.YN(m.Communicating),
			fileName(s, m.File), m.Line)
		fmt.Fprintf(w, "    mpan %s  mprn %s\n", orDash(m.MPAN.String()), orDash(m.MPRN.String()))
		fmt.Fprintf(w, "    no decision: a SMETS2+ installation takes part in its group's step 2 only (its date and communicating flag count)\n")
		return nil
	}
	in := &r.Installation
	fmt.Fprintf(w, "\n  %s/%s  cohort %s  installed %s  communicating %s\n", in.SMSO(), in.ID(), in.Cohort,
		in.Date, value.YN(in.Communicating))
	fmt.Fprintf(w, "    mpan %s  mprn %s\n", orDash(in.MPAN.String()), orDash(in.MPRN.String()))
	if s.Meta.Registration != "" {
		for _, k := range in.Keys() {
			reg, ok, err := s.Registered(k)
			switch {
			case err != nil:
				return err
			case ok:
				fmt.Fprintf(w, "    %s is registered to %s (%s), %s line %d\n", k, reg.Supplier, reg.Status, s.Meta.Registration, reg.Line)
			default:
				fmt.Fprintf(w, "    %s is not in the registration data (%s)\n", k, s.Meta.Registration)
			}
		}
	}
	for i, d := range r.Devices {
		line := fmt.Sprintf("    %-5s %s", d.Type, d.GUID)
		if d.Type.IsMeter() {
			line += " " + d.State.String()
		}
		if grp := d.GroupString(); grp != "" {
			line += " group " + grp
		}
		fmt.Fprintf(w, "%s   (%s line %d)\n", line, fileName(s, r.RowFile[i]), r.RowLine[i])
	}
	clause := r.Outcome.Clause(in.Cohort)
	if clause != "" {
		clause = ", clause " + clause
	}
	fmt.Fprintf(w, "    decision: %s / %s%s (step %s)\n", r.Outcome.Decision, r.Outcome.Reason, clause, r.Outcome.Step)
	why, err := reasonFor(s, r, g)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "    why: %s\n", why)
	return nil
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
