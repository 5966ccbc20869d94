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

// reasonFor says in words which rule decided r and on what evidence.
func reasonFor(s *index.Store, r *index.Record, g *groupView) (string, error) {
	o, f := r.Outcome, g.facts
	lead := o.Reason.Why()
	switch o.Step {
	case engine.Step1:
		ev, err := guidEvidence(s, r)
		return lead + ": " + ev + "; " + dormancy(r) + ".", err
	case engine.Step2a:
		return lead + ": " + g.name(f.Active) + " is Active or Mixed.", nil
	case engine.Step2b:
		return fmt.Sprintf("%s: none of its %d members communicates.", lead, g.size), nil
	case engine.Step2c:
		if o.Reason == engine.Smets2Replaced {
			return fmt.Sprintf("%s: %s is the only communicating member and the latest.", lead, g.name(f.Communicator)), nil
		}
		return fmt.Sprintf("the only communicating member of the group is %s, the group's latest; it goes forward and every other duplicate is excluded (§7.2).",
			g.name(f.Communicator)), nil
	case engine.Step2d:
		if f.Tied {
			latest := date(g.byID[f.Latest])
			return fmt.Sprintf("exactly one member communicates, %s, but two or more share the latest install date %s (%s), so the latest cannot be verified; the whole group is excluded (§7.3, RULES.md).",
				g.name(f.Communicator), latest, g.names(func(m *index.Record) bool { return date(m) == latest })), nil
		}
		return fmt.Sprintf("the only communicating member, %s, is not the latest, %s; the whole group is excluded (§7.3).",
			g.name(f.Communicator), g.name(f.Latest)), nil
	case engine.Step2e:
		return fmt.Sprintf("%d members of the group communicate (%s); the whole group is excluded (§7.4).", f.Communicating,
			g.names(func(m *index.Record) bool { return communicates(m) })), nil
	case engine.Step3:
		var missing []string
		for _, k := range r.Installation.Keys() {
			_, ok, err := s.Registered(k)
			if err != nil {
				return "", err
			}
			if !ok {
				missing = append(missing, k.String())
			}
		}
		return lead + ": " + strings.Join(missing, " and ") + " not registered; " + dormancy(r) + ".", nil
	case engine.Step4:
		var meters []string
		for _, d := range r.Devices {
			if d.Type.IsMeter() && d.Prepay == value.No {
				meters = append(meters, d.Type.String()+" "+d.GUID.String())
			}
		}
		return lead + " (" + strings.Join(meters, ", ") + "); " + dormancy(r) + ".", nil
	case engine.Step5:
		return lead + ": " + meterEvidence(s, r) + ".", nil
	}
	return lead + ".", nil
}

// guidEvidence names each duplicate GUID of r and the rows that hold it.
func guidEvidence(s *index.Store, r *index.Record) (string, error) {
	var parts []string
	seen := map[value.GUID]bool{}
	for _, d := range r.Devices {
		if seen[d.GUID] {
			continue
		}
		seen[d.GUID] = true
		ids, rows, err := s.ByGUID(d.GUID)
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
				if hd.GUID == d.GUID {
					where = append(where, fmt.Sprintf("%s/%s (%s line %d)", h.Installation.SMSO(), h.Installation.ID(), fileName(s, h.RowFile[i]), h.RowLine[i]))
				}
			}
		}
		if len(ids) > listCap {
			where = append(where, fmt.Sprintf("and rows of %d more installations", len(ids)-listCap))
		}
		parts = append(parts, fmt.Sprintf("GUID %s is on %d device rows: %s", d.GUID, rows, strings.Join(where, ", ")))
	}
	return strings.Join(parts, "; "), nil
}

// meterEvidence names the meters step 5 found wanting, each with the
// thresholds in force for the cohort.
func meterEvidence(s *index.Store, r *index.Record) string {
	cohort := r.Installation.Cohort.String()
	limits := "no thresholds apply to " + cohort
	if th, ok := s.Meta.Thresholds[cohort]; ok {
		limits = fmt.Sprintf("thresholds firmware %d, configuration %d, groups %s", th.Firmware, th.Configuration, strings.Join(th.Groups, ","))
	}
	var parts []string
	for i, d := range r.Devices {
		if m := r.Meters[i]; d.Type.IsMeter() && m != engine.MeterFine {
			parts = append(parts, fmt.Sprintf("%s %s (group %s, firmware %s after %d attempts, configuration %s after %d; %s) %s",
				d.Type, d.GUID, orDash(d.GroupString()), d.Fw, d.FwAttempts, d.Cfg, d.CfgAttempts, limits, m))
		}
	}
	return strings.Join(parts, "; ")
}
