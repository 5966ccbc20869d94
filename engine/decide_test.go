package engine

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/value"
)

// off returns all clauses in force but those named.
func off(cs ...Clause) ClauseSet {
	s := AllClauses
	for _, c := range cs {
		s = s.Without(c)
	}
	return s
}

// TestClausesInForce: each switch of RULES.md's "Clauses in force", one
// installation at a time, with the clause printed and the clauses not in
// force the decision follows from.
func TestClausesInForce(t *testing.T) {
	esmeOK := meter(ESME, Dormant, "CB", OK, 0, OK, 0)
	gasFailed := meter(GSME, Dormant, "CB", Failed, 15, OK, 0)
	dormant := []Device{esmeOK}
	active := []Device{meter(ESME, Active, "CB", OK, 0, OK, 0)}
	winner := &GroupFacts{Root: 0, Latest: 7, Communicating: 1, Communicator: 7, Winner: true}
	loser := &GroupFacts{Root: 0, Latest: 7, Communicating: 1, Communicator: 7, Winner: true}
	smets2 := &GroupFacts{Root: 0, Latest: 9, Communicating: 1, Communicator: 9, Winner: true, CommunicatorSmets2: true}
	activeGroup := &GroupFacts{Root: 0, AnyActive: true, Active: 3, Communicating: 1}
	silent := &GroupFacts{Root: 0, Latest: 7}
	two := &GroupFacts{Root: 0, Latest: 7, Communicating: 2, Communicator: 3}
	tests := []struct {
		name   string
		f      Facts
		in     ClauseSet
		want   Outcome
		clause string
		held   ClauseSet
	}{
		{"18.12 in force: dormant duplicate GUID excluded", Facts{Cohort: IOC, Dormant: true, DupGUID: true, Devices: dormant}, AllClauses,
			Outcome{Exclude, DuplicateGUID, Step1}, "18.12", 0},
		{"18.12 not in force: dormant duplicate GUID blocked", Facts{Cohort: IOC, Dormant: true, DupGUID: true, Devices: dormant}, off(Clause18_12),
			Outcome{Blocked, DuplicateGUID, Step1}, "", 1 << Clause18_12},
		{"18.12 not in force: active duplicate GUID blocked as ever", Facts{Cohort: IOC, DupGUID: true, Devices: active}, off(Clause18_12),
			Outcome{Blocked, DuplicateGUID, Step1}, "", 0},
		{"18.12 not in force: unregistered dormant blocked", Facts{Cohort: FOC, Dormant: true, Registration: true, MPRNUnregistered: true, Devices: dormant}, off(Clause18_12),
			Outcome{Blocked, MPxNNotRegistered, Step3}, "", 1 << Clause18_12},
		{"18.12 not in force: no prepayment key blocked", Facts{Cohort: FOC, Dormant: true, Devices: []Device{DeviceFields{Type: GSME, State: Dormant, Prepay: value.No}.Device()}}, off(Clause18_12),
			Outcome{Blocked, NoPrepaymentKey, Step4}, "", 1 << Clause18_12},
		{"18.13 not in force: 2c loser blocked", Facts{ID: 2, Cohort: FOC, Dormant: true, Group: loser, Devices: dormant}, off(Clause18_13),
			Outcome{Blocked, DuplicateMPxN, Step2c}, "", 1 << Clause18_13},
		{"18.13 not in force: 2c winner unchanged", Facts{ID: 7, Cohort: FOC, Dormant: true, Group: winner, Devices: dormant}, off(Clause18_13),
			Outcome{Migrate, DuplicateResolved, Step6}, "4.1C", 0},
		{"18.13 not in force: smets2_replaced blocked", Facts{ID: 2, Cohort: FOC, Dormant: true, Group: smets2, Devices: dormant}, off(Clause18_13),
			Outcome{Blocked, Smets2Replaced, Step2c}, "", 1 << Clause18_13},
		{"18.13 not in force: no_wan unchanged", Facts{ID: 2, Cohort: FOC, Dormant: true, Group: silent, Devices: dormant}, off(Clause18_13),
			Outcome{Exclude, NoWAN, Step2b}, "4.1C", 0},
		{"18.13 not in force: 2e blocked", Facts{ID: 2, Cohort: FOC, Dormant: true, Group: two, Devices: dormant}, off(Clause18_13),
			Outcome{Blocked, DuplicateMPxN, Step2e}, "", 1 << Clause18_13},
		{"4.1C not in force: winner blocked", Facts{ID: 7, Cohort: FOC, Dormant: true, Group: winner, Devices: dormant}, off(Clause4_1C),
			Outcome{Blocked, DuplicateMPxN, Step2Unresolved}, "", 1 << Clause4_1C},
		{"4.1C not in force: silent group blocked, not no_wan", Facts{ID: 2, Cohort: FOC, Dormant: true, Group: silent, Devices: dormant}, off(Clause4_1C),
			Outcome{Blocked, DuplicateMPxN, Step2Unresolved}, "", 1 << Clause4_1C},
		{"4.1C not in force: active group, no clause", Facts{ID: 2, Cohort: FOC, Dormant: true, Group: activeGroup, Devices: dormant}, off(Clause4_1C),
			Outcome{Blocked, DuplicateMPxNActive, Step2Unresolved}, "", 0}, // blocked by 2a anyway: 4.1C is not why
		{"4.1C in force: active group 2a", Facts{ID: 2, Cohort: FOC, Dormant: true, Group: activeGroup, Devices: dormant}, AllClauses,
			Outcome{Blocked, DuplicateMPxNActive, Step2a}, "4.1C", 0},
		{"4.1C and 18.13 not in force: 4.1C says why", Facts{ID: 2, Cohort: FOC, Dormant: true, Group: smets2, Devices: dormant}, off(Clause4_1C, Clause18_13),
			Outcome{Blocked, DuplicateMPxN, Step2Unresolved}, "", 1 << Clause4_1C},
		{"4.1C not in force: a duplicate GUID still step 1", Facts{ID: 7, Cohort: FOC, Dormant: true, DupGUID: true, Group: winner, Devices: dormant}, off(Clause4_1C),
			Outcome{Exclude, DuplicateGUID, Step1}, "18.12", 0},
		{"18.9 not in force: unable meter stuck", Facts{Cohort: IOC, Dormant: true, Devices: []Device{meter(ESME, Dormant, "AA", Unable, 0, OK, 0)}}, off(Clause18_9),
			Outcome{Pending, FwNoExclusionCategory, Step5}, "", 1 << Clause18_9},
		{"18.9 not in force: 5b still excludes", Facts{Cohort: IOC, Dormant: true, Devices: []Device{meter(ESME, Dormant, "AA", Unable, 0, Failed, 30)}}, off(Clause18_9),
			Outcome{Exclude, FwConfigFailure, Step5}, "18.11", 1 << Clause18_9},
		{"18.9 not in force: retrying keeps 4.26", Facts{Cohort: IOC, Dormant: true, Devices: []Device{meter(ESME, Dormant, "AA", Unable, 0, Failed, 2)}}, off(Clause18_9),
			Outcome{Pending, FwRetry, Step5}, "4.26", 1 << Clause18_9},
		{"18.10 not in force: MOC_MDS failure pending", Facts{Cohort: MOCMDS, Dormant: true, Devices: []Device{meter(ESME, Dormant, "CB", Failed, 15, OK, 0)}}, off(Clause18_10),
			Outcome{Pending, FwNoExclusionCategory, Step5}, "", 1 << Clause18_10},
		{"18.10 not in force: IOC untouched", Facts{Cohort: IOC, Dormant: true, Devices: []Device{meter(ESME, Dormant, "AA", Failed, 108, OK, 0)}}, off(Clause18_10),
			Outcome{Exclude, FwConfigFailure, Step5}, "18.11", 0},
		{"18.10 not in force: partial still partial", Facts{Cohort: MOCMDS, Dormant: true, Devices: []Device{esmeOK, gasFailed}}, off(Clause18_10),
			Outcome{MigratePartial, GasFailurePartial, Step5}, "4.26A", 0},
		{"18.11 not in force: IOC failure pending", Facts{Cohort: IOC, Dormant: true, Devices: []Device{meter(ESME, Dormant, "AA", Failed, 108, OK, 0)}}, off(Clause18_11),
			Outcome{Pending, FwNoExclusionCategory, Step5}, "", 1 << Clause18_11},
		{"18.11 not in force: IOC partial (5.8B) unchanged", Facts{Cohort: IOC, Dormant: true, Devices: []Device{meter(ESME, Dormant, "AA", OK, 0, OK, 0), meter(GSME, Dormant, "AA", OK, 0, Failed, 30)}}, off(Clause18_11, Clause4_26A),
			Outcome{MigratePartial, GasFailurePartial, Step5}, "5.8B", 0},
		{"4.26A not in force: partial excluded entirely under 18.10", Facts{Cohort: MOCMDS, Dormant: true, Devices: []Device{esmeOK, gasFailed}}, off(Clause4_26A),
			Outcome{Exclude, FwConfigFailure, Step5}, "18.10", 1 << Clause4_26A},
		{"4.26A and 18.10 not in force: partial pending", Facts{Cohort: MOCMDS, Dormant: true, Devices: []Device{esmeOK, gasFailed}}, off(Clause4_26A, Clause18_10),
			Outcome{Pending, FwNoExclusionCategory, Step5}, "", 1<<Clause4_26A | 1<<Clause18_10},
		{"4.26A and 18.10 not in force: retrying ESME still 5d, as with them", Facts{Cohort: MOCMDS, Dormant: true, Devices: []Device{meter(ESME, Dormant, "CB", Failed, 3, OK, 0), gasFailed}}, off(Clause4_26A, Clause18_10),
			Outcome{Pending, FwRetry, Step5}, "4.26", 0},
		{"4.26A not in force: 5b takes a retrying ESME's failed GSME", Facts{Cohort: MOCMDS, Dormant: true, Devices: []Device{meter(ESME, Dormant, "CB", Failed, 3, OK, 0), gasFailed}}, off(Clause4_26A),
			Outcome{Exclude, FwConfigFailure, Step5}, "18.10", 1 << Clause4_26A},
		{"4.1A not in force: ceased trading blocked", Facts{Cohort: FOC, Dormant: true, Supplier: CeasedTrading, Devices: dormant}, off(Clause4_1A),
			Outcome{Blocked, SupplierCeasedTrading, Step7}, "", 1 << Clause4_1A},
		{"4.1A not in force: not live user migrates", Facts{Cohort: FOC, Dormant: true, Supplier: NotLiveUser, Devices: dormant}, off(Clause4_1A),
			Outcome{Migrate, Unique, Step6}, "", 0},
		{"4.1B not in force: not live user blocked", Facts{Cohort: FOC, Supplier: NotLiveUser, Devices: active}, off(Clause4_1B),
			Outcome{Blocked, SupplierNotLiveUser, Step7}, "", 1 << Clause4_1B},
		{"4.1B not in force: a partial migration blocked too", Facts{Cohort: MOCMDS, Dormant: true, Supplier: NotLiveUser, Devices: []Device{esmeOK, gasFailed}}, off(Clause4_1B),
			Outcome{Blocked, SupplierNotLiveUser, Step7}, "", 1 << Clause4_1B},
		{"4.1B not in force: an exclusion stays", Facts{Cohort: MOCMDS, Dormant: true, Supplier: NotLiveUser, Devices: []Device{meter(ESME, Dormant, "CB", Failed, 15, OK, 0)}}, off(Clause4_1B),
			Outcome{Exclude, FwConfigFailure, Step5}, "18.10", 0},
		{"4.1A not in force: the 2c winner blocked at step 7", Facts{ID: 7, Cohort: FOC, Dormant: true, Group: winner, Supplier: CeasedTrading, Devices: dormant}, off(Clause4_1A),
			Outcome{Blocked, SupplierCeasedTrading, Step7}, "", 1 << Clause4_1A},
		{"none in force: clean installation migrates", Facts{Cohort: FOC, Dormant: true, Devices: dormant}, 0,
			Outcome{Migrate, Unique, Step6}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := DefaultRules()
			rs.NotInForce = AllClauses &^ tt.in
			for i := range tt.f.Devices {
				tt.f.Devices[i].SetGUID(value.GUID(i + 1))
			}
			ev := Evidence{Meters: make([]MeterState, len(tt.f.Devices))}
			o := rs.Decide(&tt.f, &ev)
			if o != tt.want || o.Clause(tt.f.Cohort) != tt.clause || ev.NotInForce != tt.held {
				t.Errorf("got %s/%s step %s clause %q not in force %v, want %s/%s step %s clause %q not in force %v", o.Decision, o.Reason, o.Step,
					o.Clause(tt.f.Cohort), ev.NotInForce, tt.want.Decision, tt.want.Reason, tt.want.Step, tt.clause, tt.held)
			}
			var out [1]Outcome
			rs.DecideEach(&tt.f, []ClauseSet{tt.in}, out[:])
			if out[0] != o {
				t.Errorf("DecideEach %+v, Decide %+v", out[0], o)
			}
		})
	}
}

