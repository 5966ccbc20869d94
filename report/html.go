package report

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/value"
)

// title returns the page's title.
func (r *Report) title() string {
	if r.onlySupplier {
		return "SMETS1 migration decisions for Responsible Supplier " + orNone(r.supplier)
	}
	return "SMETS1 migration decisions"
}

func orNone(supplier string) string {
	if supplier == "" {
		return "(none)"
	}
	return supplier
}

// share prints n of total as a percentage with one decimal.
func share(n, total int) string {
	if total == 0 {
		return ""
	}
	pct := float64(n) * 100 / float64(total)
	if n > 0 && pct < 0.05 {
		return "<0.1%" // not 0.0%: there are some
	}
	return strconv.FormatFloat(pct, 'f', 1, 64) + "%"
}

// known prints a count of an Account, or says it is not known.
func known(n int) string {
	if n < 0 {
		return "not known"
	}
	return value.Thousands(n)
}

// stackedBy returns one bar per key of counts (by decision), in keys' order.
func stackedBy(keys []string, counts map[string]map[engine.Decision]int) []Bar {
	bars := make([]Bar, 0, len(keys))
	for _, k := range keys {
		bars = append(bars, Bar{Label: k, Segments: Stack(counts[k])})
	}
	return bars
}

func migrateWhole(n int) string {
	if n == 1 {
		return "1 installation migrates"
	}
	return value.Thousands(n) + " installations migrate"
}

