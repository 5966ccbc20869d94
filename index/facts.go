package index

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/s1resolve/s1resolve/engine"
)

// supplierStatuses reads Meta.SupplierStatus, one per supplier.
func (m *Meta) supplierStatuses() ([]engine.SupplierStatus, error) {
	if len(m.SupplierStatus) != len(m.Suppliers) {
		return nil, fmt.Errorf("%w: %d supplier statuses for %d suppliers", ErrFormat, len(m.SupplierStatus), len(m.Suppliers))
	}
	out := make([]engine.SupplierStatus, len(m.SupplierStatus))
	for i, w := range m.SupplierStatus {
		s, ok := engine.ParseSupplierStatus(w)
		if !ok {
			return nil, fmt.Errorf("%w: supplier status %q", ErrFormat, w)
		}
		out[i] = s
	}
	return out, nil
}

// RuleSet returns the rules the store's decisions were made by: its step 5
// thresholds and clauses in force.
func (m *Meta) RuleSet() (engine.RuleSet, error) {
	rs := engine.RuleSet{Thresholds: map[engine.Cohort]engine.Thresholds{}}
	for name, th := range m.Thresholds {
		c, ok := engine.ParseCohort([]byte(name))
		if !ok {
			return rs, fmt.Errorf("%w: thresholds for cohort %q", ErrFormat, name)
		}
		rs.Thresholds[c] = th
	}
	in, err := engine.ParseClauseSet(m.ClausesInForce)
	if err != nil {
		return rs, fmt.Errorf("%w: clauses in force: %v", ErrFormat, err)
	}
	rs.NotInForce = engine.AllClauses &^ in
	return rs, nil
}

// RuleSet returns the rules the store's decisions were made by.
func (s *Store) RuleSet() (engine.RuleSet, error) { return s.Meta.RuleSet() }

// FactsOf fills f with what the rules read of the installation record r
// (engine.Facts): f.Devices is r.Devices, f.Group points into r.
func (s *Store) FactsOf(r *Record, f *engine.Facts) {
	*f = engine.Facts{ID: r.ID, Cohort: r.Installation.Cohort, Dormant: r.Dormant, DupGUID: r.DupGUID, Devices: r.Devices,
		Registration: s.Meta.Registration != "", MPANUnregistered: r.MPANUnregistered, MPRNUnregistered: r.MPRNUnregistered}
	if r.GroupSize > 1 {
		f.Group = &r.Facts
	}
	if r.Supplier >= 0 && int(r.Supplier) < len(s.statuses) {
		f.Supplier = s.statuses[r.Supplier]
	}
}

// Supplier returns the id and status of supplier index i (Record.Supplier):
// "" and Live for none.
func (s *Store) Supplier(i int32) (string, engine.SupplierStatus) {
	if i < 0 || int(i) >= len(s.statuses) {
		return "", engine.Live
	}
	return s.Meta.Suppliers[i], s.statuses[i]
}

// ScanFacts calls fn with what the rules read of every installation
// (engine.Facts), on workers goroutines: each reads the next run of pages
// of the installation table and decodes each record once, skipping what the
// rules do not read. fn is called concurrently, in no particular order,
// with its worker's number (0 to workers-1) and facts valid during the call
// only. The first error of fn, of reading, or of ctx stops the scan.
func (s *Store) ScanFacts(ctx context.Context, workers int, fn func(worker int, f *engine.Facts) error) error {
	workers = max(workers, 1)
	pages := len(s.pages.offsets) - 1
	const run = 64 // pages read at once: about 2 MB
	registration := s.Meta.Registration != ""
	var next atomic.Int64
	var count atomic.Int64
	var failed error
	var once sync.Once
	fail := func(err error) { once.Do(func() { failed = err }) }
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []byte
			var f engine.Facts
			var g engine.GroupFacts
			for !stop.Load() {
				lo := int(next.Add(run)) - run
				if lo >= pages {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					stop.Store(true)
					return
				}
				hi := min(lo+run, pages)
				var err error
				buf, err = s.pages.pages(lo, hi, buf)
				if err == nil {
					var n int
					n, err = s.factsOfPages(buf, lo, hi, registration, &f, &g, func(f *engine.Facts) error { return fn(w, f) })
					count.Add(int64(n))
				}
				if err != nil {
					fail(err)
					stop.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	if failed != nil {
		return failed
	}
	if int(count.Load()) != s.Meta.Installations {
		return fmt.Errorf("%w: %d installation records, the metadata says %d", ErrFormat, count.Load(), s.Meta.Installations)
	}
	return nil
}

// factsOfPages decodes the records of pages [lo, hi), whose bytes are buf,
// calling fn with each; it returns how many there were.
func (s *Store) factsOfPages(buf []byte, lo, hi int, registration bool, f *engine.Facts, g *engine.GroupFacts, fn func(*engine.Facts) error) (int, error) {
	n := 0
	for p := lo; p < hi; p++ {
		page, err := s.pages.pageIn(buf, lo, p)
		if err != nil {
			return n, err
		}
		recs, err := pageRecords(page)
		if err != nil {
			return n, s.pages.damaged(uint32(p), err.Error())
		}
		for i, b := range recs {
			id := uint32(p*pageSize + i)
			if err := decodeFacts(b, id, f, g, s.statuses, registration); err != nil {
				return n, s.pages.damaged(uint32(p), err.Error())
			}
			if err := fn(f); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
