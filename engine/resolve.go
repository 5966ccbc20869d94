package engine

import (
	"cmp"
	"context"
	"runtime"
	"slices"

	"github.com/s1resolve/s1resolve/hugepages"
	"github.com/s1resolve/s1resolve/parallel"
	"github.com/s1resolve/s1resolve/value"
	"golang.org/x/sync/errgroup"
)

// Resolver applies RULES.md to a Population. Its zero value applies steps 1,
// 2 and 6 with one worker per core.
type Resolver struct {
	// Workers bounds the goroutines used; zero means runtime.NumCPU().
	Workers int
	// Rules are the thresholds and clauses in force; nil applies steps 1,
	// 2 and 6 alone with all clauses in force (a baseline for benchmarks,
	// not a reading of RULES.md).
	Rules *RuleSet
	// Registry, when set, gives every installation its MPAN's and MPRN's
	// Responsible Supplier (Result.MPANSupplier, MPRNSupplier) and their
	// status.
	Registry *Registry
	// Registration says registration data was given: step 3 applies (the
	// Registry may hold supplier statuses alone).
	Registration bool
	// GUIDPostings keeps Result.GUIDRefs, 8 bytes per device row: the
	// store's GUID index is made of them. Without it GUIDRefs is nil.
	// Either way the duplicate GUIDs are found an eighth of the rows at a
	// time (markDuplicateGUIDsByPart): 44 MB at 5M installations rather
	// than a pair of 16 bytes per row.
	GUIDPostings bool
	// ReturnMemory, when set, collects the garbage and hands the freed
	// memory back to the system (debug.FreeOSMemory) before the GUID
	// postings are made, the last and largest table of a resolve: what the
	// heap freed meanwhile would otherwise stay beside them (some 20 MiB at
	// 5M installations, 150 at 20M).
	ReturnMemory func()
}

// Result is the resolution of a Population, indexed by installation id.
type Result struct {
	// Outcomes are the decisions. An installation's duplicate group, its
	// group_id and size, is Group: kept only for groups of two or more
	// (Groups), found from the installation itself for the others.
	Outcomes []Outcome
	Dormant  []bool // dormant-only
	DupGUID  []bool // holds a duplicate GUID
	// Root is the smallest installation id of each installation's group.
	Root []uint32
	// MPANSupplier and MPRNSupplier index the Registry's suppliers (-1:
	// not registered); nil without a Registry. Registration says step 3
	// read them (Resolver.Registration).
	MPANSupplier, MPRNSupplier []int32
	Registration               bool
	// Smets2Linked counts the SMETS2+ members in a group with a SMETS1
	// installation.
	Smets2Linked int
	// Groups are the facts step 2 found in each duplicate group of two or
	// more members, in root order (Result.GroupFacts finds one).
	Groups []GroupFacts
	// grouped has the bit of each root in Groups set, so that Group
	// answers most installations, groups of one, without a search; nil
	// (a Result made elsewhere) means search.
	grouped []uint64
	// Meters says, for each device row of an installation decided at step
	// 4 or 5, what that step made of it (MeterFine for the rest).
	Meters []MeterState
	// GUIDRefs are the store's GUID index, one per device row, sorted
	// (GUIDRef): a GUID repeated within one installation appears twice.
	// Nil unless Resolver.GUIDPostings. They live outside the Go heap where
	// the system allows it: the store hands them back as it writes them
	// (GUIDRefsDone, FreeGUIDRefs).
	GUIDRefs  []GUIDRef
	guidTable *hugepages.Table[GUIDRef] // GUIDRefs' memory
}

// GUIDRefsDone says that refs, a stretch of GUIDRefs, will not be read
// again: its memory goes back to the system (hugepages.Table.Done), and
// reading it after is a fault. Stretches may be given from several
// goroutines at once.
func (res *Result) GUIDRefsDone(refs []GUIDRef) {
	if res.guidTable != nil {
		res.guidTable.Done(refs)
	}
}

