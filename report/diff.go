package report

import (
	"bytes"
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/value"
)

// Absent is the decision of an installation on the side of a comparison
// where it is not.
const Absent = "absent"

// Side is an installation's decision and reason in one of two runs.
type Side struct{ Decision, Reason string }

// Change is one installation whose decision or reason differs between two
// runs: its MPAN and MPRN (the later run's, else the earlier's) and, when
// a store was read, its device GUIDs, so that a supplier can match it to
// its meters.
type Change struct {
	SMSO, InstallationID, Cohort, Supplier string
	From, To                               Side
	MPAN, MPRN                             value.Key // zero where absent
	GUIDs                                  []string
}

// Diff compares the decisions of two runs (an earlier extract and a later
// one, or the stored decisions and a what-if under other rules): how many
// installations went from each (decision, reason) to each other, and which
// changed, for DCC to tell their Responsible Suppliers.
type Diff struct {
	transitions map[[2]Side]int
	changes     []Change
	kinds       map[kindKey]int
	guids       bool // the changes carry device GUIDs (a store was read)
	prov        Provenance
}

type kindKey struct{ Kind, Reason, Cohort string }

// NewDiff returns an empty comparison.
func NewDiff() *Diff {
	return &Diff{transitions: map[[2]Side]int{}, kinds: map[kindKey]int{}}
}

// Add counts one installation: from is its side in the earlier run, to in
// the later one (Decision Absent where it is not there). supplier is its
// Responsible Supplier (the later run's, else the earlier's).
func (d *Diff) Add(smso, id, cohort, supplier string, from, to Side) {
	d.AddChange(Change{SMSO: smso, InstallationID: id, Cohort: cohort, Supplier: supplier, From: from, To: to})
}

// AddChange counts one installation as Add does, with its MPxNs and device
// GUIDs (WithGUIDs says they are known).
func (d *Diff) AddChange(c Change) {
	d.transitions[[2]Side{c.From, c.To}]++
	if c.From == c.To {
		return
	}
	d.changes = append(d.changes, c)
	k := changeKind(c.From, c.To)
	reason := c.To.Reason
	if c.To.Decision == Absent || k == kindUnblocked || k == kindNoLongerHeld || k == kindNoLongerExcluded {
		reason = c.From.Reason
	}
	d.kinds[kindKey{k, reason, c.Cohort}]++
}

// WithGUIDs says the changes carry the device GUIDs of their
// installations: the supplier lists then have a device_guids column.
func (d *Diff) WithGUIDs() { d.guids = true }

// FillGUIDs gives each change the device GUIDs guids finds for it (from a
// store of one of the two runs); an installation it does not know (false:
// one the store's run did not have) keeps none. Its error stops.
func (d *Diff) FillGUIDs(guids func(smso, id string) ([]string, bool, error)) error {
	d.guids = true
	for i := range d.changes {
		c := &d.changes[i]
		g, ok, err := guids(c.SMSO, c.InstallationID)
		if err != nil {
			return err
		}
		if ok {
			c.GUIDs = g
		}
	}
	return nil
}

// SetProvenance says where the two runs come from, for the page.
func (d *Diff) SetProvenance(p Provenance) { d.prov = p }

// The kinds of change the summary counts, in the consultation's words.
// Each change is of exactly one kind (changeKind).
const (
	kindNewlyExcluded    = "newly excluded"
	kindNewlyBlocked     = "newly blocked"
	kindNewlyHeld        = "newly held (pending)"
	kindUnblocked        = "unblocked"
	kindNoLongerHeld     = "no longer held"
	kindNoLongerExcluded = "no longer excluded"
	kindNewlyPartial     = "newly migrating electricity-only"
	kindNewlyMigrating   = "newly migrating whole"
	kindOtherDecision    = "another decision"
	kindReasonOnly       = "same decision, another reason"
	kindAppeared         = "new in the later run"
	kindGone             = "no longer in the later run"
)

var kindOrder = []string{kindNewlyExcluded, kindNewlyBlocked, kindNewlyHeld, kindUnblocked, kindNoLongerHeld,
	kindNoLongerExcluded, kindNewlyPartial, kindNewlyMigrating, kindOtherDecision, kindReasonOnly, kindAppeared, kindGone}

// Into names a change by the decision it goes into when that holds the
// installation back; outOf by the one it leaves when it goes on to
// migrate; migrating by the migration it goes into from the other.
var (
	into      = map[engine.Decision]string{engine.Exclude: kindNewlyExcluded, engine.Blocked: kindNewlyBlocked, engine.Pending: kindNewlyHeld}
	outOf     = map[engine.Decision]string{engine.Blocked: kindUnblocked, engine.Pending: kindNoLongerHeld, engine.Exclude: kindNoLongerExcluded}
	migrating = map[engine.Decision]string{engine.MigratePartial: kindNewlyPartial, engine.Migrate: kindNewlyMigrating}
)

