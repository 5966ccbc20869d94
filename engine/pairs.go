package engine

// validPairs lists every (decision, reason) pair RULES.md can give: the
// outcome table, and the blocked forms its "Clauses in force" section gives
// while a clause is not in force.
var validPairs = func() (t [numDecisions][numReasons]bool) {
	for _, p := range []struct {
		d Decision
		r Reason
	}{
		{Exclude, DuplicateGUID}, {Blocked, DuplicateGUID},
		{Blocked, DuplicateMPxNActive},
		{Exclude, NoWAN},
		{Exclude, DuplicateMPxN}, {Blocked, DuplicateMPxN},
		{Exclude, Smets2Replaced}, {Blocked, Smets2Replaced},
		{Exclude, MPxNNotRegistered}, {Blocked, MPxNNotRegistered},
		{Exclude, NoPrepaymentKey}, {Blocked, NoPrepaymentKey},
		{Exclude, FwUnable},
		{Exclude, FwConfigFailure},
		{MigratePartial, GasFailurePartial},
		{Pending, FwRetry},
		{Pending, FwNoExclusionCategory},
		{Migrate, DuplicateResolved},
		{Migrate, Unique},
	} {
		t[p.d][p.r] = true
	}
	return t
}()

// Valid reports whether RULES.md can give the outcome's decision and
// reason together (decisions files are checked against it).
func (o Outcome) Valid() bool {
	return o.Decision < numDecisions && o.Reason < numReasons && validPairs[o.Decision][o.Reason]
}

// Valid reports whether c is one of FORMAT.md's cohorts: what a store or a
// file read back is checked against before its value is used.
func (c Cohort) Valid() bool { return c >= FOC && int(c) <= len(cohortNames) }

// Valid reports whether t is one of FORMAT.md's device types.
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
