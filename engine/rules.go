package engine

import "github.com/s1resolve/s1resolve/value"

// Thresholds are the firmware and configuration attempt counts at which a
// failing meter of a covered group has failed persistently (RULES.md step 5).
type Thresholds struct {
	Firmware      uint32 `json:"firmware"`
	Configuration uint32 `json:"configuration"`
	// Groups are the device model groups the exclusion covers.
	Groups []string `json:"groups"`
}

// RuleSet is the configuration of steps 3 to 5: the thresholds in force per
// cohort (a cohort without an entry has none).
type RuleSet struct {
	Thresholds map[Cohort]Thresholds
}

// DefaultRules returns RULES.md's defaults: MOC_MDS firmware 15 and
// configuration 10 for group CB; IOC firmware 108 and configuration 30 for
// groups AA, BA and CA.
func DefaultRules() RuleSet {
	return RuleSet{Thresholds: map[Cohort]Thresholds{
		MOCMDS: {Firmware: 15, Configuration: 10, Groups: []string{"CB"}},
		IOC:    {Firmware: 108, Configuration: 30, Groups: []string{"AA", "BA", "CA"}},
	}}
}

// Rules returns the per-installation rules of steps 3 to 5, in order.
// registration says whether registration data was given: without it step
// 3 is skipped. Step 3 reads the suppliers the Resolver's Registry found.
func (rs RuleSet) Rules(registration bool) []InstallationRule {
	var out []InstallationRule
	if registration {
		out = append(out, registrationRule{})
	}
	return append(out, prepaymentRule{}, firmwareRule{rs})
}

// registrationRule is step 3: every MPxN of the installation must be
// registered.
type registrationRule struct{}

func (registrationRule) Name() string { return "registration" }

func (registrationRule) Decide(p *Population, res *Result, id uint32) (Outcome, bool) {
	in := &p.Installations[id]
	if res.MPANSupplier == nil ||
		in.MPAN != 0 && res.MPANSupplier[id] < 0 || in.MPRN != 0 && res.MPRNSupplier[id] < 0 {
		return dormantOr(res.Dormant[id], MPxNNotRegistered, Step3), true
	}
	return Outcome{}, false
}

// prepaymentRule is step 4: no meter may lack its prepayment key.
type prepaymentRule struct{}

func (prepaymentRule) Name() string { return "prepayment key" }

func (prepaymentRule) Decide(p *Population, res *Result, id uint32) (Outcome, bool) {
	devs := p.DevicesOf(id)
	for i := range devs {
		if devs[i].Type.IsMeter() && devs[i].Prepay == value.No {
			return dormantOr(res.Dormant[id], NoPrepaymentKey, Step4), true
		}
	}
	return Outcome{}, false
}

// firmwareRule is step 5, for dormant-only installations.
type firmwareRule struct{ rs RuleSet }

func (firmwareRule) Name() string { return "firmware and configuration" }

// MeterState is what step 5 makes of one meter.
type MeterState uint8

// Meter states of step 5.
const (
	MeterFine       MeterState = iota
	MeterPersistent            // failed persistently: at or over a threshold, in a covered group
	MeterRetrying              // failed below a threshold: attempts continue
	MeterStuck                 // failed, or unable, outside both
	MeterUnable                // fw_status unable in a covered IOC group (step 5a)
)

var meterStateWords = [...]string{"is fine", "has failed persistently", "is still being retried", "has failed outside any exclusion category", "cannot be upgraded (fw_status unable)"}

// String says what step 5 made of the meter, as a verb phrase.
func (m MeterState) String() string { return meterStateWords[m] }

// Classify says whether a meter of an installation of cohort c has failed
// persistently, is retrying, is stuck, or none of these.
func (rs RuleSet) Classify(c Cohort, d *Device) MeterState {
	th, has := rs.Thresholds[c]
	fwFailed, cfgFailed := d.Fw == Failed, d.Cfg == Failed
	if has && th.covers(d.Group) &&
		(fwFailed && d.FwAttempts >= th.Firmware || cfgFailed && d.CfgAttempts >= th.Configuration) {
		return MeterPersistent
	}
	if has && (fwFailed && d.FwAttempts < th.Firmware || cfgFailed && d.CfgAttempts < th.Configuration) {
		return MeterRetrying
	}
	if fwFailed || cfgFailed || d.Fw == Unable {
		return MeterStuck
	}
	return MeterFine
}

func (th Thresholds) covers(g [2]byte) bool {
	for _, c := range th.Groups {
		if len(c) == 2 && c[0] == g[0] && c[1] == g[1] {
			return true
		}
	}
	return false
}

func (f firmwareRule) Decide(p *Population, res *Result, id uint32) (Outcome, bool) {
	if !res.Dormant[id] {
		return Outcome{}, false // the firmware columns of an Active or Mixed installation are ignored
	}
	in := &p.Installations[id]
	var meters []MeterState
	if res.Meters != nil {
		meters = res.Meters[in.First : in.First+in.Count]
	}
	return f.rs.Firmware(in.Cohort, p.DevicesOf(id), meters)
}

// Firmware is step 5 for a dormant-only installation of cohort c with
// devices devs: the outcome, or false when no branch matches. When meters
// is not nil (one per device) it is told what step 5 made of each meter.
func (rs RuleSet) Firmware(c Cohort, devs []Device, meters []MeterState) (Outcome, bool) {
	th, has := rs.Thresholds[c]
	var unable, persistent, persistentESME, retrying, stuck, hasESME bool
	esmesClean := true
	for i := range devs {
		d := &devs[i]
		if !d.Type.IsMeter() {
			continue
		}
		state := rs.Classify(c, d)
		if c == IOC && has && d.Fw == Unable && th.covers(d.Group) {
			state, unable = MeterUnable, true
		}
		if meters != nil {
			meters[i] = state // the facts explain shows
		}
		if d.Type == ESME {
			hasESME = true
			if !(d.Fw == OK || d.Fw == NotRequired) || !(d.Cfg == OK || d.Cfg == NotRequired) {
				esmesClean = false
			}
		}
		switch state {
		case MeterPersistent:
			persistent = true
			if d.Type == ESME {
				persistentESME = true
			}
		case MeterRetrying:
			retrying = true
		case MeterStuck:
			stuck = true
		}
	}
	switch {
	case unable:
		return Outcome{Exclude, FwUnable, Step5}, true // 5a
	case persistent && (persistentESME || !hasESME):
		return Outcome{Exclude, FwConfigFailure, Step5}, true // 5b
	case persistent && esmesClean:
		return Outcome{MigratePartial, GasFailurePartial, Step5}, true // 5c
	case retrying:
		return Outcome{Pending, FwRetry, Step5}, true // 5d
	case stuck || persistent:
		return Outcome{Pending, FwNoExclusionCategory, Step5}, true // 5e
	}
	return Outcome{}, false // every meter is fine
}
