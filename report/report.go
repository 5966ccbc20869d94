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
	"github.com/s1resolve/s1resolve/output"
)

// Row is one decision, as the decisions output has it (output.Row), and
// the device GUIDs of its installation when known.
type Row struct {
	output.Row
	GUIDs []string
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

// New returns an empty report.
func New() *Report {
	return &Report{byCategory: map[categoryKey]int{}, bySMSO: map[smsoKey]int{}, bySupplier: map[string][]Row{}}
}

// Add counts one decision; an installation that is not simply migrating
// goes on its Responsible Supplier's list.
func (r *Report) Add(row Row) {
	r.total++
	r.byCategory[categoryKey{row.Decision, row.Reason, row.Clause, row.Cohort}]++
	r.bySMSO[smsoKey{row.SMSO, row.Decision, row.Reason}]++
	if !row.SimplyMigrating() {
		r.bySupplier[row.SupplierID] = append(r.bySupplier[row.SupplierID], row)
	}
}

// Total returns the number of decisions added.
func (r *Report) Total() int { return r.total }

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
