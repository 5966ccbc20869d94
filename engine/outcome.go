package engine

// This file declares every decision, reason and step once (RULES.md,
// Outcomes), each with everything said of it elsewhere: its spelling, its
// clause, the consultation's words for the reports and the sentence that
// explains it. Adding a reason is a line here, the rule that gives it, and
// the reference in the tests (docs/ARCHITECTURE.md, "Adding a reason").

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
	numDecisions
)

// decisionInfo is what is said of one decision.
type decisionInfo struct {
	name  string // as RULES.md spells it
	title string // the consultation's words, for the reports' tables
	rank  int    // the order an operator reads them in: exclusions first
}

var decisions = [numDecisions]decisionInfo{
	Migrate:        {"migrate", "Migration", 4},
	MigratePartial: {"migrate_partial", "Partial migration (electricity only)", 3},
	Pending:        {"pending", "Held: not yet excludable", 2},
	Exclude:        {"exclude", "Exclusion: technical or operational barriers", 0},
	Blocked:        {"blocked", "Blocked: for the Responsible Supplier to resolve", 1},
}

// String returns the decision as RULES.md spells it.
func (d Decision) String() string { return decisions[d].name }

// Title returns the consultation's words for the decision.
func (d Decision) Title() string { return decisions[d].title }

// Rank orders decisions as an operator reads them: exclude, blocked,
// pending, migrate_partial, migrate.
func (d Decision) Rank() int { return decisions[d].rank }

// ParseDecision returns the decision spelled s, or false.
func ParseDecision(s string) (Decision, bool) { return lookup(s, numDecisions, Decision.String) }

// Decisions returns every decision, in the table's order.
func Decisions() []Decision {
	out := make([]Decision, 0, numDecisions-1)
	for d := Migrate; d < numDecisions; d++ {
		out = append(out, d)
	}
	return out
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
	Smets2Replaced
	MPxNNotRegistered
	NoPrepaymentKey
	FwUnable
	FwConfigFailure
	GasFailurePartial
	FwRetry
	FwNoExclusionCategory
	DuplicateResolved
	Unique
	SupplierCeasedTrading
	SupplierNotLiveUser
	numReasons
)

// reasonInfo is what is said of one reason.
type reasonInfo struct {
	name     string // as RULES.md spells it
	category string // the consultation's words, for the reports
	// why says in an analyst's words what the rule found; the explanation
	// adds the evidence (the GUID's rows, the group, the meters).
	why    string
	clause func(o Outcome, c Cohort) string // RULES.md's clause column
	// decisions are the decisions the reason goes with: the outcome
	// table's, and the blocked forms "Clauses in force" gives while a
	// clause is not in force. A decisions file read back is checked
	// against them (Outcome.Valid).
	decisions []Decision
}

var reasons = [numReasons]reasonInfo{
	DuplicateGUID: {"duplicate_guid", "Data issues: two devices with the same GUID (§4)",
		"it holds a GUID that appears on more than one device row (§4 data issues)", ifExcluded("18.12"), []Decision{Exclude, Blocked}},
	DuplicateMPxNActive: {"duplicate_mpxn_active", "Duplicate MPxNs with an Active meter: not attempted (§7)",
		"an installation of its duplicate group has an active meter; DCC will not attempt the migration of any devices of the group (§7)", ifResolved("4.1C"), []Decision{Blocked}},
	NoWAN: {"no_wan", "Duplicate MPxNs, none verified communicating: no WAN (§7.1)",
		"no member of its dormant-only duplicate group is verified as communicating: excluded for no WAN (§7.1)", always("4.1C"), []Decision{Exclude}},
	DuplicateMPxN: {"duplicate_mpxn", "Duplicate MPANs and MPRNs (§4, §7)",
		"its duplicate group cannot be resolved to one installation (§7)", ifExcluded("18.13"), []Decision{Exclude, Blocked}},
	Smets2Replaced: {"smets2_replaced", "Replaced by SMETS2+: the premises is served by SMETS2+ since (question 6)",
		"the only communicating member of its duplicate group, and its latest, is a SMETS2+ installation: the premises has been served by SMETS2+ since (question 6)", ifExcluded("18.13"), []Decision{Exclude, Blocked}},
	MPxNNotRegistered: {"mpxn_not_registered", "Data issues: unable to identify Responsible Supplier (§4)",
		"an MPAN or MPRN of the installation is not in the registration data, so its Responsible Supplier cannot be identified (§4)", ifExcluded("18.12"), []Decision{Exclude, Blocked}},
	NoPrepaymentKey: {"no_prepayment_key", "Data issues: no prepayment key (§4)",
		"a meter of the installation has prepay_key N: its prepayment key is not held (§4)", ifExcluded("18.12"), []Decision{Exclude, Blocked}},
	FwUnable: {"fw_unable", "Unable to attempt firmware upgrade, GroupID AA/BA/CA (§2)",
		"the firmware upgrade cannot be attempted on a meter of a covered IOC group (§2, 18.9)", always("18.9"), []Decision{Exclude}},
	FwConfigFailure: {"fw_config_failure", "Firmware upgrade / configuration failure (§3)",
		"firmware upgrade or configuration has failed persistently (§3)", byCohort("18.11", "18.10"), []Decision{Exclude}},
	GasFailurePartial: {"gas_failure_partial", "Partial migration for gas firmware failure (§5)",
		"only the gas meter has failed persistently: it migrates electricity-only, the gas meter de-registered (§5)", byCohort("5.8B", "4.26A"), []Decision{MigratePartial}},
	FwRetry: {"fw_retry", "Firmware / configuration attempts continuing",
		"attempts continue on a meter below its threshold: not yet excludable", always("4.26"), []Decision{Pending}},
	FwNoExclusionCategory: {"fw_no_exclusion_category", "Firmware / configuration failure outside any exclusion category",
		"a meter has failed but no exclusion category in force covers it", always(""), []Decision{Pending}},
	DuplicateResolved: {"duplicate_resolved", "Duplicate resolved: latest installation, only one communicating (§7.2)",
		"it is the only communicating member of its duplicate group and has the latest install date, so it goes forward and the other duplicates are excluded (§7.2); no later rule held it", always("4.1C"), []Decision{Migrate}},
	Unique: {"unique", "No issue found",
		"it shares no MPxN, holds no duplicate GUID, and no later rule held it", always(""), []Decision{Migrate}},
	SupplierCeasedTrading: {"supplier_ceased_trading", "Responsible Supplier ceased trading: notifications cannot be given (§6)",
		"its Responsible Supplier has ceased trading, so the notifications the TMAD requires before migration cannot be given (§6)", always(""), []Decision{Blocked}},
	SupplierNotLiveUser: {"supplier_not_live_user", "Responsible Supplier not a live user: notifications cannot be given (§6)",
		"its Responsible Supplier is not a live user of DCC, so the notifications the TMAD requires before migration cannot be given (§6)", always(""), []Decision{Blocked}},
}

