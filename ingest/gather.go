package ingest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/hugepages"
	"github.com/s1resolve/s1resolve/parallel"
)

// run is a stretch of consecutive rows of one chunk that name the same
// installation. Parse workers build runs without sharing anything; the runs
// of one installation, wherever they stand in the input, are brought
// together afterwards by sorting every run by its name (gather).
type run struct {
	nameOff uint32 // the name, smso + "\x00" + installation_id, in the chunk's names
	nameLen uint32
	rows    uint32     // the run's rows, valid or not
	ref     instFields // installation-level values of the run's first valid row
	hasRef  bool
	bad     bool // some row of the run has a problem of its own
	// inconsistent: some valid row of the run disagrees with ref
	inconsistent bool
}

// spoilt reports whether the run alone rejects its installation.
func (r *run) spoilt() bool { return r.bad || r.inconsistent || !r.hasRef }

// runKey is one run in the name sort: 24 bytes, no pointers. The name
// sorts as k1, k2 (its 16 bytes after the prefix that the names of
// unspoilt runs share, big-endian and zero-padded) while a name fits in
// them; names that do not (longer, or without the shared prefix: only
// spoilt runs) are flagged keyFull and compared whole among equal keys.
//
// Zero padding keeps byte order and keeps names apart: a name holds
// exactly one NUL, its separator, so two names of different lengths
// cannot pad to the same 16 bytes. Names of spoilt runs may break that
// (an installation_id holding a NUL): equal keys are therefore equal names
// only when the lengths are equal too.
type runKey struct {
	k1, k2 uint64
	g      uint32 // the run's global index: input order
	n      uint32 // name length (keyLen bits) | flags
}

const (
	keyFull   = 1 << 31 // compare the whole names
	keySpoilt = 1 << 30 // the run alone rejects its installation
	keyStart  = 1 << 29 // set by gather: the first run of an installation
	keyValid  = 1 << 28 // set by gather: the first run of a valid installation
	keyLen    = 1<<24 - 1
)

// runRef is what gather says of one run: for a run of a valid
// installation, the installation's final id, and whether the run is its
// first (the one that fills it); for a run of a rejected installation, the
// global index of the installation's first run.
type runRef uint32

const (
	refRejected runRef = 1 << 31
	refFirst    runRef = 1 << 30
	maxInsts           = int(refFirst)
)

// validRef is the ref of a run of the valid installation id.
func validRef(id uint32, first bool) runRef {
	if first {
		return runRef(id) | refFirst
	}
	return runRef(id)
}

// rejectedRef is the ref of a run of the rejected installation whose first
// run is firstRun.
func rejectedRef(firstRun uint32) runRef { return runRef(firstRun) | refRejected }

// Rejected reports whether the run's installation is rejected.
func (r runRef) Rejected() bool { return r&refRejected != 0 }

// First reports whether the run is the first of its valid installation.
func (r runRef) First() bool { return r&(refRejected|refFirst) == refFirst }

// ID returns the valid installation's final id, or the rejected
// installation's first run.
func (r runRef) ID() uint32 { return uint32(r &^ (refRejected | refFirst)) }

// gathered is what gather finds: the valid installations in name order
// (their final ids), and what the layout and the rejects need of the runs.
type gathered struct {
	pop *engine.Population
	// base says where each chunk's runs start in the global run order
	// (input order): chunk ci's runs are base[ci] to base[ci+1]-1.
	base []uint32
	// refs says, for each global run, its installation (runRef).
	refs []runRef
	// offsets are the rows of earlier runs before each later run of a
	// valid installation of several runs, by run.
	offsets []runOffset
	// rejectedNames are the names of the rejected installations, by their
	// first run.
	rejectedNames map[uint32]string
	// several are the valid installations of several runs, in id order.
	several []uint32
	// rejects are the rows of each chunk without a final installation
	// id, read while its runs were alive (readRejects).
	rejects []chunkRejects
}

// ref returns the ref of run r of chunk ci.
func (gd *gathered) ref(ci int, r uint32) runRef { return gd.refs[gd.base[ci]+r] }

// gatherer is the work of one gather: the loader's chunks, and where each
// run is while they are gathered.
type gatherer struct {
	*loader
	gathered
	chunkOf []uint32 // the chunk of each global run
}

