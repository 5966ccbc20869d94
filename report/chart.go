package report

import (
	"bytes"
	"cmp"
	"fmt"
	"html"
	"slices"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// This file is the reports' one way of drawing: a page (Page) of headings,
// tables and horizontal bar charts whose bars are stacked by decision, each
// decision in its one colour (decisionColours) on every page and in every
// legend. The pages are HTML and CSS only (no script, no external asset, no
// SVG): labels are text that the browser lays out, in a column as wide as
// the longest label, wrapped when it would not fit, so that no label is
// ever cut.

// Series is one colour of a chart and of its legend: a decision, or Absent
// (an installation on one side of a comparison only).
type Series struct {
	// Key marks the parts of the page drawn in this colour (data-series):
	// the decision as RULES.md spells it, or "absent".
	Key string
	// Label is what the legend says: the consultation's words and the word.
	Label string
	// Colour is a CSS colour.
	Colour string
	rank   int // legend order: engine.Decision.Rank, Absent last
}

// decisionColours gives each decision its one colour, keyed by the
// decisions of engine's outcome table (their words, titles and ranks come
// from there). The colours are Okabe and Ito's palette for readers with
// any common colour-vision deficiency; every chart also writes its numbers,
// and every legend its words.
var decisionColours = map[engine.Decision]string{
	engine.Exclude:        "#D55E00", // vermillion
	engine.Blocked:        "#CC79A7", // reddish purple
	engine.Pending:        "#E69F00", // orange
	engine.MigratePartial: "#56B4E9", // sky blue
	engine.Migrate:        "#009E73", // bluish green
}

// otherColour draws a decision that has no colour of its own in
// decisionColours (a decision added to the outcome table since): dark
// grey, still named in the legend.
const otherColour = "#555555"

// AbsentSeries is the side of a comparison where an installation is not.
var AbsentSeries = Series{Key: Absent, Label: "not in that run (absent)", Colour: "#BBBBBB", rank: 1 << 20}

// DecisionSeries returns the series of decision d: its word, the
// consultation's words for it, and its colour.
func DecisionSeries(d engine.Decision) Series {
	c, ok := decisionColours[d]
	if !ok {
		c = otherColour
	}
	return Series{Key: d.String(), Label: d.Title() + " (" + d.String() + ")", Colour: c, rank: d.Rank()}
}

// SeriesOf returns the series of a decision word as the decisions output
// spells it, or of Absent. A word that is neither is drawn as otherColour.
func SeriesOf(word string) Series {
	if word == Absent {
		return AbsentSeries
	}
	if d, ok := engine.ParseDecision(word); ok {
		return DecisionSeries(d)
	}
	return Series{Key: word, Label: word, Colour: otherColour, rank: 1 << 19}
}

// CompareSeries orders series as the legends list them: by decision rank
// (exclusions first), Absent last.
func CompareSeries(a, b Series) int {
	return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.Key, b.Key))
}

// Segment is one part of a stacked bar: N installations of one series.
type Segment struct {
	Series Series
	N      int
}

// Bar is one row of a chart: a label, and its segments stacked in the
// order given. From, when set, draws a swatch of where the installations
// came from before the bar (a comparison's earlier decision).
type Bar struct {
	Label    string
	From     *Series
	Segments []Segment
}

// Total returns the installations of the bar.
func (b *Bar) Total() int {
	n := 0
	for _, s := range b.Segments {
		n += s.N
	}
	return n
}

// Chart is a horizontal bar chart: every bar drawn to one scale (its
// longest bar), its total written after it, grouped in thousands.
type Chart struct {
	ID    string // the element id; "" for none
	Title string
	Note  string // a sentence under the title; "" for none
	Bars  []Bar
}

// Stack returns the segments of counts by decision, in rank order
// (exclusions first), without empty ones.
func Stack(counts map[engine.Decision]int) []Segment {
	var out []Segment
	for d, n := range counts {
		if n > 0 {
			out = append(out, Segment{DecisionSeries(d), n})
		}
	}
	slices.SortFunc(out, func(a, b Segment) int { return CompareSeries(a.Series, b.Series) })
	return out
}

// Installations says how many installations, for people: "1
// installation", "1,234 installations".
func Installations(n int) string {
	if n == 1 {
		return "1 installation"
	}
	return value.Thousands(n) + " installations"
}

