package report

import (
	"bytes"
	"cmp"
	"fmt"
	"html"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/output"
)

// Absent is the decision of an installation on the side of a comparison
// where it is not.
const Absent = "absent"

// Side is an installation's decision and reason in one of two runs.
type Side struct{ Decision, Reason string }

// Change is one installation whose decision or reason differs between two
// runs.
type Change struct {
	SMSO, InstallationID, Cohort, Supplier string
	From, To                               Side
}

// Diff compares the decisions of two runs (an earlier extract and a later
// one, or the stored decisions and a what-if under other rules): how many
// installations went from each (decision, reason) to each other, and which
// changed, for DCC to tell their Responsible Suppliers.
type Diff struct {
	transitions map[[2]Side]int
	changes     []Change
	kinds       map[kindKey]int
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
	d.transitions[[2]Side{from, to}]++
	if from == to {
		return
	}
	d.changes = append(d.changes, Change{smso, id, cohort, supplier, from, to})
	for _, k := range changeKinds(from, to) {
		reason := to.Reason
		if to.Decision == Absent || k == kindUnblocked || k == kindNoLongerHeld || k == kindNoLongerExcluded {
			reason = from.Reason
		}
		d.kinds[kindKey{k, reason, cohort}]++
	}
}

// The kinds of change the summary counts, in the consultation's words.
const (
	kindNewlyExcluded    = "newly excluded"
	kindNoLongerExcluded = "no longer excluded"
	kindNewlyBlocked     = "newly blocked"
	kindUnblocked        = "unblocked"
	kindNewlyHeld        = "newly held (pending)"
	kindNoLongerHeld     = "no longer held"
	kindNewlyPartial     = "newly migrating electricity-only"
	kindNewlyMigrating   = "newly migrating"
	kindReasonOnly       = "same decision, another reason"
	kindAppeared         = "new in the later run"
	kindGone             = "no longer in the later run"
)

var kindOrder = []string{kindNewlyExcluded, kindNewlyBlocked, kindUnblocked, kindNoLongerHeld, kindNewlyHeld,
	kindNoLongerExcluded, kindNewlyPartial, kindNewlyMigrating, kindReasonOnly, kindAppeared, kindGone}

// changeKinds names what a change from -> to is (one change can be two:
// unblocked and newly excluded).
func changeKinds(from, to Side) []string {
	switch {
	case from.Decision == Absent:
		return []string{kindAppeared}
	case to.Decision == Absent:
		return []string{kindGone}
	case from.Decision == to.Decision:
		return []string{kindReasonOnly}
	}
	var out []string
	into := map[string]string{engine.Exclude.String(): kindNewlyExcluded, engine.Blocked.String(): kindNewlyBlocked,
		engine.Pending.String(): kindNewlyHeld, engine.MigratePartial.String(): kindNewlyPartial, engine.Migrate.String(): kindNewlyMigrating}
	outOf := map[string]string{engine.Blocked.String(): kindUnblocked, engine.Pending.String(): kindNoLongerHeld,
		engine.Exclude.String(): kindNoLongerExcluded}
	if k, ok := outOf[from.Decision]; ok {
		out = append(out, k)
	}
	if k, ok := into[to.Decision]; ok {
		out = append(out, k)
	}
	return out
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

// SummaryMarkdown returns summary.md: the changes in the consultation's
// words, by kind, reason and cohort.
func (d *Diff) SummaryMarkdown() []byte {
	var b bytes.Buffer
	total := 0
	for _, n := range d.transitions {
		total += n
	}
	fmt.Fprintf(&b, "# What changed\n\n%d installations compared; %d changed decision or reason.\n\n", total, len(d.changes))
	b.WriteString("| Change | Category | Cohort | Number of SMETS1 Installations |\n|---|---|---|---:|\n")
	for _, l := range d.kindLines() {
		fmt.Fprintf(&b, "| %s | %s | %s | %d |\n", mdCell(l.Kind), mdCell(Category(l.Reason)), l.Cohort, l.N)
	}
	b.WriteString("\n## Transitions\n\n| From | To | Installations |\n|---|---|---:|\n")
	for _, k := range d.changedTransitions() {
		fmt.Fprintf(&b, "| %s | %s | %d |\n", mdCell(sideLabel(k[0])), mdCell(sideLabel(k[1])), d.transitions[k])
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

// HTML returns report.html: the changes by kind and a chart of the
// transitions, self-contained.
func (d *Diff) HTML() []byte {
	var b bytes.Buffer
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>SMETS1 decisions: what changed</title>` +
		`<style>body{font-family:sans-serif;margin:2em;color:#1a202c}table{border-collapse:collapse}` +
		`td,th{border:1px solid #cbd5e0;padding:4px 8px;font-size:13px}td.n{text-align:right}</style></head><body>`)
	fmt.Fprintf(&b, `<h1>What changed</h1><p id="changed">%d installations changed decision or reason.</p>`, len(d.changes))
	b.WriteString(`<h2>Transitions</h2>`)
	var bars []bar
	for _, k := range d.changedTransitions() {
		bars = append(bars, bar{sideLabel(k[0]) + " → " + sideLabel(k[1]), d.transitions[k]})
	}
	b.WriteString(barChart("Installations by transition", bars))
	b.WriteString(`<h2>By kind of change</h2><table id="kinds"><tr><th>Change</th><th>Category</th><th>Cohort</th><th>Number of SMETS1 Installations</th></tr>`)
	for _, l := range d.kindLines() {
		fmt.Fprintf(&b, `<tr><td>%s</td><td>%s</td><td>%s</td><td class="n">%d</td></tr>`,
			html.EscapeString(l.Kind), html.EscapeString(Category(l.Reason)), html.EscapeString(l.Cohort), l.N)
	}
	b.WriteString(`</table></body></html>` + "\n")
	return b.Bytes()
}

// SupplierFiles returns, for each Responsible Supplier, the CSV of its
// installations that changed (file name: SupplierFile), what DCC tells it
// after a new extract or a rule change.
func (d *Diff) SupplierFiles() map[string][]byte {
	by := map[string][]byte{}
	for _, c := range d.sortedChanges() {
		name := SupplierFile(c.Supplier)
		if by[name] == nil {
			by[name] = []byte("smso,installation_id,cohort,from_decision,from_reason,to_decision,to_reason\n")
		}
		by[name] = csvLine(by[name], c.SMSO, c.InstallationID, c.Cohort, c.From.Decision, c.From.Reason, c.To.Decision, c.To.Reason)
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
	c.old[r.Name()] = &oldEntry{cohort: r.Cohort.String(), supplier: r.SupplierID, side: SideOf(r)}
}

// New adds a row of the later run, compared with the earlier run's row of
// the same installation, if any. Its Responsible Supplier is the later
// run's, else the earlier's.
func (c *Comparison) New(r *output.Row) {
	from, supplier := Side{Decision: Absent}, r.SupplierID
	if e := c.old[r.Name()]; e != nil {
		e.seen, from = true, e.side
		if supplier == "" {
			supplier = e.supplier
		}
	}
	c.d.Add(r.SMSO, r.InstallationID, r.Cohort.String(), supplier, from, SideOf(r))
}

// Diff returns the comparison: the earlier run's installations not in the
// later one count as gone.
func (c *Comparison) Diff() *Diff {
	for key, e := range c.old {
		if !e.seen {
			smso, id, _ := strings.Cut(key, "\x00")
			c.d.Add(smso, id, e.cohort, e.supplier, e.side, Side{Decision: Absent})
		}
	}
	return c.d
}
