package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
	"golang.org/x/sync/errgroup"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// Options tune a Load.
type Options struct {
	// Workers bounds the parse goroutines; zero means runtime.NumCPU().
	Workers int
	// BlockSize is the size of the blocks the input is split into; zero
	// means 8 MiB. A record longer than a block grows its block.
	BlockSize int
	// Stdin is read for the path "-" (Stdin); nil means os.Stdin.
	Stdin io.Reader
}

// Stats counts what a Load read.
type Stats struct {
	Files                   int
	Bytes                   int64 // uncompressed bytes, headers included
	Rows                    int64 // records after the headers, blank lines excepted
	BlankLines              int64
	Installations           int // valid installations
	RejectedInstallations   int
	RejectedRows            int
	RowsWithoutInstallation int // rejected rows whose smso or installation_id could not be read
}

// Result is what Load returns: the valid population and the rejects, sorted
// by file then line.
type Result struct {
	Population *engine.Population
	Rejects    []value.Reject
	Stats      Stats
}

// Progress is read by a caller that reports progress while Load runs.
type Progress struct {
	Bytes atomic.Int64
	Rows  atomic.Int64
}

// Load reads the installation files at paths into a population. It fails only
// on what stops a run: an unreadable file or a bad header (ErrHeader); bad
// rows become Rejects.
func Load(ctx context.Context, paths []string, opt Options, prog *Progress) (*Result, error) {
	if len(paths) > 1<<16-1 {
		return nil, fmt.Errorf("too many input files (%d)", len(paths))
	}
	if prog == nil {
		prog = &Progress{}
	}
	l := &loader{
		opt:   opt,
		paths: paths,
		prog:  prog,
	}
	if l.opt.Workers <= 0 {
		l.opt.Workers = runtime.NumCPU()
	}
	if l.opt.BlockSize <= 0 {
		l.opt.BlockSize = 8 << 20
	}
	l.free = make(chan []byte, l.opt.Workers+2)
	if err := l.read(ctx); err != nil {
		return nil, err
	}
	return l.finish(ctx)
}

type loader struct {
	opt   Options
	paths []string
	prog  *Progress
	free  chan []byte

	// Set by finish: the installation of each run (by global run index),
	// where each chunk's runs start, and the names of rejected
	// installations.
	runInst       []uint32
	runBase       []uint32
	rejectedNames map[uint32]string

	mu     sync.Mutex
	chunks []*chunk
	blank  int64
}

// block is a run of whole records of one file.
type block struct {
	file  uint16
	seq   int
	line  uint32 // line on which the block starts
	lines uint32 // newlines in the block
	data  []byte
	hdr   *header
	owner []byte // buffer to recycle
}

// chunk is the parsed content of a block.
type chunk struct {
	file  uint16
	seq   int
	rows  []chunkRow
	errs  []rowError // in row order
	diffs []rowDiff  // in row order: valid rows that disagree with their run's ref
	runs  []run
	arena []byte // the runs' names
}

// runName returns the name of run i.
func (c *chunk) runName(i uint32) []byte {
	r := &c.runs[i]
	return c.arena[r.nameOff : r.nameOff+r.nameLen]
}

// Flags of a chunkRow, kept in the top bits of its line.
const (
	rowInvalid   = 1 << 31 // the row has its own problem
	rowSameAsRef = 1 << 30 // its installation-level columns equal the reference's
	lineMask     = 1<<30 - 1
	maxLine      = lineMask
)

// chunkRow is one parsed row: 32 bytes.
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
}

type rowDiff struct {
	idx  uint32
	inst instFields
}

func (l *loader) read(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	blocks := make(chan *block, l.opt.Workers)
	g.Go(func() error {
		defer close(blocks)
		seq := 0
		for i, p := range l.paths {
			if err := l.readFile(gctx, uint16(i), p, &seq, blocks); err != nil {
				return err
			}
		}
		return nil
	})
	for w := 0; w < l.opt.Workers; w++ {
		g.Go(func() error {
			p := &parser{}
			for b := range blocks {
				if err := gctx.Err(); err != nil {
					return err
				}
				c, blank := p.parseBlock(b)
				l.prog.Rows.Add(int64(len(c.rows)))
				l.recycle(b.owner)
				l.mu.Lock()
				l.chunks = append(l.chunks, c)
				l.blank += blank
				l.mu.Unlock()
			}
			return nil
		})
	}
	return g.Wait()
}

func (l *loader) buffer(n int) []byte {
	select {
	case b := <-l.free:
		if cap(b) >= n {
			return b[:0]
		}
	default:
	}
	return make([]byte, 0, n)
}

