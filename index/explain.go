package index

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// ErrNotFound is returned by Explain when the key matches no installation.
var ErrNotFound = errors.New("no installation matches")

// Explain prints, for a key (MPAN, MPRN, GUID or smso/installation_id), the
// installations it finds, their duplicate group and the step that decided
// each, in an analyst's words. A group of more than limit members (limit
// > 0) is summarised: counts by decision and by SMSO, then its first limit
// members.
func Explain(w io.Writer, s *Store, key string, limit int) error {
	ids, what, err := s.find(key)
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
				s.explainRejected(w, what, rj)
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
		s.explainGroup(w, group, ids, limit)
	}
	return nil
}

// explainRejected says that an installation was rejected and where its
// rows are.
func (s *Store) explainRejected(w io.Writer, what string, r Rejected) {
	file := "?"
	if int(r.File) < len(s.Meta.Files) {
		file = s.Meta.Files[r.File]
	}
	where := "the rejects output of the run"
	if s.Meta.Rejects != "" {
		where = s.Meta.Rejects
	}
	fmt.Fprintf(w, "%s was rejected: it has no decision and takes no part in any group.\n", what)
	fmt.Fprintf(w, "  its %d row(s) are listed in %s; the first, %s line %d: %s\n", r.Rows, where, file, r.Line, r.Error)
}

// find resolves a key to installation ids and a description of the key.
func (s *Store) find(key string) ([]uint32, string, error) {
	key = strings.TrimSpace(key)
	if smso, id, ok := strings.Cut(key, "/"); ok {
		n, found, err := s.ByName(smso, id)
		if err != nil || !found {
			return nil, "installation " + key, err
		}
		return []uint32{n}, "installation " + key, nil
	}
	if g, p := value.ParseGUID([]byte(key)); p == "" {
		ids, rows, err := s.ByGUID(g)
		what := "GUID " + string(g.Append(nil))
		if rows > 1 {
			what += fmt.Sprintf(" (on %d device rows: a duplicate GUID)", rows)
		}
		return ids, what, err
	}
	bare := strings.TrimLeft(key, "EeGg")
	cleaned := strings.NewReplacer(" ", "", "-", "").Replace(bare)
	var k value.Key
	var p string
	if (len(cleaned) == 13 || len(cleaned) == 21) && !strings.HasPrefix(key, "G") && !strings.HasPrefix(key, "g") {
		k, p = value.ParseMPAN([]byte(bare))
	} else {
		k, p = value.ParseMPRN([]byte(bare))
	}
	if p != "" {
		return nil, "", fmt.Errorf("%q is not an MPAN, MPRN, GUID or smso/installation_id: %s", key, p)
	}
	ids, err := s.ByMPxN(k)
	kind := "MPAN"
	if k.IsMPRN() {
		kind = "MPRN"
	}
	return ids, kind + " " + k.String(), err
}

// explainGroup explains each member of group, the installations the key
// found (asked) first.
func (s *Store) explainGroup(w io.Writer, group []*Record, asked []uint32, limit int) {
	first := group[0]
	if len(group) == 1 {
		fmt.Fprintf(w, "\nno duplicate: the installation shares no MPAN or MPRN with another (group %s)\n", first.GroupID)
	} else {
		fmt.Fprintf(w, "\nduplicate group %s: %d installations share MPANs/MPRNs (directly or through one another)\n",
			first.GroupID, len(group))
	}
	isAsked := make(map[uint32]bool, len(asked))
	for _, id := range asked {
		isAsked[id] = true
	}
	shown := make([]*Record, 0, len(group))
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
		summariseGroup(w, group)
		shown = shown[:limit]
	}
	facts := groupFactsOf(group)
	rules := s.rules()
	for _, r := range shown {
		s.explainMember(w, r, facts, rules)
	}
	if len(shown) < len(group) {
		fmt.Fprintf(w, "\n  ... and %d more members: run explain with --limit 0 to list them all, or select group_id %s in the decisions file\n",
			len(group)-len(shown), first.GroupID)
	}
}