// TestMeterEvidence: Decide says what step 4 or 5 made of each meter, 5a's
// unable meters only while 18.9 is in force.
func TestMeterEvidence(t *testing.T) {
	devs := []Device{DeviceFields{Type: CHF}.Device(), meter(ESME, Dormant, "AA", Unable, 0, OK, 0), meter(GSME, Dormant, "AA", Failed, 3, OK, 0)}
	f := Facts{Cohort: IOC, Dormant: true, Devices: devs}
	for _, c := range []struct {
		in   ClauseSet
		want []MeterState
	}{{AllClauses, []MeterState{MeterFine, MeterUnable, MeterRetrying}}, {off(Clause18_9), []MeterState{MeterFine, MeterStuck, MeterRetrying}}} {
		rs := DefaultRules()
		rs.NotInForce = AllClauses &^ c.in
		ev := Evidence{Meters: make([]MeterState, len(devs))}
		rs.Decide(&f, &ev)
		if !reflect.DeepEqual(ev.Meters, c.want) {
			t.Errorf("in force %v: meters %v, want %v", c.in, ev.Meters, c.want)
		}
	}
	f.Devices = []Device{DeviceFields{Type: CHF, Prepay: value.No}.Device(), DeviceFields{Type: ESME, State: Dormant, Prepay: value.No}.Device(), DeviceFields{Type: GSME, State: Dormant, Prepay: value.Yes}.Device()}
	ev := Evidence{Meters: make([]MeterState, 3)}
	rs := DefaultRules()
	if o := rs.Decide(&f, &ev); o.Step != Step4 || !reflect.DeepEqual(ev.Meters, []MeterState{MeterFine, MeterNoKey, MeterFine}) {
		t.Errorf("step 4: %+v, meters %v", o, ev.Meters)
	}
}

