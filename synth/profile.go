package synth

import (
	"context"
	"fmt"
	"math"
)

// Profiles Generate knows.
const (
	ProfileMixed        = ""             // a bit of everything, at random (the default)
	ProfileConsultation = "consultation" // the consultation's category counts, planted exactly
)

// consultationCounts are the consultation's figures per 5 million
// installations (sections 2-7), each planted on its own installations.
var consultationCounts = []struct {
	kind  string
	per5M int
}{
	{"fw_unable", 229},                   // §2, IOC groups AA/BA/CA
	{"fw_config_failure/IOC", 19581},     // §3, clause 18.11
	{"fw_config_failure/MOC_MDS", 15256}, // §3, clause 18.10 (9,928 firmware + 5,328 configuration)
	{"duplicate_guid", 423},              // §4 (19 IOC + 404 MOC_MDS)
	{"no_prepayment_key", 2},             // §4
	{"mpxn_not_registered", 8676},        // §4, as corrected
	{"duplicate_groups", 35577},          // §4, installations in duplicate-MPxN groups
	{"gas_failure_partial", 3100},        // §5
	{"ceased_trading", 378},              // §6
	{"not_live_user", 1055},              // §6
}

// scaled returns per5M scaled to n installations, rounded.
func scaled(per5M, n int) int {
	return int(math.Round(float64(per5M) * float64(n) / 5e6))
}

// Registration modes for the keys made next (consultation profile).
const (
	regLive = iota
	regSkip
	regCeased
	regNotLive
)

// runConsultation plants the consultation's categories, each on
// installations that nothing else touches, and fills the rest with clean
// installations that migrate. Stats.Expected says what a run must decide.
func (g *gen) runConsultation(ctx context.Context) error {
	n := g.cfg.Installations
	var slots []uint8 // a kind per installation; len(consultationCounts) = clean
	exp := map[string]int{}
	for k, c := range consultationCounts {
		m := scaled(c.per5M, n)
		if c.kind == "duplicate_groups" {
			m -= m % 2 // groups of two
		}
		for i := 0; i < m && len(slots) < n; i++ {
			slots = append(slots, uint8(k))
		}
	}
	if len(slots) > n {
		return fmt.Errorf("the consultation profile needs more than %d installations", n)
	}
	for len(slots) < n {
		slots = append(slots, uint8(len(consultationCounts)))
	}
	g.rng.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })
	for i, s := range slots {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		kind := "clean"
		if int(s) < len(consultationCounts) {
			kind = consultationCounts[s].kind
		}
		if kind == "duplicate_groups" {
			// a pair takes two slots: the first writes both members
			g.pendingPair = !g.pendingPair
			if !g.pendingPair {
				continue
			}
		}
		g.plant(kind, exp)
	}
	g.stats.Expected = exp
	g.stats.ExpectedImpact = expectedImpact(exp)
	for _, f := range g.files {
		f.flush()
	}
	return nil
}

// dormantInstallation makes a clean, dormant-only installation of cohort
// with an ESME (group eg) and, when gas, a GSME (group gg).
func (g *gen) dormantInstallation(cohort, eg, gg string, gas bool) *inst {
	in := &g.cur
	g.nextID++
	*in = inst{smso: g.rng.IntN(len(g.files)), id: g.nextID, cohort: cohort, date: g.date(), comm: true, devices: in.devices[:0]}
	in.mpan = g.newMPAN()
	in.devices = append(in.devices, device{typ: "CHF", guid: g.newGUID()},
		device{typ: "ESME", state: "dormant", group: eg, fw: "ok", guid: g.newGUID()})
	if gas {
		in.mprn = g.newMPRN()
		in.devices = append(in.devices, device{typ: "GSME", state: "dormant", group: gg, fw: "ok", guid: g.newGUID()},
			device{typ: "GPF", guid: g.newGUID()})
	}
	return in
}