// summariseGroup prints a large group's members counted by decision and
// reason and by SMSO.
func summariseGroup(w io.Writer, group []*Record) {
	byOutcome, bySMSO := map[string]int{}, map[string]int{}
	for _, r := range group {
		byOutcome[r.Outcome.Decision.String()+" / "+r.Outcome.Reason.String()]++
		bySMSO[r.Installation.SMSO()]++
	}
	for _, c := range []struct {
		title  string
		counts map[string]int
	}{{"by decision", byOutcome}, {"by SMSO", bySMSO}} {
		fmt.Fprintf(w, "  %s:\n", c.title)
		keys := make([]string, 0, len(c.counts))
		for k := range c.counts {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "    %-50s %8d\n", k, c.counts[k])
		}
	}
}

func (s *Store) explainMember(w io.Writer, r *Record, facts groupFacts, rules engine.RuleSet) {
	in := &r.Installation
	fmt.Fprintf(w, "\n  %s/%s  cohort %s  installed %s  communicating %s\n", in.SMSO(), in.ID(), in.Cohort,
		in.Date, yesNo(in.Communicating))
	fmt.Fprintf(w, "    mpan %s  mprn %s\n", orDash(in.MPAN.String()), orDash(in.MPRN.String()))
	if s.Meta.Registration != "" {
		for _, k := range in.Keys() {
			reg, ok, err := s.Registered(k)
			switch {
			case err != nil:
				fmt.Fprintf(w, "    registration of %s: %v\n", k, err)
			case ok:
				fmt.Fprintf(w, "    %s is registered to %s (%s), %s line %d\n", k, reg.Supplier, reg.Status, s.Meta.Registration, reg.Line)
			default:
				fmt.Fprintf(w, "    %s is not in the registration data (%s)\n", k, s.Meta.Registration)
			}
		}
	}
	for i, d := range r.Devices {
		line := fmt.Sprintf("    %-5s %s", d.Type, d.GUID.Append(nil))
		if d.Type.IsMeter() {
			line += " " + d.State.String()
		}
		if g := d.GroupString(); g != "" {
			line += " group " + g
		}
		file := "?"
		if int(r.RowFile[i]) < len(s.Meta.Files) {
			file = s.Meta.Files[r.RowFile[i]]
		}
		fmt.Fprintf(w, "%s   (%s line %d)\n", line, file, r.RowLine[i])
	}
	clause := r.Outcome.Clause(in.Cohort)
	if clause != "" {
		clause = ", clause " + clause
	}
	fmt.Fprintf(w, "    decision: %s / %s%s (step %s)\n", r.Outcome.Decision, r.Outcome.Reason, clause, r.Outcome.Step)
	fmt.Fprintf(w, "    why: %s\n", why(r, facts, rules))
}

// groupFacts are what the words of step 2 need of a group, found once.
type groupFacts struct {
	winner string // the first communicating member, "?" if none
	tied   bool   // two or more members share the latest date
}

func groupFactsOf(group []*Record) groupFacts {
	return groupFacts{winner: winner(group), tied: tiedLatest(group)}
}

