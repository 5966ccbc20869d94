// Package report turns decisions into what goes out before an RP shutdown:
// summary tables of installations by decision, reason, clause and cohort and
// by SMSO (CSV and Markdown, laid out like the consultation's tables), one
// CSV per Responsible Supplier of its installations that are not simply
// migrating, and a self-contained HTML page with charts.
package report

import (
	"cmp"
	"slices"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
)

// Row is one decision, as the decisions output has it, and the device GUIDs
// of its installation when known.
type Row struct {
	SMSO, InstallationID, Cohort string
	Decision, Reason, Clause     string
	MPAN, MPRN, Supplier, Notify string
	GUIDs                        []string
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
	total      int
}

type categoryKey struct{ Decision, Reason, Clause, Cohort string }

type smsoKey struct{ SMSO, Decision, Reason string }

// New returns an empty report.
func New() *Report {
	return &Report{byCategory: map[categoryKey]int{}, bySMSO: map[smsoKey]int{}, bySupplier: map[string][]Row{}}
}

// Add counts one decision.
func (r *Report) Add(row Row) {
	r.total++
	r.byCategory[categoryKey{row.Decision, row.Reason, row.Clause, row.Cohort}]++
	r.bySMSO[smsoKey{row.SMSO, row.Decision, row.Reason}]++
	if d, _ := engine.ParseDecision(row.Decision); d != engine.Migrate {
		r.bySupplier[row.Supplier] = append(r.bySupplier[row.Supplier], row)
	}
}

// Total returns the number of decisions added.
func (r *Report) Total() int { return r.total }

// categoryLine is one line of the summary table.
type categoryLine struct {
	categoryKey
	N int
}

// rank orders decision words as an operator reads them (engine.Decision.Rank).
func rank(decision string) int {
	d, _ := engine.ParseDecision(decision)
	return d.Rank()
}

func (r *Report) categories() []categoryLine {
	out := make([]categoryLine, 0, len(r.byCategory))
	for k, n := range r.byCategory {
		out = append(out, categoryLine{k, n})
	}
	slices.SortFunc(out, func(a, b categoryLine) int {
		return cmp.Or(cmp.Compare(rank(a.Decision), rank(b.Decision)), cmp.Compare(a.Reason, b.Reason),
			cmp.Compare(a.Clause, b.Clause), cmp.Compare(a.Cohort, b.Cohort))
	})
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
		return cmp.Or(cmp.Compare(a.SMSO, b.SMSO), cmp.Compare(rank(a.Decision), rank(b.Decision)), cmp.Compare(a.Reason, b.Reason))
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

// title returns the consultation's words for a decision word.
func title(decision string) string {
	if d, ok := engine.ParseDecision(decision); ok {
		return d.Title()
	}
	return decision
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
