package engine

import "github.com/s1resolve/s1resolve/value"

// This file is RULES.md, steps 1 to 7, under the clauses in force: the one
// place an installation is decided. The Resolver finds the facts across the
// population (duplicate GUIDs, duplicate groups, registration) and calls
// Decide; `whatif`, `impact` and `explain` call it on the facts the store
// kept.

// Facts are everything RULES.md reads of one installation to decide it:
// its own columns and devices, what was found across the population (a
// duplicate GUID, its duplicate group's step 2 facts), its registration and
// its Responsible Supplier's status. The store keeps them (package index),
// so that an installation can be decided again under other rules without
// the inputs.
type Facts struct {
	ID      uint32 // installation id: whether it is its group's communicator
	Cohort  Cohort
	Dormant bool // dormant-only
	DupGUID bool // holds a duplicate GUID
	// Group is the step 2 facts of its duplicate group; nil for a group of
	// one.
	Group *GroupFacts
	// Registration says registration data was given (step 3 applies);
	// MPANUnregistered and MPRNUnregistered that the installation's MPAN,
	// MPRN is present and missing from it.
	Registration                       bool
	MPANUnregistered, MPRNUnregistered bool
	// Supplier is the status of its Responsible Supplier (Live without
	// one).
	Supplier SupplierStatus
	Devices  []Device
}

// Evidence is what Decide found on the way, for an explanation.
type Evidence struct {
	// NotInForce are the clauses not in force whose rule the installation
	// met on its way, when with them in force it would be decided
	// otherwise: why it is decided as before the consultation (RULES.md,
	// "Clauses in force").
	NotInForce ClauseSet
	// Meters, when not nil (one per device), is told what step 4 or 5
	// made of each meter of the installation the step decided.
	Meters []MeterState
}

// digest is what the rules read of an installation, whatever the clauses
// in force: the tests of each step, taken once.
type digest struct {
	dormant, dupGUID bool
	supplier         SupplierStatus
	// step 2: whether the installation is in a group of two or more, one
	// with an Active or Mixed member, the outcome of the group's branch
	// for it, and whether it goes on as the 2c winner
	grouped, anyActive bool
	group              Outcome
	winner             bool
	// steps 3 and 4
	unregistered, noKey bool
	// step 5, dormant-only installations: 5a's unable meter, the meters
	// that failed persistently (an ESME among them), retrying, stuck
	fw                                                  bool // some meter is not fine
	unable, persistent, persistentESME, retrying, stuck bool
	hasESME, esmesClean                                 bool
	failureClause, partialClause                        Clause // the switches of 5b and 5c for the cohort
	partialSwitched                                     bool   // 5c's clause is one of the nine (not 5.8B)
}

// noClause marks a step that no switch of the nine turns off.
const noClause = numClauses

func (rs *RuleSet) digest(f *Facts, d *digest) {
	*d = digest{dormant: f.Dormant, dupGUID: f.DupGUID, supplier: f.Supplier,
		esmesClean: true, failureClause: Clause18_10, partialClause: Clause4_26A, partialSwitched: true}
	if f.Group != nil {
		d.grouped, d.anyActive = true, f.Group.AnyActive
		if !f.DupGUID {
			d.group, d.winner = groupBranch(f.Group, f.ID)
		}
	}
	d.unregistered = f.Registration && (f.MPANUnregistered || f.MPRNUnregistered)
	for i := range f.Devices {
		if f.Devices[i].Type().IsMeter() && f.Devices[i].Prepay() == value.No {
			d.noKey = true
		}
	}
	if !f.Dormant {
		return // the firmware columns of an Active or Mixed installation are ignored
	}
	if f.Cohort == IOC {
		d.failureClause, d.partialClause, d.partialSwitched = Clause18_11, noClause, false // 5.8B was in force before
	}
	var th Thresholds
	looked, has := false, false
	for i := range f.Devices {
		dv := &f.Devices[i]
		if !dv.Type().IsMeter() {
			continue
		}
		if dv.Type() == ESME {
			d.hasESME = true
			if !(dv.Fw() == OK || dv.Fw() == NotRequired) || !(dv.Cfg() == OK || dv.Cfg() == NotRequired) {
				d.esmesClean = false
			}
		}
		if dv.Fw() != Failed && dv.Cfg() != Failed && dv.Fw() != Unable {
			continue // fine whatever the thresholds
		}
		if !looked {
			th, has = rs.Thresholds[f.Cohort]
			looked = true
		}
		if f.Cohort == IOC && has && dv.Fw() == Unable && th.covers(dv.Group) {
			d.unable = true
		}
		switch classify(th, has, dv) {
		case MeterPersistent:
			d.persistent = true
			if dv.Type() == ESME {
				d.persistentESME = true
			}
		case MeterRetrying:
			d.retrying = true
		case MeterStuck:
			d.stuck = true
		}
	}
	d.fw = d.unable || d.persistent || d.retrying || d.stuck
}

