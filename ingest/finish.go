package ingest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/hugepages"
	"github.com/s1resolve/s1resolve/parallel"
	"github.com/s1resolve/s1resolve/value"
)

// finish turns the parsed chunks into the population: it gathers each
// installation's runs and orders the valid installations by name (gather),
// lays their devices out contiguously in input order, and writes a reject
// for every row of every rejected installation.
func (l *loader) finish(ctx context.Context) (*Result, error) {
	slices.SortFunc(l.chunks, func(a, b *chunk) int { return cmp.Or(cmp.Compare(a.file, b.file), cmp.Compare(a.seq, b.seq)) })
	if err := l.placeLines(); err != nil {
		return nil, err
	}
	gd, err := l.gather(ctx)
	if err != nil {
		return nil, err
	}
	pop := gd.pop
	var rows int64
	for _, c := range l.chunks {
		rows += int64(len(c.rows))
	}
	// Gather read each chunk's rows without a final id (readRejects) as
	// it filled the installations, and handed back its runs: explained
	// here, in input order.
	rj := newRejectBuilder(l, gd)
	for _, cr := range gd.rejects {
		rj.addChunk(cr)
	}
	gd.rejects = nil
	if err := l.layout(ctx, gd); err != nil {
		return nil, err
	}
	res := &Result{Population: pop, Rejects: rj.build()}
	// The chunks are garbage now (a gigabyte at 5M installations): their
	// memory goes back at once (Options.ReturnMemory).
	if l.opt.ReturnMemory != nil {
		l.opt.ReturnMemory()
	}
	res.Stats = Stats{
		Files:                   len(l.paths),
		Bytes:                   l.prog.Bytes.Load(),
		Rows:                    rows,
		BlankLines:              l.blank,
		Installations:           len(pop.Installations),
		RejectedInstallations:   len(gd.rejectedNames),
		RejectedRows:            len(res.Rejects),
		RowsWithoutInstallation: rj.orphans,
	}
	return res, ctx.Err()
}

// placeLines sets each chunk's first line: a file's chunks follow one
// another in seq order, each starting where the one before ended.
func (l *loader) placeLines() error {
	for i, c := range l.chunks {
		if !c.first {
			prev := l.chunks[i-1]
			c.start = prev.start + prev.lines
		}
		if uint64(c.start)+uint64(c.lines) > maxLine {
			return fmt.Errorf("%s: more than %d lines", l.paths[c.file], maxLine)
		}
	}
	return nil
}

// layout lays the devices out by installation, each installation's rows in
// (file, line) order. Each
// chunk is read once, by one of the workers: a row's place is its
// installation's first device, plus the rows of the installation's earlier
// runs (gd.offsets), plus the rows of its own run before it. Chunks are
// freed as they are done: the installations take their places in input
// order (firstPlaces), so each chunk fills one stretch of Devices as its
// own memory is handed back, and the two are never both whole.
func (l *loader) layout(ctx context.Context, gd *gathered) error {
	pop := gd.pop
	next := l.firstPlaces(gd)
	pop.Devices = make([]engine.Device, next)
	hugepages.Slice(pop.Devices) // written once, front to back: package hugepages
	if !l.opt.DropPositions {
		lines := make([]uint64, len(l.paths)) // a bound on each file's line numbers
		for _, c := range l.chunks {
			lines[c.file] = max(lines[c.file], uint64(c.start)+uint64(c.lines)+1)
		}
		pop.Positions = engine.NewPositions(int(next), lines)
	}
	err := parallel.For(ctx, len(l.chunks), 1, l.opt.Workers, func(lo, hi int) {
		for ci := lo; ci < hi; ci++ {
			l.place(ci, gd)
			l.chunks[ci].free()
			l.chunks[ci] = nil
		}
	})
	if err != nil {
		return err
	}
	l.chunks = nil
	return nil
}

// firstPlaces sets each valid installation's First and returns the
// number of devices. An installation of one run (almost all) takes its
// run's place in input order, valid rows only; those of several runs,
// whose rows stand in more than one place, follow in id order.
func (l *loader) firstPlaces(gd *gathered) uint32 {
	insts := gd.pop.Installations
	several := make([]bool, len(insts))
	for _, id := range gd.several {
		several[id] = true
	}
	var next uint32
	for ci := range l.chunks {
		for _, ref := range gd.refs[gd.base[ci]:gd.base[ci+1]] {
			if !ref.First() || several[ref.ID()] {
				continue
			}
			in := &insts[ref.ID()]
			in.First = next
			next += in.Count
		}
	}
	for _, id := range gd.several {
		insts[id].First = next
		next += insts[id].Count
	}
	return next
}

// finalID returns the final id of the installation of run r of chunk ci,
// or noInst when it is rejected or unknown.
func (gd *gathered) finalID(ci int, r uint32) uint32 {
	if r == noInst {
		return noInst
	}
	if ref := gd.ref(ci, r); !ref.Rejected() {
		return ref.ID()
	}
	return noInst
}

