package report

import (
	"bytes"
	"cmp"
	"fmt"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// Impact is what each of the consultation's clauses does to a population
// (RULES.md, "Impact of the clauses"): for each clause X of the set in force
// S, and for all of them together, how many installations of each cohort go
// from each (decision, reason) under S ("with") to each other without X
// ("without"; without any of the nine for all). Fill it with Add; its
// methods write impact.csv (FORMATS.md §7), impact.md and report.html.
type Impact struct {
	inForce       engine.ClauseSet
	installations int
	counts        map[impactKey]int
	prov          Provenance
}

// ImpactAll is the comparison of S with no clause of the nine in force.
const ImpactAll = "all"

type impactKey struct {
	comparison    int // index of the clause in inForce.List(); len for all
	cohort        engine.Cohort
	with, without Side
}

// NewImpact returns an empty impact of the clauses inForce on a population
// of installations (SMETS1, not rejected).
func NewImpact(inForce engine.ClauseSet, installations int) *Impact {
	return &Impact{inForce: inForce, installations: installations, counts: map[impactKey]int{}}
}

// Comparisons returns the clause sets to decide by, in the order Add
// numbers them: S first ("with"), then S without each of its clauses in
// RULES.md's order, then none of the nine (all).
func (im *Impact) Comparisons() []engine.ClauseSet {
	sets := []engine.ClauseSet{im.inForce}
	for _, c := range im.inForce.List() {
		sets = append(sets, im.inForce.Without(c))
	}
	return append(sets, 0)
}

// Add counts n installations of cohort whose outcome is with under S and
// without under comparison i (1 to len(Comparisons())-1), when their
// decision or reason differs.
func (im *Impact) Add(i int, cohort engine.Cohort, with, without engine.Outcome, n int) {
	if with.Decision == without.Decision && with.Reason == without.Reason || n == 0 {
		return
	}
	im.counts[impactKey{i - 1, cohort, outcomeSide(with), outcomeSide(without)}] += n
}

func outcomeSide(o engine.Outcome) Side {
	return Side{Decision: o.Decision.String(), Reason: o.Reason.String()}
}

// label names comparison i (0-based among the clauses, then all) as
// impact.csv does.
func (im *Impact) label(i int) string {
	if cs := im.inForce.List(); i < len(cs) {
		return cs[i].String()
	}
	return ImpactAll
}

// title names comparison i in the consultation's words.
func (im *Impact) title(i int) string {
	if cs := im.inForce.List(); i < len(cs) {
		return cs[i].Label()
	}
	return "All of them together"
}

type impactRow struct {
	impactKey
	N int
}

// rows returns the counts in impact.csv's order: clause (RULES.md's,
// all last), cohort (FORMATS.md's), then the four words in byte order.
func (im *Impact) rows() []impactRow {
	out := make([]impactRow, 0, len(im.counts))
	for k, n := range im.counts {
		out = append(out, impactRow{k, n})
	}
	slices.SortFunc(out, func(a, b impactRow) int {
		return cmp.Or(cmp.Compare(a.comparison, b.comparison), cmp.Compare(a.cohort, b.cohort),
			cmp.Compare(a.with.Decision, b.with.Decision), cmp.Compare(a.with.Reason, b.with.Reason),
			cmp.Compare(a.without.Decision, b.without.Decision), cmp.Compare(a.without.Reason, b.without.Reason))
	})
	return out
}

// ImpactHeader is the header of impact.csv (FORMATS.md §7).
const ImpactHeader = "clause,cohort,with_decision,with_reason,without_decision,without_reason,installations\n"

// CSV returns impact.csv (FORMATS.md §7).
func (im *Impact) CSV() []byte {
	b := []byte(ImpactHeader)
	for _, r := range im.rows() {
		b = csvLine(b, im.label(r.comparison), r.cohort.String(), r.with.Decision, r.with.Reason, r.without.Decision, r.without.Reason,
			strconv.Itoa(r.N))
	}
	return b
}

// tally is what a comparison does, in RULES.md's terms.
type tally struct{ excluded, unblocked, other int }

func migrates(decision string) bool {
	return decision == engine.Migrate.String() || decision == engine.MigratePartial.String()
}

// count adds a row to t: an installation is excluded by the clause when it
// is excluded with it and not without it, unblocked when it migrates (in
// whole or in part) with it and not without it.
func (t *tally) count(r impactRow) {
	ex := engine.Exclude.String()
	switch {
	case r.with.Decision == ex && r.without.Decision != ex:
		t.excluded += r.N
	case migrates(r.with.Decision) && !migrates(r.without.Decision):
		t.unblocked += r.N
	default:
		t.other += r.N
	}
}

// tallies returns each comparison's tally, and by cohort.
func (im *Impact) tallies() (total []tally, byCohort [][engine.MOCSecure + 1]tally) {
	n := len(im.inForce.List()) + 1
	total, byCohort = make([]tally, n), make([][engine.MOCSecure + 1]tally, n)
	for _, r := range im.rows() {
		total[r.comparison].count(r)
		byCohort[r.comparison][r.cohort].count(r)
	}
	return total, byCohort
}

// Headline is the sentence for all the clauses together: "together these
// clauses exclude N installations and unblock M".
func (im *Impact) Headline() string {
	total, _ := im.tallies()
	all := total[len(total)-1]
	return fmt.Sprintf("together these clauses exclude %s installations and unblock %s", value.Thousands(all.excluded), value.Thousands(all.unblocked))
}

// Excluded and Unblocked return how many installations clause c (of those
// in force) excludes and unblocks; for c = ImpactAll, all of them together.
func (im *Impact) Excluded(c string) int { t, _ := im.tallyOf(c); return t.excluded }

// Unblocked: see Excluded.
func (im *Impact) Unblocked(c string) int { t, _ := im.tallyOf(c); return t.unblocked }

func (im *Impact) tallyOf(c string) (tally, bool) {
	total, _ := im.tallies()
	for i := range total {
		if im.label(i) == c {
			return total[i], true
		}
	}
	return tally{}, false
}

// intro says what was compared.
func (im *Impact) intro() string {
	s := fmt.Sprintf("%s decided with the clauses in force (%s), then once without each of them and once without any of the nine.",
		Installations(im.installations), im.inForce)
	if missing := engine.AllClauses &^ im.inForce; missing != 0 {
		s += fmt.Sprintf(" Not in force, so not compared: %s.", missing)
	}
	return s + " An installation is excluded by a clause when it is excluded with the clause and not without it, and unblocked when it migrates (in whole or in part) with the clause and not without it (RULES.md, Impact of the clauses)."
}

// Markdown returns impact.md: the consultation's table, one line per
// clause with its words, then by cohort and every change in detail.
func (im *Impact) Markdown() []byte {
	var b bytes.Buffer
	total, byCohort := im.tallies()
	fmt.Fprintf(&b, "# Impact of the clauses\n\n%s\n\n**%s.**\n\n", im.intro(), upperFirst(im.Headline()))
	b.WriteString("| Clause | Installations excluded | Installations unblocked | Other changes |\n|---|---:|---:|---:|\n")
	for i, t := range total {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(im.title(i)), value.Thousands(t.excluded), value.Thousands(t.unblocked), value.Thousands(t.other))
	}
	b.WriteString("\n## By cohort\n\n| Clause | Cohort | Installations excluded | Installations unblocked | Other changes |\n|---|---|---:|---:|---:|\n")
	for i := range total {
		for c := engine.FOC; c <= engine.MOCSecure; c++ {
			if t := byCohort[i][c]; t != (tally{}) {
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdCell(im.title(i)), c, value.Thousands(t.excluded), value.Thousands(t.unblocked), value.Thousands(t.other))
			}
		}
	}
	b.WriteString("\n## Every change\n\n| Clause | Cohort | With the clause | Without it | Installations |\n|---|---|---|---|---:|\n")
	for _, r := range im.rows() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", im.label(r.comparison), r.cohort, mdCell(sideLabel(r.with)), mdCell(sideLabel(r.without)), value.Thousands(r.N))
	}
	return b.Bytes()
}