// groupBranch is step 2 for installation id of a group of two or more
// members with all of RULES.md's clauses in force: the outcome of its
// branch, or winner for the 2c winner that goes on to step 3.
func groupBranch(g *GroupFacts, id uint32) (o Outcome, winner bool) {
	switch {
	case g.AnyActive:
		return Outcome{Blocked, DuplicateMPxNActive, Step2a}, false
	case g.Communicating == 0:
		return Outcome{Exclude, NoWAN, Step2b}, false
	case g.Winner && g.CommunicatorSmets2:
		return Outcome{Exclude, Smets2Replaced, Step2c}, false // the premises is served by SMETS2+ since
	case g.Winner && g.Communicator == id:
		return Outcome{}, true
	case g.Winner:
		return Outcome{Exclude, DuplicateMPxN, Step2c}, false
	case g.Communicating == 1:
		return Outcome{Exclude, DuplicateMPxN, Step2d}, false
	}
	return Outcome{Exclude, DuplicateMPxN, Step2e}, false
}

// Decide returns the outcome of an installation under rs and its clauses
// in force (RULES.md steps 1 to 7). ev, when not nil, is told what the
// decision rests on.
func (rs *RuleSet) Decide(f *Facts, ev *Evidence) Outcome {
	return rs.decide(f, ev, true)
}

func (rs *RuleSet) decide(f *Facts, ev *Evidence, later bool) Outcome {
	var d digest
	rs.digest(f, &d)
	in := rs.InForce()
	o, held := d.outcome(in, later)
	if ev != nil {
		if held != 0 {
			// The clauses met are why only if with them in force the
			// installation would be decided otherwise.
			if back, _ := d.outcome(in|held, later); back.Decision == o.Decision && back.Reason == o.Reason {
				held = 0
			}
		}
		ev.NotInForce = held
		if ev.Meters != nil {
			rs.meterStates(f, o, in, ev.Meters)
		}
	}
	return o
}

// DecideEach decides an installation once per set of clauses in force:
// out[i] is its outcome under sets[i] with rs's thresholds. The facts are
// read once whatever the number of sets.
func (rs *RuleSet) DecideEach(f *Facts, sets []ClauseSet, out []Outcome) {
	var d digest
	rs.digest(f, &d)
	for i, s := range sets {
		out[i], _ = d.outcome(s, true)
	}
}

