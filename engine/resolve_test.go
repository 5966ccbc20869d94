package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/s1resolve/s1resolve/value"
)

// inst describes an installation for a table test.
type inst struct {
	name   string
	mpan   uint64 // core; 0 none
	mprn   string // digits; "" none
	date   int    // days, any origin
	comm   bool
	active bool
	guids  []uint64
}

func mprnKey(s string) value.Key {
	if s == "" {
		return 0
	}
	var v uint64
	for _, c := range s {
		v = v*10 + uint64(c-'0')
	}
	return value.MPRNKey(v, len(s))
}

// population builds a Population from insts, which must be sorted by name.
func population(insts []inst) *Population {
	p := &Population{}
	for _, in := range insts {
		i := Installation{Name: InstallationName("S", in.name), Date: value.Date(in.date), Communicating: in.comm,
			Cohort: MOCMDS, First: uint32(len(p.Devices))}
		if in.mpan != 0 {
			i.MPAN = value.MPANKey(in.mpan)
		}
		i.MPRN = mprnKey(in.mprn)
		state := Dormant
		if in.active {
			state = Active
		}
		p.Devices = append(p.Devices, DeviceFields{Type: ESME, State: state, GUID: 1 << 40}.Device())
		p.Devices[len(p.Devices)-1].SetGUID(1<<40 + value.GUID(len(p.Devices))) // unique
		for _, g := range in.guids {
			p.Devices = append(p.Devices, DeviceFields{Type: IHD, GUID: value.GUID(g)}.Device())
		}
		i.Count = uint32(len(p.Devices)) - i.First
		p.Installations = append(p.Installations, i)
	}
	return p
}

type want struct {
	d      Decision
	r      Reason
	clause string
	step   Step
}

