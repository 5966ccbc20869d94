//go:build unix

package ingest

import (
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

func mapFile(f *os.File, size int) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
}

func unmapFile(b []byte) { unix.Munmap(b) }

// dropPages takes the pages wholly inside b, a parsed block of a mapping,
// out of the process: they stay in the page cache, and a later touch maps
// them again. The pages it shares with its neighbours stay.
func dropPages(b []byte) {
	page := os.Getpagesize()
	if len(b) < 2*page {
		return
	}
	start := int(uintptr(unsafe.Pointer(unsafe.SliceData(b))) % uintptr(page))
	lo := (page - start) % page
	hi := len(b) - (start+len(b))%page
	if hi > lo {
		unix.Madvise(b[lo:hi], unix.MADV_DONTNEED)
	}
}