// TestDecideEachAgrees: deciding once per clause set gives what Decide
// gives under each, on random facts.
func TestDecideEachAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	sets := []ClauseSet{AllClauses, 0}
	for _, c := range Clauses() {
		sets = append(sets, AllClauses.Without(c))
	}
	for range 20 {
		sets = append(sets, ClauseSet(rng.IntN(int(AllClauses)+1)))
	}
	out := make([]Outcome, len(sets))
	for range 20000 {
		f := randomFacts(rng)
		rs := DefaultRules()
		rs.DecideEach(&f, sets, out)
		for i, s := range sets {
			rs.NotInForce = AllClauses &^ s
			if o := rs.Decide(&f, nil); o != out[i] {
				t.Fatalf("facts %+v under %v: Decide %+v, DecideEach %+v", f, s, o, out[i])
			}
		}
	}
}

// randomFacts makes facts that reach every step.
func randomFacts(rng *rand.Rand) Facts {
	f := Facts{ID: uint32(rng.IntN(4)), Cohort: Cohort(1 + rng.IntN(4)), DupGUID: rng.IntN(20) == 0,
		Registration: rng.IntN(2) == 0, MPANUnregistered: rng.IntN(15) == 0, MPRNUnregistered: rng.IntN(15) == 0,
		Supplier: SupplierStatus(rng.IntN(3))}
	if rng.IntN(4) == 0 {
		g := GroupFacts{Latest: uint32(rng.IntN(4)), Tied: rng.IntN(5) == 0, Communicating: uint32(rng.IntN(3)),
			Communicator: uint32(rng.IntN(4)), AnyActive: rng.IntN(4) == 0}
		g.Winner = !g.AnyActive && g.Communicating == 1 && !g.Tied && g.Communicator == g.Latest
		g.CommunicatorSmets2 = g.Communicator == 3 && g.Communicating > 0
		f.Group = &g
	}
	groups := []string{"AA", "BA", "CA", "DA", "CB", "CC"}
	statuses := []Status{NotRequired, OK, Failed, Unable}
	f.Dormant = true
	for i := range 1 + rng.IntN(3) {
		t := []DeviceType{ESME, GSME, CHF, IHD}[rng.IntN(4)]
		d := DeviceFields{GUID: value.GUID(i + 1), Type: t, FwAttempts: uint32(rng.IntN(130)), CfgAttempts: uint32(rng.IntN(40)),
			Fw: statuses[rng.IntN(4)], Cfg: statuses[rng.IntN(3)]}.Device()
		g := groups[rng.IntN(len(groups))]
		d.Group = [2]byte{g[0], g[1]}
		if t.IsMeter() {
			d.SetState(Dormant)
			if rng.IntN(6) == 0 {
				d.SetState(Active)
				f.Dormant = false
			}
			if rng.IntN(30) == 0 {
				d.SetPrepay(value.No)
			}
		}
		f.Devices = append(f.Devices, d)
	}
	return f
}

