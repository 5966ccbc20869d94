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
	// problem is "" for a well-formed record, else what broke RFC 4180.
	problem string
	// newlines is the number of line breaks the record spans, its
	// terminator included.
	newlines int
}

// Problems a record can have.
const (
	problemBareQuote    = `a quote (") inside an unquoted field`
	problemAfterQuote   = "characters after the closing quote of a field"
	problemUnterminated = "a quoted field that never ends"
)

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// recordLen returns the length of the record at the start of buf, its
// terminator included, or ok=false when buf ends inside the record and more
// input may follow (atEOF false). It agrees with parseRecord on where every
// record ends.
func recordLen(buf []byte, atEOF bool) (n int, ok bool) {
	nl := bytes.IndexByte(buf, '\n')
	if nl >= 0 && bytes.IndexByte(buf[:nl], '"') < 0 {
		return nl + 1, true
	}
	var r record
	n, ok = scanRecord(buf, atEOF, &r, false)
	return n, ok
}

// parseRecord parses the record at the start of buf into r and returns its
// length, terminator included; ok=false when more input is needed.
func parseRecord(buf []byte, atEOF bool, r *record) (n int, ok bool) {
	r.fields = r.fields[:0]
	r.problem = ""
	nl := bytes.IndexByte(buf, '\n')
	var line []byte
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
	if bytes.IndexByte(line, '"') >= 0 {
		n, ok = scanRecord(buf, atEOF, r, true)
		r.newlines = bytes.Count(buf[:n], []byte{'\n'})
		return n, ok
	}
	r.fields = splitCommas(trimCR(line), r.fields)
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

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

// scanRecord is the full RFC 4180 state machine, used for records that
// contain a quote. A quote opens a quoted field only at the start of a field
// (after optional blanks); elsewhere it is kept as data and marks the record
// malformed. With emit false it only finds the record's end.
func scanRecord(buf []byte, atEOF bool, r *record, emit bool) (n int, ok bool) {
	r.scratch = r.scratch[:0]
	r.ends = r.ends[:0]
	pos := 0
	fail := func(p string) {
		if r.problem == "" {
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
					fail(problemUnterminated)
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
			if pos < len(buf) && buf[pos] != ',' && buf[pos] != '\n' &&
				!(buf[pos] == '\r' && pos+1 < len(buf) && buf[pos+1] == '\n') &&
				!(buf[pos] == '\r' && pos+1 == len(buf) && atEOF) {
				fail(problemAfterQuote)
			}
		}
		// Unquoted part of the field, up to a comma or the end of the line.
		unquoted := len(r.scratch)
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
			if c == '\n' {
				if emit && len(r.scratch) > unquoted && r.scratch[len(r.scratch)-1] == '\r' {
					r.scratch = r.scratch[:len(r.scratch)-1]
				}
				r.end(emit)
				r.finish(emit)
				return pos + 1, true
			}
			if c == '"' {
				fail(problemBareQuote)
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
	// loop jumps from one quote to the next.
	pos := 0
	for pos < len(buf) {
		q := bytes.IndexByte(buf[pos:], '"')
		if q < 0 {
			return pos + bytes.LastIndexByte(buf[pos:], '\n') + 1
		}
		start := pos + bytes.LastIndexByte(buf[pos:pos+q], '\n') + 1 // the record holding the quote
		n, ok := recordLen(buf[start:], false)
		if !ok {
			return start
		}
		pos = start + n
	}
	return pos
}