// FreeGUIDRefs hands GUIDRefs back whole; GUIDRefs is nil after.
func (res *Result) FreeGUIDRefs() {
	if res.guidTable != nil {
		res.guidTable.Free()
	}
	res.GUIDRefs, res.guidTable = nil, nil
}

func (r *Resolver) workers() int {
	if r.Workers > 0 {
		return r.Workers
	}
	return runtime.NumCPU()
}

// Resolve decides every installation of p.
func (r *Resolver) Resolve(ctx context.Context, p *Population) (*Result, error) {
	n := len(p.Installations)
	res := &Result{
		Outcomes: make([]Outcome, n),
		Dormant:  make([]bool, n),
		DupGUID:  make([]bool, n),
	}
	res.Registration = r.Registration && r.Rules != nil
	if r.Rules != nil {
		res.Meters = make([]MeterState, len(p.Devices))
	}
	// Each table is written once, soon: huge pages (package hugepages).
	hugepages.Slice(res.Outcomes)
	hugepages.Slice(res.Meters)
	var root []uint32 // of every member, SMETS2+ ones included: the smallest member id of its group
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		// The MPxNs first, then the GUIDs: the MPxN refs (16 bytes per
		// MPxN) are handed back before the GUIDs' tables are made, so that
		// the two never hold memory together. The store makes the refs
		// again when it needs them, after the devices are gone.
		mpxn := MPxNRefs(p, r.workers())
		refs := mpxn.S
		root = components(p.Members(), refs)
		res.Root = root[:n]
		for _, rt := range root[n:] {
			if int(rt) < n {
				res.Smets2Linked++
			}
		}
		if r.Registry != nil {
			res.MPANSupplier, res.MPRNSupplier = make([]int32, n), make([]int32, n)
			r.Registry.join(p, refs, res.MPANSupplier, res.MPRNSupplier)
		}
		mpxn.Free()
		if err := gctx.Err(); err != nil {
			return err
		}
		var keep []GUIDRef
		if r.GUIDPostings {
			if r.ReturnMemory != nil {
				r.ReturnMemory()
			}
			res.guidTable = hugepages.MakeTable[GUIDRef](0, len(p.Devices))
			keep = res.guidTable.S
		}
		res.GUIDRefs = markDuplicateGUIDsByPart(p, res.DupGUID, r.workers(), keep)
		return gctx.Err()
	})
	g.Go(func() error {
		for i := range p.Installations {
			res.Dormant[i] = DormantOnly(p.DevicesOf(uint32(i)))
		}
		return nil
	})
	// Dormant is filled before any rule reads it: rules run after Wait.
	if err := g.Wait(); err != nil {
		return nil, err
	}
	later := laterMembers(root)
	const chunk = 1 << 15
	facts := make([][]GroupFacts, (n+chunk-1)/chunk) // by chunk, so that they come out in root order
	if err := parallel.For(ctx, n, chunk, r.workers(), func(lo, hi int) {
		next, _ := slices.BinarySearchFunc(later, uint32(lo), func(m member, root uint32) int { return cmp.Compare(m.root, root) })
		var members []uint32
		for id := lo; id < hi; id++ {
			if res.Root[id] != uint32(id) {
				continue
			}
			members = append(members[:0], uint32(id))
			for ; next < len(later) && later[next].root == uint32(id); next++ {
				members = append(members, later[next].id)
			}
			if f, dup := r.decideGroup(p, res, members); dup {
				facts[lo/chunk] = append(facts[lo/chunk], f)
			}
		}
	}); err != nil {
		return nil, err
	}
	res.grouped = make([]uint64, (n+63)/64)
	for _, f := range facts {
		res.Groups = append(res.Groups, f...)
		for _, g := range f {
			res.grouped[g.Root/64] |= 1 << (g.Root % 64)
		}
	}
	return res, nil
}

