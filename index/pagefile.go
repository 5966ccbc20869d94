package index

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/s1resolve/s1resolve/directio"
	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/parallel"
)

// The installation table is a flat file beside Badger's, written once with
// one copy of each byte and read with ReadAt: at 5M installations it is
// 600 MB that Badger would copy four times and map while writing.
//
//	installations.pages:
//	  page 0 | page 1 | ... | page P-1     each page as in layout.go ('i' pages)
//	  offsets: P+1 × uint64 LE             page p is bytes offsets[p]:offsets[p+1]
//	  P: uint64 LE
//	  "S1PAGES1"                           magic, last 8 bytes
const (
	pageFile  = "installations.pages"
	pageMagic = "S1PAGES1"
)

// writePageFile writes the installation pages of pop to dir/pageFile,
// encoded in parallel, in order, past the page cache where it can
// (directio), and synced.
func writePageFile(ctx context.Context, dir string, pop *engine.Population, res *engine.Result, workers int) error {
	f, err := os.OpenFile(filepath.Join(dir, pageFile), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close() // after the Close below, a no-op
	w := directio.NewWriter(f)
	n := len(pop.Installations)
	pages := (n + pageSize - 1) / pageSize
	offsets := make([]uint64, 0, pages+1)
	var at uint64
	// Each chunk is 64 pages; a page's bytes are preceded by its length
	// within the chunk buffer so the writer can record the offsets.
	const chunk = 64
	err = parallel.Ordered(ctx, pages, chunk, workers, func(buf []byte, lo, hi int) []byte {
		for page := lo; page < hi; page++ {
			mark := len(buf)
			buf = append(buf, 0, 0, 0, 0)
			buf = appendPage(buf, pop, res, uint32(page))
			binary.LittleEndian.PutUint32(buf[mark:], uint32(len(buf)-mark-4))
		}
		return buf
	}, func(b []byte) error {
		for len(b) > 0 {
			size := int(binary.LittleEndian.Uint32(b))
			offsets = append(offsets, at)
			if _, err := w.Write(b[4 : 4+size]); err != nil {
				return err
			}
			at += uint64(size)
			b = b[4+size:]
		}
		return nil
	})
	if err != nil {
		return err
	}
	offsets = append(offsets, at)
	var tail []byte
	for _, o := range offsets {
		tail = binary.LittleEndian.AppendUint64(tail, o)
	}
	tail = binary.LittleEndian.AppendUint64(tail, uint64(pages))
	tail = append(tail, pageMagic...)
	if _, err := w.Write(tail); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// appendPage appends the encoding of one page: the record count, then each
// record after its length as 4 bytes little-endian.
func appendPage(val []byte, pop *engine.Population, res *engine.Result, page uint32) []byte {
	n := uint32(len(pop.Installations))
	first, last := page*pageSize, min((page+1)*pageSize, n)
	val = binary.AppendUvarint(val, uint64(last-first))
	for id := first; id < last; id++ {
		at := len(val) // a 4-byte length, filled in once the record is written
		val = appendInstallation(append(val, 0, 0, 0, 0), pop, res, id)
		binary.LittleEndian.PutUint32(val[at:], uint32(len(val)-at-4))
	}
	return val
}

// pageFileReader reads pages of the installation table.
type pageFileReader struct {
	f       *os.File
	offsets []uint64
}

func openPageFile(dir string) (*pageFileReader, error) {
	f, err := os.Open(filepath.Join(dir, pageFile))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	bad := func(why string) (*pageFileReader, error) {
		f.Close()
		return nil, fmt.Errorf("%w: %s: %s", ErrFormat, pageFile, why)
	}
	size := st.Size()
	if size < 16 {
		return bad("too short")
	}
	var trailer [16]byte
	if _, err := f.ReadAt(trailer[:], size-16); err != nil {
		return bad(err.Error())
	}
	if string(trailer[8:]) != pageMagic {
		return bad("no page table")
	}
	pages := binary.LittleEndian.Uint64(trailer[:8])
	tableAt := size - 16 - int64(pages+1)*8
	if pages > uint64(size) || tableAt < 0 {
		return bad("page table out of the file")
	}
	table := make([]byte, (pages+1)*8)
	if _, err := f.ReadAt(table, tableAt); err != nil {
		return bad(err.Error())
	}
	r := &pageFileReader{f: f, offsets: make([]uint64, pages+1)}
	for i := range r.offsets {
		r.offsets[i] = binary.LittleEndian.Uint64(table[i*8:])
		if r.offsets[i] > uint64(tableAt) || i > 0 && r.offsets[i] < r.offsets[i-1] {
			return bad("page offsets out of order")
		}
	}
	return r, nil
}

// page returns the bytes of page p.
func (r *pageFileReader) page(p uint32) ([]byte, error) {
	if int(p)+1 >= len(r.offsets) {
		return nil, fmt.Errorf("%w: page %d is missing", ErrFormat, p)
	}
	b := make([]byte, r.offsets[p+1]-r.offsets[p])
	if _, err := r.f.ReadAt(b, int64(r.offsets[p])); err != nil {
		return nil, fmt.Errorf("%w: page %d: %v", ErrFormat, p, err)
	}
	return b, nil
}

// pages returns the bytes of pages [lo, hi), read at once into buf (grown
// as needed).
func (r *pageFileReader) pages(lo, hi int, buf []byte) ([]byte, error) {
	if lo < 0 || hi >= len(r.offsets) || lo > hi {
		return nil, fmt.Errorf("%w: pages %d to %d are missing", ErrFormat, lo, hi)
	}
	size := int(r.offsets[hi] - r.offsets[lo])
	if cap(buf) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if _, err := r.f.ReadAt(buf, int64(r.offsets[lo])); err != nil {
		return nil, fmt.Errorf("%w: pages %d to %d: %v", ErrFormat, lo, hi, err)
	}
	return buf, nil
}

// scan calls fn with each page in order, read sequentially.
func (r *pageFileReader) scan(ctx context.Context, fn func([]byte) error) error {
	end := int64(r.offsets[len(r.offsets)-1])
	br := bufio.NewReaderSize(io.NewSectionReader(r.f, 0, end), 4<<20)
	var buf []byte
	for p := 0; p+1 < len(r.offsets); p++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		size := int(r.offsets[p+1] - r.offsets[p])
		if cap(buf) < size {
			buf = make([]byte, size)
		}
		buf = buf[:size]
		if _, err := io.ReadFull(br, buf); err != nil {
			return fmt.Errorf("%w: page %d: %v", ErrFormat, p, err)
		}
		if err := fn(buf); err != nil {
			return err
		}
	}
	return nil
}

func (r *pageFileReader) close() error { return r.f.Close() }
