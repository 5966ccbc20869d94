package serve

import (
	"cmp"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/explain"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/report"
	"github.com/s1resolve/s1resolve/value"
)

// The JSON API (docs/SERVE.md). Field names are the interface: change
// them only with the documentation.

const (
	defaultExplainLimit = 50
	defaultPage         = 100
	maxPage             = 1000
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", timed(s.cfg.RequestTimeout, s.healthz))
	mux.HandleFunc("/api/explain", timed(s.cfg.RequestTimeout, s.explain))
	mux.HandleFunc("/api/installations", timed(s.cfg.RequestTimeout, s.installations))
	mux.HandleFunc("/api/summary", timed(s.cfg.RequestTimeout, s.summary))
	mux.HandleFunc("/api/suppliers/{supplier}/installations.csv", timed(s.cfg.CSVTimeout, s.supplierCSV))
	public := s.page(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such page: "+r.URL.Path)
	})
	return s.wrap(mux, public)
}

// apiError is every error's body.
type apiError struct {
	Status int    `json:"status"`
	Error  string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{status, msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"status":500,"error":"encoding the answer failed"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// scope returns which installations the request's principal may see:
// nil for everything.
func scope(st *state, p Principal) func(*index.Record) bool {
	if !p.IsSupplier() {
		return nil
	}
	own, ok := st.supplier[p.Supplier]
	return func(r *index.Record) bool { return ok && r.Smets2 == nil && r.Supplier == own }
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	st := s.acquire()
	defer st.releaseRead()
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "store_written": st.store.Meta.Created})
}

func (s *Server) explain(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	key := q.Get("key")
	if key == "" {
		writeError(w, http.StatusBadRequest, "give a key: ?key=MPAN, MPRN, GUID, smso/installation_id or SMETS2+ inventory_id")
		return
	}
	limit, ok := intParam(w, q.Get("limit"), "limit", defaultExplainLimit, 1, maxPage)
	if !ok {
		return
	}
	st := s.acquire()
	defer st.releaseRead()
	x, err := explain.Build(st.store, key, explain.Options{Limit: limit, Visible: scope(st, principalOf(r.Context()))})
	switch {
	case errors.Is(err, explain.ErrBadKey):
		writeError(w, http.StatusBadRequest, err.Error())
	case errors.Is(err, explain.ErrNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case err != nil:
		s.log.Printf("%s explain: %v", now(), err)
		writeError(w, http.StatusInternalServerError, "the store could not be read")
	default:
		if x.Groups == nil {
			x.Groups = []explain.Group{}
		}
		writeJSON(w, http.StatusOK, x)
	}
}

// intParam reads an integer query parameter in [lo, hi], def when absent;
// a bad one is answered 400.
func intParam(w http.ResponseWriter, v, name string, def, lo, hi int) (int, bool) {
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%s %q: give a whole number from %d to %d", name, v, lo, hi))
		return 0, false
	}
	return n, true
}

// noSupplier answers a supplier the store does not have, or one the
// principal may not see: the same words either way.
func noSupplier(w http.ResponseWriter, id string) {
	writeError(w, http.StatusNotFound, fmt.Sprintf("no supplier %q in the store", id))
}

// listing is a page of /api/installations.
type listing struct {
	Installations []explain.Row `json:"installations"`
	// Next is the cursor of the next page, "" after the last.
	Next string `json:"next"`
}

// filter is what /api/installations and the supplier list select.
type filter struct {
	supplier           int32 // -2: any
	decision, reason   uint8 // 0: any
	exceptMigrate      bool
	decisionW, reasonW string
}

func (f filter) match(r rowInfo) bool {
	return (f.supplier == -2 || r.supplier == f.supplier) && (f.decision == 0 || r.decision == f.decision) &&
		(f.reason == 0 || r.reason == f.reason) && !(f.exceptMigrate && engine.Decision(r.decision) == engine.Migrate)
}

