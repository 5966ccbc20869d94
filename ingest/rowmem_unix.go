//go:build unix

package ingest

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// mapRows maps memory for n rows, or reports false (the heap then serves).
func mapRows(n int) ([]chunkRow, bool) {
	if n <= 0 {
		return nil, false
	}
	p, err := unix.MmapPtr(-1, 0, nil, uintptr(n)*rowSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_POPULATE)
	if err != nil {
		return nil, false
	}
	return unsafe.Slice((*chunkRow)(p), n), true
}

// unmapRows unmaps rows, all of a mapping mapRows made.
func unmapRows(rows []chunkRow) {
	unix.MunmapPtr(unsafe.Pointer(unsafe.SliceData(rows)), uintptr(len(rows))*rowSize)
}

// trimMapped unmaps the whole pages of rows' mapping past its length and
// returns rows with the capacity left: unmapRows of that capacity still
// covers the last page kept (munmap takes whole pages).
func trimMapped(rows []chunkRow) []chunkRow {
	page := uintptr(unix.Getpagesize())
	keep := (uintptr(len(rows))*rowSize + page - 1) &^ (page - 1)
	if keep == 0 {
		keep = page
	}
	if size := uintptr(cap(rows)) * rowSize; keep < size {
		unix.MunmapPtr(unsafe.Add(unsafe.Pointer(unsafe.SliceData(rows)), keep), size-keep)
		rows = rows[: len(rows) : keep/rowSize]
	}
	return rows
}
