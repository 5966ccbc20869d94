package explain

import (
	"fmt"
	"sort"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/value"
)

// groupView is a duplicate group as explain reads it: its members by id and
// the facts step 2 recorded.
type groupView struct {
	byID  map[uint32]*index.Record
	size  int
	facts engine.GroupFacts
}

func newGroupView(group []*index.Record) *groupView {
	g := &groupView{byID: make(map[uint32]*index.Record, len(group)), size: len(group), facts: group[0].Facts} // group[0] is SMETS1 when any is
	for _, r := range group {
		g.byID[r.ID] = r
	}
	return g
}

// name returns a member's smso/installation_id (or SMETS2+ inventory_id)
// and install date.
func (g *groupView) name(id uint32) string {
	r := g.byID[id]
	switch {
	case r == nil:
		return "?"
	case r.Smets2 != nil:
		return fmt.Sprintf("SMETS2+ %s (installed %s)", r.Smets2.ID, r.Smets2.Date)
	}
	return fmt.Sprintf("%s/%s (installed %s)", r.Installation.SMSO(), r.Installation.ID(), r.Installation.Date)
}

// date and communicates read a member, SMETS1 or SMETS2+.
func date(r *index.Record) value.Date {
	if r.Smets2 != nil {
		return r.Smets2.Date
	}
	return r.Installation.Date
}

func communicates(r *index.Record) bool {
	if r.Smets2 != nil {
		return r.Smets2.Communicating
	}
	return r.Installation.Communicating
}

// listCap bounds the names listed in one sentence.
const listCap = 10

