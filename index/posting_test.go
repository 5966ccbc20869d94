package index

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// colliding returns n pairs of distinct keys made by mk whose mixed keys
// share bucket and fingerprint: the pairs a lookup must tell apart by the
// records.
func colliding(rng *rand.Rand, n int, mk func(*rand.Rand) uint64) [][2]uint64 {
	seen := map[uint32]uint64{}
	var out [][2]uint64
	for len(out) < n {
		k := mk(rng)
		top := uint32(engine.Mix(k) >> 32)
		if o, ok := seen[top]; ok && o != k {
			out = append(out, [2]uint64{o, k})
			delete(seen, top)
			continue
		}
		seen[top] = k
	}
	return out
}

// TestPostingsAgainstPopulation: every GUID and MPxN of a population finds
// exactly the installations holding it and, for a GUID, its rows, although
// some keys share bucket and fingerprint; an absent key that shares them
// with a present one finds nothing.
func TestPostingsAgainstPopulation(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	// Pairs 0-39 are both present; of pairs 40-79 one key only.
	guidPairs := colliding(rng, 80, func(r *rand.Rand) uint64 { return r.Uint64() })
	mprnPairs := colliding(rng, 80, func(r *rand.Rand) uint64 { return uint64(value.MPRNKey(r.Uint64N(1e10), 10)) })
	const n = 3000
	pop := &engine.Population{Files: []string{"a.csv"}}
	var absentGUIDs []value.GUID
	var absentKeys []value.Key
	for i := 0; i < n; i++ {
		in := engine.Installation{Name: "S\x00" + string(rune('a'+i%26)) + value.YN(i%2 == 0) + string(rune(0x100+i)),
			Cohort: engine.FOC, First: uint32(len(pop.Devices))}
		switch {
		case i < 80:
			in.MPRN = value.Key(mprnPairs[i/2][i%2]) // both keys of a pair present
		case i < 120:
			p := mprnPairs[i-40]
			in.MPRN = value.Key(p[0])
			absentKeys = append(absentKeys, value.Key(p[1]))
		default:
			in.MPRN = value.MPRNKey(uint64(rng.IntN(n/2)), 8) // shared by two or so
		}
		devs := 1 + rng.IntN(4)
		for d := 0; d < devs; d++ {
			g := value.GUID(rng.Uint64())
			switch {
			case d == 0 && i < 80:
				g = value.GUID(guidPairs[i/2][i%2])
			case d == 0 && i < 120:
				p := guidPairs[i-40]
				g = value.GUID(p[0])
				absentGUIDs = append(absentGUIDs, value.GUID(p[1]))
			case d == 1 && i%50 == 0:
				g = 7 // one GUID on many installations
			case d == 2:
				g = pop.Devices[in.First].GUID() // twice in one installation
			}
			pop.Devices = append(pop.Devices, engine.DeviceFields{GUID: g, Type: engine.CHF}.Device())
		}
		in.Count = uint32(devs)
		pop.Installations = append(pop.Installations, in)
	}
	slices.SortFunc(pop.Installations, func(a, b engine.Installation) int { return compareStrings(a.Name, b.Name) })
	// Devices follow their installations' new order.
	var devs []engine.Device
	for id := range pop.Installations {
		in := &pop.Installations[id]
		devs = append(devs, pop.Devices[in.First:in.First+in.Count]...)
		in.First = uint32(len(devs)) - in.Count
	}
	pop.Devices = devs
	rowsInOrder(pop)
	res, err := (&engine.Resolver{Workers: 2, GUIDPostings: true}).Resolve(context.Background(), pop)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "db")
	// As a run writes it: the GUID refs handed back as they are written.
	if err := Write(context.Background(), dir, pop, res, Extras{Rules: engine.DefaultRules(), ConsumeGUIDRefs: true}, 2); err != nil {
		t.Fatal(err)
	}
	if res.GUIDRefs != nil {
		t.Error("the GUID refs are still held after a write that consumed them")
	}
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	wantGUID := map[value.GUID][]uint32{}
	wantRows := map[value.GUID]int{}
	wantKey := map[value.Key][]uint32{}
	for id, in := range pop.Installations {
		for _, d := range pop.DevicesOf(uint32(id)) {
			if l := wantGUID[d.GUID()]; len(l) == 0 || l[len(l)-1] != uint32(id) {
				wantGUID[d.GUID()] = append(l, uint32(id))
			}
			wantRows[d.GUID()]++
		}
		wantKey[in.MPRN] = append(wantKey[in.MPRN], uint32(id))
	}
	for g, want := range wantGUID {
		ids, rows, err := st.ByGUID(g)
		if err != nil || !slices.Equal(ids, want) || rows != wantRows[g] {
			t.Fatalf("ByGUID(%v) = %v, %d rows, %v; want %v, %d rows", g, ids, rows, err, want, wantRows[g])
		}
	}
	for k, want := range wantKey {
		ids, err := st.ByMPxN(k)
		if err != nil || !slices.Equal(ids, want) {
			t.Fatalf("ByMPxN(%v) = %v, %v; want %v", k, ids, err, want)
		}
	}
	// Groups: installations sharing an MPRN, transitively (each holds one
	// key here, so a group is the holders of one key).
	for id := 0; id < len(pop.Installations); id += 7 {
		recs, err := st.Group(uint32(id))
		if err != nil {
			t.Fatal(err)
		}
		var got []uint32
		for _, r := range recs {
			got = append(got, r.ID)
		}
		if want := wantKey[pop.Installations[id].MPRN]; !slices.Equal(got, want) {
			t.Fatalf("Group(%d) = %v, want %v", id, got, want)
		}
	}
	for _, g := range absentGUIDs {
		if ids, rows, err := st.ByGUID(g); err != nil || len(ids) != 0 || rows != 0 {
			t.Fatalf("absent GUID %v found %v, %d rows, %v", g, ids, rows, err)
		}
	}
	for _, k := range absentKeys {
		if ids, err := st.ByMPxN(k); err != nil || len(ids) != 0 {
			t.Fatalf("absent key %v found %v, %v", k, ids, err)
		}
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