// place copies the rows of chunk ci that have a final id to their places
// in the population.
func (l *loader) place(ci int, gd *gathered) {
	c, pop := l.chunks[ci], gd.pop
	base := gd.base[ci]
	next := make([]uint32, gd.base[ci+1]-base) // the next place of each run's rows
	for r := range next {
		ref := gd.refs[base+uint32(r)]
		if ref.Rejected() {
			next[r] = noInst
			continue
		}
		next[r] = pop.Installations[ref.ID()].First
	}
	offs := gd.offsets
	o, _ := slices.BinarySearchFunc(offs, base, func(x runOffset, g uint32) int { return cmp.Compare(x.g, g) })
	for ; o < len(offs) && offs[o].g < gd.base[ci+1]; o++ {
		next[offs[o].g-base] += offs[o].rows
	}
	for i := range c.rows {
		r := c.rows[i].run
		if r == noInst || next[r] == noInst {
			continue
		}
		at := next[r]
		next[r]++
		pop.Devices[at] = c.rows[i].dev
		if pop.Positions != nil {
			pop.Positions.Set(int(at), c.file, c.start+c.rows[i].lineNo())
		}
	}
}

// rejectBuilder gathers the rows of rejected installations and explains each.
type rejectBuilder struct {
	l       *loader
	gd      *gathered
	byInst  map[uint32][]rejRow
	order   []uint32
	single  []value.Reject
	orphans int
}

type rejRow struct {
	file uint16
	line uint32
	err  string // the row's own problem
	inst instFields
}

func newRejectBuilder(l *loader, gd *gathered) *rejectBuilder {
	return &rejectBuilder{l: l, gd: gd, byInst: make(map[uint32][]rejRow)}
}

// chunkRejects are the rows of one chunk that have no final installation
// id, in row order: read in parallel while the chunk's runs are alive
// (readRejects), explained in input order once every chunk is read
// (rejectBuilder.addChunk).
type chunkRejects struct {
	single []value.Reject // rows whose installation cannot be identified
	rows   []instRow      // rows of rejected installations
}

// instRow is a row of a rejected installation: inst is the global index
// of the installation's first run.
type instRow struct {
	inst uint32
	rejRow
}

// readRejects returns the rows of chunk ci that have no final installation
// id; it reads the chunk's runs.
func (gd *gathered) readRejects(ci int, c *chunk) chunkRejects {
	var cr chunkRejects
	ei, di := 0, 0
	for i := range c.rows {
		var e *rowError
		if ei < len(c.errs) && c.errs[ei].idx == uint32(i) {
			e = &c.errs[ei]
			ei++
		}
		var d *rowDiff
		if di < len(c.diffs) && c.diffs[di].idx == uint32(i) {
			d = &c.diffs[di]
			di++
		}
		r := &c.rows[i]
		if gd.finalID(ci, r.run) != noInst {
			continue
		}
		if r.run == noInst {
			cr.single = append(cr.single, value.Reject{File: c.file, Line: c.start + r.lineNo(), SMSO: e.smso, ID: e.id,
				Error: e.message(c.start, r.lineNo()) + "; its installation cannot be identified"})
			continue
		}
		rr := rejRow{file: c.file, line: c.start + r.lineNo()}
		switch {
		case e != nil:
			rr.err = e.message(c.start, r.lineNo())
		case d != nil:
			rr.inst = d.inst
		default:
			rr.inst = c.runs[r.run].ref // the row equals its run's reference
		}
		cr.rows = append(cr.rows, instRow{gd.ref(ci, r.run).ID(), rr})
	}
	return cr
}

// addChunk adds the rows of a chunk that have no final installation id;
// chunks are added in input order.
func (b *rejectBuilder) addChunk(cr chunkRejects) {
	b.orphans += len(cr.single)
	b.single = append(b.single, cr.single...)
	for _, r := range cr.rows {
		if _, seen := b.byInst[r.inst]; !seen {
			b.order = append(b.order, r.inst)
		}
		b.byInst[r.inst] = append(b.byInst[r.inst], r.rejRow)
	}
}

// build explains every row of every rejected installation and returns all
// rejects sorted by file then line.
func (b *rejectBuilder) build() []value.Reject {
	out := b.single
	for _, inst := range b.order {
		rows := b.byInst[inst]
		smso, id, _ := strings.Cut(b.gd.rejectedNames[inst], "\x00")
		ref := -1
		for i := range rows {
			if rows[i].err == "" {
				ref = i
				break
			}
		}
		// Rows that disagree with the reference row get their own problem.
		for i := range rows {
			if rows[i].err != "" || i == ref || ref < 0 {
				continue
			}
			if d := diffInst(rows[i].inst, rows[ref].inst); len(d) > 0 {
				rows[i].err = "installation-level columns disagree with " + b.where(rows[ref].file, rows[ref].line) +
					" of the same installation: " + strings.Join(d, ", ")
			}
		}
		culprit := -1
		for i := range rows {
			if rows[i].err != "" {
				culprit = i
				break
			}
		}
		for i := range rows {
			msg := rows[i].err
			if msg == "" && culprit >= 0 {
				msg = "row is valid, but its installation is rejected by " + b.where(rows[culprit].file, rows[culprit].line)
			} else if msg == "" {
				msg = "row is valid, but its installation is rejected"
			}
			out = append(out, value.Reject{File: rows[i].file, Line: rows[i].line, SMSO: smso, ID: id, Error: msg})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out
}

func (b *rejectBuilder) where(file uint16, line uint32) string {
	return b.l.paths[file] + " line " + itoa(line)
}

func itoa(v uint32) string { return string(strconv.AppendUint(nil, uint64(v), 10)) }
