// Package hugepages asks the system to back large tables with huge pages.
//
// A table of a run (the parsed rows, the devices, the installations, the
// resolver's arrays) is written once, from end to end, soon after it is
// made: its first touch is a page fault per 4 KiB page. On the virtual
// machines this project runs on, such a fault of fresh memory costs some
// 9 µs, against about 1.1 µs per 4 KiB when the same memory comes as 2 MiB
// pages (BenchmarkFirstTouch): 700 MB of rows is 1.6 s of faults in small
// pages, 0.2 s in huge ones. Linux gives a process huge pages where it
// asks for them (transparent huge pages in "madvise" mode, the common
// default); Go's heap does not ask.
//
// Advise marks memory not yet touched. It changes nothing a program can
// see but its speed and, by at most one huge page at each end of a table
// left partly used, its memory. Elsewhere than Linux it does nothing.
//
// The largest of these tables live and die at known moments, and some are
// read once, front to back: Map, Trim and Unmap, and Table above them,
// keep such a table outside the Go heap, in a mapping of its own that
// asks for huge pages, so that its memory goes back to the system the
// moment it is done with, part by part (Table.Done) or whole. Memory the
// heap frees waits for a collection and a scavenge, and a table larger
// than any freed stretch cannot reuse it meanwhile: both would count in
// the run's peak. Elsewhere than Unix the heap serves.
package hugepages

import "unsafe"

// Size is the size of a huge page on the systems Advise serves, and the
// smallest table worth advising.
const Size = 2 << 20

// Slice advises the memory of s's whole capacity (see Advise). Any T will
// do: advice never changes contents.
func Slice[T any](s []T) {
	if cap(s) == 0 {
		return
	}
	var zero T
	Advise(unsafe.Pointer(unsafe.SliceData(s)), uintptr(cap(s))*unsafe.Sizeof(zero))
}