// gather groups the runs of every chunk into installations by name. It
// returns the population of the valid installations in name order (their
// final ids), each with its name, installation-level values and row count,
// and what the layout and the rejects need of the runs (gathered). Names
// are not copied: an installation's name is a slice of its first run's
// chunk's names. Runs no rejected installation needs are freed.
func (l *loader) gather(ctx context.Context) (*gathered, error) {
	g := &gatherer{loader: l}
	if err := g.countRuns(); err != nil {
		return nil, err
	}
	keys, err := g.sortedKeys(ctx)
	if err != nil {
		return nil, err
	}
	insts, totals, err := g.number(ctx, keys)
	if err != nil {
		return nil, err
	}
	keys = nil
	g.chunkOf = nil // only the sort and the numbering look a run up by its index
	// The keys are garbage now (134 MB at 5M installations): their
	// memory goes back before the installations are made
	// (Options.ReturnMemory).
	if l.opt.ReturnMemory != nil {
		l.opt.ReturnMemory()
	}
	// Filled in run order, reading each chunk once: in key order every run
	// would be a cache miss.
	pop := &engine.Population{Installations: make([]engine.Installation, insts), Files: l.paths}
	hugepages.Slice(pop.Installations)
	g.rejects = make([]chunkRejects, len(l.chunks))
	if err := parallel.For(ctx, len(l.chunks), 1, l.opt.Workers, func(lo, hi int) {
		for ci := lo; ci < hi; ci++ {
			c := l.chunks[ci]
			if g.fillInstallations(ci, pop.Installations) || len(c.errs) > 0 {
				g.rejects[ci] = g.readRejects(ci, c)
			}
			// Nothing reads a run after this: the runs, 40 bytes each,
			// go as the installations are made (830 MB at 20M
			// installations), not beside them and the devices.
			c.freeRuns()
		}
	}); err != nil {
		return nil, err
	}
	g.several = make([]uint32, len(totals))
	for i, t := range totals {
		pop.Installations[t.id].Count = t.rows
		g.several[i] = t.id
	}
	g.pop = pop
	return &g.gathered, nil
}

// countRuns sets the base of each chunk's runs in the global
// run order, which is input order.
func (l *gatherer) countRuns() error {
	l.base = make([]uint32, len(l.chunks)+1)
	for ci, c := range l.chunks {
		total := uint64(l.base[ci]) + uint64(len(c.runs))
		if total >= uint64(refRejected) {
			return fmt.Errorf("more than %d installation runs, more than this build handles", refRejected-1)
		}
		l.base[ci+1] = uint32(total)
	}
	return nil
}

// sortedKeys returns the sort key of every run, sorted by name and, among
// runs of one name, in input order. It sets the chunk of each run.
func (l *gatherer) sortedKeys(ctx context.Context) ([]runKey, error) {
	nruns := int(l.base[len(l.chunks)])
	prefix := l.sharedPrefix()
	keys := make([]runKey, nruns)
	l.chunkOf = make([]uint32, nruns)
	hugepages.Slice(keys)
	hugepages.Slice(l.chunkOf)
	if err := parallel.For(ctx, len(l.chunks), 1, l.opt.Workers, func(lo, hi int) {
		for ci := lo; ci < hi; ci++ {
			l.chunkKeys(ci, prefix, keys[l.base[ci]:l.base[ci+1]])
		}
	}); err != nil {
		return nil, err
	}
	if err := sortRunKeys(ctx, keys, l.opt.Workers); err != nil {
		return nil, err
	}
	return keys, nil
}

// number finds the installations in the sorted keys and numbers the
// valid ones in key order, in parallel over parts of the keys: it sets
// the refs, offsets and rejected names, and returns the number of valid
// installations and the row counts of those of several runs.
func (l *gatherer) number(ctx context.Context, keys []runKey) (int, []instRows, error) {
	parts := cutAtKeys(keys, 4*l.opt.Workers)
	valid := make([]int, len(parts))
	if err := parallel.For(ctx, len(parts), 1, l.opt.Workers, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			valid[p] = l.markInstallations(parts[p])
		}
	}); err != nil {
		return 0, nil, err
	}
	// Each part's installations take the ids after the parts before it.
	var insts int
	firstID := make([]int, len(parts))
	for p, n := range valid {
		firstID[p] = insts
		insts += n
	}
	if insts >= maxInsts {
		return 0, nil, fmt.Errorf("more than %d installations, more than this build handles", maxInsts-1)
	}
	l.refs = make([]runRef, len(keys))
	hugepages.Slice(l.refs)
	rejected := make([][]rejectedName, len(parts))
	offsets := make([][]runOffset, len(parts))
	totals := make([][]instRows, len(parts))
	if err := parallel.For(ctx, len(parts), 1, l.opt.Workers, func(lo, hi int) {
		for p := lo; p < hi; p++ {
			rejected[p], offsets[p], totals[p] = l.numberInstallations(parts[p], uint32(firstID[p]))
		}
	}); err != nil {
		return 0, nil, err
	}
	l.offsets = slices.Concat(offsets...)
	slices.SortFunc(l.offsets, func(a, b runOffset) int { return cmp.Compare(a.g, b.g) })
	l.rejectedNames = make(map[uint32]string)
	for _, rs := range rejected {
		for _, r := range rs {
			l.rejectedNames[r.first] = r.name
		}
	}
	return insts, slices.Concat(totals...), nil
}

