package hugepages

import (
	"cmp"
	"slices"
	"sync"
	"unsafe"
)

// Table is a table of T (which holds no pointer) outside the Go heap where
// the system allows it (Map), on the heap otherwise, whose memory goes
// back to the system as it is read: a stretch read for the last time
// (Done) is handed back at once, the rest on Free. It is for the large
// tables a run makes, reads once front to back and drops, such as the
// store's posting lists: read and handed back part by part, they need not
// stand beside the tables written next.
//
// After Done or Free, the memory handed back must not be read: reading it
// is a fault, not stale data. The zero Table is empty.
type Table[T any] struct {
	// S is the table; append within its capacity only (the mapping does
	// not grow).
	S      []T
	mapped bool
	base   unsafe.Pointer // where the mapping starts
	size   uintptr        // its bytes

	// Free unmaps only what Done did not: once unmapped, an address may
	// be mapped again by anyone (the Go runtime included), and unmapping
	// it a second time would take their memory.
	mu       sync.Mutex
	released [][2]uintptr // byte stretches Done unmapped, as offsets from base
}

// MakeTable returns a Table of length n and capacity c (c >= n), zeroed.
func MakeTable[T any](n, c int) *Table[T] {
	t := &Table[T]{}
	if s, ok := Map[T](c); ok {
		t.S, t.mapped = s[:n], true
		t.base, t.size = unsafe.Pointer(unsafe.SliceData(s)), uintptr(c)*unsafe.Sizeof(*new(T))
	} else {
		t.S = make([]T, n, c)
		Slice(t.S)
	}
	return t
}

// Done says that s, a stretch of t.S, will not be read again: the whole
// huge pages within it go back to the system (the rest goes on Free), so
// stretches of some megabytes are worth giving. Stretches, which must not
// overlap, may be given from several goroutines at once.
func (t *Table[T]) Done(s []T) {
	if !t.mapped || len(s) == 0 {
		return
	}
	if from, to := release(t.base, s); to > from {
		t.mu.Lock()
		t.released = append(t.released, [2]uintptr{from, to})
		t.mu.Unlock()
	}
}

// Free hands the whole table back; t is empty after.
func (t *Table[T]) Free() {
	if t.mapped {
		t.mu.Lock()
		slices.SortFunc(t.released, func(a, b [2]uintptr) int { return cmp.Compare(a[0], b[0]) })
		at := uintptr(0)
		for _, r := range t.released {
			unmapBytes(t.base, at, r[0])
			at = max(at, r[1])
		}
		// The mapping's end is page-aligned (Map), so the last stretch is too.
		unmapBytes(t.base, at, pageAligned(t.size))
		t.released = nil
		t.mu.Unlock()
	}
	t.S, t.mapped, t.base, t.size = nil, false, nil, 0
}
