package engine

// Valid reports whether RULES.md can give the outcome's decision and
// reason together: the decisions listed for the reason in the outcome
// table (reasonInfo.decisions). Decisions files read back are checked
// against it.
func (o Outcome) Valid() bool {
	if o.Decision == Undecided || o.Decision >= numDecisions || o.Reason == NoReason || o.Reason >= numReasons {
		return false
	}
	for _, d := range reasons[o.Reason].decisions {
		if d == o.Decision {
			return true
		}
	}
	return false
}

// Valid reports whether c is one of FORMATS.md's cohorts: what a store or a
// file read back is checked against before its value is used.
func (c Cohort) Valid() bool { return c >= FOC && int(c) <= len(cohortNames) }

// Valid reports whether t is one of FORMATS.md's device types.
func (t DeviceType) Valid() bool { return t >= CHF && int(t) <= len(deviceTypeNames) }

// Valid reports whether s is no state, active or dormant.
func (s State) Valid() bool { return int(s) <= len(stateNames) }

// Valid reports whether s is one of the firmware statuses.
func (s Status) Valid() bool { return int(s) < len(FirmwareStatuses) }

// Valid reports whether d is a decision (Undecided included).
func (d Decision) Valid() bool { return d < numDecisions }

// Valid reports whether r is a reason (NoReason included).
func (r Reason) Valid() bool { return r < numReasons }

// Valid reports whether s is a step of RULES.md (StepNone included).
func (s Step) Valid() bool { return int(s) < len(stepNames) }

// Valid reports whether m is a meter state of step 5.
func (m MeterState) Valid() bool { return int(m) < len(meterStateWords) }

// ClauseFits reports whether clause is one RULES.md gives the outcome's
// decision and reason for an installation of cohort c, at any step (the
// clause of some outcomes depends on the step, and so on the clauses in
// force). Decisions files read back are checked against it.
func (o Outcome) ClauseFits(c Cohort, clause string) bool {
	if !o.Valid() || !c.Valid() {
		return false
	}
	for s := range numSteps {
		if clauseOf[o.Reason][o.Decision][s][c] == clause {
			return true
		}
	}
	return false
}
