package engine

import (
	"math/rand/v2"
	"testing"
)

// TestPositions: every (file, line) pair set comes back, at the first and
// last line of each file, beside empty files, in four bytes a row while
// the files' lines fit in 32 bits and in eight past that.
func TestPositions(t *testing.T) {
	tests := []struct {
		name  string
		lines []uint64 // each file's line bound
		wide  bool
	}{
		{"one file", []uint64{1000}, false},
		{"empty files between", []uint64{0, 40, 0, 0, 7}, false},
		{"files of the largest size", []uint64{1<<30 - 1, 1<<30 - 1, 1<<30 - 1}, false},
		{"more than 2^32 lines in all", []uint64{1<<30 - 1, 1<<30 - 1, 1<<30 - 1, 1<<30 - 1, 9}, true},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range tests {
		type pos struct {
			file uint16
			line uint32
		}
		var want []pos
		for f, n := range tt.lines {
			if n == 0 {
				continue
			}
			want = append(want, pos{uint16(f), 1}, pos{uint16(f), uint32(n)}, pos{uint16(f), 1 + uint32(rng.Uint64N(n))})
		}
		rng.Shuffle(len(want), func(i, j int) { want[i], want[j] = want[j], want[i] })
		ps := NewPositions(len(want), tt.lines)
		if (ps.wide != nil) != tt.wide {
			t.Errorf("%s: wide %v, want %v", tt.name, ps.wide != nil, tt.wide)
		}
		for i, p := range want {
			ps.Set(i, p.file, p.line)
		}
		if ps.Len() != len(want) {
			t.Errorf("%s: %d rows, want %d", tt.name, ps.Len(), len(want))
		}
		for i, p := range want {
			if f, l := ps.At(i); f != p.file || l != p.line {
				t.Errorf("%s: row %d at file %d line %d, want file %d line %d", tt.name, i, f, l, p.file, p.line)
			}
		}
	}
	// PositionsOf makes the same from pairs.
	ps := PositionsOf([]uint16{3, 0, 3}, []uint32{9, 2, 1})
	for i, w := range [][2]uint32{{3, 9}, {0, 2}, {3, 1}} {
		if f, l := ps.At(i); uint32(f) != w[0] || l != w[1] {
			t.Errorf("PositionsOf row %d: file %d line %d, want %v", i, f, l, w)
		}
	}
}
