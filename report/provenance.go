package report

import (
	"fmt"
	"html"
	"strings"

	"github.com/s1resolve/s1resolve/provenance"
	"github.com/s1resolve/s1resolve/value"
)

// Provenance is what a page says of where its numbers come from, so that a
// page sent on can be traced to its run: when the decisions were made, the
// files read (name, size, xxhash64), the rules in force, and the build of
// s1resolve. What is not known (a decisions file read without its store)
// is said in Notes, not left out silently.
type Provenance struct {
	// Written is when the page was written (RFC 3339, UTC).
	Written string
	// Decided is when the decisions were made (RFC 3339, UTC): the run's
	// time, or the store's; "" when not known.
	Decided string
	// Files are the files the numbers come from, each with what it was
	// read as in its Reason ("installations", "decisions", "rules tried").
	Files []provenance.Input
	// Store is the store read, "" for none.
	Store string
	// Rules are the rules in force (or tried), in the rules-file form
	// (engine.RuleSet.Format); "" when not known. RulesTitle says which
	// they are ("in force", "tried") and where they come from.
	Rules, RulesTitle string
	// Build is the s1resolve that made the decisions, nil when not known;
	// PageBuild the one that wrote the page.
	Build     *provenance.Build
	PageBuild provenance.Build
	// Notes say what is not known, and how to know it.
	Notes []string
}

// Headline is the one line under a page's title that says where it comes
// from; the whole account is at the end of the page (Page.Provenance).
func (pv *Provenance) Headline() string {
	var parts []string
	if pv.Decided != "" {
		parts = append(parts, "decided "+pv.Decided)
	}
	var names []string
	for _, f := range pv.Files {
		names = append(names, f.Name)
	}
	if len(names) > 0 {
		parts = append(parts, "from "+strings.Join(names, ", "))
	}
	if pv.Store != "" {
		parts = append(parts, "store "+pv.Store)
	}
	b := pv.PageBuild
	if pv.Build != nil {
		b = *pv.Build
	}
	parts = append(parts, shortBuild(b))
	parts = append(parts, "page written "+pv.Written)
	return strings.Join(parts, "; ") + " (where these numbers come from: at the end of the page)"
}

func shortBuild(b provenance.Build) string {
	s := "s1resolve " + b.Version
	if b.Revision != "" {
		s += " revision " + b.Revision[:min(12, len(b.Revision))]
		if b.Modified {
			s += "+changes"
		}
	}
	return s
}

// Provenance writes the account of where the page's numbers come from
// (id "provenance").
func (p *Page) Provenance(pv Provenance) {
	p.b.WriteString(`<section class="prov" id="provenance"><h2>Where these numbers come from</h2>`)
	var facts []TableRow
	add := func(k, v string) {
		if v != "" {
			facts = append(facts, TableRow{Cells: []string{k, v}})
		}
	}
	add("Decided", pv.Decided)
	add("Store", pv.Store)
	if pv.Build != nil {
		add("Decided by", pv.Build.String())
	}
	if pv.Build == nil || *pv.Build != pv.PageBuild {
		add("Page written by", pv.PageBuild.String())
	}
	add("Page written", pv.Written)
	p.Table("provenance-facts", []Column{{Title: "What"}, {Title: "Value"}}, facts)
	if len(pv.Files) > 0 {
		var rows []TableRow
		for _, f := range pv.Files {
			rows = append(rows, TableRow{Cells: []string{f.Name, f.Reason, value.Thousands(f.Bytes), f.XXH64}})
		}
		p.Table("provenance-files", []Column{{Title: "File"}, {Title: "Read as"}, {Title: "Bytes", Numeric: true}, {Title: "xxhash64"}}, rows)
	}
	if pv.Rules != "" {
		title := pv.RulesTitle
		if title == "" {
			title = "Rules in force"
		}
		fmt.Fprintf(&p.b, `<p>%s:</p><pre id="provenance-rules">%s</pre>`, html.EscapeString(title), html.EscapeString(pv.Rules))
	}
	for _, n := range pv.Notes {
		p.Para("", "note", n)
	}
	p.b.WriteString(`</section>`)
}