func TestResolveSteps(t *testing.T) {
	const a, b, c = 1200023305967, 1200023305971, 1100012345674
	tests := []struct {
		name  string
		insts []inst
		want  []want
		gid   []string
		size  []uint32
	}{
		{"unique", []inst{{name: "1", mpan: a, comm: true}},
			[]want{{Migrate, Unique, "", Step6}}, []string{"E1200023305967"}, []uint32{1}},
		{"unique without communication still migrates", []inst{{name: "1", mprn: "123456"}},
			[]want{{Migrate, Unique, "", Step6}}, []string{"G123456"}, []uint32{1}},
		{"step 1 dormant duplicate GUID across installations", []inst{
			{name: "1", mpan: a, guids: []uint64{7}}, {name: "2", mpan: b, guids: []uint64{7}, active: true}},
			[]want{{Exclude, DuplicateGUID, "18.12", Step1}, {Blocked, DuplicateGUID, "", Step1}}, nil, []uint32{1, 1}},
		{"step 1 GUID twice in one installation", []inst{{name: "1", mpan: a, guids: []uint64{9, 9}}},
			[]want{{Exclude, DuplicateGUID, "18.12", Step1}}, nil, nil},
		{"step 2a an active member blocks the rest", []inst{
			{name: "1", mpan: a, date: 1, comm: true}, {name: "2", mpan: a, date: 2, active: true}, {name: "3", mpan: a, date: 3}},
			[]want{{Blocked, DuplicateMPxNActive, "4.1C", Step2a}, {Blocked, DuplicateMPxNActive, "4.1C", Step2a},
				{Blocked, DuplicateMPxNActive, "4.1C", Step2a}}, []string{"E1200023305967", "E1200023305967", "E1200023305967"}, []uint32{3, 3, 3}},
		{"step 2a keeps a step-1 decision", []inst{
			{name: "1", mpan: a, active: true, guids: []uint64{5, 5}}, {name: "2", mpan: a}},
			[]want{{Blocked, DuplicateGUID, "", Step1}, {Blocked, DuplicateMPxNActive, "4.1C", Step2a}}, nil, []uint32{2, 2}},
		{"step 2b nobody communicates", []inst{{name: "1", mpan: a, date: 1}, {name: "2", mpan: a, date: 2}},
			[]want{{Exclude, NoWAN, "4.1C", Step2b}, {Exclude, NoWAN, "4.1C", Step2b}}, nil, nil},
		{"step 2c latest is the only one communicating", []inst{
			{name: "1", mpan: a, date: 1}, {name: "2", mpan: a, date: 5, comm: true}, {name: "3", mpan: a, date: 3}},
			[]want{{Exclude, DuplicateMPxN, "18.13", Step2c}, {Migrate, DuplicateResolved, "4.1C", Step6},
				{Exclude, DuplicateMPxN, "18.13", Step2c}}, nil, nil},
		{"step 2c winner with a duplicate GUID keeps step 1", []inst{
			{name: "1", mpan: a, date: 1}, {name: "2", mpan: a, date: 5, comm: true, guids: []uint64{3, 3}}},
			[]want{{Exclude, DuplicateMPxN, "18.13", Step2c}, {Exclude, DuplicateGUID, "18.12", Step1}}, nil, nil},
		{"step 2c communicating member decided at step 1 still counts", []inst{
			{name: "1", mpan: a, date: 1, comm: true, guids: []uint64{4, 4}}, {name: "2", mpan: a, date: 5, comm: true}},
			[]want{{Exclude, DuplicateGUID, "18.12", Step1}, {Exclude, DuplicateMPxN, "18.13", Step2e}}, nil, nil},
		{"step 2d the communicating one is not the latest", []inst{
			{name: "1", mpan: a, date: 1, comm: true}, {name: "2", mpan: a, date: 5}},
			[]want{{Exclude, DuplicateMPxN, "18.13", Step2d}, {Exclude, DuplicateMPxN, "18.13", Step2d}}, nil, nil},
		{"step 2d a tie on the latest date means no latest", []inst{
			{name: "1", mpan: a, date: 5, comm: true}, {name: "2", mpan: a, date: 5}, {name: "3", mpan: a, date: 1}},
			[]want{{Exclude, DuplicateMPxN, "18.13", Step2d}, {Exclude, DuplicateMPxN, "18.13", Step2d},
				{Exclude, DuplicateMPxN, "18.13", Step2d}}, nil, nil},
		{"step 2e two communicate", []inst{
			{name: "1", mpan: a, date: 1, comm: true}, {name: "2", mpan: a, date: 5, comm: true}},
			[]want{{Exclude, DuplicateMPxN, "18.13", Step2e}, {Exclude, DuplicateMPxN, "18.13", Step2e}}, nil, nil},
		{"transitive chain through MPAN then MPRN", []inst{
			{name: "1", mpan: a, mprn: "9999999", date: 1}, {name: "2", mpan: a, mprn: "0123456", date: 2},
			{name: "3", mpan: c, mprn: "0123456", date: 3, comm: true}},
			[]want{{Exclude, DuplicateMPxN, "18.13", Step2c}, {Exclude, DuplicateMPxN, "18.13", Step2c},
				{Migrate, DuplicateResolved, "4.1C", Step6}},
			[]string{"E1100012345674", "E1100012345674", "E1100012345674"}, []uint32{3, 3, 3}},
		{"group_id is the smallest printed key: G0... before G1..., no MPAN", []inst{
			{name: "1", mprn: "123456", date: 1}, {name: "2", mprn: "123456", date: 2}, {name: "3", mprn: "0999999999"}},
			nil, []string{"G123456", "G123456", "G0999999999"}, []uint32{2, 2, 1}},
		{"group_id with shared MPRN and two MPRNs of different length", []inst{
			{name: "1", mprn: "123456"}, {name: "2", mprn: "123456"}},
			nil, []string{"G123456", "G123456"}, []uint32{2, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := population(tt.insts)
			for _, workers := range []int{1, 3} {
				res, err := (&Resolver{Workers: workers}).Resolve(context.Background(), p)
				if err != nil {
					t.Fatal(err)
				}
				for i, w := range tt.want {
					o := res.Outcomes[i]
					if o.Decision != w.d || o.Reason != w.r || o.Step != w.step || o.Clause(MOCMDS) != w.clause {
						t.Errorf("installation %d: got %s/%s clause %q step %s, want %s/%s clause %q step %s", i,
							o.Decision, o.Reason, o.Clause(MOCMDS), o.Step, w.d, w.r, w.clause, w.step)
					}
				}
				for i, g := range tt.gid {
					if got, _ := res.Group(p, uint32(i)); got.String() != g {
						t.Errorf("installation %d: group_id %s, want %s", i, got, g)
					}
				}
				for i, s := range tt.size {
					if _, got := res.Group(p, uint32(i)); got != s {
						t.Errorf("installation %d: group_size %d, want %d", i, got, s)
					}
				}
			}
		})
	}
}

