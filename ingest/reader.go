package ingest

import (
	"bytes"
	"io"
)

// Reader reads a CSV file of one Kind row by row, by the rules every input
// follows (FORMATS.md §1): a BOM and a `sep=,` first line skipped, the
// header read by the one header reader, line ends LF, CRLF, `\r\r\n` or CR
// alone, RFC 4180 quoting, empty lines skipped and counted, values trimmed
// of spaces, tabs and CRs. It is for the small files beside the
// installations (registration, suppliers, SMETS2+ inventory) and for
// decisions files read back (package output), which are read as a stream.
//
//	rd, err := ingest.NewReader(r, name, kind) // err: a *HeaderError, or a read error
//	for rd.Next() {
//		if f := rd.Fault(); f != nil { ... } // not valid CSV, or a wrong field count
//		v := rd.Value(0)                     // column 0 of kind, trimmed
//	}
//	err = rd.Err()
type Reader struct {
	r      io.Reader
	name   string
	hdr    *Header
	buf    []byte
	start  int // unread data: buf[start:]
	eof    bool
	crs    bool // the unread data may hold a CR
	err    error
	rec    record
	line   int // the line the next record starts on
	row    int // the line the current record starts on
	fault  *RowError
	blanks int
}

// NewReader reads the header of the file name (used in errors) from r, as
// a file of kind k. The error is a *HeaderError (ErrHeader) for a header
// the run cannot go on with, or r's own.
func NewReader(r io.Reader, name string, k *Kind) (*Reader, error) {
	rd := &Reader{r: r, name: name, buf: make([]byte, 0, 64<<10)}
	for {
		h, n, next, err := readHeader(name, rd.buf, rd.eof, k)
		if err == errNeedMore {
			if err := rd.fill(); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		rd.hdr, rd.start, rd.line = h, n, next
		rd.crs = bytes.IndexByte(rd.buf[n:], '\r') >= 0
		return rd, nil
	}
}

// fill reads more of the file into buf, growing it when it is full.
func (rd *Reader) fill() error {
	if rd.start > 0 {
		n := copy(rd.buf, rd.buf[rd.start:])
		rd.buf, rd.start = rd.buf[:n], 0
	}
	if len(rd.buf) == cap(rd.buf) {
		rd.buf = append(rd.buf, make([]byte, cap(rd.buf))...)[:len(rd.buf)]
	}
	n, err := rd.r.Read(rd.buf[len(rd.buf):cap(rd.buf)])
	rd.buf = rd.buf[:len(rd.buf)+n]
	switch {
	case err == io.EOF:
		rd.eof = true
	case err != nil:
		return err
	}
	rd.crs = rd.crs || bytes.IndexByte(rd.buf[len(rd.buf)-n:], '\r') >= 0
	return nil
}

// Header returns the file's header.
func (rd *Reader) Header() *Header { return rd.hdr }

// Next reads the next row, skipping empty lines; false at the end of the
// file or on a read error (Err).
func (rd *Reader) Next() bool {
	if rd.err != nil {
		return false
	}
	for {
		data := rd.buf[rd.start:]
		if len(data) == 0 && rd.eof {
			return false
		}
		n, ok := parseRecord(data, rd.eof, &rd.rec, rd.crs)
		if !ok {
			if rd.err = rd.fill(); rd.err != nil {
				return false
			}
			continue
		}
		rd.start += n
		rd.row = rd.line
		rd.line += rd.rec.newlines
		rd.blanks += rd.rec.blanks
		if rd.rec.blank() {
			rd.blanks++
			continue
		}
		rd.fault = rowFault(&rd.rec, data[:n], rd.row, rd.hdr.Fields)
		if rd.fault != nil {
			rd.fault.File = rd.name
		}
		return true
	}
}

// Line returns the line the current row starts on (the header is on line
// 1, or 2 after a sep=, line).
func (rd *Reader) Line() int { return rd.row }

// Fault returns what makes the current row unreadable (not valid CSV, or a
// different number of fields from the header), or nil.
func (rd *Reader) Fault() *RowError { return rd.fault }

// Value returns the value of column c of the kind in the current row,
// trimmed; nil when the file has no such column. It is valid until the
// next call of Next.
func (rd *Reader) Value(c int) []byte { return rd.hdr.Value(rd.rec.fields, c) }

// BlankLines returns the number of empty lines skipped so far.
func (rd *Reader) BlankLines() int { return rd.blanks }

// Err returns the error that stopped Next, if it was not the end of the
// file.
func (rd *Reader) Err() error { return rd.err }