// Page is one self-contained HTML page of the reports. Its methods write
// its parts in order; Bytes ends it. Every text given is escaped.
type Page struct {
	b bytes.Buffer
}

// style is the one style sheet of the pages.
const style = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em;color:#1a202c;line-height:1.35}` +
	`h1{font-size:1.6em}h2{font-size:1.25em;margin-top:1.8em}` +
	`table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #cbd5e0;padding:4px 8px;font-size:13px;text-align:left;vertical-align:top}` +
	`th{background:#f1f5f9}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}` +
	`.note{color:#4a5568;font-size:13px;max-width:60em}` +
	`figure{margin:1em 0 1.5em}figcaption{font-weight:600;margin-bottom:.4em}` +
	`.chart{display:grid;grid-template-columns:fit-content(45%) minmax(12em,1fr) max-content;gap:5px 10px;align-items:center;font-size:13px;max-width:72em}` +
	`.chart .label{overflow-wrap:anywhere;text-align:right}.chart .n{font-variant-numeric:tabular-nums;text-align:right}` +
	`.track{display:flex;align-items:center;gap:4px;min-width:0}.bar{display:flex;height:16px;min-width:2px}` +
	`.seg{height:100%;min-width:2px;flex-shrink:1;flex-basis:0}` +
	`.swatch{display:inline-block;width:12px;height:12px;border:1px solid #0006;vertical-align:-2px;flex:none}` +
	`.legend{list-style:none;padding:0;margin:.3em 0 1em;display:flex;flex-wrap:wrap;gap:4px 18px;font-size:13px}` +
	`.legend li{display:flex;align-items:center;gap:5px}` +
	`.prov{border:1px solid #cbd5e0;background:#f8fafc;padding:.6em 1em;margin:1em 0;font-size:13px}.prov h2{margin-top:.2em}` +
	`.prov pre{background:#fff;border:1px solid #e2e8f0;padding:.4em .6em;white-space:pre-wrap;overflow-wrap:anywhere}` +
	`code{overflow-wrap:anywhere}` +
	`@media print{*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}`

