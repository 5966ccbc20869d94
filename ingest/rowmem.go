package ingest

import "unsafe"

// A chunk's rows, 32 bytes each (700 MB at 5M installations), live outside
// the Go heap where the system allows it (rowmem_unix.go: an anonymous
// mapping): layout hands each chunk's rows back to the system the moment
// they are placed, so the devices being laid out and the rows they come
// from are never both whole in memory. On the heap, freed memory would
// return only after a collection and a scavenge, and the devices, one
// allocation, could not reuse it.
//
// A chunkRow holds no pointer (TestChunkRowHoldsNoPointer): the collector
// never needs to see inside this memory.

// rowsCapacity is the rows a block of n bytes is given first: rows are
// about a hundred bytes; a block of shorter rows grows its rows.
func rowsCapacity(n int) int { return n/96 + 16 }

// allocRows returns empty rows of capacity n, and whether they are a
// mapping of their own.
func allocRows(n int) ([]chunkRow, bool) {
	if rows, ok := mapRows(n); ok {
		return rows[:0], true
	}
	return make([]chunkRow, 0, n), false
}

// addRow appends r to the chunk's rows, growing them by half when full.
func (c *chunk) addRow(r chunkRow) {
	if len(c.rows) == cap(c.rows) {
		grown, mapped := allocRows(cap(c.rows) + cap(c.rows)/2 + 16)
		grown = append(grown, c.rows...)
		c.freeRows()
		c.rows, c.rowsMapped = grown, mapped
	}
	c.rows = append(c.rows, r)
}

// trimRows hands back the rows' capacity beyond their length once the
// chunk is parsed: the first guess at a block's rows is generous (short
// rows), and a mapping is faulted in whole.
func (c *chunk) trimRows() {
	if c.rowsMapped {
		c.rows = trimMapped(c.rows)
	}
}

// freeRows hands the chunk's rows back; they must not be read after.
func (c *chunk) freeRows() {
	if c.rowsMapped && cap(c.rows) > 0 {
		unmapRows(c.rows[:cap(c.rows)])
	}
	c.rows, c.rowsMapped = nil, false
}

const rowSize = unsafe.Sizeof(chunkRow{})
