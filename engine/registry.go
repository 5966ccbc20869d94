package engine

// SupplierStatus is a Responsible Supplier's status (FORMAT.md §3).
type SupplierStatus uint8

// Supplier statuses; a supplier not listed is Live.
const (
	Live SupplierStatus = iota
	CeasedTrading
	NotLiveUser
)

var supplierStatusNames = [...]string{"live", "ceased_trading", "not_live_user"}

// String returns the status as FORMAT.md spells it.
func (s SupplierStatus) String() string { return supplierStatusNames[s] }

// Registry is the registration data: the Responsible Supplier of each
// registered MPxN, and each supplier's status.
type Registry struct {
	bySupplier map[Key]uint32
	ids        []string
	index      map[string]uint32
	status     []SupplierStatus
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{bySupplier: make(map[Key]uint32), index: make(map[string]uint32)}
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

// Register records the Responsible Supplier of k. It reports false, and
// changes nothing, when k is registered already.
func (r *Registry) Register(k Key, supplier string) bool {
	if _, dup := r.bySupplier[k]; dup {
		return false
	}
	r.bySupplier[k] = r.supplierIndex(supplier)
	return true
}

// SetStatus records a supplier's status.
func (r *Registry) SetStatus(supplier string, s SupplierStatus) {
	r.status[r.supplierIndex(supplier)] = s
}

// Supplier returns the Responsible Supplier registered for k.
func (r *Registry) Supplier(k Key) (string, bool) {
	i, ok := r.bySupplier[k]
	if !ok {
		return "", false
	}
	return r.ids[i], true
}

// Status returns a supplier's status (Live when not listed).
func (r *Registry) Status(supplier string) SupplierStatus {
	if i, ok := r.index[supplier]; ok {
		return r.status[i]
	}
	return Live
}

// Len returns the number of registered MPxNs.
func (r *Registry) Len() int { return len(r.bySupplier) }

// ResponsibleSupplier returns the supplier of the installation's MPAN, else
// of its MPRN (FORMAT.md §4), and whether to notify it: not when it has
// ceased trading or is not a live user (RULES.md, supplier notification).
func (r *Registry) ResponsibleSupplier(in *Installation) (string, bool) {
	if r == nil {
		return "", true
	}
	for _, k := range [2]Key{in.MPAN, in.MPRN} {
		if k == 0 {
			continue
		}
		if s, ok := r.Supplier(k); ok {
			return s, r.Status(s) == Live
		}
	}
	return "", true
}
