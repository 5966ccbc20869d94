// Package report turns decisions into what goes out before an RP shutdown:
// summary tables of installations by decision, reason, clause and cohort and
// by SMSO (CSV and Markdown, laid out like the consultation's tables), one
// CSV per Responsible Supplier of its installations that are not simply
// migrating, and a self-contained HTML page with charts.
package report

import (
	"cmp"
	"slices"
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
	switch row.Decision {
	case "exclude", "blocked", "pending", "migrate_partial":
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

// decisionOrder puts the decisions in the order an operator reads them.
var decisionOrder = map[string]int{"exclude": 0, "blocked": 1, "pending": 2, "migrate_partial": 3, "migrate": 4}

func (r *Report) categories() []categoryLine {
	out := make([]categoryLine, 0, len(r.byCategory))
	for k, n := range r.byCategory {
		out = append(out, categoryLine{k, n})
	}
	slices.SortFunc(out, func(a, b categoryLine) int {
		return cmp.Or(cmp.Compare(decisionOrder[a.Decision], decisionOrder[b.Decision]), cmp.Compare(a.Reason, b.Reason),
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
		return cmp.Or(cmp.Compare(a.SMSO, b.SMSO), cmp.Compare(decisionOrder[a.Decision], decisionOrder[b.Decision]), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}

// categoryNames are the consultation's words for each reason.
var categoryNames = map[string]string{
	"duplicate_guid":           "Data issues: two devices with the same GUID (§4)",
	"duplicate_mpxn_active":    "Duplicate MPxNs with an Active meter: not attempted (§7)",
	"no_wan":                   "Duplicate MPxNs, none verified communicating: no WAN (§7.1)",
	"duplicate_mpxn":           "Duplicate MPANs and MPRNs (§4, §7)",
	"mpxn_not_registered":      "Data issues: unable to identify Responsible Supplier (§4)",
	"no_prepayment_key":        "Data issues: no prepayment key (§4)",
	"fw_unable":                "Unable to attempt firmware upgrade, GroupID AA/BA/CA (§2)",
	"fw_config_failure":        "Firmware upgrade / configuration failure (§3)",
	"gas_failure_partial":      "Partial migration for gas firmware failure (§5)",
	"fw_retry":                 "Firmware / configuration attempts continuing",
	"fw_no_exclusion_category": "Firmware / configuration failure outside any exclusion category",
	"duplicate_resolved":       "Duplicate resolved: latest installation, only one communicating (§7.2)",
	"unique":                   "No issue found",
}

// exclusionTypes name the decision as the consultation's tables do.
var exclusionTypes = map[string]string{
	"exclude":         "Exclusion: technical or operational barriers",
	"blocked":         "Blocked: for the Responsible Supplier to resolve",
	"pending":         "Held: not yet excludable",
	"migrate_partial": "Partial migration (electricity only)",
	"migrate":         "Migration",
}

// Category returns the consultation's words for a reason.
func Category(reason string) string {
	if c, ok := categoryNames[reason]; ok {
		return c
	}
	return reason
}