func always(clause string) func(Outcome, Cohort) string {
	return func(Outcome, Cohort) string { return clause }
}

// ifExcluded gives the clause to exclusions only: a blocked installation is
// the Responsible Supplier's to resolve, under no clause (and one blocked
// because the clause is not in force is as it was before the consultation).
func ifExcluded(clause string) func(Outcome, Cohort) string {
	return func(o Outcome, _ Cohort) string {
		if o.Decision == Exclude {
			return clause
		}
		return ""
	}
}

// ifResolved gives the clause unless step 2 resolved nothing (4.1C not in
// force: Step2Unresolved).
func ifResolved(clause string) func(Outcome, Cohort) string {
	return func(o Outcome, _ Cohort) string {
		if o.Step == Step2Unresolved {
			return ""
		}
		return clause
	}
}

// byCohort gives one clause to IOC, another to the other cohorts.
func byCohort(ioc, other string) func(Outcome, Cohort) string {
	return func(_ Outcome, c Cohort) string {
		if c == IOC {
			return ioc
		}
		return other
	}
}

// String returns the reason as RULES.md spells it.
func (r Reason) String() string { return reasons[r].name }

// Category returns the consultation's words for the reason.
func (r Reason) Category() string { return reasons[r].category }

// Why says in words what the rule behind the reason found.
func (r Reason) Why() string { return reasons[r].why }

// ParseReason returns the reason spelled s, or false.
func ParseReason(s string) (Reason, bool) { return lookup(s, numReasons, Reason.String) }

// Reasons returns every reason, in RULES.md's order.
func Reasons() []Reason {
	out := make([]Reason, 0, numReasons-1)
	for r := DuplicateGUID; r < numReasons; r++ {
		out = append(out, r)
	}
	return out
}

// lookup returns the value in [1, end) whose name is s, or 0 and false.
func lookup[T ~uint8](s string, end T, name func(T) string) (T, bool) {
	for v := T(1); v < end; v++ {
		if name(v) == s {
			return v, true
		}
	}
	return 0, false
}

// Step names the RULES.md step that decided an installation.
type Step uint8

// Steps. Step2a..Step2e are the branches of step 2; Step2Unresolved is
// step 2 while 4.1C is not in force (no branch resolves the group).
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
	Step2Unresolved
	Step7
	numSteps
)

var stepNames = [numSteps]string{"", "1", "2a", "2b", "2c", "2d", "2e", "3", "4", "5", "6", "2", "7"}

// String returns the step as RULES.md numbers it ("1", "2c", ...).
func (s Step) String() string { return stepNames[s] }

// Outcome is the decision of one installation and the step that made it.
type Outcome struct {
	Decision Decision
	Reason   Reason
	Step     Step
}

// clauseOf tabulates reasonInfo.clause for every reason, decision, step and
// cohort, so that printing a clause is a lookup.
var clauseOf = func() (t [numReasons][numDecisions][numSteps][MOCSecure + 1]string) {
	for r := DuplicateGUID; r < numReasons; r++ {
		for d := range numDecisions {
			for s := range numSteps {
				for c := range MOCSecure + 1 {
					t[r][d][s][c] = reasons[r].clause(Outcome{d, r, s}, c)
				}
			}
		}
	}
	return t
}()

// Clause returns the TMAD clause RULES.md gives for the outcome of an
// installation of cohort c.
func (o Outcome) Clause(c Cohort) string { return clauseOf[o.Reason][o.Decision][o.Step][c] }

// dormantOr returns exclude when dormant, else blocked, with reason r: the
// pattern of steps 1, 3 and 4.
func dormantOr(dormant bool, r Reason, s Step) Outcome {
	if dormant {
		return Outcome{Exclude, r, s}
	}
	return Outcome{Blocked, r, s}
}
