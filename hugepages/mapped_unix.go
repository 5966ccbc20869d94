//go:build unix

package hugepages

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Map maps memory outside the Go heap for n values of T, zeroed, or
// reports false (the heap must then serve: mapping failed or n <= 0). T
// must hold no pointer: the collector never looks inside a mapping. The
// mapping starts on a huge page and asks for huge pages (Advise). Its
// memory goes back to the system at once on Unmap (or, past a length, on
// Trim), where freed heap memory waits for a collection and a scavenge,
// and cannot hold a larger table meanwhile.
func Map[T any](n int) ([]T, bool) {
	if n <= 0 {
		return nil, false
	}
	page := uintptr(unix.Getpagesize())
	size := (uintptr(n)*unsafe.Sizeof(*new(T)) + page - 1) &^ (page - 1)
	p, err := unix.MmapPtr(-1, 0, nil, size+Size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, false
	}
	// Keep the size-long stretch that starts on a huge page boundary.
	head := (Size - uintptr(p)%Size) % Size
	if head > 0 {
		unix.MunmapPtr(p, head)
	}
	if tail := Size - head; tail > 0 {
		unix.MunmapPtr(unsafe.Add(p, head+size), tail)
	}
	at := unsafe.Add(p, head)
	Advise(at, size)
	return unsafe.Slice((*T)(at), n), true
}

// Unmap unmaps s, the whole of a mapping Map made (trimmed or not: give
// the capacity Trim left); s must not be read after.
func Unmap[T any](s []T) {
	unix.MunmapPtr(unsafe.Pointer(unsafe.SliceData(s)), uintptr(len(s))*unsafe.Sizeof(*new(T)))
}

// Trim unmaps the whole pages of s's mapping (Map) past its length and
// returns s with the capacity left: Unmap of that capacity still covers
// the last page kept (munmap takes whole pages).
func Trim[T any](s []T) []T {
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

// release unmaps the whole huge pages that lie within s, a stretch of a
// mapping Map made (which starts on a huge page), and returns the stretch
// of bytes unmapped, as offsets from base (where the mapping starts); the
// rest of the mapping is left as it is. Unmapping part of a huge page
// would split it, and the rest of it would be read through 4 KiB pages:
// each read of a table being handed back would miss the TLB.
func release[T any](base unsafe.Pointer, s []T) (from, to uintptr) {
	if len(s) == 0 {
		return 0, 0
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s))) - uintptr(base)
	end := start + uintptr(len(s))*unsafe.Sizeof(*new(T))
	from, to = (start+Size-1)&^(Size-1), end&^(Size-1)
	if to <= from {
		return 0, 0
	}
	unix.MunmapPtr(unsafe.Add(base, from), to-from)
	return from, to
}

// unmapBytes unmaps the bytes [from, to) of the mapping that starts at
// base; both are multiples of the page size.
func unmapBytes(base unsafe.Pointer, from, to uintptr) {
	if to > from {
		unix.MunmapPtr(unsafe.Add(base, from), to-from)
	}
}

// pageAligned rounds n up to a whole number of pages.
func pageAligned(n uintptr) uintptr {
	page := uintptr(unix.Getpagesize())
	return (n + page - 1) &^ (page - 1)
}