// outcome applies the steps to a digest under the clauses in force, and
// says which clauses not in force it met; with later false, steps 1, 2 and
// 6 only (a baseline for benchmarks).
func (d *digest) outcome(in ClauseSet, later bool) (o Outcome, held ClauseSet) {
	switch {
	case d.dupGUID: // step 1
		return dormantOr18_12(d.dormant, in, DuplicateGUID, Step1)
	case d.grouped && !in.Has(Clause4_1C): // step 2 resolves nothing; the would-be 2c winner is blocked too
		if d.anyActive {
			return Outcome{Blocked, DuplicateMPxNActive, Step2Unresolved}, held.With(Clause4_1C)
		}
		return Outcome{Blocked, DuplicateMPxN, Step2Unresolved}, held.With(Clause4_1C)
	case d.grouped && !d.winner:
		o = d.group
		if o.Decision == Exclude && (o.Reason == DuplicateMPxN || o.Reason == Smets2Replaced) && !in.Has(Clause18_13) {
			o.Decision, held = Blocked, held.With(Clause18_13)
		}
		return o, held
	case !later:
	case d.unregistered: // step 3
		return dormantOr18_12(d.dormant, in, MPxNNotRegistered, Step3)
	case d.noKey: // step 4
		return dormantOr18_12(d.dormant, in, NoPrepaymentKey, Step4)
	case d.fw: // step 5
		o = d.firmware(in, &held)
	}
	if o.Decision == Undecided { // step 6
		o = Outcome{Migrate, Unique, Step6}
		if d.winner {
			o.Reason = DuplicateResolved
		}
	}
	if later && (o.Decision == Migrate || o.Decision == MigratePartial) { // step 7
		switch {
		case d.supplier == CeasedTrading && !in.Has(Clause4_1A):
			return Outcome{Blocked, SupplierCeasedTrading, Step7}, held.With(Clause4_1A)
		case d.supplier == NotLiveUser && !in.Has(Clause4_1B):
			return Outcome{Blocked, SupplierNotLiveUser, Step7}, held.With(Clause4_1B)
		}
	}
	return o, held
}

// dormantOr18_12 is the pattern of steps 1, 3 and 4: exclude when
// dormant-only and 18.12 is in force, else blocked.
func dormantOr18_12(dormant bool, in ClauseSet, r Reason, s Step) (Outcome, ClauseSet) {
	if dormant && !in.Has(Clause18_12) {
		return Outcome{Blocked, r, s}, ClauseSet(0).With(Clause18_12)
	}
	return dormantOr(dormant, r, s), 0
}

// meterStates tells meters (one per device of f) what the step that gave
// o made of each meter: the meters without a prepayment key for step 4,
// the firmware and configuration states for step 5, MeterFine otherwise.
func (rs *RuleSet) meterStates(f *Facts, o Outcome, in ClauseSet, meters []MeterState) {
	for i := range meters {
		meters[i] = MeterFine
	}
	switch o.Step {
	case Step4:
		for i := range f.Devices {
			if f.Devices[i].Type().IsMeter() && f.Devices[i].Prepay() == value.No {
				meters[i] = MeterNoKey
			}
		}
	case Step5:
		rs.classifyMeters(f.Cohort, f.Devices, in.Has(Clause18_9), meters)
	}
}

// firmware is step 5 of a dormant-only installation with a meter that is
// not fine, under the clauses in force; Undecided when no branch applies.
func (d *digest) firmware(in ClauseSet, held *ClauseSet) Outcome {
	switch {
	case d.unable && in.Has(Clause18_9): // 5a
		return Outcome{Exclude, FwUnable, Step5}
	case d.unable:
		*held = held.With(Clause18_9)
	}
	partialInForce := !d.partialSwitched || in.Has(d.partialClause)
	partial := d.persistent && d.hasESME && d.esmesClean // 5c's test
	failure := d.persistent && (d.persistentESME || !d.hasESME)
	if d.persistent && !failure && !partialInForce {
		// While 5c's clause is not in force, 5b takes every installation
		// with a meter that failed persistently (§5: "these SMETS1
		// Installations will be entirely excluded").
		failure = true
		*held = held.With(d.partialClause)
	}
	if failure { // 5b
		if in.Has(d.failureClause) {
			return Outcome{Exclude, FwConfigFailure, Step5}
		}
		*held = held.With(d.failureClause)
	}
	switch {
	case partial && partialInForce: // 5c
		return Outcome{MigratePartial, GasFailurePartial, Step5}
	case d.retrying: // 5d
		return Outcome{Pending, FwRetry, Step5}
	case d.stuck || d.persistent: // 5e
		return Outcome{Pending, FwNoExclusionCategory, Step5}
	}
	return Outcome{}
}
