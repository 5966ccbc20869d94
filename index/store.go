package index

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/dgraph-io/badger/v4"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/value"
)

// ErrWriting is wrapped when a store does not exist yet because a run is
// writing it now.
var ErrWriting = errors.New("no store yet")

// Store is a store opened for reading.
type Store struct {
	db       *badger.DB
	pages    *pageFileReader // the installation table
	dir      string
	statuses []engine.SupplierStatus // of Meta.Suppliers
	Meta     Meta
	// firstNames holds the first name of each page of the table, once
	// KeepPageNames has read them: ByName then reads one page.
	firstNames []string
}

// KeepPageNames reads the first installation name of every page of the
// table into memory (about 4,000 names for 1M installations), so that each
// ByName reads one page instead of a binary search's dozen: for a reader
// that looks up many names, such as `s1resolve serve`. Call it before the
// store is shared between goroutines.
func (s *Store) KeepPageNames() error {
	names := make([]string, len(s.pages.offsets)-1)
	for p := range names {
		recs, err := s.installationPage(uint32(p))
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			return fmt.Errorf("%w: page %d is empty", ErrFormat, p)
		}
		names[p] = recordName(recs[0])
	}
	s.firstNames = names
	return nil
}

// Open opens the store in dir read-only and checks its format version.
func Open(dir string) (*Store, error) {
	if st, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if pid := paths.Writer(dir); pid != 0 {
			return nil, fmt.Errorf("%s: %w: a run (process %d) is writing it now; try again when it has finished", dir, ErrWriting, pid)
		}
		return nil, fmt.Errorf("opening store: %w", err)
	} else if err != nil {
		return nil, fmt.Errorf("opening store: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("opening store %s: not a directory", dir)
	}
	if !IsStore(dir) {
		return nil, fmt.Errorf("%s: %w (no %s marker): give the directory of a `s1resolve run --db DIR`", dir, ErrNotStore, ownerFile)
	}
	if _, err := os.Stat(filepath.Join(dir, completeFile)); err != nil {
		return nil, fmt.Errorf("%w: %s holds a store its run did not finish (the run was interrupted); run again with --db %s", ErrIncomplete, dir, dir)
	}
	db, err := openDB(badgerOptions(dir).WithReadOnly(true))
	if err != nil {
		return nil, err
	}
	s := &Store{db: db, dir: dir}
	v, err := s.get(metaKey)
	if err == nil && v == nil {
		err = fmt.Errorf("%w: %s has no s1resolve metadata", ErrFormat, dir)
	}
	if err == nil {
		err = json.Unmarshal(v, &s.Meta)
	}
	if err == nil && s.Meta.Format != FormatVersion {
		err = fmt.Errorf("%w: %s is format %d, this build reads format %d", ErrFormat, dir, s.Meta.Format, FormatVersion)
	}
	if err == nil {
		s.statuses, err = s.Meta.supplierStatuses()
	}
	if err == nil {
		s.pages, err = openPageFile(dir)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store.
func (s *Store) Close() error {
	s.pages.close()
	return s.db.Close()
}

// get returns the value of key, or nil when it is absent.
func (s *Store) get(key []byte) ([]byte, error) {
	var out []byte
	err := s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		out, err = item.ValueCopy(nil)
		return err
	})
	return out, err
}

// Installation returns the record of installation id.
func (s *Store) Installation(id uint32) (*Record, error) {
	recs, err := s.Installations([]uint32{id})
	if err != nil {
		return nil, err
	}
	return recs[0], nil
}

