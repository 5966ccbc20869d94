// Package report turns decisions into what goes out before an RP shutdown:
// summary tables of installations by decision, reason, clause and cohort and
// by SMSO (CSV and Markdown, laid out like the consultation's tables), one
// CSV per Responsible Supplier of its installations that are not simply
// migrating, and a self-contained HTML page with charts that says where its
// numbers come from (Provenance). The pages are drawn by one chart API
// (chart.go: Page, Chart, Series), which gives each decision one colour on
// every page.
package report

import (
	"cmp"
	"slices"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/value"
)

// Row is one decision, as the decisions output has it (output.Row), and
// the device GUIDs of its installation when known.
type Row struct {
	output.Row
	GUIDs []string
}

// DeviceGUIDs returns the GUIDs of an installation's devices as a
// supplier's list gives them (FORMATS.md, "Reports"): in byte order, so that
// the order of the input rows does not show in the lists; a GUID on two of
// the installation's rows is given twice.
func DeviceGUIDs(devs []engine.Device) []string {
	out := make([]string, len(devs))
	for i, d := range devs {
		out[i] = d.GUID().String()
	}
	slices.Sort(out)
	return out
}

// Report accumulates rows; its methods write the outputs.
type Report struct {
	// NotInForce names the consultation's clauses not in force for these
	// decisions (RULES.md, "Clauses in force"), when known; the tables say
	// so when there are any.
	NotInForce []string

	byCategory map[categoryKey]int
	bySMSO     map[smsoKey]int
	bySupplier map[string][]Row
	groups     map[value.Key]*groupCount
	total      int

	supplier     string // with onlySupplier, the one Responsible Supplier reported
	onlySupplier bool
	seen         int  // rows of every supplier added, onlySupplier or not
	guids        bool // the supplier lists name device GUIDs
	prov         Provenance
	account      Account
}

type categoryKey struct {
	Decision engine.Decision
	Reason   engine.Reason
	Clause   string
	Cohort   engine.Cohort
}

type smsoKey struct {
	SMSO     string
	Decision engine.Decision
	Reason   engine.Reason
}

// groupCount is one duplicate group as the rows show it.
type groupCount struct {
	size   int            // group_size
	smsos  map[string]int // its rows by SMSO
	listed bool           // it holds a row of the supplier reported (onlySupplier)
}

// New returns an empty report of every supplier's installations, whose
// supplier lists name device GUIDs (see WithoutGUIDs) and whose account is
// not known (see SetAccount).
func New() *Report {
	return &Report{byCategory: map[categoryKey]int{}, bySMSO: map[smsoKey]int{}, bySupplier: map[string][]Row{},
		groups: map[value.Key]*groupCount{}, guids: true, account: UnknownAccount()}
}

// OnlySupplier restricts the report to the installations of one
// Responsible Supplier (supplier_id): its summary, page and list, the pack
// sent to it. Set before the first Add.
func (r *Report) OnlySupplier(id string) { r.supplier, r.onlySupplier = id, true }

// Supplier returns the Responsible Supplier the report is restricted to,
// and whether it is.
func (r *Report) Supplier() (string, bool) { return r.supplier, r.onlySupplier }

// WithoutGUIDs says the rows carry no device GUIDs (a decisions file read
// without its store): the supplier lists leave the device_guids column
// out rather than write it empty.
func (r *Report) WithoutGUIDs() { r.guids = false }

// HasGUIDs reports whether the supplier lists name device GUIDs.
func (r *Report) HasGUIDs() bool { return r.guids }

// SetProvenance says where the decisions come from, for the page.
func (r *Report) SetProvenance(p Provenance) { r.prov = p }

// SetAccount says what the run read and set aside, for the page.
func (r *Report) SetAccount(a Account) { r.account = a }

// Add counts one decision; an installation that is not simply migrating
// goes on its Responsible Supplier's list. With OnlySupplier, other
// suppliers' installations count only in the sizes of duplicate groups.
func (r *Report) Add(row Row) {
	r.seen++
	mine := !r.onlySupplier || row.SupplierID == r.supplier
	if row.GroupSize > 1 {
		g := r.groups[row.GroupID]
		if g == nil {
			g = &groupCount{size: int(row.GroupSize), smsos: map[string]int{}}
			r.groups[row.GroupID] = g
		}
		g.smsos[row.SMSO]++
		g.listed = g.listed || mine
	}
	if !mine {
		return
	}
	r.total++
	r.byCategory[categoryKey{row.Decision, row.Reason, row.Clause, row.Cohort}]++
	r.bySMSO[smsoKey{row.SMSO, row.Decision, row.Reason}]++
	if !row.SimplyMigrating() {
		r.bySupplier[row.SupplierID] = append(r.bySupplier[row.SupplierID], row)
	}
}