// SetProvenance says where the decisions compared come from, for the page.
func (im *Impact) SetProvenance(p Provenance) { im.prov = p }

// HTML returns report.html: the same tables and charts of what each clause
// excludes and unblocks, in the decisions' colours, and where the numbers
// come from; self-contained.
func (im *Impact) HTML() []byte {
	total, byCohort := im.tallies()
	p := NewPage("Impact of the clauses")
	p.H1("Impact of the clauses")
	p.Para("", "", im.intro())
	if im.prov.Written != "" {
		p.Para("source", "note", im.prov.Headline())
	}
	p.Raw(`<p id="headline"><strong>` + html.EscapeString(upperFirst(im.Headline())) + `.</strong></p>`)
	cols := []Column{{Title: "Clause"}, {Title: "Installations excluded", Numeric: true}, {Title: "Installations unblocked", Numeric: true},
		{Title: "Other changes", Numeric: true}}
	var rows []TableRow
	excluded, unblocked := Chart{ID: "excluded", Title: "Installations excluded by each clause"}, Chart{ID: "unblocked", Title: "Installations unblocked by each clause"}
	for i, t := range total {
		rows = append(rows, TableRow{Cells: []string{im.title(i), value.Thousands(t.excluded), value.Thousands(t.unblocked), value.Thousands(t.other)}})
		excluded.Bars = append(excluded.Bars, Bar{Label: im.title(i), Segments: []Segment{{Series: DecisionSeries(engine.Exclude), N: t.excluded}}})
		unblocked.Bars = append(unblocked.Bars, Bar{Label: im.title(i), Segments: []Segment{{Series: DecisionSeries(engine.Migrate), N: t.unblocked}}})
	}
	p.Table("impact", cols, rows)
	p.H2("by-clause", "Installations excluded and unblocked, by clause")
	p.Legend(SeriesIn(excluded, unblocked)...)
	p.Chart(excluded)
	p.Chart(unblocked)
	p.H2("by-cohort", "By cohort")
	rows = nil
	for i := range total {
		for c := engine.FOC; c <= engine.MOCSecure; c++ {
			if t := byCohort[i][c]; t != (tally{}) {
				rows = append(rows, TableRow{Cells: []string{im.title(i), c.String(), value.Thousands(t.excluded), value.Thousands(t.unblocked), value.Thousands(t.other)}})
			}
		}
	}
	p.Table("by-cohort", append([]Column{{Title: "Clause"}, {Title: "Cohort"}}, cols[1:]...), rows)
	p.H2("changes", "Every change")
	rows = nil
	for _, r := range im.rows() {
		with, without := SeriesOf(r.with.Decision), SeriesOf(r.without.Decision)
		rows = append(rows, TableRow{Cells: []string{im.label(r.comparison), r.cohort.String(), sideLabel(r.with), sideLabel(r.without), value.Thousands(r.N)},
			Swatches: []*Series{nil, nil, &with, &without}})
	}
	p.Table("changes", []Column{{Title: "Clause"}, {Title: "Cohort"}, {Title: "With the clause"}, {Title: "Without it"}, {Title: "Installations", Numeric: true}}, rows)
	if im.prov.Written != "" {
		p.Provenance(im.prov)
	}
	return p.Bytes()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ImpactFiles names the files Impact.Write writes.
var ImpactFiles = []string{"impact.csv", "impact.md", "report.html"}

// Write writes impact.csv, impact.md and report.html into dir, meant to be
// an output.Dir's Path, swapped into place whole once written.
func (im *Impact) Write(dir string) error {
	for name, data := range map[string][]byte{"impact.csv": im.CSV(), "impact.md": im.Markdown(), "report.html": im.HTML()} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// ImpactOwns tells which entries of an existing folder an impact writes
// (for paths.Plan.Folder): a folder holding anything else is not replaced.
func ImpactOwns(rel string, d fs.DirEntry) bool {
	return !d.IsDir() && slices.Contains(ImpactFiles, rel)
}