func TestRulesFileClauses(t *testing.T) {
	const thresholds = "MOC_MDS firmware=15 configuration=10 groups=CB\nIOC firmware=108 configuration=30 groups=AA,BA,CA\n"
	rs, err := ParseRules(strings.NewReader(thresholds+"NOT_IN_FORCE 4.26a 18.13\n"), "x")
	if err != nil {
		t.Fatal(err)
	}
	if rs.NotInForce != 1<<Clause4_26A|1<<Clause18_13 || rs.InForce().String() != "18.9 18.10 18.11 18.12 4.1A 4.1B 4.1C" {
		t.Fatalf("not in force %v, in force %v", rs.NotInForce, rs.InForce())
	}
	var b strings.Builder
	if err := rs.Format(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\nnot_in_force 18.13 4.26A\n") {
		t.Errorf("printed:\n%s", b.String())
	}
	back, err := ParseRules(strings.NewReader(b.String()), "printed")
	if err != nil || !reflect.DeepEqual(back, rs) {
		t.Fatalf("round trip: %+v %v", back, err)
	}
	b.Reset()
	if err := DefaultRules().Format(&b); err != nil || strings.Contains(b.String(), "not_in_force") ||
		!strings.Contains(b.String(), "# clauses in force (RULES.md, Clauses in force): 18.9 18.10 18.11 18.12 18.13 4.1A 4.1B 4.1C 4.26A\n") {
		t.Errorf("defaults printed:\n%s", b.String())
	}
	if none, err := ParseRules(strings.NewReader("none\nnot_in_force 4.1C\n"), "x"); err != nil || none.NotInForce != 1<<Clause4_1C || len(none.Thresholds) != 0 {
		t.Errorf("none with a clause off: %+v %v", none, err)
	}
	for _, c := range []struct{ text, want string }{
		{thresholds + "not_in_force 18.14\n", `bad.rules: line 3: not_in_force 18.14: "18.14" is not one of the consultation's clauses`},
		{thresholds + "not_in_force 18.13 18.13\n", "bad.rules: line 3: not_in_force 18.13: clause 18.13 is listed twice"},
		{thresholds + "not_in_force 18.13\nnot_in_force 4.1c\n\nnot_in_force 4.1C\n", "bad.rules: line 6: not_in_force 4.1C: clause 4.1C is listed twice"},
		{thresholds + "not_in_force 4.26\n", "bad.rules: line 3: not_in_force 4.26: clause 4.26 cannot be switched"},
		{thresholds + "not_in_force 5.8b\n", "bad.rules: line 3: not_in_force 5.8b: clause 5.8B cannot be switched"},
		{thresholds + "not_in_force\n", "bad.rules: line 3: not_in_force names no clause"},
		{"not_in_force 18.13\n", "bad.rules: no cohort line"},
	} {
		if _, err := ParseRules(strings.NewReader(c.text), "bad.rules"); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.text, err, c.want)
		}
	}
}

