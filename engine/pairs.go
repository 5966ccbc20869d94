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