// plant writes the installation(s) of one planted kind.
func (g *gen) plant(kind string, exp map[string]int) {
	switch kind {
	case "clean", "ceased_trading", "not_live_user":
		g.regMode = map[string]int{"clean": regLive, "ceased_trading": regCeased, "not_live_user": regNotLive}[kind]
		in := g.fill(g.rng.IntN(100) < 30)
		g.regMode = regLive
		g.emit(in)
		exp["unique"]++
		if kind != "clean" {
			exp["supplier/"+kind]++
		}
	case "fw_unable":
		in := g.dormantInstallation("IOC", "AA", "BA", g.rng.IntN(2) == 0)
		in.devices[1].fw = "unable"
		g.emit(in)
		exp[kind]++
	case "fw_config_failure/IOC":
		in := g.dormantInstallation("IOC", []string{"AA", "BA", "CA"}[g.rng.IntN(3)], "CA", g.rng.IntN(2) == 0)
		in.devices[1].fw, in.devices[1].fwAtt = "failed", 108+g.rng.IntN(40)
		g.emit(in)
		exp[kind]++
	case "fw_config_failure/MOC_MDS":
		in := g.dormantInstallation("MOC_MDS", "CB", "CB", g.rng.IntN(2) == 0)
		if g.rng.IntN(2) == 0 {
			in.devices[1].fw, in.devices[1].fwAtt = "failed", 15+g.rng.IntN(10)
		} else {
			in.devices[1].cfg, in.devices[1].cfgAtt = "failed", 10+g.rng.IntN(10)
		}
		g.emit(in)
		exp[kind]++
	case "gas_failure_partial":
		in := g.dormantInstallation("MOC_MDS", "CB", "CB", true)
		in.devices[2].fw, in.devices[2].fwAtt = "failed", 15+g.rng.IntN(10)
		g.emit(in)
		exp[kind]++
	case "duplicate_guid":
		in := g.dormantInstallation([]string{"IOC", "MOC_MDS"}[g.rng.IntN(2)], "AA", "AA", false)
		in.devices = append(in.devices, device{typ: "IHD", guid: in.devices[0].guid})
		g.stats.DuplicateGUIDs++
		g.emit(in)
		exp[kind]++
	case "no_prepayment_key":
		in := g.dormantInstallation("MOC_MDS", "CC", "CC", false)
		in.devices[1].prepay = "N"
		g.emit(in)
		exp[kind]++
	case "mpxn_not_registered":
		g.regMode = regSkip
		in := g.dormantInstallation(cohorts[g.rng.IntN(4)], "ZZ", "ZZ", false)
		g.regMode = regLive
		g.emit(in)
		exp[kind]++
	case "duplicate_groups":
		// two dormant installations on one MPAN; only the later communicates (§7.2)
		in := g.dormantInstallation("FOC", "FA", "FA", false)
		mpan, date := in.mpan, in.date
		in.comm = false
		g.emit(in)
		in = g.dormantInstallation("FOC", "FA", "FA", false)
		in.mpan, in.date = mpan, [3]int{date[0] + 1, date[1], date[2]}
		g.emit(in)
		exp["duplicate_mpxn"]++
		exp["duplicate_resolved"]++
	}
}

// boundaryCases are step 5 situations every mixed population holds once:
// each threshold reached and one short, a partial migration, an ESME
// retrying while its GSME has failed, unable outside IOC and in an
// uncovered group, failures where no thresholds apply.
var boundaryCases = []struct {
	cohort, eg, gg string
	esme, gsme     device // the fields that matter of the two meters
}{
	{"MOC_MDS", "CB", "CB", device{fw: "failed", fwAtt: 15}, device{}},
	{"MOC_MDS", "CB", "CB", device{fw: "failed", fwAtt: 14}, device{}},
	{"MOC_MDS", "CB", "CB", device{cfg: "failed", cfgAtt: 10}, device{}},
	{"MOC_MDS", "CB", "CB", device{cfg: "failed", cfgAtt: 9}, device{}},
	{"IOC", "AA", "AA", device{fw: "failed", fwAtt: 108}, device{}},
	{"IOC", "BA", "BA", device{fw: "failed", fwAtt: 107}, device{}},
	{"IOC", "CA", "CA", device{cfg: "failed", cfgAtt: 30}, device{}},
	{"IOC", "CA", "CA", device{cfg: "failed", cfgAtt: 29}, device{}},
	{"MOC_MDS", "CB", "CB", device{fw: "ok"}, device{fw: "failed", fwAtt: 15}},         // partial
	{"IOC", "AA", "AA", device{fw: "not_required"}, device{cfg: "failed", cfgAtt: 30}}, // partial, IOC
	{"MOC_MDS", "CB", "CB", device{fw: "failed", fwAtt: 3}, device{fw: "failed", fwAtt: 15}},
	{"IOC", "AA", "AA", device{fw: "unable"}, device{}},
	{"MOC_MDS", "CB", "CB", device{fw: "unable"}, device{}},
	{"IOC", "DA", "DA", device{fw: "unable"}, device{}},
	{"MOC_MDS", "CC", "CC", device{fw: "failed", fwAtt: 99}, device{}},
	{"FOC", "FA", "FA", device{fw: "failed", fwAtt: 500}, device{}},
	{"MOC_SECURE", "SA", "SA", device{cfg: "failed", cfgAtt: 1}, device{}},
}