func TestClauseWords(t *testing.T) {
	if got := Clause18_13.Label(); got != "Duplicate MPANs and MPRNs (18.13)" {
		t.Errorf("18.13 label %q", got)
	}
	var names []string
	for _, c := range Clauses() {
		names = append(names, c.String())
		if c.Title() == "" {
			t.Errorf("clause %s has no words", c)
		}
		if back, err := ParseClause(strings.ToLower(c.String())); err != nil || back != c {
			t.Errorf("ParseClause(%s) = %v %v", c, back, err)
		}
	}
	if strings.Join(names, " ") != "18.9 18.10 18.11 18.12 18.13 4.1A 4.1B 4.1C 4.26A" {
		t.Errorf("order %v", names)
	}
	if ClauseSet(0).String() != "none" || AllClauses.String() != strings.Join(names, " ") {
		t.Errorf("sets %q %q", ClauseSet(0), AllClauses)
	}
}

// BenchmarkDecide: the entry point on random facts, once per installation,
// and once per each of eleven clause sets (what `impact` does with all nine
// in force).
func BenchmarkDecide(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	facts := make([]Facts, 1<<16)
	for i := range facts {
		facts[i] = randomFacts(rng)
	}
	rs := DefaultRules()
	b.Run("one set", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			rs.Decide(&facts[i&(len(facts)-1)], nil)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	})
	sets := []ClauseSet{AllClauses, 0}
	for _, c := range Clauses() {
		sets = append(sets, AllClauses.Without(c))
	}
	out := make([]Outcome, len(sets))
	b.Run("eleven sets", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			rs.DecideEach(&facts[i&(len(facts)-1)], sets, out)
		}
		b.ReportMetric(float64(b.N*len(sets))/b.Elapsed().Seconds(), "decisions/s")
	})
}