// changeKind names what a change from -> to is, one kind for each change,
// so that the kinds add up to the installations that changed: an
// installation in one run only is new or gone; one whose decision stayed
// changed its reason; one that is now held back (excluded, blocked,
// pending) is named by where it is now ("newly excluded", also when it was
// blocked before); one that now migrates by what held it before
// ("unblocked", "no longer held", "no longer excluded"); one that went
// between whole and electricity-only migration by where it is now.
func changeKind(from, to Side) string {
	switch {
	case from.Decision == Absent:
		return kindAppeared
	case to.Decision == Absent:
		return kindGone
	case from.Decision == to.Decision:
		return kindReasonOnly
	}
	f, _ := engine.ParseDecision(from.Decision)
	t, _ := engine.ParseDecision(to.Decision)
	if k, ok := into[t]; ok {
		return k
	}
	if k, ok := outOf[f]; ok {
		return k
	}
	if k, ok := migrating[t]; ok {
		return k
	}
	return kindOtherDecision
}

// AddUnchanged counts n installations whose decision and reason are side
// in both runs: what Add of each would count, without their names.
func (d *Diff) AddUnchanged(side Side, n int) {
	if n > 0 {
		d.transitions[[2]Side{side, side}] += n
	}
}

// Changed returns the number of installations whose decision or reason
// differs.
func (d *Diff) Changed() int { return len(d.changes) }

// TransitionsHeader and ChangesHeader are the headers of the two CSVs.
const (
	TransitionsHeader = "from_decision,from_reason,to_decision,to_reason,installations\n"
	ChangesHeader     = "smso,installation_id,from_decision,from_reason,to_decision,to_reason,supplier_id\n"
)

func compareSides(a, b [2]Side) int {
	return cmp.Or(cmp.Compare(a[0].Decision, b[0].Decision), cmp.Compare(a[0].Reason, b[0].Reason),
		cmp.Compare(a[1].Decision, b[1].Decision), cmp.Compare(a[1].Reason, b[1].Reason))
}

// TransitionsCSV returns transitions.csv: one row per (from, to) pair with
// at least one installation, unchanged pairs included, sorted by the four
// text columns in byte order.
func (d *Diff) TransitionsCSV() []byte {
	keys := slices.SortedFunc(func(yield func([2]Side) bool) {
		for k := range d.transitions {
			if !yield(k) {
				return
			}
		}
	}, compareSides)
	b := []byte(TransitionsHeader)
	for _, k := range keys {
		b = csvLine(b, k[0].Decision, k[0].Reason, k[1].Decision, k[1].Reason, strconv.Itoa(d.transitions[k]))
	}
	return b
}

func (d *Diff) sortedChanges() []Change {
	slices.SortFunc(d.changes, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.SMSO, b.SMSO), cmp.Compare(a.InstallationID, b.InstallationID))
	})
	return d.changes
}

// ChangesCSV returns changes.csv: every installation whose decision or
// reason differs, sorted by smso then installation_id in byte order.
func (d *Diff) ChangesCSV() []byte {
	b := []byte(ChangesHeader)
	for _, c := range d.sortedChanges() {
		b = csvLine(b, c.SMSO, c.InstallationID, c.From.Decision, c.From.Reason, c.To.Decision, c.To.Reason, c.Supplier)
	}
	return b
}

type kindLine struct {
	kindKey
	N int
}

func (d *Diff) kindLines() []kindLine {
	rank := map[string]int{}
	for i, k := range kindOrder {
		rank[k] = i
	}
	out := make([]kindLine, 0, len(d.kinds))
	for k, n := range d.kinds {
		out = append(out, kindLine{k, n})
	}
	slices.SortFunc(out, func(a, b kindLine) int {
		return cmp.Or(cmp.Compare(rank[a.Kind], rank[b.Kind]), cmp.Compare(a.Reason, b.Reason), cmp.Compare(a.Cohort, b.Cohort))
	})
	return out
}

// compared returns the installations compared: in either run.
func (d *Diff) compared() int {
	total := 0
	for _, n := range d.transitions {
		total += n
	}
	return total
}

