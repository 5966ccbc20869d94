package ingest

import "github.com/s1resolve/s1resolve/hugepages"

// A chunk's rows, 28 bytes each (590 MB at 5M installations), and its runs,
// 40 bytes each (224 MB), live outside the Go heap where the system allows
// it (hugepages.Map: anonymous mappings, each starting on a huge page and
// asking for huge pages): layout hands each chunk's rows back to the
// system the moment they are placed, so the devices being laid out and the
// rows they come from are never both whole in memory; gather hands each
// chunk's runs back once it has filled the chunk's installations and read
// its rejects, so the runs and the installations are never both whole
// either. On the heap, freed memory
// would return only after a collection and a scavenge, and the devices,
// one allocation, could not reuse it; a mapping's unused end is handed back
// once the chunk is parsed, where the heap would copy the rows or runs to
// their size.
//
// Neither a chunkRow nor a run holds a pointer (TestChunkMemoryHoldsNoPointer):
// the collector never needs to see inside this memory.

// rowsCapacity is the rows a block of n bytes is given first: rows are
// about a hundred bytes; a block of shorter rows grows its rows.
func rowsCapacity(n int) int { return n/96 + 16 }

// allocMapped returns an empty slice of capacity n, and whether it is a
// mapping of its own; T holds no pointer.
func allocMapped[T any](n int) ([]T, bool) {
	if s, ok := hugepages.Map[T](n); ok {
		return s[:0], true
	}
	return make([]T, 0, n), false
}

// appendMapped appends v to s, a slice allocMapped made (mapped says how),
// moving it to a place half as large again when full.
func appendMapped[T any](s []T, mapped *bool, v T) []T {
	if len(s) == cap(s) {
		grown, m := allocMapped[T](cap(s) + cap(s)/2 + 16)
		grown = append(grown, s...)
		freeMapped(s, *mapped)
		s, *mapped = grown, m
	}
	return append(s, v)
}

// freeMapped hands s back; it must not be read after.
func freeMapped[T any](s []T, mapped bool) {
	if mapped && cap(s) > 0 {
		hugepages.Unmap(s[:cap(s)])
	}
}

// addRow appends r to the chunk's rows.
func (c *chunk) addRow(r chunkRow) { c.rows = appendMapped(c.rows, &c.rowsMapped, r) }

// addRun appends r to the chunk's runs.
func (c *chunk) addRun(r run) { c.runs = appendMapped(c.runs, &c.runsMapped, r) }

// trim hands back the capacity of the rows and runs beyond their length
// once the chunk is parsed: the first guesses at a block's rows and runs
// are generous (short rows, installations of one row).
func (c *chunk) trim() {
	if c.rowsMapped {
		c.rows = hugepages.Trim(c.rows)
	}
	if c.runsMapped {
		c.runs = hugepages.Trim(c.runs)
	}
}

// freeRows hands the chunk's rows back; they must not be read after.
func (c *chunk) freeRows() {
	freeMapped(c.rows, c.rowsMapped)
	c.rows, c.rowsMapped = nil, false
}

// freeRuns hands the chunk's runs back; they must not be read after.
func (c *chunk) freeRuns() {
	freeMapped(c.runs, c.runsMapped)
	c.runs, c.runsMapped = nil, false
}

// free hands back the chunk's rows and runs.
func (c *chunk) free() {
	c.freeRows()
	c.freeRuns()
}