// Total returns the number of decisions reported: with OnlySupplier, those
// of that supplier.
func (r *Report) Total() int { return r.total }

// Read returns the number of decisions added, of every supplier.
func (r *Report) Read() int { return r.seen }

// LargestGroups returns the duplicate groups the rows show, as
// output.LargeGroups lists them: the output.ListedGroups largest, then
// every other of more than output.LargeGroup installations. A group's
// SMETS2+ members are its group_size less its rows. With OnlySupplier,
// only the groups holding one of its installations.
func (r *Report) LargestGroups() []output.DuplicateGroup {
	var out []output.DuplicateGroup
	for k, g := range r.groups {
		if !g.listed {
			continue
		}
		d := output.DuplicateGroup{Key: k.String(), Installations: g.size, SMSOs: g.smsos, Smets2: g.size}
		for _, n := range g.smsos {
			d.Smets2 -= n
		}
		out = append(out, d)
	}
	return output.TrimGroups(out, output.ListedGroups, output.LargeGroup)
}

// categoryLine is one line of the summary table.
type categoryLine struct {
	categoryKey
	N int
}

func (r *Report) categories() []categoryLine {
	out := make([]categoryLine, 0, len(r.byCategory))
	for k, n := range r.byCategory {
		out = append(out, categoryLine{k, n})
	}
	slices.SortFunc(out, func(a, b categoryLine) int {
		return cmp.Or(cmp.Compare(a.Decision.Rank(), b.Decision.Rank()), cmp.Compare(a.Reason.String(), b.Reason.String()),
			cmp.Compare(a.Clause, b.Clause), cmp.Compare(a.Cohort.String(), b.Cohort.String()))
	})
	return out
}

// decisionLine is one decision and its installations.
type decisionLine struct {
	Decision engine.Decision
	N        int
}

// decisions returns the installations by decision, in rank order.
func (r *Report) decisions() []decisionLine {
	by := map[engine.Decision]int{}
	for k, n := range r.byCategory {
		by[k.Decision] += n
	}
	out := make([]decisionLine, 0, len(by))
	for d, n := range by {
		out = append(out, decisionLine{d, n})
	}
	slices.SortFunc(out, func(a, b decisionLine) int { return cmp.Compare(a.Decision.Rank(), b.Decision.Rank()) })
	return out
}

type smsoLine struct {
	smsoKey
	N int
}

func (r *Report) smsos() []smsoLine {
	out := make([]smsoLine, 0, len(r.bySMSO))
	for k, n := range r.bySMSO {
		out = append(out, smsoLine{k, n})
	}
	slices.SortFunc(out, func(a, b smsoLine) int {
		return cmp.Or(cmp.Compare(a.SMSO, b.SMSO), cmp.Compare(a.Decision.Rank(), b.Decision.Rank()), cmp.Compare(a.Reason.String(), b.Reason.String()))
	})
	return out
}

// Category returns the consultation's words for a reason word.
func Category(reason string) string {
	if r, ok := engine.ParseReason(reason); ok {
		return r.Category()
	}
	return reason
}

// notInForceNote says which clauses were not in force, or "" when all
// were (or it is not known).
func (r *Report) notInForceNote() string {
	if len(r.NotInForce) == 0 {
		return ""
	}
	return "Clauses not in force: " + strings.Join(r.NotInForce, ", ") +
		"; the installations they would decide are blocked or held as before the consultation."
}

// Account is what a run read and set aside beside what it decided: the
// rejected installations and rows, and the SMETS2+ inventory. A count of
// -1 is not known (a decisions file read without its run's summary).
type Account struct {
	RejectedInstallations int
	RejectedRows          int // installation rows in the rejects
	// RejectedReferenceRows are the rejected rows of the registration,
	// supplier and SMETS2+ inventory files.
	RejectedReferenceRows                    int
	Smets2Read, Smets2Linked, Smets2Rejected int
	// Warnings are what the run found legal but probably a slip.
	Warnings []string
}

// UnknownAccount is the account of decisions read alone: nothing known.
func UnknownAccount() Account {
	return Account{RejectedInstallations: -1, RejectedRows: -1, RejectedReferenceRows: -1, Smets2Read: -1, Smets2Linked: -1, Smets2Rejected: -1}
}

// AccountOf returns the account of a run from its summary.
func AccountOf(s *output.Summary) Account {
	return Account{RejectedInstallations: s.RejectedInstallations, RejectedRows: s.RejectedRows, RejectedReferenceRows: s.RejectedReferenceRows,
		Smets2Read: s.Smets2Read, Smets2Linked: s.Smets2Linked, Smets2Rejected: s.Smets2Rejected, Warnings: s.Warnings}
}
