// Package directio writes large files sequentially past the page cache
// (O_DIRECT on Linux) where the file system allows it. A run writes a
// store and a decisions file of hundreds of megabytes that are read rarely
// and later; copying them into the page cache costs more system time than
// the rest of the writing, and more still when memory is short and the
// kernel must reclaim for it. Where direct I/O is refused (tmpfs, other
// systems, a device) the Writer writes through the page cache as any
// buffered writer would.
//
// The Writer keeps an aligned buffer; every write it makes with O_DIRECT
// set is whole blocks at an aligned offset. Flush writes the unaligned
// tail with O_DIRECT turned off. The caller still syncs and closes the
// file: direct writes bypass the cache, not the device's.
package directio

import (
	"errors"
	"os"
	"syscall"
	"unsafe"
)

const (
	// Align is the alignment of the buffer, of every direct write's size
	// and of the file offset it writes at.
	Align = 4096
	// BufferSize is the size of a Writer's buffer, and of its writes.
	BufferSize = 4 << 20
)

// Writer writes to a file through an aligned buffer.
//
// Invariant: buf[:n] holds the bytes not yet written; while direct is set,
// every byte before them is in the file and their offset is a multiple of
// Align.
type Writer struct {
	f      *os.File
	buf    []byte // BufferSize bytes, its address aligned to Align
	n      int
	direct bool
	err    error
}

// NewWriter returns a Writer appending to f, which must be empty or
// positioned at a multiple of Align. It turns O_DIRECT on for f when the
// file system accepts it.
func NewWriter(f *os.File) *Writer {
	w := &Writer{f: f, buf: alignedBuffer(BufferSize)}
	w.direct = setDirect(f, true) == nil
	return w
}

// Direct reports whether the writer is bypassing the page cache.
func (w *Writer) Direct() bool { return w.direct }

func alignedBuffer(size int) []byte {
	b := make([]byte, size+Align)
	off := int(addr(b) & (Align - 1))
	if off != 0 {
		off = Align - off
	}
	return b[off : off+size : off+size]
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }

// Write copies p into the buffer, writing whole buffers as they fill.
func (w *Writer) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 && w.err == nil {
		c := copy(w.buf[w.n:], p)
		w.n += c
		p = p[c:]
		written += c
		if w.n == len(w.buf) {
			w.write(w.n)
		}
	}
	return written, w.err
}

// Flush writes every buffered byte. After it, direct I/O is off if the
// bytes written do not end on a block; more writes then go through the
// page cache.
func (w *Writer) Flush() error {
	if w.direct {
		w.write(w.n &^ (Align - 1))
		if w.err == nil && w.n > 0 {
			w.err = w.buffered() // the tail is not a whole block
		}
	}
	w.write(w.n)
	return w.err
}

// write writes the first n bytes of the buffer, n a multiple of Align
// while direct I/O is on, and keeps the rest at the buffer's start.
func (w *Writer) write(n int) {
	if w.err != nil || n == 0 {
		return
	}
	_, err := w.f.Write(w.buf[:n])
	if err != nil && w.direct && errors.Is(err, syscall.EINVAL) {
		// Refused after all (some file systems accept the flag and refuse
		// the write): through the page cache from here on. A refused
		// write wrote nothing; the offset is still aligned.
		if err = w.buffered(); err == nil {
			_, err = w.f.Write(w.buf[:n])
		}
	}
	if err != nil {
		w.err = err
		return
	}
	w.n = copy(w.buf, w.buf[n:w.n])
}

// buffered turns direct I/O off for the rest of the file.
func (w *Writer) buffered() error {
	w.direct = false
	return setDirect(w.f, false)
}
