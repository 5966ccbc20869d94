package index

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// factsPopulation makes n installations over several pages: pairs sharing
// an MPAN of every step 2 kind, some won by a SMETS2+ member, meters
// failing, MPxNs left unregistered, suppliers of every status.
func factsPopulation(n int) (*engine.Population, *engine.Registry) {
	pop := &engine.Population{Files: []string{"a.csv"}}
	reg := engine.NewRegistry()
	mpan := func(i int) value.Key { return value.MPANKey(uint64(1000000000000 + i)) }
	for i := range n {
		in := engine.Installation{Name: engine.InstallationName("S", fmt.Sprintf("%05d", i)), MPAN: mpan(i / 2 * 2), MPRN: value.MPRNKey(uint64(i), 10),
			Date: value.Date(1000 + i), First: uint32(len(pop.Devices)), Cohort: engine.Cohort(1 + i%4)}
		switch kind := i / 2 % 5; {
		case kind == 0 || kind == 4: // a group of one
			in.MPAN, in.Communicating = mpan(1<<20+i), true
		case kind == 1: // the later of a pair communicates: 2c
			in.Communicating = i%2 == 1
		case kind == 2: // a SMETS2+ member, later, communicates: 2c
			if i%2 == 0 {
				pop.Smets2 = append(pop.Smets2, engine.Smets2{ID: fmt.Sprintf("v%d", i), MPAN: in.MPAN, Date: 5000, Communicating: true})
			}
		case kind == 3: // both communicate: 2e, or neither: 2b
			in.Communicating = i%4 < 2
		}
		state := engine.Dormant
		if i%11 == 0 {
			state = engine.Active
		}
		fw := []engine.Status{engine.OK, engine.Failed, engine.Unable, engine.NotRequired}[i/4%4]
		pop.Devices = append(pop.Devices,
			engine.DeviceFields{GUID: value.GUID(1<<32 + i), Type: engine.ESME, State: state, Fw: fw, FwAttempts: uint32(i % 200), Group: [2]byte{'A', 'A'}}.Device(),
			engine.DeviceFields{GUID: value.GUID(2<<32 + i), Type: engine.GSME, State: engine.Dormant, Cfg: engine.Failed, CfgAttempts: uint32(i % 40), Group: [2]byte{'C', 'B'}}.Device())
		if i%97 == 0 {
			pop.Devices[len(pop.Devices)-1].SetGUID(77) // duplicate GUIDs
		}
		in.Count = 2
		pop.Installations = append(pop.Installations, in)
		if i%13 != 0 {
			reg.Add(in.MPAN, fmt.Sprintf("SUP%d", i%3), uint32(i+2))
		}
		if i%17 != 0 {
			reg.Add(in.MPRN, "SUP0", uint32(i+2))
		}
	}
	reg.Seal(1)
	reg.SetStatus("SUP1", engine.CeasedTrading)
	reg.SetStatus("SUP2", engine.NotLiveUser)
	rowsInOrder(pop)
	return pop, reg
}

// TestFactsRoundTrip: the store keeps every fact the rules read: each
// installation decided again from its record (FactsOf) or from the
// parallel scan (ScanFacts), under the store's rules or others, is decided
// as the Resolver decides it from the population.
func TestFactsRoundTrip(t *testing.T) {
	pop, reg := factsPopulation(700)
	rs := engine.DefaultRules()
	rs.NotInForce = rs.NotInForce.With(engine.Clause18_13).With(engine.Clause4_1A)
	res, err := (&engine.Resolver{Workers: 2, Rules: &rs, Registry: reg, Registration: true, GUIDPostings: true}).Resolve(context.Background(), pop)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "db")
	if err := Write(context.Background(), dir, pop, res, Extras{Rules: rs, Registry: reg, Registration: "reg.csv"}, 2); err != nil {
		t.Fatal(err)
	}
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stored, err := st.RuleSet()
	if err != nil || !reflect.DeepEqual(stored, rs) {
		t.Fatalf("the store's rules %+v (%v), want %+v", stored, err, rs)
	}
	other := engine.DefaultRules()
	other.NotInForce = engine.AllClauses.Without(engine.Clause4_26A)
	otherRes, err := (&engine.Resolver{Workers: 1, Rules: &other, Registry: reg, Registration: true, GUIDPostings: true}).Resolve(context.Background(), pop)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[engine.Outcome]bool{}
	var f engine.Facts
	recs := make([]engine.Facts, len(pop.Installations))
	for id := range pop.Installations {
		r, err := st.Installation(uint32(id))
		if err != nil {
			t.Fatal(err)
		}
		st.FactsOf(r, &f)
		if o := stored.Decide(&f, nil); o != res.Outcomes[id] || o != r.Outcome {
			t.Fatalf("installation %d: decided %+v from its record, %+v stored, %+v by the Resolver", id, o, r.Outcome, res.Outcomes[id])
		}
		if o := other.Decide(&f, nil); o != otherRes.Outcomes[id] {
			t.Fatalf("installation %d under other rules: %+v from its record, %+v by the Resolver", id, o, otherRes.Outcomes[id])
		}
		kinds[res.Outcomes[id]] = true
		recs[id] = f
		recs[id].Devices = append([]engine.Device(nil), f.Devices...)
		if f.Group != nil {
			g := *f.Group
			recs[id].Group = &g
		}
	}
	if len(kinds) < 15 || !kinds[engine.Outcome{Decision: engine.Blocked, Reason: engine.Smets2Replaced, Step: engine.Step2c}] {
		t.Errorf("the population reaches only %d outcomes: %v", len(kinds), kinds)
	}
	var mu sync.Mutex
	seen := make([]bool, len(pop.Installations))
	if err := st.ScanFacts(context.Background(), 3, func(w int, f *engine.Facts) error {
		mu.Lock()
		defer mu.Unlock()
		if w < 0 || w >= 3 || seen[f.ID] {
			return fmt.Errorf("worker %d, installation %d seen before", w, f.ID)
		}
		seen[f.ID] = true
		if !reflect.DeepEqual(*f, recs[f.ID]) {
			return fmt.Errorf("installation %d: scanned %+v, record %+v", f.ID, *f, recs[f.ID])
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for id, ok := range seen {
		if !ok {
			t.Fatalf("installation %d not scanned", id)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := st.ScanFacts(ctx, 2, func(int, *engine.Facts) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled scan: %v", err)
	}
	stop := errors.New("stop")
	if err := st.ScanFacts(context.Background(), 2, func(int, *engine.Facts) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("an error of fn: %v", err)
	}
}