// SummaryMarkdown returns summary.md: the changes in the consultation's
// words, by kind, reason and cohort (each change of one kind), then the
// transitions that changed.
func (d *Diff) SummaryMarkdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# What changed\n\n%s compared; %s changed decision or reason.\n\n",
		Installations(d.compared()), value.Thousands(len(d.changes)))
	b.WriteString("Each installation that changed is counted once, by the kind of its change.\n\n")
	b.WriteString("| Change | Category | Cohort | Number of SMETS1 Installations |\n|---|---|---|---:|\n")
	for _, l := range d.kindLines() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(l.Kind), mdCell(Category(l.Reason)), l.Cohort, value.Thousands(l.N))
	}
	b.WriteString("\n## Transitions\n\n| From | To | Installations |\n|---|---|---:|\n")
	for _, k := range d.changedTransitions() {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", mdCell(sideLabel(k[0])), mdCell(sideLabel(k[1])), value.Thousands(d.transitions[k]))
	}
	return b.Bytes()
}

// changedTransitions returns the transitions that change something,
// largest first, then in byte order.
func (d *Diff) changedTransitions() [][2]Side {
	var out [][2]Side
	for k := range d.transitions {
		if k[0] != k[1] {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b [2]Side) int {
		return cmp.Or(cmp.Compare(d.transitions[b], d.transitions[a]), compareSides(a, b))
	})
	return out
}

func sideLabel(s Side) string {
	if s.Reason == "" {
		return s.Decision
	}
	return s.Decision + " / " + s.Reason
}

// byKind returns the installations of each kind of change by the series
// of where they went (the later decision; absent for gone ones).
func (d *Diff) byKind() map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, c := range d.changes {
		k := changeKind(c.From, c.To)
		if out[k] == nil {
			out[k] = map[string]int{}
		}
		out[k][c.To.Decision]++
	}
	return out
}

// HTML returns report.html: the changes by kind (each change of one kind,
// its bar in the colour of the decision it went to), the transitions (a
// swatch of the earlier decision, the bar in the colour of the later one),
// the tables, and which runs were compared. Self-contained.
func (d *Diff) HTML() []byte {
	p := NewPage("SMETS1 decisions: what changed")
	p.H1("What changed")
	p.Para("changed", "", Installations(len(d.changes))+" changed decision or reason.")
	p.Para("compared", "", Installations(d.compared())+" compared.")
	if d.prov.Written != "" {
		p.Para("source", "note", d.prov.Headline())
	}
	byKind := d.byKind()
	var kindBars []Bar
	for _, k := range kindOrder {
		to := byKind[k]
		if len(to) == 0 {
			continue
		}
		var segs []Segment
		for word, n := range to {
			segs = append(segs, Segment{SeriesOf(word), n})
		}
		slices.SortFunc(segs, func(a, b Segment) int { return CompareSeries(a.Series, b.Series) })
		kindBars = append(kindBars, Bar{Label: k, Segments: segs})
	}
	kinds := Chart{ID: "chart-kinds", Title: "Changes by kind, in the colour of the decision they went to", Bars: kindBars,
		Note: "Each installation that changed is counted once, by the kind of its change."}
	var trBars []Bar
	for _, k := range d.changedTransitions() {
		from := SeriesOf(k[0].Decision)
		trBars = append(trBars, Bar{Label: sideLabel(k[0]) + " → " + sideLabel(k[1]), From: &from,
			Segments: []Segment{{SeriesOf(k[1].Decision), d.transitions[k]}}})
	}
	transitions := Chart{ID: "chart-transitions", Title: "Installations by transition: the earlier decision's swatch, then a bar in the later decision's colour",
		Bars: trBars}
	p.Legend(SeriesIn(kinds, transitions)...)
	p.H2("kinds-heading", "By kind of change")
	p.Chart(kinds)
	var rows []TableRow
	for _, l := range d.kindLines() {
		rows = append(rows, TableRow{Cells: []string{l.Kind, Category(l.Reason), l.Cohort, value.Thousands(l.N)}})
	}
	rows = append(rows, TableRow{Cells: []string{"all changes", "", "", value.Thousands(len(d.changes))}})
	p.Table("kinds", []Column{{Title: "Change"}, {Title: "Category"}, {Title: "Cohort"}, {Title: "Number of SMETS1 Installations", Numeric: true}}, rows)
	p.H2("transitions-heading", "Transitions")
	p.Chart(transitions)
	rows = rows[:0]
	for _, k := range d.changedTransitions() {
		from, to := SeriesOf(k[0].Decision), SeriesOf(k[1].Decision)
		rows = append(rows, TableRow{Swatches: []*Series{&from, &to}, Cells: []string{sideLabel(k[0]), sideLabel(k[1]), value.Thousands(d.transitions[k])}})
	}
	p.Table("transitions", []Column{{Title: "From"}, {Title: "To"}, {Title: "Installations", Numeric: true}}, rows)
	if d.prov.Written != "" {
		p.Provenance(d.prov)
	}
	return p.Bytes()
}