func TestClauses(t *testing.T) {
	tests := []struct {
		o      Outcome
		cohort Cohort
		want   string
	}{
		{Outcome{Exclude, FwConfigFailure, Step5}, MOCMDS, "18.10"},
		{Outcome{Exclude, FwConfigFailure, Step5}, IOC, "18.11"},
		{Outcome{MigratePartial, GasFailurePartial, Step5}, MOCMDS, "4.26A"},
		{Outcome{MigratePartial, GasFailurePartial, Step5}, IOC, "5.8B"},
		{Outcome{Blocked, MPxNNotRegistered, Step3}, IOC, ""},
		{Outcome{Exclude, MPxNNotRegistered, Step3}, IOC, "18.12"},
		{Outcome{Pending, FwNoExclusionCategory, Step5}, IOC, ""},
		{Outcome{Migrate, Unique, Step6}, FOC, ""},
	}
	for _, tt := range tests {
		if got := tt.o.Clause(tt.cohort); got != tt.want {
			t.Errorf("%s/%s %s: clause %q, want %q", tt.o.Decision, tt.o.Reason, tt.cohort, got, tt.want)
		}
	}
}

func TestSortKeyRefs(t *testing.T) {
	refs := []KeyRef{{5, 0}, {1 << 60, 1}, {5, 2}, {0, 3}, {1<<60 + 1, 4}, {5, 5}, {1<<63 + 7, 9}}
	SortKeyRefs(refs, 3)
	want := []KeyRef{{0, 3}, {5, 0}, {5, 2}, {5, 5}, {1 << 60, 1}, {1<<60 + 1, 4}, {1<<63 + 7, 9}}
	for i := range want {
		if refs[i] != want[i] {
			t.Fatalf("got %v, want %v", refs, want)
		}
	}
	// A large random slice against the standard library's sort.
	big := make([]KeyRef, 100000)
	for i := range big {
		big[i] = KeyRef{Mix(uint64(i*7919) % 70000), uint32(i)} // made in id order, as the resolver does
	}
	big[5].K = big[6].K + 1 // two keys sharing their top 24 bits, out of order
	big[7].K = big[6].K
	want2 := append([]KeyRef(nil), big...)
	slices.SortFunc(want2, compareKeyRefs)
	SortKeyRefs(big, 2)
	if !slices.Equal(big, want2) {
		t.Fatal("SortKeyRefs disagrees with slices.SortFunc")
	}
	// One key on half the rows (a placeholder GUID), others rare, and
	// keys crowded into one top byte: the in-place pass scrambles equal
	// keys, and the order by id must come back.
	for _, workers := range []int{1, 2, 3} {
		skew := make([]KeyRef, 200_000)
		for i := range skew {
			switch {
			case i%2 == 0:
				skew[i] = KeyRef{Mix(42), uint32(i)}
			case i%3 == 0:
				skew[i] = KeyRef{0xAB<<56 | uint64(i%1000), uint32(i)}
			default:
				skew[i] = KeyRef{Mix(uint64(i % 5000)), uint32(i)}
			}
		}
		want3 := append([]KeyRef(nil), skew...)
		slices.SortFunc(want3, compareKeyRefs)
		SortKeyRefs(skew, workers)
		if !slices.Equal(skew, want3) {
			t.Fatalf("%d workers: SortKeyRefs disagrees with slices.SortFunc on skewed keys", workers)
		}
	}
}