// names lists the members that match, at most listCap, in id order.
func (g *groupView) names(match func(r *index.Record) bool) string {
	var ids []uint32
	for id, r := range g.byID {
		if match(r) {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var parts []string
	for i, id := range ids {
		if i == listCap {
			parts = append(parts, fmt.Sprintf("and %d more", len(ids)-listCap))
			break
		}
		parts = append(parts, g.name(id))
	}
	return strings.Join(parts, ", ")
}

// reasonFor says in words which rule decided r and on what evidence. The
// rule is the engine's: the store's facts of r decided under the store's
// rules (engine.RuleSet.Decide), which also says which clauses not in
// force the decision follows from and what step 4 or 5 made of each meter.
func reasonFor(s *index.Store, r *index.Record, g *groupView) (string, error) {
	rs, err := s.RuleSet()
	if err != nil {
		return "", err
	}
	var f engine.Facts
	s.FactsOf(r, &f)
	ev := engine.Evidence{Meters: make([]engine.MeterState, len(r.Devices))}
	o := rs.Decide(&f, &ev)
	why, err := stepEvidence(s, r, g, o, ev)
	if err != nil {
		return "", err
	}
	if ev.NotInForce != 0 {
		why = notInForce(ev.NotInForce, o) + "; " + why
	}
	if o != r.Outcome {
		why += fmt.Sprintf(" (the store holds %s / %s: it was written by another build of s1resolve)", r.Outcome.Decision, r.Outcome.Reason)
	}
	return why, nil
}

// notInForce says which clauses not in force the outcome follows from:
// "18.13 is not in force: blocked, as before the consultation".
func notInForce(held engine.ClauseSet, o engine.Outcome) string {
	names := held.Names()
	verb := " is"
	if len(names) > 1 {
		verb = " are"
	}
	what := map[engine.Decision]string{engine.Blocked: "blocked", engine.Pending: "still pending", engine.Exclude: "excluded"}[o.Decision]
	if what == "" {
		what = o.Decision.String()
	}
	if o.Decision == engine.Exclude && held.Has(engine.Clause4_26A) {
		what = "excluded entirely, not partially migrated (§5)"
	}
	return strings.Join(names, " and ") + verb + " not in force: " + what + ", as before the consultation"
}

// stepEvidence says which step gave o and on what evidence.
func stepEvidence(s *index.Store, r *index.Record, g *groupView, o engine.Outcome, ev engine.Evidence) (string, error) {
	f := g.facts
	lead := o.Reason.Why()
	fate := "excluded" // of the group's installations at 2c, 2d, 2e: blocked while 18.13 is not in force
	if o.Decision == engine.Blocked {
		fate = "blocked"
	}
	switch o.Step {
	case engine.Step1:
		evidence, err := guidEvidence(s, r)
		return lead + ": " + evidence + "; " + kind(r, o) + ".", err
	case engine.Step2Unresolved:
		if f.AnyActive {
			return fmt.Sprintf("its duplicate group is not resolved (§7): %s is Active or Mixed.", g.name(f.Active)), nil
		}
		return fmt.Sprintf("its duplicate group of %d members is not resolved (§7): %d of them communicate (%s).", g.size, f.Communicating,
			orDash(g.names(func(m *index.Record) bool { return communicates(m) }))), nil
	case engine.Step2a:
		return lead + ": " + g.name(f.Active) + " is Active or Mixed.", nil
	case engine.Step2b:
		return fmt.Sprintf("%s: none of its %d members communicates.", lead, g.size), nil
	case engine.Step2c:
		if o.Reason == engine.Smets2Replaced {
			return fmt.Sprintf("%s: %s is the only communicating member and the latest.", lead, g.name(f.Communicator)), nil
		}
		return fmt.Sprintf("the only communicating member of the group is %s, the group's latest; it goes forward and every other duplicate is %s (§7.2).",
			g.name(f.Communicator), fate), nil
	case engine.Step2d:
		if f.Tied {
			latest := date(g.byID[f.Latest])
			return fmt.Sprintf("exactly one member communicates, %s, but two or more share the latest install date %s (%s), so the latest cannot be verified; the whole group is %s (§7.3, RULES.md).",
				g.name(f.Communicator), latest, g.names(func(m *index.Record) bool { return date(m) == latest }), fate), nil
		}
		return fmt.Sprintf("the only communicating member, %s, is not the latest, %s; the whole group is %s (§7.3).",
			g.name(f.Communicator), g.name(f.Latest), fate), nil
	case engine.Step2e:
		return fmt.Sprintf("%d members of the group communicate (%s); the whole group is %s (§7.4).", f.Communicating,
			g.names(func(m *index.Record) bool { return communicates(m) }), fate), nil
	case engine.Step3:
		var missing []string
		if r.MPANUnregistered {
			missing = append(missing, r.Installation.MPAN.String())
		}
		if r.MPRNUnregistered {
			missing = append(missing, r.Installation.MPRN.String())
		}
		return lead + ": " + strings.Join(missing, " and ") + " not registered; " + kind(r, o) + ".", nil
	case engine.Step4:
		var meters []string
		for i, d := range r.Devices {
			if ev.Meters[i] == engine.MeterNoKey {
				meters = append(meters, d.Type().String()+" "+d.GUID().String())
			}
		}
		return lead + " (" + strings.Join(meters, ", ") + "); " + kind(r, o) + ".", nil
	case engine.Step5:
		return lead + ": " + meterEvidence(s, r, ev.Meters) + ".", nil
	case engine.Step7:
		supplier, status := s.Supplier(r.Supplier)
		return fmt.Sprintf("%s: %s is %s; no other rule held it.", lead, supplier, status), nil
	}
	return lead + ".", nil
}

// kind names the installation's kind, which decides exclude or block; a
// dormant-only one blocked because 18.12 is not in force is just that.
func kind(r *index.Record, o engine.Outcome) string {
	if r.Dormant && o.Decision == engine.Blocked {
		return "it is dormant-only"
	}
	return dormancy(r)
}

// guidEvidence names each duplicate GUID of r and the rows that hold it.
func guidEvidence(s *index.Store, r *index.Record) (string, error) {
	var parts []string
	seen := map[value.GUID]bool{}
	for _, d := range r.Devices {
		if seen[d.GUID()] {
			continue
		}
		seen[d.GUID()] = true
		ids, rows, err := s.ByGUID(d.GUID())
		if err != nil {
			return "", err
		}
		if rows < 2 {
			continue
		}
		holders, err := s.Installations(ids[:min(len(ids), listCap)])
		if err != nil {
			return "", err
		}
		var where []string
		for _, h := range holders {
			for i, hd := range h.Devices {
				if hd.GUID() == d.GUID() {
					where = append(where, fmt.Sprintf("%s/%s (%s line %d)", h.Installation.SMSO(), h.Installation.ID(), fileName(s, h.RowFile[i]), h.RowLine[i]))
				}
			}
		}
		if len(ids) > listCap {
			where = append(where, fmt.Sprintf("and rows of %d more installations", len(ids)-listCap))
		}
		parts = append(parts, fmt.Sprintf("GUID %s is on %d device rows: %s", d.GUID(), rows, strings.Join(where, ", ")))
	}
	return strings.Join(parts, "; "), nil
}

// meterEvidence names the meters step 5 found wanting (meters, one per
// device, says what it made of each), with the thresholds in force for
// the cohort.
func meterEvidence(s *index.Store, r *index.Record, meters []engine.MeterState) string {
	cohort := r.Installation.Cohort.String()
	limits := "no thresholds apply to " + cohort
	if th, ok := s.Meta.Thresholds[cohort]; ok {
		limits = fmt.Sprintf("thresholds firmware %d, configuration %d, groups %s", th.Firmware, th.Configuration, strings.Join(th.Groups, ","))
	}
	var parts []string
	for i, d := range r.Devices {
		if m := meters[i]; d.Type().IsMeter() && m != engine.MeterFine {
			parts = append(parts, fmt.Sprintf("%s %s (group %s, firmware %s after %d attempts, configuration %s after %d; %s) %s",
				d.Type(), d.GUID(), orDash(d.GroupString()), d.Fw(), d.FwAttempts, d.Cfg(), d.CfgAttempts, limits, m))
		}
	}
	return strings.Join(parts, "; ")
}