// NewPage starts a page titled title.
func NewPage(title string) *Page {
	p := &Page{}
	fmt.Fprintf(&p.b, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`+
		`<title>%s</title><style>%s</style></head><body>`, html.EscapeString(title), style)
	return p
}

// H1 and H2 write headings.
func (p *Page) H1(text string) { fmt.Fprintf(&p.b, "<h1>%s</h1>", html.EscapeString(text)) }

// H2 writes a second-level heading with an id ("" for none).
func (p *Page) H2(id, text string) {
	fmt.Fprintf(&p.b, "<h2%s>%s</h2>", idAttr(id), html.EscapeString(text))
}

// Para writes a paragraph of text, with an id ("" for none); class "note"
// sets it smaller, as an explanation.
func (p *Page) Para(id, class, text string) {
	cl := ""
	if class != "" {
		cl = ` class="` + html.EscapeString(class) + `"`
	}
	fmt.Fprintf(&p.b, "<p%s%s>%s</p>", idAttr(id), cl, html.EscapeString(text))
}

func idAttr(id string) string {
	if id == "" {
		return ""
	}
	return ` id="` + html.EscapeString(id) + `"`
}

// Legend writes the legend of series, in CompareSeries order, once each.
func (p *Page) Legend(series ...Series) {
	series = slices.Clone(series)
	slices.SortFunc(series, CompareSeries)
	series = slices.CompactFunc(series, func(a, b Series) bool { return a.Key == b.Key })
	p.b.WriteString(`<ul class="legend">`)
	for _, s := range series {
		fmt.Fprintf(&p.b, `<li>%s<span>%s</span></li>`, swatch(s, ""), html.EscapeString(s.Label))
	}
	p.b.WriteString(`</ul>`)
}

// SeriesIn returns the series the charts draw, once each, in legend order.
func SeriesIn(charts ...Chart) []Series {
	seen := map[string]Series{}
	for _, c := range charts {
		for _, b := range c.Bars {
			if b.From != nil {
				seen[b.From.Key] = *b.From
			}
			for _, s := range b.Segments {
				seen[s.Series.Key] = s.Series
			}
		}
	}
	out := make([]Series, 0, len(seen))
	for _, s := range seen {
		out = append(out, s)
	}
	slices.SortFunc(out, CompareSeries)
	return out
}

func swatch(s Series, title string) string {
	t := ""
	if title != "" {
		t = ` title="` + html.EscapeString(title) + `"`
	}
	return fmt.Sprintf(`<span class="swatch" data-series="%s" style="background:%s"%s></span>`, html.EscapeString(s.Key), s.Colour, t)
}

// Chart writes a chart: a caption, then one row per bar (label, bar,
// total). A bar's segments are drawn in proportion to their counts, each
// at least 2 px wide so that a single installation shows.
func (p *Page) Chart(c Chart) {
	maxN := 1
	for i := range c.Bars {
		maxN = max(maxN, c.Bars[i].Total())
	}
	fmt.Fprintf(&p.b, `<figure%s class="figure"><figcaption>%s</figcaption>`, idAttr(c.ID), html.EscapeString(c.Title))
	if c.Note != "" {
		fmt.Fprintf(&p.b, `<p class="note">%s</p>`, html.EscapeString(c.Note))
	}
	p.b.WriteString(`<div class="chart">`)
	for i := range c.Bars {
		b := &c.Bars[i]
		total := b.Total()
		var words []string
		if b.From != nil {
			words = append(words, "from "+b.From.Key)
		}
		for _, s := range b.Segments {
			words = append(words, s.Series.Key+" "+value.Thousands(s.N))
		}
		fmt.Fprintf(&p.b, `<div class="label">%s</div><div class="track" role="img" aria-label="%s">`,
			html.EscapeString(b.Label), html.EscapeString(b.Label+": "+strings.Join(words, ", ")))
		if b.From != nil {
			p.b.WriteString(swatch(*b.From, "from "+b.From.Label) + `<span aria-hidden="true">→</span>`)
		}
		fmt.Fprintf(&p.b, `<div class="bar" style="width:%.3f%%">`, float64(total)*100/float64(maxN))
		for _, s := range b.Segments {
			if s.N <= 0 {
				continue
			}
			fmt.Fprintf(&p.b, `<span class="seg" data-series="%s" style="flex-grow:%d;background:%s" title="%s"></span>`,
				html.EscapeString(s.Series.Key), s.N, s.Series.Colour, html.EscapeString(s.Series.Label+": "+value.Thousands(s.N)))
		}
		fmt.Fprintf(&p.b, `</div></div><div class="n">%s</div>`, value.Thousands(total))
	}
	p.b.WriteString(`</div></figure>`)
}

// Column is one column of a table: its heading, and whether it holds
// numbers (set right).
type Column struct {
	Title   string
	Numeric bool
}

// TableRow is one row of a table: its cells as text and, where Swatches
// holds a series for a cell, a swatch of it before the cell's text.
type TableRow struct {
	Cells    []string
	Swatches []*Series
}

// Table writes a table with an id ("" for none). Numbers are given as text,
// grouped in thousands by the caller (value.Thousands).
func (p *Page) Table(id string, cols []Column, rows []TableRow) {
	fmt.Fprintf(&p.b, `<table%s><tr>`, idAttr(id))
	for _, c := range cols {
		fmt.Fprintf(&p.b, `<th%s>%s</th>`, numClass(c.Numeric), html.EscapeString(c.Title))
	}
	p.b.WriteString(`</tr>`)
	for _, r := range rows {
		p.b.WriteString(`<tr>`)
		for i, cell := range r.Cells {
			num := i < len(cols) && cols[i].Numeric
			pre := ""
			if i < len(r.Swatches) && r.Swatches[i] != nil {
				pre = swatch(*r.Swatches[i], r.Swatches[i].Label) + " "
			}
			fmt.Fprintf(&p.b, `<td%s>%s%s</td>`, numClass(num), pre, html.EscapeString(cell))
		}
		p.b.WriteString(`</tr>`)
	}
	p.b.WriteString(`</table>`)
}

func numClass(num bool) string {
	if num {
		return ` class="n"`
	}
	return ""
}

// Raw writes HTML as it is: for what the other methods do not cover.
func (p *Page) Raw(htmlText string) { p.b.WriteString(htmlText) }

// Bytes ends the page and returns it.
func (p *Page) Bytes() []byte {
	p.b.WriteString("</body></html>\n")
	return p.b.Bytes()
}