// TestSortKeyRefsBucketSizes: buckets on either side of cacheRefs, where
// sortBucket starts splitting on the next byte, and buckets whose parts
// are again larger than cacheRefs (keys sharing 16 and 24 top bits), each
// against slices.SortFunc, for one and two workers.
func TestSortKeyRefsBucketSizes(t *testing.T) {
	for _, shared := range []uint{8, 16, 24} {
		for _, n := range []int{cacheRefs - 1, cacheRefs, cacheRefs + 1, 3*cacheRefs + 7} {
			for _, workers := range []int{1, 2} {
				refs := make([]KeyRef, n+1000)
				prefix := uint64(0x7F5A3C) >> (24 - shared) << (64 - shared)
				for i := range refs {
					k := Mix(uint64(i))
					if i < n { // the crowded bucket; the rest spread over all top bytes
						k = prefix | k>>shared
						if i%5 == 0 {
							k = prefix | uint64(i%97) // equal keys, low bits only
						}
					}
					refs[i] = KeyRef{k, uint32(i)}
				}
				want := append([]KeyRef(nil), refs...)
				slices.SortFunc(want, compareKeyRefs)
				SortKeyRefs(refs, workers)
				if !slices.Equal(refs, want) {
					t.Fatalf("%d top bits shared by %d refs, %d workers: SortKeyRefs disagrees with slices.SortFunc", shared, n, workers)
				}
			}
		}
	}
}

// TestGroupFacts: the facts step 2 records are the ones it decided on.
func TestGroupFacts(t *testing.T) {
	const a, b, c, d = 1200023305967, 1200023305971, 1100012345674, 1412345678901
	p := population([]inst{
		{name: "1", mpan: a, date: 5, comm: true}, // a: 2c, winner 1 (latest)
		{name: "2", mpan: a, date: 3},
		{name: "3", mpan: b, date: 7, comm: true}, // b: 2d, tie between 3 and 4
		{name: "4", mpan: b, date: 7},
		{name: "5", mpan: c, date: 1, active: true}, // c: 2a, active 5
		{name: "6", mpan: c, date: 2, comm: true},
		{name: "7", mpan: d, date: 1}, // alone: no facts
	})
	res, err := (&Resolver{Workers: 2}).Resolve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := []GroupFacts{
		{Root: 0, Key: value.MPANKey(a), Size: 2, Latest: 0, Communicating: 1, Communicator: 0, Winner: true},
		{Root: 2, Key: value.MPANKey(b), Size: 2, Latest: 2, Tied: true, Communicating: 1, Communicator: 2},
		{Root: 4, Key: value.MPANKey(c), Size: 2, Latest: 5, Communicating: 1, Communicator: 5, AnyActive: true, Active: 4},
	}
	if !slices.Equal(res.Groups, want) {
		t.Fatalf("facts\n%+v\nwant\n%+v", res.Groups, want)
	}
	if key, size := res.Group(p, 6); key != value.MPANKey(d) || size != 1 {
		t.Errorf("installation 7 alone: group %s of %d, want %s of 1", key, size, value.MPANKey(d))
	}
	for _, root := range []uint32{0, 2, 4} {
		if f, ok := res.GroupFacts(root); !ok || f.Root != root {
			t.Errorf("GroupFacts(%d) = %+v %v", root, f, ok)
		}
	}
	if _, ok := res.GroupFacts(6); ok {
		t.Error("a group of one has facts")
	}
}