// boundaries writes the boundary cases when there is room for them and
// returns how many installations it wrote.
func (g *gen) boundaries(n int) int {
	if n < 10*len(boundaryCases) {
		return 0
	}
	for _, c := range boundaryCases {
		in := g.dormantInstallation(c.cohort, c.eg, c.gg, true)
		e, s := &in.devices[1], &in.devices[2]
		e.fw, e.fwAtt, e.cfg, e.cfgAtt = c.esme.fw, c.esme.fwAtt, c.esme.cfg, c.esme.cfgAtt
		s.fw, s.fwAtt, s.cfg, s.cfgAtt = c.gsme.fw, c.gsme.fwAtt, c.gsme.cfg, c.gsme.cfgAtt
		g.emit(in)
	}
	return len(boundaryCases)
}

// plantedImpact says what each planted kind is to the impact of the
// clauses (RULES.md, "Impact of the clauses", all nine in force): the
// clauses that exclude it or unblock it, taken out one at a time. Every
// kind counts for "all" the same way.
var plantedImpact = map[string]struct {
	clauses  []string
	excluded bool // else unblocked
}{
	"fw_unable":                 {[]string{"18.9"}, true},          // 5a; without: stuck, pending
	"fw_config_failure/IOC":     {[]string{"18.11"}, true},         // 5b; without: pending
	"fw_config_failure/MOC_MDS": {[]string{"18.10"}, true},         // 5b; without: pending
	"duplicate_guid":            {[]string{"18.12"}, true},         // dormant; without: blocked
	"no_prepayment_key":         {[]string{"18.12"}, true},         // dormant; without: blocked
	"mpxn_not_registered":       {[]string{"18.12"}, true},         // dormant; without: blocked
	"duplicate_mpxn":            {[]string{"18.13", "4.1C"}, true}, // the pair's earlier member; without either: blocked
	"duplicate_resolved":        {[]string{"4.1C"}, false},         // the pair's later member; without 4.1C: blocked
	"gas_failure_partial":       {[]string{"4.26A"}, false},        // without: excluded whole under 18.10
	"supplier/ceased_trading":   {[]string{"4.1A"}, false},         // without: blocked at step 7
	"supplier/not_live_user":    {[]string{"4.1B"}, false},         // without: blocked at step 7
}

// ImpactCount is what `s1resolve impact` must show for one clause.
type ImpactCount struct{ Excluded, Unblocked int }

// expectedImpact turns the planted decisions into the impact each clause,
// and all of them together ("all"), must show.
func expectedImpact(exp map[string]int) map[string]ImpactCount {
	out := map[string]ImpactCount{}
	for _, c := range []string{"18.9", "18.10", "18.11", "18.12", "18.13", "4.1A", "4.1B", "4.1C", "4.26A", "all"} {
		out[c] = ImpactCount{}
	}
	for kind, n := range exp {
		p, ok := plantedImpact[kind]
		if !ok {
			continue
		}
		for _, c := range append(p.clauses, "all") {
			ic := out[c]
			if p.excluded {
				ic.Excluded += n
			} else {
				ic.Unblocked += n
			}
			out[c] = ic
		}
	}
	return out
}