// Installations returns the records of ids, in the order given, reading
// each page once however many of its installations are asked for.
func (s *Store) Installations(ids []uint32) ([]*Record, error) {
	out := make([]*Record, len(ids))
	order := make([]int, len(ids))
	for i, id := range ids {
		if int(id) >= s.Meta.Installations+s.Meta.Smets2 {
			return nil, fmt.Errorf("member id %d out of range", id)
		}
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(ids[a], ids[b]) })
	var recs [][]byte // the records of the page read last
	page := ^uint32(0)
	n := uint32(s.Meta.Installations)
	for _, i := range order {
		id := ids[i]
		at := id
		if id >= n { // a SMETS2+ member: its own pages, after every installation's id
			at = id - n + 1<<31
		}
		if at/pageSize != page {
			page = at / pageSize
			var err error
			if id >= n {
				recs, err = s.page(smets2PageKey((id - n) / pageSize))
			} else {
				recs, err = s.installationPage(id / pageSize)
			}
			if err != nil {
				return nil, err
			}
		}
		if int(at%pageSize) >= len(recs) {
			return nil, fmt.Errorf("%w: member %d is missing from its page", ErrFormat, id)
		}
		decode := decodeInstallation
		if id >= n {
			decode = decodeSmets2
		}
		r, err := decode(recs[at%pageSize], id)
		if err != nil {
			if id < n {
				return nil, s.pages.damaged(id/pageSize, err.Error())
			}
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// Scan calls fn with every installation's record, in id order, reading
// the pages in one pass. The record is reused: it is valid during the call
// only (its Name, a string, may be kept).
func (s *Store) Scan(ctx context.Context, fn func(*Record) error) error {
	var r Record
	next := uint32(0)
	err := s.pages.scan(ctx, func(p uint32, v []byte) error {
		recs, err := pageRecords(v)
		if err != nil {
			return s.pages.damaged(p, err.Error())
		}
		for _, b := range recs {
			if err := decodeInstallationInto(b, next, &r); err != nil {
				return s.pages.damaged(p, err.Error())
			}
			if err := fn(&r); err != nil {
				return err
			}
			next++
		}
		return nil
	})
	if err == nil && int(next) != s.Meta.Installations {
		err = fmt.Errorf("%w: %d installation records, the metadata says %d", ErrFormat, next, s.Meta.Installations)
	}
	return err
}

// installationPage returns the encoded records of page p of the
// installation table.
func (s *Store) installationPage(p uint32) ([][]byte, error) {
	v, err := s.pages.page(p)
	if err != nil {
		return nil, err
	}
	recs, err := pageRecords(v)
	if err != nil {
		return nil, s.pages.damaged(p, err.Error())
	}
	return recs, nil
}

// page returns the encoded records of the page at key.
func (s *Store) page(key []byte) ([][]byte, error) {
	v, err := s.get(key)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("%w: page %x is missing", ErrFormat, key)
	}
	return pageRecords(v)
}

// ByName returns the id of the installation (smso, installationID).
// Installation ids are in name order, so the table itself is the index:
// a binary search over the pages by their first names, then one page.
func (s *Store) ByName(smso, installationID string) (uint32, bool, error) {
	name := engine.InstallationName(smso, installationID)
	pages := len(s.pages.offsets) - 1
	var failed error
	firstName := func(p int) string {
		if s.firstNames != nil {
			return s.firstNames[p]
		}
		recs, err := s.installationPage(uint32(p))
		if err != nil || len(recs) == 0 {
			failed = cmp.Or(failed, err, fmt.Errorf("%w: page %d is empty", ErrFormat, p))
			return ""
		}
		return recordName(recs[0])
	}
	// The last page whose first name is at most name.
	p := sort.Search(pages, func(p int) bool { return firstName(p) > name }) - 1
	if failed != nil || p < 0 {
		return 0, false, failed
	}
	recs, err := s.installationPage(uint32(p))
	if err != nil {
		return 0, false, err
	}
	i := sort.Search(len(recs), func(i int) bool { return recordName(recs[i]) >= name })
	if i < len(recs) && recordName(recs[i]) == name {
		return uint32(p*pageSize + i), true, nil
	}
	return 0, false, nil
}

// ByMPxN returns the members (installations, then SMETS2+ members) holding
// an MPxN key, in id order.
func (s *Store) ByMPxN(k value.Key) ([]uint32, error) {
	cands, err := s.posting(prefixMPxN, uint64(k))
	if err != nil || len(cands) == 0 {
		return nil, err
	}
	recs, err := s.Installations(cands)
	if err != nil {
		return nil, err
	}
	ids := cands[:0]
	for _, r := range recs {
		if slices.Contains(r.Keys(), k) {
			ids = append(ids, r.ID)
		}
	}
	return ids, nil
}

// ByGUID returns the installations holding a GUID, in id order, and the
// number of device rows that carry it.
func (s *Store) ByGUID(guid value.GUID) ([]uint32, int, error) {
	cands, err := s.posting(prefixGUID, uint64(guid))
	if err != nil || len(cands) == 0 {
		return nil, 0, err
	}
	recs, err := s.Installations(cands)
	if err != nil {
		return nil, 0, err
	}
	ids, rows := cands[:0], 0
	for _, r := range recs {
		n := 0
		for _, d := range r.Devices {
			if d.GUID() == guid {
				n++
			}
		}
		if n > 0 {
			ids = append(ids, r.ID)
			rows += n
		}
	}
	return ids, rows, nil
}

// Group returns the records of every installation in the duplicate group of
// id, in id order, found by following the MPxN postings breadth first: each
// member is queued once, each posting list read once, and each layer's
// records read page by page, so a group of thousands sharing one
// placeholder MPAN costs one pass, not one per pair. A posting's
// candidates join the group when their records hold the key.
func (s *Store) Group(id uint32) ([]*Record, error) {
	seen := map[uint32]bool{id: true}
	keys := map[value.Key]bool{}
	layer, err := s.Installations([]uint32{id})
	if err != nil {
		return nil, err
	}
	var out []*Record
	for len(layer) > 0 {
		out = append(out, layer...)
		via := map[uint32][]value.Key{} // candidate -> the keys whose postings name it
		var cands []uint32
		for _, r := range layer {
			for _, k := range r.Keys() {
				if keys[k] {
					continue
				}
				keys[k] = true
				ids, err := s.posting(prefixMPxN, uint64(k))
				if err != nil {
					return nil, err
				}
				for _, o := range ids {
					if seen[o] {
						continue
					}
					if _, ok := via[o]; !ok {
						cands = append(cands, o)
					}
					via[o] = append(via[o], k)
				}
			}
		}
		recs, err := s.Installations(cands)
		if err != nil {
			return nil, err
		}
		layer = layer[:0:0]
		for _, r := range recs {
			for _, k := range via[r.ID] {
				if slices.Contains(r.Keys(), k) {
					seen[r.ID] = true
					layer = append(layer, r)
					break
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b *Record) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
