package ingest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/value"
)

// testRun is one run as a test writes it.
type testRun struct {
	name string
	ref  instFields
	bad  bool // a row with its own problem: the run is spoilt
}

// loaderOf builds a loader holding chunks of the given runs, in order.
func loaderOf(chunks [][]testRun, workers int) *loader {
	l := &loader{opt: Options{Workers: workers}}
	for seq, runs := range chunks {
		c := &chunk{seq: seq}
		var names strings.Builder
		for _, r := range runs {
			c.runs = append(c.runs, run{nameOff: uint32(names.Len()), nameLen: uint32(len(r.name)), rows: uint32(1 + len(r.name)%3), ref: r.ref,
				hasRef: !r.bad, bad: r.bad})
			names.WriteString(r.name)
		}
		c.names = names.String()
		l.chunks = append(l.chunks, c)
	}
	return l
}

// wantGather is the slow reading of gather: runs of one name, anywhere,
// are one installation, valid when no run is spoilt and all agree; valid
// installations are numbered in byte order of their names, and filled from
// their first run.
func wantGather(chunks [][]testRun) (names []string, refs map[string]instFields, counts map[string]uint32, runID []runRef, rejected map[uint32]string) {
	type inst struct {
		first uint32
		runs  []uint32
		rows  uint32
		ref   instFields
		valid bool
	}
	byName := map[string]*inst{}
	g := uint32(0)
	for _, runs := range chunks {
		for _, r := range runs {
			in := byName[r.name]
			if in == nil {
				in = &inst{first: g, ref: r.ref, valid: true}
				byName[r.name] = in
			}
			in.runs = append(in.runs, g)
			in.rows += uint32(1 + len(r.name)%3) // as loaderOf counts them
			if r.bad || r.ref != in.ref {
				in.valid = false
			}
			g++
		}
	}
	runID = make([]runRef, g)
	refs = map[string]instFields{}
	counts = map[string]uint32{}
	rejected = map[uint32]string{}
	for name, in := range byName {
		if in.valid {
			names = append(names, name)
			refs[name] = in.ref
			counts[name] = in.rows
			continue
		}
		rejected[in.first] = name
		for _, r := range in.runs {
			runID[r] = rejectedRef(in.first)
		}
	}
	slices.Sort(names)
	for id, name := range names {
		for _, r := range byName[name].runs {
			runID[r] = validRef(uint32(id), false)
		}
		runID[byName[name].first] = validRef(runID[byName[name].first].ID(), true)
	}
	return names, refs, counts, runID, rejected
}

func checkGather(t *testing.T, chunks [][]testRun, workers int) {
	t.Helper()
	l := loaderOf(chunks, workers)
	gd, err := l.gather(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pop := gd.pop
	names, refs, counts, runID, rejected := wantGather(chunks)
	if len(pop.Installations) != len(names) {
		t.Fatalf("%d workers: %d valid installations, want %d", workers, len(pop.Installations), len(names))
	}
	for id, in := range pop.Installations {
		ref := refs[names[id]]
		if in.Name != names[id] || in.MPAN != ref.MPAN || in.Date != ref.Date || in.Count != counts[names[id]] {
			t.Fatalf("%d workers: installation %d is %q %v %v %d rows, want %q %v %v %d", workers, id, in.Name, in.MPAN, in.Date,
				in.Count, names[id], ref.MPAN, ref.Date, counts[names[id]])
		}
	}
	if !slices.Equal(gd.refs, runID) {
		for g := range runID {
			if gd.refs[g] != runID[g] {
				t.Fatalf("%d workers: run %d in %x, want %x", workers, g, gd.refs[g], runID[g])
			}
		}
	}
	if fmt.Sprint(gd.rejectedNames) != fmt.Sprint(rejected) {
		t.Fatalf("%d workers: rejected %v, want %v", workers, gd.rejectedNames, rejected)
	}
}

// TestGatherCases: the names that equal keys could confuse.
func TestGatherCases(t *testing.T) {
	a := instFields{MPAN: value.MPANKey(1200023305967)}
	b := instFields{MPAN: value.MPANKey(1100012345674)}
	long := "SMSO\x00ABCDEFGHIJKLMNOPQRSTUVWXYZ-"
	chunks := [][]testRun{
		{{name: "SMSO\x00x", ref: a}, {name: "SMSO\x00y", ref: b}, {name: "SMSO\x00x", ref: a}},
		{{name: "SMSO\x00z", bad: true}, {name: "SMSO\x00y", ref: b}, {name: "SMSO\x00w", ref: a}},
		{{name: "SMSO\x00w", ref: b}},                                     // w disagrees: rejected
		{{name: long + "1", ref: a}, {name: long + "2", ref: b}},          // equal in their first 16 bytes
		{{name: long + "2", ref: b}, {name: long + "1", ref: a}},          // and met again, in the other order
		{{name: "SMSO\x00v", ref: a}, {name: "SMSO\x00v\x00", bad: true}}, // pads to v's key, other length
		{{name: "XMSO\x00x", bad: true}},                                  // lacks the shared prefix
		{{name: "SMSO\x00" + string(make([]byte, 40)), bad: true}},        // NULs, and long
		{},
	}
	for _, w := range []int{1, 2, 3} {
		checkGather(t, chunks, w)
	}
	checkGather(t, nil, 2)
	checkGather(t, [][]testRun{{{name: "S\x00only", bad: true}}}, 2)
}

// TestGatherRandom checks gather against its slow reading on many runs
// (several parts per worker), names short and long, some spoilt, some met
// in several chunks.
func TestGatherRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	refs := []instFields{{MPAN: value.MPANKey(1200023305967)}, {MPAN: value.MPANKey(1100012345674)}}
	var chunks [][]testRun
	for c := 0; c < 40; c++ {
		var runs []testRun
		for i := 0; i < 5000; i++ {
			name := fmt.Sprintf("SMSO_%c\x00INS-%d", 'A'+rng.IntN(3), rng.IntN(150_000))
			if rng.IntN(10) == 0 {
				name += "-with-a-long-tail-" + fmt.Sprint(rng.IntN(3))
			}
			r := testRun{name: name, ref: refs[0]}
			switch rng.IntN(500) {
			case 0:
				r.bad = true
			case 1:
				r.ref = refs[1]
			case 2:
				r.name, r.bad = "junk"+fmt.Sprint(rng.IntN(5)), true
			}
			runs = append(runs, r)
		}
		chunks = append(chunks, runs)
	}
	for _, w := range []int{1, 2, 5} {
		checkGather(t, chunks, w)
	}
}

// BenchmarkGather measures gather, the radix sort of every run by its name
// that gathers each installation's runs and numbers the installations:
// 200,000 runs of 150,000 names in 40 chunks, about as one input file's
// blocks hold them.
func BenchmarkGather(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	ref := instFields{MPAN: value.MPANKey(1200023305967)}
	var chunks [][]testRun
	for c := 0; c < 40; c++ {
		var runs []testRun
		for i := 0; i < 5000; i++ {
			runs = append(runs, testRun{name: fmt.Sprintf("SMSO_%c\x00INS-%08d", 'A'+rng.IntN(3), rng.IntN(150_000)), ref: ref})
		}
		chunks = append(chunks, runs)
	}
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := loaderOf(chunks, w).gather(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(200_000*b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}