// SupplierChangesHeader is the header of a supplier's list of changes;
// SupplierChangesHeaderNoGUIDs that of one whose device GUIDs are not
// known (no store read).
const (
	SupplierChangesHeader        = "smso,installation_id,cohort,from_decision,from_reason,to_decision,to_reason,mpan,mprn,device_guids\n"
	SupplierChangesHeaderNoGUIDs = "smso,installation_id,cohort,from_decision,from_reason,to_decision,to_reason,mpan,mprn\n"
)

// SupplierFiles returns, for each Responsible Supplier, the CSV of its
// installations that changed (file name: SupplierFile), with their MPAN,
// MPRN and, when known, device GUIDs: what DCC tells it after a new
// extract or a rule change.
func (d *Diff) SupplierFiles() map[string][]byte {
	by := map[string][]byte{}
	for _, c := range d.sortedChanges() {
		name := SupplierFile(c.Supplier)
		if by[name] == nil {
			by[name] = []byte(SupplierChangesHeaderNoGUIDs)
			if d.guids {
				by[name] = []byte(SupplierChangesHeader)
			}
		}
		fields := []string{c.SMSO, c.InstallationID, c.Cohort, c.From.Decision, c.From.Reason, c.To.Decision, c.To.Reason, c.MPAN.String(), c.MPRN.String()}
		if d.guids {
			fields = append(fields, strings.Join(c.GUIDs, " "))
		}
		by[name] = csvLine(by[name], fields...)
	}
	return by
}

// DiffFiles names the files a comparison writes beside suppliers/.
var DiffFiles = []string{"transitions.csv", "changes.csv", "summary.md", "report.html"}

// Files returns every file of the comparison by its name in the output
// folder: DiffFiles, and suppliers/<supplier>.csv.
func (d *Diff) Files() map[string][]byte {
	out := map[string][]byte{"transitions.csv": d.TransitionsCSV(), "changes.csv": d.ChangesCSV(),
		"summary.md": d.SummaryMarkdown(), "report.html": d.HTML()}
	for name, data := range d.SupplierFiles() {
		out[filepath.Join("suppliers", name)] = data
	}
	return out
}

// Comparison matches the rows of two runs' decisions by (smso,
// installation_id): every row of the earlier run first (Old), then the
// later run's (New), then Diff. The rows come from output.ReadDecisions,
// which has checked them (words, pairs, no installation twice).
type Comparison struct {
	old map[string]*oldEntry
	d   *Diff
}

type oldEntry struct {
	cohort, supplier string
	side             Side
	mpan, mprn       value.Key
	seen             bool
}

// NewComparison returns an empty comparison.
func NewComparison() *Comparison {
	return &Comparison{old: map[string]*oldEntry{}, d: NewDiff()}
}

// SideOf returns the decision and reason of a row.
func SideOf(r *output.Row) Side { return Side{r.Decision.String(), r.Reason.String()} }

// Old adds a row of the earlier run.
func (c *Comparison) Old(r *output.Row) {
	c.old[r.Name()] = &oldEntry{cohort: r.Cohort.String(), supplier: r.SupplierID, side: SideOf(r), mpan: r.MPAN, mprn: r.MPRN}
}

// New adds a row of the later run, compared with the earlier run's row of
// the same installation, if any. Its Responsible Supplier is the later
// run's, else the earlier's; its MPAN and MPRN the later run's.
func (c *Comparison) New(r *output.Row) {
	from, supplier := Side{Decision: Absent}, r.SupplierID
	if e := c.old[r.Name()]; e != nil {
		e.seen, from = true, e.side
		if supplier == "" {
			supplier = e.supplier
		}
	}
	c.d.AddChange(Change{SMSO: r.SMSO, InstallationID: r.InstallationID, Cohort: r.Cohort.String(), Supplier: supplier,
		From: from, To: SideOf(r), MPAN: r.MPAN, MPRN: r.MPRN})
}

// Diff returns the comparison: the earlier run's installations not in the
// later one count as gone.
func (c *Comparison) Diff() *Diff {
	for key, e := range c.old {
		if !e.seen {
			smso, id, _ := strings.Cut(key, "\x00")
			c.d.AddChange(Change{SMSO: smso, InstallationID: id, Cohort: e.cohort, Supplier: e.supplier, From: e.side,
				To: Side{Decision: Absent}, MPAN: e.mpan, MPRN: e.mprn})
		}
	}
	return c.d
}