// runAt returns run g and its name.
func (l *gatherer) runAt(g uint32) (*run, string) {
	ci := l.chunkOf[g]
	c := l.chunks[ci]
	i := g - l.base[ci]
	return &c.runs[i], c.runName(i)
}

// sharedPrefix returns the prefix that the names of all unspoilt runs
// share: the key bytes no name of a valid installation can differ in.
func (l *gatherer) sharedPrefix() string {
	var prefix string
	have := false
	for _, c := range l.chunks {
		for i := range c.runs {
			if c.runs[i].spoilt() {
				continue
			}
			name := c.runName(uint32(i))
			if !have {
				prefix, have = name, true
				continue
			}
			if !strings.HasPrefix(name, prefix) {
				prefix = prefix[:commonPrefix(prefix, name)]
			}
			if len(prefix) == 0 {
				return ""
			}
		}
	}
	return prefix
}

func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// chunkKeys fills the sort keys of chunk ci's runs, and their chunk.
func (l *gatherer) chunkKeys(ci int, prefix string, keys []runKey) {
	c := l.chunks[ci]
	base := l.base[ci]
	for i := range c.runs {
		g := base + uint32(i)
		l.chunkOf[g] = uint32(ci)
		name := c.runName(uint32(i))
		n := uint32(min(len(name), keyLen))
		rest := name[min(len(prefix), len(name)):]
		if len(rest) > 16 || len(name) > keyLen || !strings.HasPrefix(name, prefix) {
			n |= keyFull
		}
		if c.runs[i].spoilt() {
			n |= keySpoilt
		}
		keys[i] = runKey{k1: bigEndianPrefix(rest), k2: bigEndianPrefix(rest[min(8, len(rest)):]), g: g, n: n}
	}
}

// bigEndianPrefix returns the first 8 bytes of b as a big-endian number,
// zero-padded: numbers compare as the bytes do.
func bigEndianPrefix(b string) uint64 {
	var v uint64
	for i := 0; i < 8; i++ {
		v <<= 8
		if i < len(b) {
			v |= uint64(b[i])
		}
	}
	return v
}

// cutAtKeys cuts sorted keys into up to n parts, never between two equal
// (k1, k2): the runs of one name fall in one part.
func cutAtKeys(keys []runKey, n int) [][]runKey {
	n = max(1, min(n, len(keys)/65536+1))
	var parts [][]runKey
	lo := 0
	for p := 1; p <= n; p++ {
		hi := len(keys) * p / n
		if hi < lo {
			continue
		}
		for hi > lo && hi < len(keys) && sameKey(&keys[hi], &keys[hi-1]) {
			hi++
		}
		if hi > lo {
			parts = append(parts, keys[lo:hi])
			lo = hi
		}
	}
	return parts
}

func sameKey(a, b *runKey) bool { return a.k1 == b.k1 && a.k2 == b.k2 }

// markInstallations puts the runs of each name together within part (whose
// keys are sorted by (k1, k2)), flags each installation's first run
// keyStart, and keyValid too when the installation is valid: no run is
// spoilt and every run has the same values. It returns the number of valid
// installations.
func (l *gatherer) markInstallations(part []runKey) (insts int) {
	for i := 0; i < len(part); {
		j := i + 1
		for j < len(part) && sameKey(&part[j], &part[i]) {
			j++
		}
		tie := part[i:j]
		if len(tie) > 1 && needsWholeNames(tie) {
			// Stable: the runs of one name stay in input order.
			slices.SortStableFunc(tie, func(a, b runKey) int {
				_, na := l.runAt(a.g)
				_, nb := l.runAt(b.g)
				return strings.Compare(na, nb)
			})
		}
		for s := 0; s < len(tie); {
			e := s + 1
			for e < len(tie) && l.sameName(&tie[s], &tie[e]) {
				e++
			}
			tie[s].n |= keyStart
			if l.valid(tie[s:e]) {
				tie[s].n |= keyValid
				insts++
			}
			s = e
		}
		i = j
	}
	return insts
}