// parseFilter reads supplier, decision and reason, scoped to the
// principal; it answers the request itself when they are wrong.
func parseFilter(w http.ResponseWriter, r *http.Request, st *state) (filter, bool) {
	q := r.URL.Query()
	f := filter{supplier: -2}
	p := principalOf(r.Context())
	if q.Has("supplier") || p.IsSupplier() {
		id := q.Get("supplier")
		if !q.Has("supplier") {
			id = p.Supplier
		}
		i, ok := st.supplierIndex(id)
		if !ok || p.IsSupplier() && id != p.Supplier {
			noSupplier(w, id)
			return f, false
		}
		f.supplier = i
	}
	if v := q.Get("decision"); v != "" {
		d, ok := engine.ParseDecision(v)
		if !ok {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("decision %q is not one RULES.md names", v))
			return f, false
		}
		f.decision = uint8(d)
	}
	if v := q.Get("reason"); v != "" {
		rs, ok := engine.ParseReason(v)
		if !ok {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("reason %q is not one RULES.md names", v))
			return f, false
		}
		f.reason = uint8(rs)
	}
	return f, true
}

// cursor is opaque to clients: the store it belongs to and the id to go on
// from.
func encodeCursor(st *state, id uint32) string {
	b := binary.BigEndian.AppendUint64(nil, st.id)
	return base64.RawURLEncoding.EncodeToString(binary.BigEndian.AppendUint32(b, id))
}

func decodeCursor(st *state, c string) (uint32, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) != 12 {
		return 0, errors.New("not a cursor of this service")
	}
	if binary.BigEndian.Uint64(b) != st.id {
		return 0, errors.New("a cursor of another store (it was reloaded since): start again without one")
	}
	return binary.BigEndian.Uint32(b[8:]), nil
}

func (s *Server) installations(w http.ResponseWriter, r *http.Request) {
	st := s.acquire()
	defer st.releaseRead()
	f, ok := parseFilter(w, r, st)
	if !ok {
		return
	}
	q := r.URL.Query()
	limit, ok := intParam(w, q.Get("limit"), "limit", defaultPage, 1, maxPage)
	if !ok {
		return
	}
	from := uint32(0)
	if c := q.Get("cursor"); c != "" {
		var err error
		if from, err = decodeCursor(st, c); err != nil {
			writeError(w, http.StatusBadRequest, "cursor: "+err.Error())
			return
		}
	}
	var ids []uint32
	out := listing{Installations: []explain.Row{}}
	for id := int(from); id < len(st.rows); id++ {
		if !f.match(st.rows[id]) {
			continue
		}
		if len(ids) == limit {
			out.Next = encodeCursor(st, uint32(id))
			break
		}
		ids = append(ids, uint32(id))
	}
	recs, err := st.store.Installations(ids)
	if err != nil {
		s.log.Printf("%s installations: %v", now(), err)
		writeError(w, http.StatusInternalServerError, "the store could not be read")
		return
	}
	p := principalOf(r.Context())
	for _, rec := range recs {
		row := explain.RowOf(st.store, rec)
		if p.IsSupplier() {
			if ok, err := st.ownKey(rec, rec.GroupID); err != nil || !ok {
				row.GroupID = 0 // another supplier's MPxN
			}
		}
		out.Installations = append(out.Installations, row)
	}
	writeJSON(w, http.StatusOK, out)
}

// ownKey reports whether MPxN k is held by an installation of rec's
// supplier: a group_id that is not is withheld from the supplier, as
// explain withholds it.
func (st *state) ownKey(rec *index.Record, k value.Key) (bool, error) {
	if slices.Contains(rec.Keys(), k) {
		return true, nil
	}
	ids, err := st.store.ByMPxN(k)
	for _, id := range ids {
		if int(id) < len(st.rows) && st.rows[id].supplier == rec.Supplier {
			return true, nil
		}
	}
	return false, err
}

// summaryLine is one line of the counts: as summary.csv of the report.
type summaryLine struct {
	Decision      string `json:"decision"`
	Reason        string `json:"reason"`
	Clause        string `json:"clause"`
	Cohort        string `json:"cohort"`
	Installations int    `json:"installations"`
}

type supplierLine struct {
	SupplierID string `json:"supplier_id"`
	Status     string `json:"status"`
	// Installations counts the supplier's installations, Listed those on
	// its list (not migrating).
	Installations int `json:"installations"`
	Listed        int `json:"listed"`
}