// TestMeterFacts: step 5 records what it made of each meter of the
// installations it decides.
func TestMeterFacts(t *testing.T) {
	p := &Population{
		Installations: []Installation{
			{Name: "S\x00a", MPAN: value.MPANKey(1200023305967), Cohort: IOC, First: 0, Count: 3},
			{Name: "S\x00b", MPAN: value.MPANKey(1100012345674), Cohort: MOCMDS, First: 3, Count: 2},
		},
		Devices: []Device{
			DeviceFields{GUID: 1, Type: CHF}.Device(),
			DeviceFields{GUID: 2, Type: ESME, State: Dormant, Fw: Unable, Group: [2]byte{'A', 'A'}}.Device(),
			DeviceFields{GUID: 3, Type: GSME, State: Dormant, Fw: Failed, FwAttempts: 200, Group: [2]byte{'B', 'A'}}.Device(),
			DeviceFields{GUID: 4, Type: ESME, State: Dormant, Fw: Failed, FwAttempts: 3, Group: [2]byte{'C', 'B'}}.Device(),
			DeviceFields{GUID: 5, Type: GSME, State: Dormant, Cfg: Failed, CfgAttempts: 0}.Device(),
		},
	}
	res, err := (&Resolver{Rules: defaultRules()}).Resolve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := []MeterState{MeterFine, MeterUnable, MeterPersistent, MeterRetrying, MeterRetrying}
	if !slices.Equal(res.Meters, want) {
		t.Fatalf("meters %v, want %v", res.Meters, want)
	}
	if res.Outcomes[0].Reason != FwUnable || res.Outcomes[1].Reason != FwRetry {
		t.Fatalf("outcomes %+v", res.Outcomes)
	}
}

