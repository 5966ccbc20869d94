package ingest

import (
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// TestGroupRunsHashCollision: runs of two names sharing one hash stay two
// installations, and an installation's runs merge their flags and values.
func TestGroupRunsHashCollision(t *testing.T) {
	a := instFields{MPAN: value.MPANKey(1200023305967)}
	b := instFields{MPAN: value.MPANKey(1100012345674)}
	runs := []run{
		{hash: 7, ref: a, hasRef: true}, // name x
		{hash: 7, ref: b, hasRef: true}, // name y, same hash
		{hash: 7, ref: a, hasRef: true}, // name x again: consistent
		{hash: 9, bad: true},            // name z, only a bad row
		{hash: 7, ref: b, hasRef: true}, // name y again, other file
		{hash: 3, ref: a, hasRef: true}, // name w
		{hash: 3, ref: b, hasRef: true}, // name w disagrees
	}
	names := []string{"S\x00x", "S\x00y", "S\x00x", "S\x00z", "S\x00y", "S\x00w", "S\x00w"}
	sorted := make([]engine.KeyRef, len(runs))
	for i := range runs {
		sorted[i] = engine.KeyRef{K: runs[i].hash, ID: uint32(i)}
	}
	engine.SortKeyRefs(sorted, 2)
	insts, runInst := groupRuns(sorted, func(i uint32) (*run, []byte) { return &runs[i], []byte(names[i]) }, 3)
	if len(insts) != 4 {
		t.Fatalf("%d installations, want 4: %+v", len(insts), insts)
	}
	byName := map[string]gathered{}
	for i, g := range insts {
		name := names[g.first]
		byName[name] = g
		for r, in := range runInst {
			if in == uint32(i) && names[r] != name {
				t.Errorf("run %d (%q) put in installation %q", r, names[r], name)
			}
		}
	}
	if g := byName["S\x00x"]; !g.valid() || g.ref != a {
		t.Errorf("x: %+v", g)
	}
	if g := byName["S\x00y"]; !g.valid() || g.ref != b {
		t.Errorf("y: %+v", g)
	}
	if g := byName["S\x00z"]; g.valid() || !g.bad {
		t.Errorf("z: %+v", g)
	}
	if g := byName["S\x00w"]; g.valid() || !g.inconsistent {
		t.Errorf("w: %+v", g)
	}
}
