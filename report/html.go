package report

import (
	"bytes"
	"fmt"
	"html"
	"slices"
	"strconv"

	"github.com/s1resolve/s1resolve/engine"
)

// bar is one bar of a chart.
type bar struct {
	Label string
	N     int
}

// barChart returns an inline SVG horizontal bar chart.
func barChart(title string, bars []bar) string {
	const rowH, labelW, barW, numW = 22, 330, 360, 90
	maxN := 1
	for _, b := range bars {
		maxN = max(maxN, b.N)
	}
	h := rowH*len(bars) + 30
	var s bytes.Buffer
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" aria-label="%s">`,
		labelW+barW+numW, h, html.EscapeString(title))
	fmt.Fprintf(&s, `<title>%s</title>`, html.EscapeString(title))
	for i, b := range bars {
		y := 24 + i*rowH
		w := b.N * barW / maxN
		if b.N > 0 && w == 0 {
			w = 1
		}
		fmt.Fprintf(&s, `<text x="%d" y="%d" text-anchor="end" font-size="12">%s</text>`, labelW-6, y+11, html.EscapeString(b.Label))
		fmt.Fprintf(&s, `<rect class="bar" x="%d" y="%d" width="%d" height="%d" fill="#2b6cb0"><title>%s: %d</title></rect>`,
			labelW, y, w, rowH-6, html.EscapeString(b.Label), b.N)
		fmt.Fprintf(&s, `<text x="%d" y="%d" font-size="12">%d</text>`, labelW+w+6, y+11, b.N)
	}
	s.WriteString(`</svg>`)
	return s.String()
}

func sortedBars(m map[string]int) []bar {
	out := make([]bar, 0, len(m))
	for k, n := range m {
		out = append(out, bar{k, n})
	}
	slices.SortFunc(out, func(a, b bar) int {
		if a.N != b.N {
			return b.N - a.N
		}
		if a.Label < b.Label {
			return -1
		}
		return 1
	})
	return out
}

// HTML returns a self-contained page (no external assets) with bar charts of
// decisions by reason and by cohort, and the summary table.
func (r *Report) HTML() []byte {
	byReason, byCohort := map[string]int{}, map[string]int{}
	migrating := 0
	for _, l := range r.categories() {
		if l.Decision == engine.Migrate {
			migrating += l.N // one bar this long would flatten every other
		} else {
			byReason[l.Decision.String()+" / "+l.Reason.String()] += l.N
		}
		byCohort[l.Cohort.String()+" / "+l.Decision.String()] += l.N
	}
	var b bytes.Buffer
	b.WriteString(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>SMETS1 migration decisions</title>` +
		`<style>body{font-family:sans-serif;margin:2em;color:#1a202c}table{border-collapse:collapse}` +
		`td,th{border:1px solid #cbd5e0;padding:4px 8px;font-size:13px}td.n{text-align:right}</style></head><body>`)
	fmt.Fprintf(&b, `<h1>SMETS1 migration decisions</h1><p id="total">%d installations decided.</p>`, r.total)
	if note := r.notInForceNote(); note != "" {
		fmt.Fprintf(&b, `<p id="not-in-force">%s</p>`, html.EscapeString(note))
	}
	fmt.Fprintf(&b, `<h2>Installations not simply migrating, by decision and reason</h2><p>%d installations migrate (unique or duplicate resolved) and are left out of this chart.</p>`, migrating)
	b.WriteString(barChart("Installations by decision and reason", sortedBars(byReason)))
	b.WriteString(`<h2>Decisions by cohort</h2>`)
	b.WriteString(barChart("Installations by cohort and decision", sortedBars(byCohort)))
	b.WriteString(`<h2>Summary</h2><table id="summary"><tr><th>Category</th><th>Exclusion type</th><th>Clause</th>` +
		`<th>Cohort</th><th>Number of SMETS1 Installations</th></tr>`)
	for _, l := range r.categories() {
		fmt.Fprintf(&b, `<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class="n">%s</td></tr>`,
			html.EscapeString(l.Reason.Category()), html.EscapeString(l.Decision.Title()), l.Clause, l.Cohort, strconv.Itoa(l.N))
	}
	b.WriteString(`</table></body></html>` + "\n")
	return b.Bytes()
}