// GroupFacts are what step 2 found in a duplicate group: the facts its
// decisions rest on, kept so that an explanation can name them. Member
// fields are installation ids.
type GroupFacts struct {
	Root          uint32    // the group's smallest installation id (members from n on are SMETS2+)
	Key           value.Key // the group's group_id: the smallest printed MPxN key of its members
	Size          uint32    // its members, SMETS2+ ones included
	Latest        uint32    // the member with the greatest install_date, unless Tied
	Tied          bool      // two or more members share the greatest install_date
	Communicating uint32    // how many members communicate
	Communicator  uint32    // the first member that communicates, if any
	AnyActive     bool      // some member is Active or Mixed
	Active        uint32    // the first such member
	Winner        bool      // the step 2c winner is Communicator
	// CommunicatorSmets2 says Communicator is a SMETS2+ member.
	CommunicatorSmets2 bool
}

// Group returns the duplicate group of installation id of p, the
// population resolved: its group_id, the smallest printed MPxN key of its
// members (RULES.md step 2), and its size in members, SMETS2+ ones
// included (1: no duplicate).
func (res *Result) Group(p *Population, id uint32) (key value.Key, size uint32) {
	root := res.Root[id]
	if alone := root == id && res.grouped != nil && res.grouped[id/64]&(1<<(id%64)) == 0; !alone {
		if f, ok := res.GroupFacts(root); ok {
			return f.Key, f.Size
		}
	}
	in := &p.Installations[id]
	return smaller(in.MPAN, in.MPRN), 1
}

// smaller returns the smaller of two printed keys, either of which may be
// absent (zero).
func smaller(a, b value.Key) value.Key {
	if a == 0 || (b != 0 && b.Less(a)) {
		return b
	}
	return a
}

// GroupFacts returns the facts of the group whose root is root, or false
// for a group of one.
func (res *Result) GroupFacts(root uint32) (GroupFacts, bool) {
	i, ok := slices.BinarySearchFunc(res.Groups, root, func(f GroupFacts, r uint32) int { return cmp.Compare(f.Root, r) })
	if !ok {
		return GroupFacts{}, false
	}
	return res.Groups[i], true
}

// MPxNRefs returns a (Mix(key), member) pair per MPxN of every member of
// p, installations as their ids and SMETS2+ installations after them,
// sorted by (mixed key, member) (SortKeyRefs), made on workers goroutines:
// 16 bytes per MPxN. The duplicate groups are made of them, and the
// store's MPxN index (package index). The refs live outside the Go heap
// where the system allows it: the table's Done and Free hand them back at
// once, and they must not be read after.
func MPxNRefs(p *Population, workers int) *hugepages.Table[KeyRef] {
	members := p.Members()
	keys := func(m int) (a, b value.Key) {
		if m < len(p.Installations) {
			return p.Installations[m].MPAN, p.Installations[m].MPRN
		}
		s := &p.Smets2[m-len(p.Installations)]
		return s.MPAN, s.MPRN
	}
	// Counted first by the top byte of their mixed keys, then each put
	// in its bucket as it is made: a stable sort by top byte, without
	// SortKeyRefs' single-threaded in-place pass.
	parts := parallel.Ranges(members, workers)
	counts := make(topCounts, len(parts))
	parallel.Each(len(parts), func(w int) {
		c := &counts[w]
		for m := parts[w][0]; m < parts[w][1]; m++ {
			a, b := keys(m)
			if a != 0 {
				c[Mix(uint64(a))>>56]++
			}
			if b != 0 {
				c[Mix(uint64(b))>>56]++
			}
		}
	})
	start, end, next := counts.layout(0, 256)
	table := hugepages.MakeTable[KeyRef](end[255], end[255])
	refs := table.S
	parallel.Each(len(parts), func(w int) {
		at := &next[w]
		for m := parts[w][0]; m < parts[w][1]; m++ {
			a, b := keys(m)
			for _, k := range [2]value.Key{a, b} {
				if k != 0 {
					mk := Mix(uint64(k))
					refs[at[mk>>56]] = KeyRef{mk, uint32(m)}
					at[mk>>56]++
				}
			}
		}
	})
	sortBuckets(refs, &start, &end, workers)
	return table
}

// markDuplicateGUIDs marks every installation holding a GUID that appears on
// more than one row of sorted.
func markDuplicateGUIDs(sorted []KeyRef, dup []bool) {
	for i := 1; i < len(sorted); i++ {
		if sorted[i].K == sorted[i-1].K {
			dup[sorted[i].ID] = true
			dup[sorted[i-1].ID] = true
		}
	}
}

