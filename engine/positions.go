package engine

import (
	"slices"

	"github.com/s1resolve/s1resolve/hugepages"
)

// Positions are the input positions of device rows, a (file, line) pair per
// row, held as one number: the line counted through every file one after
// another, file 0's lines first. Four bytes a row where a pair takes six
// (84 M rows at 20M installations: 160 MiB less). Inputs of 2^32 lines or
// more in all are held in eight bytes a row instead; At gives the same.
//
// Rows are set by index, once each, from any number of goroutines at once
// (Set writes only its row).
type Positions struct {
	start  []uint64 // the count's first line of each file: file f's line l is start[f]+l
	narrow []uint32
	wide   []uint64 // instead of narrow when the count passes 2^32
}

// NewPositions returns room for n rows read from files of the given line
// counts (lines[f] the number of lines of file f, a bound on its line
// numbers: a row's line is at most lines[f]).
func NewPositions(n int, lines []uint64) *Positions {
	ps := &Positions{start: make([]uint64, len(lines))}
	total := uint64(0)
	for f, l := range lines {
		ps.start[f] = total
		total += l + 1 // lines count from 1
	}
	// Written once, soon: huge pages (package hugepages).
	if total <= 1<<32 {
		ps.narrow = make([]uint32, n)
		hugepages.Slice(ps.narrow)
	} else {
		ps.wide = make([]uint64, n)
		hugepages.Slice(ps.wide)
	}
	return ps
}

// Len returns the number of rows.
func (ps *Positions) Len() int {
	if ps.wide != nil {
		return len(ps.wide)
	}
	return len(ps.narrow)
}

// Set records that row i was read at line of file.
func (ps *Positions) Set(i int, file uint16, line uint32) {
	at := ps.start[file] + uint64(line)
	if ps.wide != nil {
		ps.wide[i] = at
	} else {
		ps.narrow[i] = uint32(at)
	}
}

// At returns the file and line row i was read at.
func (ps *Positions) At(i int) (file uint16, line uint32) {
	var at uint64
	if ps.wide != nil {
		at = ps.wide[i]
	} else {
		at = uint64(ps.narrow[i])
	}
	// The last file whose first line is at or before at: every file
	// takes at least one number, so the starts increase.
	f, found := slices.BinarySearch(ps.start, at)
	if !found {
		f--
	}
	return uint16(f), uint32(at - ps.start[f])
}

// PositionsOf returns the Positions of rows read at lines[i] of files[i].
func PositionsOf(files []uint16, lines []uint32) *Positions {
	var bound []uint64
	for i, f := range files {
		for int(f) >= len(bound) {
			bound = append(bound, 0)
		}
		bound[f] = max(bound[f], uint64(lines[i]))
	}
	ps := NewPositions(len(files), bound)
	for i := range files {
		ps.Set(i, files[i], lines[i])
	}
	return ps
}