type summaryBody struct {
	StoreWritten  string         `json:"store_written"`
	Installations int            `json:"installations"`
	Decisions     map[string]int `json:"decisions"`
	Reasons       map[string]int `json:"reasons"`
	Cohorts       map[string]int `json:"cohorts"`
	Categories    []summaryLine  `json:"categories"`
	Suppliers     []supplierLine `json:"suppliers"`
}

func (s *Server) summary(w http.ResponseWriter, r *http.Request) {
	st := s.acquire()
	defer st.releaseRead()
	p := principalOf(r.Context())
	own, known := st.supplier[p.Supplier]
	body := summaryBody{StoreWritten: st.store.Meta.Created, Decisions: map[string]int{}, Reasons: map[string]int{}, Cohorts: map[string]int{},
		Categories: []summaryLine{}, Suppliers: []supplierLine{}}
	all := map[category]int{}
	for sup, counts := range st.counts {
		if p.IsSupplier() && (!known || sup != own) {
			continue
		}
		for c, n := range counts {
			all[c] += n
		}
	}
	for c, n := range all {
		d, rs, co := engine.Decision(c.decision), engine.Reason(c.reason), engine.Cohort(c.cohort)
		o := engine.Outcome{Decision: d, Reason: rs}
		body.Installations += n
		body.Decisions[d.String()] += n
		body.Reasons[d.String()+"/"+rs.String()] += n
		body.Cohorts[co.String()] += n
		body.Categories = append(body.Categories, summaryLine{d.String(), rs.String(), o.Clause(co), co.String(), n})
	}
	slices.SortFunc(body.Categories, func(a, b summaryLine) int {
		da, _ := engine.ParseDecision(a.Decision)
		db, _ := engine.ParseDecision(b.Decision)
		return cmp.Or(cmp.Compare(da.Rank(), db.Rank()), cmp.Compare(a.Reason, b.Reason), cmp.Compare(a.Cohort, b.Cohort))
	})
	m := st.store.Meta
	for i, id := range m.Suppliers {
		if p.IsSupplier() && id != p.Supplier {
			continue
		}
		line := supplierLine{SupplierID: id, Status: engine.Live.String()}
		if i < len(m.SupplierStatus) {
			line.Status = m.SupplierStatus[i]
		}
		for c, n := range st.counts[int32(i)] {
			line.Installations += n
			if engine.Decision(c.decision) != engine.Migrate {
				line.Listed += n
			}
		}
		body.Suppliers = append(body.Suppliers, line)
	}
	writeJSON(w, http.StatusOK, body)
}

// supplierCSV streams a supplier's list as the report writes it
// (suppliers/<supplier>.csv): its installations not simply migrating, in
// decisions order, with their device GUIDs.
func (s *Server) supplierCSV(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("supplier")
	st := s.acquire()
	defer st.releaseRead()
	p := principalOf(r.Context())
	i, ok := st.supplier[id]
	if !ok || p.IsSupplier() && id != p.Supplier {
		noSupplier(w, id)
		return
	}
	f := filter{supplier: i, exceptMigrate: true}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", report.SupplierFile(id)))
	w.WriteHeader(http.StatusOK)
	buf := []byte(report.SupplierHeader)
	flush := func() bool {
		if _, err := w.Write(buf); err != nil {
			return false
		}
		buf = buf[:0]
		return true
	}
	const batch = 512
	ids := make([]uint32, 0, batch)
	write := func() bool {
		recs, err := st.store.Installations(ids)
		if err != nil {
			s.log.Printf("%s supplier list %q: %v", now(), id, err)
			panic(http.ErrAbortHandler) // the client sees a cut answer, not a whole-looking list
		}
		for _, rec := range recs {
			row := explain.RowOf(st.store, rec)
			buf = report.AppendSupplierRow(buf, report.Row{Row: row, GUIDs: report.DeviceGUIDs(rec.Devices)})
		}
		ids = ids[:0]
		return flush()
	}
	for id := range st.rows {
		if !f.match(st.rows[id]) {
			continue
		}
		if ids = append(ids, uint32(id)); len(ids) == batch {
			if r.Context().Err() != nil || !write() {
				return
			}
		}
	}
	write()
}