// guidParts is how many parts of the mixed GUIDs' space, named by their
// top guidPartBits bits, markDuplicateGUIDsByPart sorts one after another:
// each part is one more pass over the devices, and the sort's buffer is
// an eighth of a pair per row.
const (
	guidPartBits = 3
	guidParts    = 1 << guidPartBits
)

// markDuplicateGUIDsByPart marks in dup the installations that hold a GUID
// also held by another device row, as markDuplicateGUIDs does, but sorting
// one part of the GUIDs at a time in one buffer: a GUID's rows are all in
// its part, so each part's duplicates are all its own. When keep is not
// nil, the GUIDRef of every row is appended to it, and it is returned
// sorted: parts follow one another in key order.
func markDuplicateGUIDsByPart(p *Population, dup []bool, workers int, keep []GUIDRef) []GUIDRef {
	n := len(p.Installations)
	ids := func(w int) (int, int) { return n * w / workers, n * (w + 1) / workers }
	counts := make(topCounts, workers) // by the top byte: a part is 256/guidParts of them
	parallel.Each(workers, func(w int) {
		lo, hi := ids(w)
		c := &counts[w]
		for id := lo; id < hi; id++ {
			// Devices by index, not copied: a copy of each 20-byte row
			// doubles the time of these passes (BenchmarkDuplicateGUIDs).
			devs := p.DevicesOf(uint32(id))
			for i := range devs {
				c[Mix(uint64(devs[i].GUID()))>>56]++
			}
		}
	})
	const partBytes = 256 / guidParts
	largest := 0
	for part := range guidParts {
		_, end, _ := counts.layout(part*partBytes, (part+1)*partBytes)
		largest = max(largest, end[(part+1)*partBytes-1])
	}
	buf, mapped := hugepages.Map[KeyRef](largest)
	if !mapped {
		buf = make([]KeyRef, largest)
	} else {
		defer hugepages.Unmap(buf)
	}
	for part := range uint64(guidParts) {
		// Each ref put in the bucket of its top byte as it is made
		// (topCounts), the buckets then sorted.
		lo := int(part) * partBytes
		start, end, next := counts.layout(lo, lo+partBytes)
		refs := buf[:end[lo+partBytes-1]]
		parallel.Each(workers, func(w int) {
			lo, hi := ids(w)
			at := &next[w]
			for id := lo; id < hi; id++ {
				devs := p.DevicesOf(uint32(id))
				for i := range devs {
					if k := Mix(uint64(devs[i].GUID())); k>>(64-guidPartBits) == part {
						refs[at[k>>56]] = KeyRef{k, uint32(id)}
						at[k>>56]++
					}
				}
			}
		})
		sortBuckets(refs, &start, &end, workers)
		markDuplicateGUIDs(refs, dup)
		if keep != nil {
			from := len(keep)
			for _, r := range refs {
				keep = append(keep, NewGUIDRef(r.K, r.ID))
			}
			sortGUIDRefs(keep[from:])
		}
	}
	return keep
}

// components returns, for each of n installations, the smallest id of its
// connected component under "shares a key" in sorted.
func components(n int, sorted []KeyRef) []uint32 {
	parent := make([]uint32, n)
	hugepages.Slice(parent)
	for i := range parent {
		parent[i] = uint32(i)
	}
	find := func(x uint32) uint32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for i := 1; i < len(sorted); i++ {
		if sorted[i].K != sorted[i-1].K {
			continue
		}
		a, b := find(sorted[i-1].ID), find(sorted[i].ID)
		if a == b {
			continue
		}
		if a < b {
			parent[b] = a
		} else {
			parent[a] = b
		}
	}
	for i := range parent {
		parent[i] = find(uint32(i))
	}
	return parent
}

// member is a member of a duplicate group other than its root.
type member struct{ root, id uint32 }

