package index

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
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
//	  page 0 | page 1 | ... | page P-1     each page: its records (appendPage), then the
//	                                       CRC-32C of those bytes, uint32 LE
//	  offsets: P+1 × uint64 LE             page p (with its CRC) is bytes offsets[p]:offsets[p+1]
//	  CRC-32C of the offsets: uint32 LE
//	  P: uint64 LE
//	  "S1PAGES2"                           magic, last 8 bytes
//
// Every page and the offset table carry a checksum, checked on every read:
// a flipped bit (a damaged disk, a bad copy) is an error naming the file
// and the page (ErrDamaged), never a crash or a record misread.
const (
	pageFile  = "installations.pages"
	pageMagic = "S1PAGES2"
)

// ErrDamaged is wrapped when a store's bytes fail their checksum.
var ErrDamaged = errors.New("the store is damaged (a checksum does not match: a bad disk or copy?); write it again with run --db")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// sealPage appends the CRC-32C of page to it.
func sealPage(page []byte) []byte {
	return binary.LittleEndian.AppendUint32(page, crc32.Checksum(page, castagnoli))
}

// openPage checks the CRC-32C that ends b and returns the page before it.
func openPage(b []byte) ([]byte, bool) {
	if len(b) < 4 {
		return nil, false
	}
	body := b[:len(b)-4]
	return body, crc32.Checksum(body, castagnoli) == binary.LittleEndian.Uint32(b[len(b)-4:])
}

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
			start := len(buf)
			buf = installationPage(buf, pop, res, page)
			buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf[start:], castagnoli))
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
	tail = binary.LittleEndian.AppendUint32(tail, crc32.Checksum(tail, castagnoli))
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

// pageFileReader reads pages of the installation table.
type pageFileReader struct {
	f       *os.File
	path    string
	offsets []uint64
}

func openPageFile(dir string) (*pageFileReader, error) {
	path := filepath.Join(dir, pageFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	bad := func(kind error, why string) (*pageFileReader, error) {
		f.Close()
		return nil, fmt.Errorf("%s: %w: %s", path, kind, why)
	}
	size := st.Size()
	if size < 16 {
		return bad(ErrDamaged, "too short")
	}
	var trailer [16]byte
	if _, err := f.ReadAt(trailer[:], size-16); err != nil {
		return bad(ErrDamaged, err.Error())
	}
	if string(trailer[8:]) != pageMagic {
		if string(trailer[8:14]) == "S1PAGE" {
			return bad(ErrFormat, "an installation table of another format version")
		}
		return bad(ErrDamaged, "no page table")
	}
	pages := binary.LittleEndian.Uint64(trailer[:8])
	tableAt := size - 16 - 4 - int64(pages+1)*8
	if pages > uint64(size) || tableAt < 0 {
		return bad(ErrDamaged, "the page table is out of the file")
	}
	table := make([]byte, (pages+1)*8+4)
	if _, err := f.ReadAt(table, tableAt); err != nil {
		return bad(ErrDamaged, err.Error())
	}
	if _, ok := openPage(table); !ok {
		return bad(ErrDamaged, "the page table fails its checksum")
	}
	r := &pageFileReader{f: f, path: path, offsets: make([]uint64, pages+1)}
	for i := range r.offsets {
		r.offsets[i] = binary.LittleEndian.Uint64(table[i*8:])
		if r.offsets[i] > uint64(tableAt) || i > 0 && r.offsets[i] < r.offsets[i-1] {
			return bad(ErrDamaged, "page offsets out of order")
		}
	}
	return r, nil
}

// damaged is the error of page p failing its checksum or its framing.
func (r *pageFileReader) damaged(p uint32, why string) error {
	return fmt.Errorf("%s: page %d: %w (%s)", r.path, p, ErrDamaged, why)
}

// page returns the bytes of page p, checked.
func (r *pageFileReader) page(p uint32) ([]byte, error) {
	if int(p)+1 >= len(r.offsets) {
		return nil, fmt.Errorf("%w: page %d is missing", ErrFormat, p)
	}
	b := make([]byte, r.offsets[p+1]-r.offsets[p])
	if _, err := r.f.ReadAt(b, int64(r.offsets[p])); err != nil {
		return nil, r.damaged(p, err.Error())
	}
	body, ok := openPage(b)
	if !ok {
		return nil, r.damaged(p, "checksum mismatch")
	}
	return body, nil
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
		return nil, r.damaged(uint32(lo), err.Error())
	}
	return buf, nil
}

// pageIn returns page p of buf, which holds pages from lo on as pages
// read them, checked.
func (r *pageFileReader) pageIn(buf []byte, lo, p int) ([]byte, error) {
	base := r.offsets[lo]
	body, ok := openPage(buf[r.offsets[p]-base : r.offsets[p+1]-base])
	if !ok {
		return nil, r.damaged(uint32(p), "checksum mismatch")
	}
	return body, nil
}

// scan calls fn with each page in order, read sequentially and checked.
func (r *pageFileReader) scan(ctx context.Context, fn func(p uint32, page []byte) error) error {
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
			return r.damaged(uint32(p), err.Error())
		}
		body, ok := openPage(buf)
		if !ok {
			return r.damaged(uint32(p), "checksum mismatch")
		}
		if err := fn(uint32(p), body); err != nil {
			return err
		}
	}
	return nil
}

func (r *pageFileReader) close() error { return r.f.Close() }
