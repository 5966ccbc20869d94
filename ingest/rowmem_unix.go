//go:build unix

package ingest

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/s1resolve/s1resolve/hugepages"
)

// mapSlice maps memory for n values of T, or reports false (the heap then
// serves). The mapping starts on a huge page and asks for huge pages
// (package hugepages): rows and runs are written once, front to back, and
// a fault per 4 KiB page of them cost more than parsing them.
func mapSlice[T any](n int) ([]T, bool) {
	if n <= 0 {
		return nil, false
	}
	page := uintptr(unix.Getpagesize())
	size := (uintptr(n)*unsafe.Sizeof(*new(T)) + page - 1) &^ (page - 1)
	p, err := unix.MmapPtr(-1, 0, nil, size+hugepages.Size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, false
	}
	// Keep the size-long stretch that starts on a huge page boundary.
	head := (hugepages.Size - uintptr(p)%hugepages.Size) % hugepages.Size
	if head > 0 {
		unix.MunmapPtr(p, head)
	}
	if tail := hugepages.Size - head; tail > 0 {
		unix.MunmapPtr(unsafe.Add(p, head+size), tail)
	}
	at := unsafe.Add(p, head)
	hugepages.Advise(at, size)
	return unsafe.Slice((*T)(at), n), true
}

// unmapSlice unmaps s, all of a mapping mapSlice made.
func unmapSlice[T any](s []T) {
	unix.MunmapPtr(unsafe.Pointer(unsafe.SliceData(s)), uintptr(len(s))*unsafe.Sizeof(*new(T)))
}

// trimMapped unmaps the whole pages of s's mapping past its length and
// returns s with the capacity left: unmapSlice of that capacity still
// covers the last page kept (munmap takes whole pages).
func trimMapped[T any](s []T) []T {
	page := uintptr(unix.Getpagesize())
	size := unsafe.Sizeof(*new(T))
	keep := (uintptr(len(s))*size + page - 1) &^ (page - 1)
	if keep == 0 {
		keep = page
	}
	if total := uintptr(cap(s)) * size; keep < total {
		unix.MunmapPtr(unsafe.Add(unsafe.Pointer(unsafe.SliceData(s)), keep), total-keep)
		s = s[: len(s) : keep/size]
	}
	return s
}