// TestSmets2Members: SMETS2+ members count in step 2 as RULES.md says,
// join groups, and get no decision.
func TestSmets2Members(t *testing.T) {
	const a, b = 1200023305967, 1100012345674
	type s2 struct {
		mpan uint64
		mprn string
		date int
		comm bool
	}
	tests := []struct {
		name   string
		insts  []inst
		smets2 []s2
		want   []want
		gid    []string
		size   []uint32
	}{
		{"later and communicating: replaced", []inst{{name: "1", mpan: a, date: 1, comm: false}},
			[]s2{{mpan: a, date: 2, comm: true}},
			[]want{{Exclude, Smets2Replaced, "18.13", Step2c}}, []string{"E1200023305967"}, []uint32{2}},
		{"later but not communicating, SMETS1 communicates: 2d", []inst{{name: "1", mpan: a, date: 1, comm: true}},
			[]s2{{mpan: a, date: 2}},
			[]want{{Exclude, DuplicateMPxN, "18.13", Step2d}}, nil, nil},
		{"SMETS1 latest and only one communicating: it goes forward", []inst{{name: "1", mpan: a, date: 3, comm: true}},
			[]s2{{mpan: a, date: 2}},
			[]want{{Migrate, DuplicateResolved, "4.1C", Step6}}, nil, []uint32{2}},
		{"same date: no latest, 2d", []inst{{name: "1", mpan: a, date: 2}},
			[]s2{{mpan: a, date: 2, comm: true}},
			[]want{{Exclude, DuplicateMPxN, "18.13", Step2d}}, nil, nil},
		{"two communicate: 2e", []inst{{name: "1", mpan: a, date: 1, comm: true}},
			[]s2{{mpan: a, date: 2, comm: true}},
			[]want{{Exclude, DuplicateMPxN, "18.13", Step2e}}, nil, nil},
		{"none communicates: no WAN", []inst{{name: "1", mpan: a, date: 1}},
			[]s2{{mpan: a, date: 2}},
			[]want{{Exclude, NoWAN, "4.1C", Step2b}}, nil, nil},
		{"an Active SMETS1 member blocks, SMETS2+ or not", []inst{{name: "1", mpan: a, date: 1, active: true}},
			[]s2{{mpan: a, date: 2, comm: true}},
			[]want{{Blocked, DuplicateMPxNActive, "4.1C", Step2a}}, nil, nil},
		{"SMETS2+ bridges two installations into one group", []inst{{name: "1", mpan: a, date: 1}, {name: "2", mprn: "1234567", date: 1}},
			[]s2{{mpan: a, mprn: "1234567", date: 5, comm: true}},
			[]want{{Exclude, Smets2Replaced, "18.13", Step2c}, {Exclude, Smets2Replaced, "18.13", Step2c}},
			[]string{"E1200023305967", "E1200023305967"}, []uint32{3, 3}},
		{"a SMETS2+ key smaller than any SMETS1 key is the group_id", []inst{{name: "1", mprn: "9999999", date: 1}},
			[]s2{{mprn: "9999999", mpan: a, date: 0}, {mprn: "0000001", date: 0}},
			[]want{{Exclude, NoWAN, "4.1C", Step2b}}, []string{"E1200023305967"}, []uint32{2}},
		{"SMETS2+ matching nothing changes nothing", []inst{{name: "1", mpan: a, comm: true}},
			[]s2{{mpan: b, date: 9, comm: true}},
			[]want{{Migrate, Unique, "", Step6}}, []string{"E1200023305967"}, []uint32{1}},
		{"a duplicate GUID keeps step 1 when SMETS2+ replaces the rest",
			[]inst{{name: "1", mpan: a, date: 1, guids: []uint64{7}}, {name: "2", mpan: a, date: 1, guids: []uint64{7}, active: false}},
			[]s2{{mpan: a, date: 3, comm: true}},
			[]want{{Exclude, DuplicateGUID, "18.12", Step1}, {Exclude, DuplicateGUID, "18.12", Step1}}, nil, []uint32{3, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := population(tt.insts)
			for i, s := range tt.smets2 {
				m := Smets2{ID: string(rune('a' + i)), MPRN: mprnKey(s.mprn), Date: value.Date(s.date), Communicating: s.comm}
				if s.mpan != 0 {
					m.MPAN = value.MPANKey(s.mpan)
				}
				p.Smets2 = append(p.Smets2, m)
			}
			res, err := (&Resolver{Workers: 2}).Resolve(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Outcomes) != len(tt.insts) {
				t.Fatalf("%d outcomes for %d installations", len(res.Outcomes), len(tt.insts))
			}
			for i, w := range tt.want {
				o := res.Outcomes[i]
				if o.Decision != w.d || o.Reason != w.r || o.Step != w.step || o.Clause(MOCMDS) != w.clause {
					t.Errorf("installation %d: %s/%s step %s clause %q, want %s/%s step %s clause %q", i, o.Decision, o.Reason, o.Step, o.Clause(MOCMDS), w.d, w.r, w.step, w.clause)
				}
			}
			for i, g := range tt.gid {
				if got, _ := res.Group(p, uint32(i)); got.String() != g {
					t.Errorf("installation %d: group_id %s, want %s", i, got, g)
				}
			}
			for i, n := range tt.size {
				if _, got := res.Group(p, uint32(i)); got != n {
					t.Errorf("installation %d: group_size %d, want %d", i, got, n)
				}
			}
		})
	}
}

