package index

import (
	"errors"
	"os"
	"syscall"
	"unsafe"
)

// directWriter writes a new file sequentially through an aligned buffer,
// bypassing the page cache where the file system allows it (O_DIRECT on
// Linux): the installation table is written once and read rarely, and
// copying 600 MB into the page cache costs more system time than the rest
// of the store. Where direct I/O is refused (tmpfs, other systems) it
// writes through the page cache as any file. Close syncs the file.
//
// Invariant: buf[:n] holds the bytes not yet written, and every byte
// before them is in the file at offsets that are multiples of directAlign
// while direct is set.
type directWriter struct {
	f      *os.File
	buf    []byte // directBuffer bytes, its address aligned to directAlign
	n      int
	direct bool
	err    error
}

const (
	directAlign  = 4096
	directBuffer = 4 << 20
)

// createDirect creates (or truncates) path for a directWriter.
func createDirect(path string) (*directWriter, error) {
	w := &directWriter{buf: alignedBuffer(directBuffer)}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY|oDirect, 0o600)
	if err == nil {
		w.f, w.direct = f, oDirect != 0
		return w, nil
	}
	if oDirect == 0 || !errors.Is(err, syscall.EINVAL) {
		return nil, err
	}
	f, err = os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	w.f = f
	return w, nil
}

func alignedBuffer(size int) []byte {
	b := make([]byte, size+directAlign)
	off := int(addr(b) & (directAlign - 1))
	if off != 0 {
		off = directAlign - off
	}
	return b[off : off+size : off+size]
}

func (w *directWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 && w.err == nil {
		c := copy(w.buf[w.n:], p)
		w.n += c
		p = p[c:]
		written += c
		if w.n == len(w.buf) {
			w.flush(w.n)
		}
	}
	return written, w.err
}

// flush writes the first n bytes of the buffer, n a multiple of
// directAlign unless direct I/O is off, and keeps the rest.
func (w *directWriter) flush(n int) {
	if w.err != nil || n == 0 {
		return
	}
	_, err := w.f.Write(w.buf[:n])
	if err != nil && w.direct && errors.Is(err, syscall.EINVAL) {
		// Refused after all (some file systems accept the flag at open
		// only): write through the page cache from here on. A failed
		// direct write wrote nothing, the offset stayed aligned.
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
func (w *directWriter) buffered() error {
	w.direct = false
	return setDirect(w.f, false)
}

// Close writes what is left, syncs and closes the file.
func (w *directWriter) Close() error {
	if w.direct {
		w.flush(w.n &^ (directAlign - 1))
		if w.err == nil && w.n > 0 {
			w.err = w.buffered() // the tail is not a whole block
		}
	}
	w.flush(w.n)
	if w.err == nil {
		w.err = w.f.Sync()
	}
	if err := w.f.Close(); w.err == nil {
		w.err = err
	}
	return w.err
}

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }
