package ingest

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/parallel"
	"github.com/s1resolve/s1resolve/value"
)

// finish turns the parsed chunks into the population: it gathers each
// installation's runs, orders the valid installations by name, lays their
// devices out contiguously in input order, and writes a reject for every
// row of every rejected installation.
func (l *loader) finish(ctx context.Context) (*Result, error) {
	slices.SortFunc(l.chunks, func(a, b *chunk) int { return cmp.Compare(a.seq, b.seq) })
	if err := l.placeLines(); err != nil {
		return nil, err
	}
	insts := l.gather()
	pop, instFinal, err := l.orderByName(ctx, insts)
	if err != nil {
		return nil, err
	}
	gatheredCount := len(insts)
	insts = nil // 200 MB at 5M: free before the layout takes its own
	finalOf := func(ci int, r uint32) uint32 {
		if r == noInst {
			return noInst
		}
		return instFinal[l.runInst[l.runBase[ci]+r]]
	}
	ids, rows, err := l.finalIDs(ctx, pop, finalOf)
	if err != nil {
		return nil, err
	}
	rj, err := l.layout(ctx, pop, ids)
	if err != nil {
		return nil, err
	}
	res := &Result{Population: pop, Rejects: rj.build()}
	res.Stats = Stats{
		Files:                   len(l.paths),
		Bytes:                   l.prog.Bytes.Load(),
		Rows:                    rows,
		BlankLines:              l.blank,
		Installations:           len(pop.Installations),
		RejectedInstallations:   gatheredCount - len(pop.Installations),
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

// gather gathers the runs of each installation by the hash of its name,
// setting l.runBase and l.runInst, and returns the installations.
func (l *loader) gather() []gathered {
	l.runBase = make([]uint32, len(l.chunks)+1)
	for ci, c := range l.chunks {
		l.runBase[ci+1] = l.runBase[ci] + uint32(len(c.runs))
	}
	hashes := make([]engine.KeyRef, l.runBase[len(l.chunks)])
	for ci, c := range l.chunks {
		for i := range c.runs {
			g := l.runBase[ci] + uint32(i)
			hashes[g] = engine.KeyRef{K: c.runs[i].hash, ID: g}
		}
	}
	engine.SortKeyRefs(hashes, l.opt.Workers)
	chunkOf := make([]uint32, len(hashes)) // the chunk holding each run, without a search per run
	for ci := range l.chunks {
		for g := l.runBase[ci]; g < l.runBase[ci+1]; g++ {
			chunkOf[g] = uint32(ci)
		}
	}
	runAt := func(g uint32) (*run, []byte) {
		ci := chunkOf[g]
		c := l.chunks[ci]
		return &c.runs[g-l.runBase[ci]], c.runName(g - l.runBase[ci])
	}
	insts, runInst := groupRuns(hashes, runAt, l.opt.Workers)
	l.runInst = runInst
	return insts
}

// orderByName builds the population of the valid installations in name
// order (their final ids) and returns, for each gathered installation, its
// final id or noInst. It keeps the names of rejected installations in
// l.rejectedNames for their messages, before their chunks are freed.
func (l *loader) orderByName(ctx context.Context, insts []gathered) (*engine.Population, []uint32, error) {
	// One pass over the runs in input order meets each installation's
	// first run, whose name is the installation's.
	// The name is all[off:off+n]; k1, k2 are its bytes from lcp on (the
	// length of the prefix every name shares), big-endian, so that most
	// comparisons are of two integers.
	type named struct {
		k1, k2       uint64
		off, n, inst uint32
	}
	var all []byte
	valid := make([]named, 0, len(insts))
	l.rejectedNames = make(map[uint32]string)
	for ci, c := range l.chunks {
		for i := range c.runs {
			g := l.runBase[ci] + uint32(i)
			inst := l.runInst[g]
			if insts[inst].first != g {
				continue
			}
			name := c.runName(uint32(i))
			if !insts[inst].valid() {
				l.rejectedNames[inst] = string(name)
				continue
			}
			if len(all)+len(name) >= 1<<32 {
				return nil, nil, fmt.Errorf("installation names total more than %d bytes, more than this build handles", 1<<32)
			}
			valid = append(valid, named{off: uint32(len(all)), n: uint32(len(name)), inst: inst})
			all = append(all, name...)
		}
	}
	nameOf := func(v named) []byte { return all[v.off : v.off+v.n] }
	lcp := sharedPrefix(valid, func(i int) []byte { return nameOf(valid[i]) })
	for i := range valid {
		name := nameOf(valid[i])[min(lcp, int(valid[i].n)):]
		valid[i].k1, valid[i].k2 = bigEndianPrefix(name), bigEndianPrefix(name[min(8, len(name)):])
	}
	// LSD radix sort on (k1, k2), the passes over bytes that all names
	// share skipped; then runs of equal (k1, k2), names longer than 16
	// bytes past the shared prefix, by their bytes.
	tmp := make([]named, len(valid))
	src, dst := valid, tmp
	for pass := 0; pass < 16; pass++ {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		shift := uint(pass%8) * 8
		digit := func(v *named) byte { return byte(v.k2 >> shift) }
		if pass >= 8 {
			digit = func(v *named) byte { return byte(v.k1 >> shift) }
		}
		if parallel.RadixPass(src, dst, digit, l.opt.Workers) {
			src, dst = dst, src
		}
	}
	valid = src
	for i := 0; i < len(valid); {
		j := i + 1
		for j < len(valid) && valid[j].k1 == valid[i].k1 && valid[j].k2 == valid[i].k2 {
			j++
		}
		if j-i > 1 {
			slices.SortFunc(valid[i:j], func(a, b named) int { return bytes.Compare(nameOf(a), nameOf(b)) })
		}
		i = j
	}
	names := string(all) // one string, sliced into every installation's name
	instFinal := make([]uint32, len(insts))
	for i := range instFinal {
		instFinal[i] = noInst
	}
	pop := &engine.Population{Installations: make([]engine.Installation, len(valid)), Files: l.paths}
	err := parallel.For(ctx, len(valid), 1<<16, l.opt.Workers, func(lo, hi int) {
		for id := lo; id < hi; id++ { // each id and each inst once: no two goroutines share a slot
			v := valid[id]
			instFinal[v.inst] = uint32(id)
			ref := &insts[v.inst].ref
			pop.Installations[id] = engine.Installation{Name: names[v.off : v.off+v.n], MPAN: ref.MPAN, MPRN: ref.MPRN,
				Date: ref.Date, Cohort: ref.Cohort, Communicating: ref.Comm}
		}
	})
	return pop, instFinal, err
}

// sharedPrefix returns the length of the prefix that the n names share.
func sharedPrefix[T any](items []T, name func(i int) []byte) int {
	if len(items) == 0 {
		return 0
	}
	first := name(0)
	lcp := len(first)
	for i := 1; i < len(items) && lcp > 0; i++ {
		n := name(i)
		j := 0
		for j < lcp && j < len(n) && n[j] == first[j] {
			j++
		}
		lcp = j
	}
	return lcp
}

// bigEndianPrefix returns the first 8 bytes of b as a big-endian number,
// zero-padded: numbers compare as the bytes do (a shorter name, padded
// with zeros, sorts first, as in byte order; names hold no NUL after the
// separator).
func bigEndianPrefix(b []byte) uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v <<= 8
		if i < len(b) {
			v |= uint64(b[i])
		}
	}
	return v
}

// layout lays the devices out by installation, in (file, line) order, and
// gathers the rows of rejected installations; it frees the chunks as it
// goes.
func (l *loader) layout(ctx context.Context, pop *engine.Population, ids [][]uint32) (*rejectBuilder, error) {
	var next uint32
	for id := range pop.Installations {
		pop.Installations[id].First = next
		next += pop.Installations[id].Count
	}
	pop.Devices = make([]engine.Device, next)
	if !l.opt.DropPositions {
		pop.RowFile = make([]uint16, next)
		pop.RowLine = make([]uint32, next)
	}
	g, gctx := errgroup.WithContext(ctx)
	ranges := parallel.Ranges(len(pop.Installations), l.opt.Workers)
	// Every goroutine below reads every chunk; the last one done with a
	// chunk frees it, so memory falls as the layout fills.
	scanners := int32(len(ranges) + 1)
	done := make([]atomic.Int32, len(l.chunks))
	release := func(ci int) {
		if done[ci].Add(1) == scanners {
			l.chunks[ci], ids[ci] = nil, nil
		}
	}
	for _, r := range ranges {
		g.Go(func() error { return l.place(gctx, pop, ids, uint32(r[0]), uint32(r[1]), release) })
	}
	rj := newRejectBuilder(l)
	g.Go(func() error {
		for ci := range l.chunks {
			rj.addChunk(ci, l.chunks[ci], ids[ci])
			release(ci)
		}
		return gctx.Err()
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	l.chunks = nil
	return rj, nil
}

// finalIDs maps every row of every chunk to its final installation id
// (noInst for rows of rejected or unidentified installations), counts the
// rows of each installation, and returns the ids and the number of rows.
func (l *loader) finalIDs(ctx context.Context, pop *engine.Population, finalOf func(ci int, run uint32) uint32) ([][]uint32, int64, error) {
	ids := make([][]uint32, len(l.chunks))
	var rows atomic.Int64
	g, _ := errgroup.WithContext(ctx)
	g.SetLimit(l.opt.Workers)
	for ci, c := range l.chunks {
		g.Go(func() error {
			out := make([]uint32, len(c.rows))
			for i := range c.rows {
				id := finalOf(ci, c.rows[i].run)
				out[i] = id
				if id != noInst {
					atomic.AddUint32(&pop.Installations[id].Count, 1)
				}
			}
			ids[ci] = out
			rows.Add(int64(len(c.rows)))
			return nil
		})
	}
	err := g.Wait()
	return ids, rows.Load(), err
}

// place copies the rows of installations [lo, hi) into the population, in
// chunk order, that is in (file, line) order.
func (l *loader) place(ctx context.Context, pop *engine.Population, ids [][]uint32, lo, hi uint32, release func(int)) error {
	cursor := make([]uint32, hi-lo)
	for id := lo; id < hi; id++ {
		cursor[id-lo] = pop.Installations[id].First
	}
	for ci := range l.chunks {
		c := l.chunks[ci]
		for i, id := range ids[ci] {
			if id < lo || id >= hi { // noInst is never in range
				continue
			}
			at := cursor[id-lo]
			cursor[id-lo]++
			pop.Devices[at] = c.rows[i].dev
			if pop.RowFile != nil {
				pop.RowFile[at] = c.file
				pop.RowLine[at] = c.start + c.rows[i].lineNo()
			}
		}
		release(ci)
		if ci%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// rejectBuilder gathers the rows of rejected installations and explains each.
type rejectBuilder struct {
	l       *loader
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

func newRejectBuilder(l *loader) *rejectBuilder {
	return &rejectBuilder{l: l, byInst: make(map[uint32][]rejRow)}
}

// addChunk adds the rows of chunk ci that have no final installation id.
func (b *rejectBuilder) addChunk(ci int, c *chunk, ids []uint32) {
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
		if ids[i] == noInst {
			b.add(ci, c, &c.rows[i], e, d)
		}
	}
}

func (b *rejectBuilder) add(ci int, c *chunk, r *chunkRow, e *rowError, d *rowDiff) {
	if r.run == noInst {
		b.orphans++
		b.single = append(b.single, value.Reject{File: c.file, Line: c.start + r.lineNo(), SMSO: e.smso, ID: e.id,
			Error: e.msg + "; its installation cannot be identified"})
		return
	}
	rr := rejRow{file: c.file, line: c.start + r.lineNo()}
	switch {
	case e != nil:
		rr.err = e.msg
	case d != nil:
		rr.inst = d.inst
	default:
		rr.inst = c.runs[r.run].ref // the row equals its run's reference
	}
	inst := b.l.runInst[b.l.runBase[ci]+r.run]
	if _, seen := b.byInst[inst]; !seen {
		b.order = append(b.order, inst)
	}
	b.byInst[inst] = append(b.byInst[inst], rr)
}

// build explains every row of every rejected installation and returns all
// rejects sorted by file then line.
func (b *rejectBuilder) build() []value.Reject {
	out := b.single
	for _, inst := range b.order {
		rows := b.byInst[inst]
		smso, id, _ := strings.Cut(b.l.rejectedNames[inst], "\x00")
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
