package engine

// Thresholds are the firmware and configuration attempt counts at which a
// failing meter of a covered group has failed persistently (RULES.md step 5).
type Thresholds struct {
	Firmware      uint32 `json:"firmware"`
	Configuration uint32 `json:"configuration"`
	// Groups are the device model groups the exclusion covers.
	Groups []string `json:"groups"`
}

// RuleSet is the configuration of the rules: the step 5 thresholds in force
// per cohort (a cohort without an entry has none) and the consultation's
// clauses that are not in force (RULES.md, "Clauses in force"; none by
// default, so that the zero value has all nine in force).
type RuleSet struct {
	Thresholds map[Cohort]Thresholds
	NotInForce ClauseSet
}

// InForce returns the clauses of the nine in force under rs.
func (rs *RuleSet) InForce() ClauseSet { return AllClauses &^ rs.NotInForce }

// DefaultRules returns RULES.md's defaults: MOC_MDS firmware 15 and
// configuration 10 for group CB; IOC firmware 108 and configuration 30 for
// groups AA, BA and CA; all nine clauses in force.
func DefaultRules() RuleSet {
	return RuleSet{Thresholds: map[Cohort]Thresholds{
		MOCMDS: {Firmware: 15, Configuration: 10, Groups: []string{"CB"}},
		IOC:    {Firmware: 108, Configuration: 30, Groups: []string{"AA", "BA", "CA"}},
	}}
}

// MeterState is what step 5 makes of one meter.
type MeterState uint8

// Meter states of step 5.
const (
	MeterFine       MeterState = iota
	MeterPersistent            // failed persistently: at or over a threshold, in a covered group
	MeterRetrying              // failed below a threshold: attempts continue
	MeterStuck                 // failed, or unable, outside both
	MeterUnable                // fw_status unable in a covered IOC group (step 5a)
	MeterNoKey                 // prepay_key N: its prepayment key is not held (step 4)
)

var meterStateWords = [...]string{"is fine", "has failed persistently", "is still being retried", "has failed outside any exclusion category",
	"cannot be upgraded (fw_status unable)", "has no prepayment key (prepay_key N)"}

// String says what step 5 made of the meter, as a verb phrase.
func (m MeterState) String() string { return meterStateWords[m] }

// Classify says whether a meter of an installation of cohort c has failed
// persistently, is retrying, is stuck, or none of these.
func (rs *RuleSet) Classify(c Cohort, d *Device) MeterState {
	th, has := rs.Thresholds[c]
	return classify(th, has, d)
}

// classify is Classify with the cohort's thresholds (has: it has some).
func classify(th Thresholds, has bool, d *Device) MeterState {
	fwFailed, cfgFailed := d.Fw() == Failed, d.Cfg() == Failed
	if !fwFailed && !cfgFailed && d.Fw() != Unable {
		return MeterFine
	}
	if has && th.covers(d.Group) &&
		(fwFailed && d.FwAttempts >= th.Firmware || cfgFailed && d.CfgAttempts >= th.Configuration) {
		return MeterPersistent
	}
	if has && (fwFailed && d.FwAttempts < th.Firmware || cfgFailed && d.CfgAttempts < th.Configuration) {
		return MeterRetrying
	}
	return MeterStuck
}

func (th Thresholds) covers(g [2]byte) bool {
	for _, c := range th.Groups {
		if len(c) == 2 && c[0] == g[0] && c[1] == g[1] {
			return true
		}
	}
	return false
}

// classifyMeters tells meters (one per device) what step 5 makes of each
// meter of a dormant-only installation of cohort c: its Classify state, or
// MeterUnable for step 5a's meters while unableInForce (18.9).
func (rs *RuleSet) classifyMeters(c Cohort, devs []Device, unableInForce bool, meters []MeterState) {
	th, has := rs.Thresholds[c]
	for i := range devs {
		d := &devs[i]
		if !d.Type().IsMeter() {
			continue
		}
		meters[i] = classify(th, has, d)
		if unableInForce && c == IOC && has && d.Fw() == Unable && th.covers(d.Group) {
			meters[i] = MeterUnable
		}
	}
}
