package hugepages

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Advise asks for huge pages for the n bytes at p, memory the program has
// not touched yet: the whole 4 KiB pages of it, where they make up at
// least a huge page. The system may refuse (huge pages turned off, an old
// kernel): the memory is then what it would have been.
func Advise(p unsafe.Pointer, n uintptr) {
	const page = 4 << 10
	start := (uintptr(p) + page - 1) &^ (page - 1)
	end := (uintptr(p) + n) &^ (page - 1)
	if end <= start || end-start < Size {
		return
	}
	unix.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, start-uintptr(p))), end-start), unix.MADV_HUGEPAGE)
}