// why says in words which rule decided r.
func why(r *Record, facts groupFacts, rules engine.RuleSet) string {
	kind := "dormant-only"
	if !r.Dormant {
		kind = "Active or Mixed"
	}
	switch r.Outcome.Step {
	case engine.Step1:
		return "it holds a GUID that appears on more than one device row (§4 data issues); it is " + kind +
			", so it is " + r.Outcome.Decision.String() + "."
	case engine.Step2a:
		return "an installation of its duplicate group has an active meter; DCC will not attempt the migration of any devices of the group (§7)."
	case engine.Step2b:
		return "no installation of its dormant-only duplicate group is verified as communicating: excluded for no WAN (§7.1)."
	case engine.Step2c:
		return "the only communicating installation of the group is " + facts.winner + ", which has the latest install date; every other duplicate is excluded (§7.2)."
	case engine.Step2d:
		if facts.tied {
			return "exactly one installation communicates, but two or more share the latest install date, so the latest cannot be verified; the whole group is excluded (§7.3, RULES.md)."
		}
		return "the only communicating installation is not the one with the latest install date; the whole group is excluded (§7.3)."
	case engine.Step2e:
		return "more than one installation of the group communicates; the whole group is excluded (§7.4)."
	case engine.Step3:
		return "an MPAN or MPRN of the installation is not in the registration data, so its Responsible Supplier cannot be identified (§4); it is " + kind + "."
	case engine.Step4:
		return "a meter of the installation has prepay_key N: its prepayment key is not held (§4); it is " + kind + "."
	case engine.Step5:
		return firmwareWhy(r, rules)
	case engine.Step6:
		if r.Outcome.Reason == engine.DuplicateResolved {
			return "it is the only communicating installation of its duplicate group and has the latest install date, so it goes forward and the other duplicates are excluded (§7.2); no later rule held it."
		}
		return "it shares no MPxN, holds no duplicate GUID, and no later rule held it."
	}
	return "decided at step " + r.Outcome.Step.String() + "."
}

// firmwareWhy names the meters behind a step 5 decision, judged by the
// rules the run used.
func firmwareWhy(r *Record, rules engine.RuleSet) string {
	var parts []string
	for _, d := range r.Devices {
		if !d.Type.IsMeter() {
			continue
		}
		what := ""
		switch rules.Classify(r.Installation.Cohort, &d) {
		case engine.MeterPersistent:
			what = "has failed persistently"
		case engine.MeterRetrying:
			what = "is still being retried"
		case engine.MeterStuck:
			what = "has failed outside any exclusion category"
		}
		if d.Fw == engine.Unable {
			what = "cannot be upgraded (fw_status unable)"
		}
		if what != "" {
			limits := "no thresholds apply to " + r.Installation.Cohort.String()
			if th, ok := rules.Thresholds[r.Installation.Cohort]; ok {
				limits = fmt.Sprintf("thresholds firmware %d, configuration %d, groups %s", th.Firmware, th.Configuration, strings.Join(th.Groups, ","))
			}
			parts = append(parts, fmt.Sprintf("%s %s (group %s, firmware %s after %d attempts, configuration %s after %d; %s) %s",
				d.Type, d.GUID.Append(nil), orDash(d.GroupString()), d.Fw, d.FwAttempts, d.Cfg, d.CfgAttempts, limits, what))
		}
	}
	lead := map[engine.Reason]string{
		engine.FwUnable:              "the firmware upgrade cannot be attempted on a meter of a covered IOC group (§2, 18.9)",
		engine.FwConfigFailure:       "firmware upgrade or configuration has failed persistently (§3)",
		engine.GasFailurePartial:     "only the gas meter has failed persistently: it migrates electricity-only, the gas meter de-registered (§5)",
		engine.FwRetry:               "attempts continue on a meter below its threshold: not yet excludable",
		engine.FwNoExclusionCategory: "a meter has failed but no exclusion category in force covers it",
	}[r.Outcome.Reason]
	return lead + ": " + strings.Join(parts, "; ") + "."
}

// rules returns the rules the store was written with (RULES.md's defaults
// if they cannot be read).
func (s *Store) rules() engine.RuleSet {
	if rs, err := engine.ParseRules(strings.NewReader(s.Meta.Rules), "store rules"); err == nil && s.Meta.Rules != "" {
		return rs
	}
	return engine.DefaultRules()
}

func winner(group []*Record) string {
	for _, r := range group {
		if r.Installation.Communicating {
			return r.Installation.SMSO() + "/" + r.Installation.ID()
		}
	}
	return "?"
}

func tiedLatest(group []*Record) bool {
	var best value.Date
	n := 0
	for i, r := range group {
		switch d := r.Installation.Date; {
		case i == 0 || d > best:
			best, n = d, 1
		case d == best:
			n++
		}
	}
	return n > 1
}

func yesNo(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
