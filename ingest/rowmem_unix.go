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
