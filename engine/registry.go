package engine

import (
	"sort"

	"github.com/s1resolve/s1resolve/value"
)

// SupplierStatus is a Responsible Supplier's status (FORMATS.md §3).
type SupplierStatus uint8

// Supplier statuses; a supplier not listed is Live.
const (
	Live SupplierStatus = iota
	CeasedTrading
	NotLiveUser
)

// SupplierStatuses are the words of the suppliers file's status column, in
// SupplierStatus order.
var SupplierStatuses = []string{"live", "ceased_trading", "not_live_user"}

// String returns the status as FORMATS.md spells it.
func (s SupplierStatus) String() string { return SupplierStatuses[s] }

// Notified says whether the installations of a supplier of this status
// are notified (RULES.md, Supplier notification: not when it has ceased
// trading or is not a live user).
func (s SupplierStatus) Notified() bool { return s != CeasedTrading && s != NotLiveUser }

// ParseSupplierStatus reads a status as FORMATS.md spells it.
func ParseSupplierStatus(s string) (SupplierStatus, bool) {
	for i, w := range SupplierStatuses {
		if w == s {
			return SupplierStatus(i), true
		}
	}
	return Live, false
}

// Registry is the registration data: the Responsible Supplier of each
// registered MPxN, and each supplier's status. Entries are added with Add
// and become visible once Seal has sorted them; millions of MPxNs cost a
// sorted array of 16-byte pairs, not a hash map.
type Registry struct {
	pending []pendingReg
	sorted  []KeyRef // K = Mix(key), ID = supplier index; sorted by K, one per key
	lines   []uint32 // the registration line of each entry of sorted
	ids     []string
	index   map[string]uint32
	status  []SupplierStatus
}

type pendingReg struct {
	key      value.Key
	supplier uint32
	line     uint32
}

// Duplicate is a registration of an MPxN already registered: the later
// row is dropped and the first one stands.
type Duplicate struct {
	Key       value.Key
	Line      uint32
	FirstLine uint32
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{index: make(map[string]uint32)}
}

func (r *Registry) supplierIndex(id string) uint32 {
	i, ok := r.index[id]
	if !ok {
		i = uint32(len(r.ids))
		r.index[id] = i
		r.ids = append(r.ids, id)
		r.status = append(r.status, Live)
	}
	return i
}

// Add records that k's Responsible Supplier is supplier, from the row on
// line. It takes effect at the next Seal.
func (r *Registry) Add(k value.Key, supplier string, line uint32) {
	r.pending = append(r.pending, pendingReg{k, r.supplierIndex(supplier), line})
}

// Seal sorts the added entries in with the registry's and returns the rows
// that register a key again (in line order): the first registration of a
// key stands.
func (r *Registry) Seal(workers int) []Duplicate {
	if len(r.pending) == 0 {
		return nil
	}
	refs := make([]KeyRef, len(r.pending))
	for i, p := range r.pending {
		refs[i] = KeyRef{Mix(uint64(p.key)), uint32(i)}
	}
	SortKeyRefs(refs, workers) // equal keys stay in line order
	var dups []Duplicate
	merged := make([]KeyRef, 0, len(r.sorted)+len(refs))
	lines := make([]uint32, 0, cap(merged))
	old, oldLines := r.sorted, r.lines
	for i := 0; i < len(refs); {
		j := i + 1
		for j < len(refs) && refs[j].K == refs[i].K {
			j++
		}
		first := r.pending[refs[i].ID]
		for _, d := range refs[i+1 : j] {
			dups = append(dups, Duplicate{Key: first.key, Line: r.pending[d.ID].line, FirstLine: first.line})
		}
		for len(old) > 0 && old[0].K < refs[i].K {
			merged, lines = append(merged, old[0]), append(lines, oldLines[0])
			old, oldLines = old[1:], oldLines[1:]
		}
		if len(old) > 0 && old[0].K == refs[i].K {
			dups = append(dups, Duplicate{Key: first.key, Line: first.line, FirstLine: oldLines[0]})
		} else {
			merged, lines = append(merged, KeyRef{refs[i].K, first.supplier}), append(lines, first.line)
		}
		i = j
	}
	r.sorted, r.lines = append(merged, old...), append(lines, oldLines...)
	r.pending = nil
	sort.Slice(dups, func(a, b int) bool { return dups[a].Line < dups[b].Line })
	return dups
}

// SetStatus records a supplier's status.
func (r *Registry) SetStatus(supplier string, s SupplierStatus) {
	r.status[r.supplierIndex(supplier)] = s
}

// find returns the supplier index registered for the mixed key m, or -1.
func (r *Registry) find(m uint64) int32 {
	i := sort.Search(len(r.sorted), func(i int) bool { return r.sorted[i].K >= m })
	if i < len(r.sorted) && r.sorted[i].K == m {
		return int32(r.sorted[i].ID)
	}
	return -1
}

// Supplier returns the Responsible Supplier registered for k.
func (r *Registry) Supplier(k value.Key) (string, bool) {
	if i := r.find(Mix(uint64(k))); i >= 0 {
		return r.ids[i], true
	}
	return "", false
}

// Status returns a supplier's status (Live when not listed).
func (r *Registry) Status(supplier string) SupplierStatus {
	if i, ok := r.index[supplier]; ok {
		return r.status[i]
	}
	return Live
}

// Entries calls fn for every registered MPxN in mixed-key order: its mixed
// key, supplier index and registration line.
func (r *Registry) Entries(fn func(mixed uint64, supplier, line uint32)) {
	for i, e := range r.sorted {
		fn(e.K, e.ID, r.lines[i])
	}
}

// StatusAt returns the status of supplier index i; Live for i < 0 (no
// supplier) or a nil registry.
func (r *Registry) StatusAt(i int32) SupplierStatus {
	if r == nil || i < 0 {
		return Live
	}
	return r.status[i]
}

// Suppliers returns every supplier id known, by index, with its status.
func (r *Registry) Suppliers() ([]string, []SupplierStatus) { return r.ids, r.status }

// Len returns the number of registered MPxNs.
func (r *Registry) Len() int { return len(r.sorted) }

// SupplierName returns the id of supplier index i and whether to notify it:
// not when it has ceased trading or is not a live user (RULES.md, supplier
// notification). i < 0 means no supplier: "" and notify.
func (r *Registry) SupplierName(i int32) (string, bool) {
	if r == nil || i < 0 {
		return "", true
	}
	return r.ids[i], r.status[i].Notified()
}

// join finds, by a merge of the two sorted lists, the supplier of every
// installation's MPAN and MPRN: refs are the sorted (Mix(key), installation)
// pairs of the population.
func (r *Registry) join(p *Population, refs []KeyRef, mpan, mprn []int32) {
	for i := range mpan {
		mpan[i], mprn[i] = -1, -1
	}
	s := r.sorted
	for _, ref := range refs {
		for len(s) > 0 && s[0].K < ref.K {
			s = s[1:]
		}
		if len(s) == 0 {
			return
		}
		if s[0].K != ref.K || int(ref.ID) >= len(p.Installations) { // SMETS2+ members have no supplier of their own
			continue
		}
		in := &p.Installations[ref.ID]
		if in.MPAN != 0 && Mix(uint64(in.MPAN)) == ref.K {
			mpan[ref.ID] = int32(s[0].ID)
		} else {
			mprn[ref.ID] = int32(s[0].ID)
		}
	}
}