// TestDuplicateGUIDsByPart: the duplicate GUIDs found a part of the GUIDs
// at a time (no postings kept) are those the whole sort finds, and those a
// count of every GUID finds, for any worker count; a GUID twice in one
// installation counts.
func TestDuplicateGUIDsByPart(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	var insts []inst
	for i := range 5000 {
		in := inst{name: fmt.Sprintf("%05d", i), mpan: uint64(1000000 + i)}
		for range rng.IntN(4) {
			in.guids = append(in.guids, rng.Uint64N(6000)) // a small space: many repeats
		}
		insts = append(insts, in)
	}
	p := population(insts)
	holders := map[value.GUID]int{}
	for _, d := range p.Devices {
		holders[d.GUID()]++
	}
	want := make([]bool, len(p.Installations))
	dups := 0
	for id := range p.Installations {
		for _, d := range p.DevicesOf(uint32(id)) {
			if holders[d.GUID()] > 1 {
				want[id] = true
			}
		}
		if want[id] {
			dups++
		}
	}
	if dups < 100 || dups > 4900 {
		t.Fatalf("%d installations with a duplicate GUID: the test needs some, not all", dups)
	}
	for _, postings := range []bool{false, true} {
		for _, workers := range []int{1, 2, 5} {
			res, err := (&Resolver{Workers: workers, GUIDPostings: postings}).Resolve(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.DupGUID, want) {
				t.Errorf("postings %v, %d workers: duplicate GUIDs differ from a count of every GUID", postings, workers)
			}
			if (res.GUIDRefs != nil) != postings {
				t.Errorf("postings %v: GUIDRefs kept %v", postings, res.GUIDRefs != nil)
			}
			if postings {
				var refs []GUIDRef // one per row, sorted as numbers
				for id := range p.Installations {
					for _, d := range p.DevicesOf(uint32(id)) {
						refs = append(refs, NewGUIDRef(Mix(uint64(d.GUID())), uint32(id)))
					}
				}
				slices.Sort(refs)
				if !slices.Equal(res.GUIDRefs, refs) {
					t.Errorf("%d workers: GUIDRefs are not a sorted ref of every device row", workers)
				}
			}
		}
	}
}

// TestGUIDRefsShareKeyBits: two GUIDs whose mixed keys share their top 32
// bits make one run of refs, ordered by installation whatever the order of
// the full keys.
func TestGUIDRefsShareKeyBits(t *testing.T) {
	pairs := []KeyRef{ // sorted by (K, ID), as a part comes out of its sort
		{0x0000_0001_0000_0000, 2},
		{0xAAAA_BBBB_0000_0001, 9},
		{0xAAAA_BBBB_0000_0001, 11},
		{0xAAAA_BBBB_0000_0002, 3},
		{0xAAAA_BBBB_0000_0002, 10},
		{0xAAAA_BBBC_0000_0000, 1},
	}
	var refs []GUIDRef
	for _, p := range pairs {
		refs = append(refs, NewGUIDRef(p.K, p.ID))
	}
	sortGUIDRefs(refs)
	var got []uint32
	for _, r := range refs {
		got = append(got, r.ID())
	}
	if want := []uint32{2, 3, 9, 10, 11, 1}; !slices.Equal(got, want) || refs[1].Key() != 0xAAAA_BBBB {
		t.Fatalf("ids %v, want %v (key %x)", got, want, refs[1].Key())
	}
}

// TestMPxNRefs: the refs are one (mixed key, member) pair per MPxN present,
// installations then SMETS2+ members, in the order a sort by (key, member)
// gives, for any worker count.
func TestMPxNRefs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 11))
	var insts []inst
	for i := range 3000 {
		in := inst{name: fmt.Sprintf("%05d", i)}
		if rng.IntN(5) > 0 {
			in.mpan = uint64(1000000 + rng.IntN(2500)) // shared MPANs
		}
		if rng.IntN(3) == 0 {
			in.mprn = fmt.Sprint(2000 + rng.IntN(900))
		}
		insts = append(insts, in)
	}
	p := population(insts)
	p.Smets2 = []Smets2{{ID: "a", MPAN: value.MPANKey(1000007)}, {ID: "b", MPRN: mprnKey("2001")}, {ID: "c"}}
	var want []KeyRef
	for m := range p.Members() {
		var keys []value.Key
		if m < len(p.Installations) {
			keys = p.Installations[m].Keys()
		} else {
			keys = p.Smets2[m-len(p.Installations)].Keys()
		}
		for _, k := range keys {
			want = append(want, KeyRef{Mix(uint64(k)), uint32(m)})
		}
	}
	slices.SortFunc(want, compareKeyRefs)
	if len(want) < 3000 {
		t.Fatalf("%d refs: the test needs most installations to hold an MPxN", len(want))
	}
	for _, workers := range []int{1, 2, 7} {
		refs := MPxNRefs(p, workers)
		if !slices.Equal(refs.S, want) {
			t.Errorf("%d workers: refs differ from a sort of every member's MPxNs", workers)
		}
		refs.Free()
	}
}