func (l *loader) recycle(b []byte) {
	select {
	case l.free <- b:
	default:
	}
}

// readFile splits one file into blocks of whole records and sends them.
func (l *loader) readFile(ctx context.Context, fi uint16, path string, seq *int, out chan<- *block) error {
	in, err := openInput(ctx, path, l.opt.Stdin)
	if err != nil {
		return err
	}
	defer in.stop()
	rc := in.r
	var hdr *header
	line := uint32(1)
	carry := []byte(nil)
	size := l.opt.BlockSize
	eof := false
	for {
		buf := l.buffer(size)
		buf = append(buf, carry...)
		for len(buf) < cap(buf) && !eof {
			n, err := rc.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			l.prog.Bytes.Add(int64(n))
			if err == io.EOF {
				eof = true
			} else if err != nil {
				if cerr := ctx.Err(); cerr != nil {
					return cerr
				}
				return fmt.Errorf("%s: reading after line %d: %w", path, line, err)
			}
		}
		data := buf
		if hdr == nil {
			if len(data) == 0 {
				return &HeaderError{File: path, Problem: "the file is empty: no header"}
			}
			data = stripBOM(data)
			n, ok := recordLen(data, eof)
			if !ok {
				carry, size = append(carry[:0], buf...), 2*cap(buf)
				continue
			}
			if err := checkText(path, data[:n]); err != nil {
				return err
			}
			var rec record
			parseRecord(data[:n], true, &rec)
			if hdr, err = parseHeader(path, rec.fields, rec.problem); err != nil {
				return err
			}
			line += uint32(bytes.Count(data[:n], []byte{'\n'}))
			data = data[n:]
		}
		cut := cutBlock(data, eof)
		if cut == 0 && !eof {
			carry, size = append(carry[:0], data...), 2*cap(buf)
			continue
		}
		carry = append(carry[:0], data[cut:]...)
		size = l.opt.BlockSize
		if cut > 0 {
			n := uint32(bytes.Count(data[:cut], []byte{'\n'}))
			if uint64(line)+uint64(n) > maxLine {
				return fmt.Errorf("%s: more than %d lines", path, maxLine)
			}
			b := &block{file: fi, seq: *seq, line: line, lines: n, data: data[:cut], hdr: hdr, owner: buf}
			*seq++
			line += n
			select {
			case out <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if eof && len(carry) == 0 {
			return nil
		}
	}
}

// parser turns blocks into chunks; one per worker. It shares nothing.
type parser struct {
	rec record
	row row
	key []byte
}

func (p *parser) parseBlock(b *block) (*chunk, int64) {
	c := &chunk{file: b.file, seq: b.seq, rows: make([]chunkRow, 0, b.lines+1),
		runs: make([]run, 0, b.lines/3+1), arena: make([]byte, 0, (b.lines/3+1)*24)}
	data := b.data
	line := b.line
	var blank int64
	for len(data) > 0 {
		n, _ := parseRecord(data, true, &p.rec)
		data = data[n:]
		start := line
		line += uint32(p.rec.newlines)
		if len(p.rec.fields) == 1 && len(p.rec.fields[0]) == 0 && p.rec.problem == "" {
			blank++
			continue
		}
		p.addRow(c, b.hdr, start)
	}
	return c, blank
}

func (p *parser) addRow(c *chunk, h *header, line uint32) {
	idx := uint32(len(c.rows))
	fields := p.rec.fields
	r := &p.row
	var msg string
	if p.rec.problem != "" || len(fields) != h.fields {
		if p.rec.problem != "" {
			msg = "not valid CSV: " + p.rec.problem
		} else {
			msg = fmt.Sprintf("has %d fields, the header has %d", len(fields), h.fields)
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
		p.key = append(append(append(p.key[:0], r.smso...), 0), r.id...)
		n := uint32(len(c.runs))
		if n == 0 || !bytes.Equal(c.runName(n-1), p.key) {
			c.runs = append(c.runs, run{hash: xxhash.Sum64(p.key), nameOff: uint32(len(c.arena)), nameLen: uint32(len(p.key))})
			c.arena = append(c.arena, p.key...)
			n++
		}
		cr.run = n - 1
		ru = &c.runs[n-1]
	}
	if msg != "" {
		cr.line |= rowInvalid
		if ru != nil {
			ru.bad = true
		}
		c.errs = append(c.errs, rowError{idx: idx, smso: string(r.smso), id: string(r.id), msg: msg})
		c.rows = append(c.rows, cr)
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
	c.rows = append(c.rows, cr)
}