// needsWholeNames reports whether equal keys may hide different names.
func needsWholeNames(tie []runKey) bool {
	for i := range tie {
		if tie[i].n&keyFull != 0 || tie[i].n&keyLen != tie[0].n&keyLen {
			return true
		}
	}
	return false
}

// sameName reports whether two runs of equal keys have the same name.
func (l *gatherer) sameName(a, b *runKey) bool {
	if a.n&keyLen != b.n&keyLen {
		return false
	}
	if a.n&keyFull == 0 && b.n&keyFull == 0 {
		return true
	}
	_, na := l.runAt(a.g)
	_, nb := l.runAt(b.g)
	return na == nb
}

// valid reports whether the runs of one installation make a valid one.
func (l *gatherer) valid(runs []runKey) bool {
	for i := range runs {
		if runs[i].n&keySpoilt != 0 {
			return false
		}
	}
	if len(runs) > 1 {
		first, _ := l.runAt(runs[0].g)
		for _, k := range runs[1:] {
			if r, _ := l.runAt(k.g); r.ref != first.ref {
				return false
			}
		}
	}
	return true
}

type rejectedName struct {
	first uint32 // the installation's first run
	name  string
}

// numberInstallations gives the valid installations of part, marked by
// markInstallations, the ids from id on, and sets the ref of every run of
// part. It returns the names of the rejected installations and the
// offsets of the later runs of valid installations.
func (l *gatherer) numberInstallations(part []runKey, id uint32) ([]rejectedName, []runOffset, []instRows) {
	var rejected []rejectedName
	var offsets []runOffset
	var totals []instRows
	var cur runRef
	var prev *runKey // the run before k of a valid installation
	var offset uint32
	// closeGroup records the rows of a valid installation of several runs,
	// its earlier runs' and its last's.
	closeGroup := func() {
		if prev != nil && offset > 0 {
			r, _ := l.runAt(prev.g)
			totals = append(totals, instRows{id: cur.ID(), rows: offset + r.rows})
		}
		prev, offset = nil, 0
	}
	for i := range part {
		k := &part[i]
		if k.n&keyStart != 0 {
			closeGroup()
			switch {
			case k.n&keyValid != 0:
				l.refs[k.g] = validRef(id, true)
				cur = validRef(id, false)
				id++
				prev = k
				continue
			default:
				cur = rejectedRef(k.g)
				_, name := l.runAt(k.g)
				rejected = append(rejected, rejectedName{first: k.g, name: name})
			}
		}
		l.refs[k.g] = cur
		if prev != nil { // a later run of a valid installation: its rows follow the earlier runs'
			r, _ := l.runAt(prev.g)
			offset += r.rows
			offsets = append(offsets, runOffset{g: k.g, rows: offset})
			prev = k
		}
	}
	closeGroup()
	return rejected, offsets, totals
}

// instRows is the row count of an installation of several runs.
type instRows struct{ id, rows uint32 }

// runOffset says that the rows of run g come after rows rows of its
// installation's earlier runs. Most installations are one run: only the
// later runs of the others have one.
type runOffset struct{ g, rows uint32 }

// fillInstallations fills the installations whose first run is in chunk
// ci: their names, installation-level values and, as if they were of one
// run, their row counts (gather then sets those of several runs). It
// reports whether a run of the chunk belongs to a rejected installation.
func (l *gatherer) fillInstallations(ci int, insts []engine.Installation) (rejected bool) {
	c := l.chunks[ci]
	refs := l.refs[l.base[ci]:l.base[ci+1]]
	for i, ref := range refs {
		if ref.Rejected() {
			rejected = true
			continue
		}
		if !ref.First() {
			continue
		}
		r := &c.runs[i]
		in := &insts[ref.ID()]
		in.Name, in.MPAN, in.MPRN = c.runName(uint32(i)), r.ref.MPAN, r.ref.MPRN
		in.Date, in.Cohort, in.Communicating = r.ref.Date, r.ref.Cohort, r.ref.Comm
		in.Count = r.rows
	}
	return rejected
}
