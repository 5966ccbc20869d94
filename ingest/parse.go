package ingest

import (
	"bytes"

	"github.com/s1resolve/s1resolve/engine"
)

// chunk is the parsed content of a block.
type chunk struct {
	file  uint16
	seq   int
	first bool   // the first chunk of its file
	start uint32 // the line the first chunk starts on; for the others, set by finish
	lines uint32 // the line breaks in the chunk: the next chunk starts start+lines
	// Row lines (chunkRow.line, rowError) are relative to start until
	// finish adds it: a chunk's place in its file is known only once every
	// chunk before it is parsed.
	rows []chunkRow // rowmem.go: freed by freeRows, once placed
	// rowsMapped: rows are a mapping of their own (rowmem.go).
	rowsMapped bool
	errs       []rowError // in row order
	diffs      []rowDiff  // in row order: valid rows that disagree with their run's ref
	runs       []run      // rowmem.go: freed by freeRuns once gather has filled the chunk's installations and read its rejects
	runsMapped bool
	// names holds the runs' names one after another. The valid
	// installations' names are slices of it: it lives as long as the
	// population.
	names string
}

// runName returns the name of run i.
func (c *chunk) runName(i uint32) string {
	r := &c.runs[i]
	return c.names[r.nameOff : r.nameOff+r.nameLen]
}

// Flags of a chunkRow, kept in the top bits of its line.
const (
	rowInvalid   = 1 << 31 // the row has its own problem
	rowSameAsRef = 1 << 30 // its installation-level columns equal the reference's
	lineMask     = 1<<30 - 1
	maxLine      = lineMask
)

// chunkRow is one parsed row: 28 bytes.
type chunkRow struct {
	dev  engine.Device
	run  uint32 // the row's run in its chunk, noInst when its installation is unknown
	line uint32 // line number | flags
}

// noInst marks a row whose installation is unknown, or an installation
// without a final id (rejected).
const noInst = ^uint32(0)

func (r *chunkRow) lineNo() uint32 { return r.line & lineMask }

type rowError struct {
	idx      uint32
	smso, id string
	msg      string
	// last is set for a quoted field that never ends: the last line of
	// the file, relative to the chunk like the row's; the message is made
	// once the chunk's place in its file is known (message).
	last         uint32
	unterminated bool
}

// message returns the row's problem; start is the chunk's first line.
func (e *rowError) message(start, line uint32) string {
	if !e.unterminated {
		return e.msg
	}
	f := RowError{Line: int(start + line), Err: ErrUnterminated, LastLine: int(start + e.last)}
	return f.Problem()
}

type rowDiff struct {
	idx  uint32
	inst instFields
}

// parser turns blocks into chunks; one per worker. It shares nothing.
type parser struct {
	c     *chunk // the chunk being parsed
	rec   record
	row   row
	arena []byte // the names of the runs of the chunk being parsed
}

func (p *parser) parseBlock(b *block) (*chunk, int64) {
	estimate := rowsCapacity(len(b.data))
	c := &chunk{file: b.file, seq: b.seq, first: b.first, start: b.line}
	c.rows, c.rowsMapped = allocMapped[chunkRow](estimate)
	c.runs, c.runsMapped = allocMapped[run](estimate/3 + 1)
	p.c = c // freed by the loader if the parse fails midway
	p.arena = p.arena[:0]
	data := b.data
	line := uint32(0)
	var blank int64
	// Most files hold no CR: their records are found looking for LFs
	// only (lineend.go).
	crs := bytes.IndexByte(data, '\r') >= 0
	for len(data) > 0 {
		n, _ := parseRecord(data, true, &p.rec, crs)
		rec := data[:n]
		data = data[n:]
		start := line
		line += uint32(p.rec.newlines)
		blank += int64(p.rec.blanks)
		if p.rec.blank() {
			blank++
			continue
		}
		p.addRow(c, b.hdr, start, rec)
	}
	c.lines = line
	c.names = string(p.arena)
	c.trim()
	p.c = nil
	return c, blank
}

func (p *parser) addRow(c *chunk, h *header, line uint32, rec []byte) {
	idx := uint32(len(c.rows))
	fields := p.rec.fields
	r := &p.row
	var msg string
	var fault *RowError
	if p.rec.problem != nil || len(fields) != h.fields {
		fault = rowFault(&p.rec, rec, int(line), h.fields)
		msg = fault.Problem()
		if fault.Err == ErrUnterminated { // the last field, which never ends, is no value
			fields = fields[:len(fields)-1]
		}
		r.smso, r.id = h.field(fields, colSMSO), h.field(fields, colInstallationID)
	} else {
		h.parseRow(fields, r)
		if len(r.problems) > 0 {
			msg = r.problem()
		}
	}
	cr := chunkRow{run: noInst, line: line}
	var ru *run
	if len(r.smso) > 0 && len(r.id) > 0 {
		n := uint32(len(c.runs))
		if n == 0 || !isName(p.arena[c.runs[n-1].nameOff:], r.smso, r.id) { // a new run: most rows continue the last one
			at := len(p.arena)
			p.arena = append(append(append(p.arena, r.smso...), 0), r.id...)
			c.addRun(run{nameOff: uint32(at), nameLen: uint32(len(p.arena) - at)})
			n++
		}
		cr.run = n - 1
		ru = &c.runs[n-1]
		ru.rows++
	}
	if msg != "" {
		cr.line |= rowInvalid
		if ru != nil {
			ru.bad = true
		}
		e := rowError{idx: idx, smso: string(r.smso), id: string(r.id), msg: msg}
		if fault != nil && fault.Err == ErrUnterminated {
			e.unterminated, e.last = true, uint32(fault.LastLine)
		}
		c.errs = append(c.errs, e)
		c.addRow(cr)
		return
	}
	cr.dev = r.dev
	switch {
	case !ru.hasRef:
		ru.ref, ru.hasRef = r.inst, true
		cr.line |= rowSameAsRef
	case ru.ref == r.inst:
		cr.line |= rowSameAsRef
	default:
		ru.inconsistent = true
		c.diffs = append(c.diffs, rowDiff{idx: idx, inst: r.inst})
	}
	c.addRow(cr)
}

// isName reports whether name is smso, a NUL, then id (engine.InstallationName).
func isName(name, smso, id []byte) bool {
	return len(name) == len(smso)+1+len(id) && name[len(smso)] == 0 &&
		bytes.Equal(name[:len(smso)], smso) && bytes.Equal(name[len(smso)+1:], id)
}
