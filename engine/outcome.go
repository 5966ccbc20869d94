package engine

// Decision is the decision column of the output.
type Decision uint8

// Decisions.
const (
	Undecided Decision = iota
	Migrate
	MigratePartial
	Pending
	Exclude
	Blocked
)

var decisionNames = [...]string{"", "migrate", "migrate_partial", "pending", "exclude", "blocked"}

// String returns the decision as RULES.md spells it.
func (d Decision) String() string { return decisionNames[d] }

// ParseDecision returns the decision spelled s, or false.
func ParseDecision(s string) (Decision, bool) {
	for i, n := range decisionNames {
		if i > 0 && n == s {
			return Decision(i), true
		}
	}
	return Undecided, false
}

// Reason is the reason column of the output.
type Reason uint8

// Reasons, in the order of RULES.md's outcome table.
const (
	NoReason Reason = iota
	DuplicateGUID
	DuplicateMPxNActive
	NoWAN
	DuplicateMPxN
	MPxNNotRegistered
	NoPrepaymentKey
	FwUnable
	FwConfigFailure
	GasFailurePartial
	FwRetry
	FwNoExclusionCategory
	DuplicateResolved
	Unique
	numReasons
)

var reasonNames = [...]string{"", "duplicate_guid", "duplicate_mpxn_active", "no_wan", "duplicate_mpxn",
	"mpxn_not_registered", "no_prepayment_key", "fw_unable", "fw_config_failure", "gas_failure_partial",
	"fw_retry", "fw_no_exclusion_category", "duplicate_resolved", "unique"}

// String returns the reason as RULES.md spells it.
func (r Reason) String() string { return reasonNames[r] }

// ParseReason returns the reason spelled s, or false.
func ParseReason(s string) (Reason, bool) {
	for i, n := range reasonNames {
		if i > 0 && n == s {
			return Reason(i), true
		}
	}
	return NoReason, false
}

// Step names the RULES.md step that decided an installation.
type Step uint8

// Steps. Step2a..Step2e are the branches of step 2.
const (
	StepNone Step = iota
	Step1
	Step2a
	Step2b
	Step2c
	Step2d
	Step2e
	Step3
	Step4
	Step5
	Step6
)

var stepNames = [...]string{"", "1", "2a", "2b", "2c", "2d", "2e", "3", "4", "5", "6"}

// String returns the step as RULES.md numbers it ("1", "2c", ...).
func (s Step) String() string { return stepNames[s] }

// Outcome is the decision of one installation and the step that made it.
type Outcome struct {
	Decision Decision
	Reason   Reason
	Step     Step
}

// Clause returns the TMAD clause RULES.md gives for the outcome of an
// installation of cohort c.
func (o Outcome) Clause(c Cohort) string {
	switch o.Reason {
	case DuplicateGUID, MPxNNotRegistered, NoPrepaymentKey:
		if o.Decision == Exclude {
			return "18.12"
		}
		return ""
	case DuplicateMPxNActive, NoWAN, DuplicateResolved:
		return "4.1C"
	case DuplicateMPxN:
		return "18.13"
	case FwUnable:
		return "18.9"
	case FwConfigFailure:
		if c == IOC {
			return "18.11"
		}
		return "18.10"
	case GasFailurePartial:
		if c == IOC {
			return "5.8B"
		}
		return "4.26A"
	case FwRetry:
		return "4.26"
	}
	return ""
}

// dormantOr returns exclude when dormant, else blocked, with reason r: the
// pattern of steps 1, 3 and 4.
func dormantOr(dormant bool, r Reason, s Step) Outcome {
	if dormant {
		return Outcome{Exclude, r, s}
	}
	return Outcome{Blocked, r, s}
}
