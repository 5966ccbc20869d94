package ingest

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// record is one parsed CSV record. Fields alias the input block or the
// record's scratch buffer and are valid until the next parse.
type record struct {
	fields  [][]byte
	scratch []byte
	ends    []int
	// problem is nil for a well-formed record, else what broke RFC 4180:
	// ErrBareQuote, ErrAfterQuote or ErrUnterminated.
	problem error
	// newlines is the number of line ends the record spans, its own
	// included (lineend.go).
	newlines int
	// blanks is the number of empty lines that follow the record's line
	// end and end in lone CRs: they are read with the record (and
	// counted in newlines), so that a long run of CRs is read once.
	blanks int
	// quoted says the record holds a quote: a line that is only "" is a
	// row of one empty field, not an empty line.
	quoted bool
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// blank reports whether the record is an empty line.
func (r *record) blank() bool {
	return len(r.fields) == 1 && len(r.fields[0]) == 0 && r.problem == nil && !r.quoted
}

// recordLen returns the length of the record at the start of buf, its
// line end included, or ok=false when buf ends inside the record and more
// input may follow (atEOF false). It agrees with parseRecord on where every
// record ends.
func recordLen(buf []byte, atEOF bool) (n int, ok bool) {
	// The record ends at or after the first line end.
	end, next, _, ok := lineEnd(buf, atEOF)
	if !ok {
		return 0, false
	}
	if bytes.IndexByte(buf[:end], '"') < 0 {
		return next, true
	}
	var r record
	return scanRecord(buf, atEOF, &r, false)
}

// parseRecord parses the record at the start of buf into r and returns its
// length, line end included; ok=false when more input is needed. crs
// says that buf may hold a CR; when it is false only LFs end lines, and
// the record is found as fast as the common file allows.
func parseRecord(buf []byte, atEOF bool, r *record, crs bool) (n int, ok bool) {
	r.fields = r.fields[:0]
	r.problem = nil
	r.blanks = 0
	r.quoted = false
	var line []byte
	if !crs {
		nl := bytes.IndexByte(buf, '\n')
		switch {
		case nl >= 0:
			line = buf[:nl]
			n = nl + 1
			r.newlines = 1
		case atEOF:
			line = buf
			n = len(buf)
			r.newlines = 0
		default:
			return 0, false
		}
	} else {
		end, next, blanks, ok := lineEnd(buf, atEOF)
		if !ok {
			return 0, false
		}
		line, n = buf[:end], next
		r.newlines, r.blanks = 0, blanks
		if next > end {
			r.newlines = 1 + blanks
		}
	}
	if bytes.IndexByte(line, '"') >= 0 {
		r.quoted = true
		if n, ok = scanRecord(buf, atEOF, r, true); !ok {
			return 0, false
		}
		r.newlines = countLines(buf[:n])
		return n, true
	}
	r.fields = splitCommas(line, r.fields)
	return n, true
}

// splitCommas appends the comma-separated fields of line to fields. It
// looks at eight bytes at a time: fields are short, and a call to
// IndexByte per field costs more than it finds.
func splitCommas(line []byte, fields [][]byte) [][]byte {
	const (
		commas = 0x2c2c2c2c2c2c2c2c
		low7   = 0x7f7f7f7f7f7f7f7f
	)
	start, i := 0, 0
	for ; i+8 <= len(line); i += 8 {
		x := binary.LittleEndian.Uint64(line[i:]) ^ commas
		m := ^((x&low7 + low7) | x | low7) // high bit of each byte that was a comma
		for m != 0 {
			j := i + bits.TrailingZeros64(m)/8
			fields = append(fields, line[start:j])
			start = j + 1
			m &= m - 1
		}
	}
	for ; i < len(line); i++ {
		if line[i] == ',' {
			fields = append(fields, line[start:i])
			start = i + 1
		}
	}
	return append(fields, line[start:])
}

// scanRecord is the full RFC 4180 state machine, used for records that
// contain a quote. A quote opens a quoted field only at the start of a field
// (after optional blanks); elsewhere it is kept as data and marks the record
// malformed. Line ends (lineend.go) end the record outside quoted fields
// and are data inside them. With emit false it only finds the record's end.
func scanRecord(buf []byte, atEOF bool, r *record, emit bool) (n int, ok bool) {
	r.scratch = r.scratch[:0]
	r.ends = r.ends[:0]
	r.blanks = 0
	pos := 0
	fail := func(p error) {
		if r.problem == nil {
			r.problem = p
		}
	}
	for {
		// Start of a field.
		q := pos
		for q < len(buf) && isBlank(buf[q]) {
			q++
		}
		if q < len(buf) && buf[q] == '"' {
			if emit {
				r.scratch = append(r.scratch, buf[pos:q]...)
			}
			pos = q + 1
			for {
				i := bytes.IndexByte(buf[pos:], '"')
				if i < 0 {
					if !atEOF {
						return 0, false
					}
					if emit {
						r.scratch = append(r.scratch, buf[pos:]...)
					}
					fail(ErrUnterminated)
					r.end(emit)
					r.finish(emit)
					return len(buf), true
				}
				if emit {
					r.scratch = append(r.scratch, buf[pos:pos+i]...)
				}
				pos += i + 1
				if pos < len(buf) && buf[pos] == '"' {
					if emit {
						r.scratch = append(r.scratch, '"')
					}
					pos++
					continue
				}
				if pos == len(buf) && !atEOF {
					return 0, false
				}
				break
			}
			for pos < len(buf) && isBlank(buf[pos]) {
				pos++
			}
			if pos < len(buf) && buf[pos] != ',' && buf[pos] != '\n' && buf[pos] != '\r' {
				fail(ErrAfterQuote)
			}
		}
		// Unquoted part of the field, up to a comma or a line end.
		for {
			if pos >= len(buf) {
				if !atEOF {
					return 0, false
				}
				r.end(emit)
				r.finish(emit)
				return len(buf), true
			}
			c := buf[pos]
			if c == ',' {
				pos++
				r.end(emit)
				break
			}
			if c == '\n' || c == '\r' {
				next := pos + 1
				if c == '\r' {
					var ok bool
					if next, r.blanks, ok = crRun(buf, pos, atEOF); !ok {
						return 0, false
					}
				}
				r.end(emit)
				r.finish(emit)
				return next, true
			}
			if c == '"' {
				fail(ErrBareQuote)
			}
			if emit {
				r.scratch = append(r.scratch, c)
			}
			pos++
		}
	}
}

// end records the end of a field in the scratch buffer.
func (r *record) end(emit bool) {
	if emit {
		r.ends = append(r.ends, len(r.scratch))
	}
}

// finish turns the scratch offsets into fields.
func (r *record) finish(emit bool) {
	if !emit {
		return
	}
	start := 0
	for _, e := range r.ends {
		r.fields = append(r.fields, r.scratch[start:e])
		start = e
	}
}

// cutBlock returns how many leading bytes of buf form whole records: the
// place to split a block. At EOF the whole buffer is whole records.
func cutBlock(buf []byte, atEOF bool) int {
	if atEOF {
		return len(buf)
	}
	// pos is always a record start. Lines without a quote are records of
	// their own, so only the records that hold a quote are scanned: the
	// loop jumps from one quote to the next. Line ends are found looking
	// back from the quote or the end, a line at most.
	pos := 0
	for pos < len(buf) {
		q := bytes.IndexByte(buf[pos:], '"')
		if q < 0 {
			return pos + lastLineEnd(buf[pos:], true)
		}
		start := pos + lastLineEnd(buf[pos:pos+q], false) // the record holding the quote, in its first line
		var r record
		n, ok := scanRecord(buf[start:], false, &r, false) // as recordLen does for such a record
		if !ok {
			return start
		}
		pos = start + n
	}
	return pos
}