// laterMembers returns the members of every group of two or more but their
// roots, by root then id: a group's members are its root (its smallest id)
// then its later members. Most installations are groups of one: listing
// only the others takes kilobytes where a list of every member by group
// would take three arrays of the members' size.
func laterMembers(root []uint32) []member {
	var later []member
	for id, r := range root {
		if r != uint32(id) {
			later = append(later, member{r, uint32(id)})
		}
	}
	// Stable: each root's members stay in id order.
	slices.SortStableFunc(later, func(a, b member) int { return cmp.Compare(a.root, b.root) })
	return later
}

// decideGroup decides the members of one duplicate group (a group of one
// installation included; its SMETS2+ members, ids from n on, get no
// decision) and returns the facts of step 2 for a group of two or more
// members.
func (r *Resolver) decideGroup(p *Population, res *Result, members []uint32) (facts GroupFacts, dup bool) {
	n := uint32(len(p.Installations))
	installations := members
	for len(installations) > 0 && installations[len(installations)-1] >= n {
		installations = installations[:len(installations)-1] // members are in id order: SMETS2+ last
	}
	if dup = len(members) > 1; dup {
		facts = groupFacts(p, res, members)
		facts.Key, facts.Size = smallestKey(p, members), uint32(len(members))
	}
	rules, later := r.Rules, true
	if rules == nil {
		rules, later = &RuleSet{}, false
	}
	var f Facts
	var ev Evidence
	for _, m := range installations {
		in := &p.Installations[m]
		f = Facts{ID: m, Cohort: in.Cohort, Dormant: res.Dormant[m], DupGUID: res.DupGUID[m], Devices: p.DevicesOf(m),
			Registration: res.Registration}
		if dup {
			f.Group = &facts
		}
		if res.Registration {
			f.MPANUnregistered = in.MPAN != 0 && (res.MPANSupplier == nil || res.MPANSupplier[m] < 0)
			f.MPRNUnregistered = in.MPRN != 0 && (res.MPRNSupplier == nil || res.MPRNSupplier[m] < 0)
		}
		f.Supplier = r.Registry.StatusAt(res.Supplier(m))
		ev.Meters = nil
		if res.Meters != nil {
			ev.Meters = res.Meters[in.First : in.First+in.Count]
		}
		res.Outcomes[m] = rules.decide(&f, &ev, later)
	}
	return facts, dup
}

// groupFacts finds step 2's facts in a group of two or more members.
func groupFacts(p *Population, res *Result, members []uint32) GroupFacts {
	f := GroupFacts{Root: members[0]}
	latestDate := value.Date(-1 << 31)
	for _, m := range members {
		date, comm, smets2 := p.member(m)
		if !smets2 && !res.Dormant[m] && !f.AnyActive {
			f.AnyActive, f.Active = true, m
		}
		if comm {
			if f.Communicating == 0 {
				f.Communicator = m
			}
			f.Communicating++
		}
		switch {
		case date > latestDate:
			f.Latest, latestDate, f.Tied = m, date, false
		case date == latestDate:
			f.Tied = true
		}
	}
	f.Winner = !f.AnyActive && f.Communicating == 1 && !f.Tied && f.Communicator == f.Latest
	f.CommunicatorSmets2 = f.Communicating > 0 && f.Communicator >= uint32(len(p.Installations))
	return f
}

// Supplier returns the Responsible Supplier of installation id (its MPAN's,
// else its MPRN's) as an index into the Registry, or -1.
func (res *Result) Supplier(id uint32) int32 {
	if res.MPANSupplier == nil {
		return -1
	}
	if s := res.MPANSupplier[id]; s >= 0 {
		return s
	}
	return res.MPRNSupplier[id]
}

// smallestKey returns the smallest printed MPxN key of the members,
// SMETS2+ ones included.
func smallestKey(p *Population, members []uint32) value.Key {
	var best value.Key
	n := uint32(len(p.Installations))
	for _, m := range members {
		if m < n {
			best = smaller(best, smaller(p.Installations[m].MPAN, p.Installations[m].MPRN))
		} else {
			best = smaller(best, smaller(p.Smets2[m-n].MPAN, p.Smets2[m-n].MPRN))
		}
	}
	return best
}