// HTML returns report.html: one self-contained page (no script, no external
// asset) with the totals per decision, what the run read and set aside,
// stacked bars of the decisions by cohort and by SMSO, the installations
// not simply migrating by reason, the largest duplicate groups, the
// consultation's summary table, and where the numbers come from.
func (r *Report) HTML() []byte {
	p := NewPage(r.title())
	p.H1(r.title())
	p.Para("total", "", Installations(r.total)+" decided.")
	if r.prov.Written != "" {
		p.Para("source", "note", r.prov.Headline())
	}
	if len(r.account.Warnings) > 0 {
		p.H2("warnings", "Warnings")
		for _, w := range r.account.Warnings {
			p.Para("", "", w)
		}
	}

	byCohort, bySMSO := map[string]map[engine.Decision]int{}, map[string]map[engine.Decision]int{}
	var cohorts, smsos []string
	add := func(m map[string]map[engine.Decision]int, keys *[]string, k string, d engine.Decision, n int) {
		if m[k] == nil {
			m[k] = map[engine.Decision]int{}
			*keys = append(*keys, k)
		}
		m[k][d] += n
	}
	reasons := map[[2]string]int{}
	for _, l := range r.categories() {
		add(byCohort, &cohorts, l.Cohort.String(), l.Decision, l.N)
		if l.Decision != engine.Migrate {
			reasons[[2]string{l.Decision.String(), l.Reason.String()}] += l.N
		}
	}
	for _, l := range r.smsos() {
		add(bySMSO, &smsos, l.SMSO, l.Decision, l.N)
	}
	slices.Sort(cohorts)
	slices.Sort(smsos)

	all := map[engine.Decision]int{}
	var totals []TableRow
	for _, l := range r.decisions() {
		all[l.Decision] = l.N
		s := DecisionSeries(l.Decision)
		totals = append(totals, TableRow{Swatches: []*Series{&s}, Cells: []string{l.Decision.Title(), l.Decision.String(), value.Thousands(l.N), share(l.N, r.total)}})
	}
	totals = append(totals, TableRow{Cells: []string{"All decisions", "", value.Thousands(r.total), share(r.total, r.total)}})
	overall := Chart{ID: "chart-decisions", Title: "All installations by decision", Bars: []Bar{{Label: "All installations", Segments: Stack(all)}}}
	cohortChart := Chart{ID: "chart-cohorts", Title: "Installations by cohort and decision", Bars: stackedBy(cohorts, byCohort)}
	smsoChart := Chart{ID: "chart-smsos", Title: "Installations by SMSO and decision", Bars: stackedBy(smsos, bySMSO)}
	reasonBars := make([]Bar, 0, len(reasons))
	for k, n := range reasons {
		d, _ := engine.ParseDecision(k[0])
		reasonBars = append(reasonBars, Bar{Label: k[0] + " / " + k[1] + ": " + Category(k[1]), Segments: []Segment{{DecisionSeries(d), n}}})
	}
	slices.SortFunc(reasonBars, func(a, b Bar) int { return cmp.Or(cmp.Compare(b.Total(), a.Total()), cmp.Compare(a.Label, b.Label)) })
	reasonChart := Chart{ID: "chart-reasons", Title: "Installations not simply migrating, by decision and reason",
		Note: fmt.Sprintf("%s whole (%s): left out of this chart.", migrateWhole(all[engine.Migrate]), engine.Migrate),
		Bars: reasonBars}

	p.H2("decisions", "Decisions")
	p.Legend(SeriesIn(overall, cohortChart, smsoChart, reasonChart)...)
	p.Chart(overall)
	p.Table("totals", []Column{{Title: "Decision"}, {Title: "Word"}, {Title: "Number of SMETS1 Installations", Numeric: true}, {Title: "Share", Numeric: true}}, totals)

	p.H2("account", "What the run read and set aside")
	a := r.account
	p.Table("account", []Column{{Title: "What"}, {Title: "Number", Numeric: true}}, []TableRow{
		{Cells: []string{"Installations decided", value.Thousands(r.total)}},
		{Cells: []string{"Installations rejected (every row of each in the rejects)", known(a.RejectedInstallations)}},
		{Cells: []string{"Installation rows rejected", known(a.RejectedRows)}},
		{Cells: []string{"Rows rejected from the registration, supplier and SMETS2+ inventory files", known(a.RejectedReferenceRows)}},
		{Cells: []string{"SMETS2+ installations read from the inventory", known(a.Smets2Read)}},
		{Cells: []string{"SMETS2+ installations linked to a SMETS1 installation (in one duplicate group)", known(a.Smets2Linked)}},
		{Cells: []string{"SMETS2+ inventory rows rejected", known(a.Smets2Rejected)}},
	})
	if a.RejectedRows < 0 || a.Smets2Linked < 0 {
		if r.prov.Store != "" {
			p.Para("", "note", "A count the store does not hold is \"not known\": an older s1resolve wrote it; run s1resolve run --report to know more.")
		} else {
			p.Para("", "note", "A count the decisions do not hold is \"not known\": run s1resolve run --report, or give report the run's store (--db), to know more.")
		}
	}

	p.H2("cohorts", "Decisions by cohort")
	p.Chart(cohortChart)
	p.Table("by-cohort", r.pivotColumns("Cohort"), r.pivotRows(cohorts, byCohort))
	p.H2("smsos", "Decisions by SMSO")
	p.Chart(smsoChart)
	p.Table("by-smso", r.pivotColumns("SMSO"), r.pivotRows(smsos, bySMSO))

	p.H2("reasons", "Not simply migrating, by reason")
	p.Chart(reasonChart)

	p.H2("groups", "Largest duplicate groups")
	groups := r.LargestGroups()
	if len(groups) == 0 {
		p.Para("", "", "No duplicate group: no two installations share an MPAN or MPRN.")
	} else {
		var rows []TableRow
		for _, g := range groups {
			rows = append(rows, TableRow{Cells: []string{g.Key, value.Thousands(g.Installations), g.Members()}})
		}
		p.Table("largest-groups", []Column{{Title: "Group (group_id)"}, {Title: "Installations", Numeric: true}, {Title: "Members by SMSO"}}, rows)
		p.Para("", "note", fmt.Sprintf("The %d largest duplicate groups, and every other of more than %d installations. A real duplicate group has two or three members; "+
			"one of many more is most likely a placeholder MPAN or MPRN shared by unrelated installations, which step 2 decides as one group.", output.ListedGroups, output.LargeGroup))
	}

	p.H2("summary-table", "Summary")
	var rows []TableRow
	for _, l := range r.categories() {
		s := DecisionSeries(l.Decision)
		rows = append(rows, TableRow{Swatches: []*Series{&s}, Cells: []string{l.Reason.Category(), l.Decision.Title(), l.Clause, l.Cohort.String(), value.Thousands(l.N)}})
	}
	p.Table("summary", []Column{{Title: "Category"}, {Title: "Exclusion type"}, {Title: "Clause"}, {Title: "Cohort"},
		{Title: "Number of SMETS1 Installations", Numeric: true}}, rows)

	if r.prov.Written != "" {
		p.Provenance(r.prov)
	}
	return p.Bytes()
}

// pivotColumns are the columns of a table of installations by key and
// decision: the key, each decision present (rank order), the total.
func (r *Report) pivotColumns(key string) []Column {
	cols := []Column{{Title: key}}
	for _, l := range r.decisions() {
		cols = append(cols, Column{Title: l.Decision.String(), Numeric: true})
	}
	return append(cols, Column{Title: "All", Numeric: true})
}

func (r *Report) pivotRows(keys []string, counts map[string]map[engine.Decision]int) []TableRow {
	var rows []TableRow
	for _, k := range keys {
		cells, total := []string{k}, 0
		for _, l := range r.decisions() {
			n := counts[k][l.Decision]
			total += n
			cells = append(cells, value.Thousands(n))
		}
		rows = append(rows, TableRow{Cells: append(cells, value.Thousands(total))})
	}
	return rows
}
