package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"unsafe"

	"github.com/cespare/xxhash/v2"
)

// A plain installation file (a regular file, not gzip) is read through a
// read-only mapping rather than read(2): the parse workers read the page
// cache in place, and the 2 GB of a 5M run are not copied once more (0.3 s
// of system time). Blocks are slices of the mapping; nothing parsed keeps a
// reference to them (names, values and messages are copied), and each
// block's pages leave the process once parsed (dropPages), so the mapping
// does not add to the memory a run holds.
//
// A mapped file that shrinks while it is read (another program truncating
// it) would kill the process with SIGBUS; the goroutines that touch the
// mapping turn such a fault into a panic (debug.SetPanicOnFault) and the
// panic into ErrChanged, naming the file.

// ErrChanged is wrapped when an input file shrank while it was read.
var ErrChanged = errors.New("the file changed while it was read")

// mapped is one mapped input file.
type mapped struct {
	path string
	data []byte
}

// mapInput maps path when it is a regular, non-empty file that does not
// start with gzip's magic number and is not named .gz; ok=false sends the
// file to the read path (which also gives every error about it).
func mapInput(path string) (m *mapped, ok bool) {
	if path == Stdin || strings.HasSuffix(strings.ToLower(path), ".gz") {
		return nil, false
	}
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return nil, false // a FIFO is not mapped, and opening it here would wait for its writer
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close() // the mapping outlives the descriptor
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() == 0 || st.Size() != int64(int(st.Size())) {
		return nil, false
	}
	data, err := mapFile(f, int(st.Size()))
	if err != nil {
		return nil, false
	}
	m = &mapped{path: path, data: data}
	if isGzip, err := m.startsGzip(); err != nil || isGzip {
		m.unmap()
		return nil, false
	}
	return m, true
}

func (m *mapped) startsGzip() (gz bool, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverFault(m.path, m.data, &err)
	return bytes.HasPrefix(m.data, []byte{0x1f, 0x8b}), nil
}

func (m *mapped) unmap() {
	if m.data != nil {
		unmapFile(m.data)
		m.data = nil
	}
}

// recoverFault turns a memory fault inside region, part of the mapping of
// path (the file shrank under it), into ErrChanged in *err. The goroutine
// must have asked for faults as panics (debug.SetPanicOnFault); any other
// panic goes on.
func recoverFault(path string, region []byte, err *error) {
	r := recover()
	if r == nil {
		return
	}
	if f, ok := r.(interface{ Addr() uintptr }); ok && len(region) > 0 {
		start := uintptr(unsafe.Pointer(unsafe.SliceData(region)))
		if a := f.Addr(); a >= start && a < start+uintptr(len(region)) {
			*err = fmt.Errorf("%s: %w (was it truncated or replaced?)", path, ErrChanged)
			return
		}
	}
	panic(r)
}

// readMapped splits a mapped file into blocks of whole records and sends
// them, as readFile does for the read path.
func (l *loader) readMapped(ctx context.Context, fi uint16, m *mapped, seq *int, out chan<- *block) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverFault(m.path, m.data, &err)
	data := m.data
	digest := xxhash.New() // of the file's bytes, its text: for OnRead and its print
	h, pos, next, err := readHeader(m.path, data, true, Installations)
	if err != nil {
		return err
	}
	hdr, line := newHeader(h), uint32(next)
	digest.Write(data[:pos])
	l.prog.Bytes.Add(int64(pos))
	first := true
	for pos < len(data) {
		end := min(pos+l.opt.BlockSize, len(data))
		cut := cutBlock(data[pos:end], end == len(data))
		for cut == 0 && end < len(data) { // a record longer than a block
			end = min(pos+2*(end-pos), len(data))
			cut = cutBlock(data[pos:end], end == len(data))
		}
		b := &block{file: fi, seq: *seq, first: first, line: line, data: data[pos : pos+cut], hdr: hdr, mapped: true}
		*seq++
		first = false
		digest.Write(b.data)
		l.prog.Bytes.Add(int64(cut))
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
		pos += cut
	}
	if l.opt.OnRead != nil {
		l.opt.OnRead(m.path, int64(len(data)), digest.Sum64())
	}
	l.prints[fi] = textPrint{int64(len(data)), digest.Sum64()}
	return nil
}
