package report

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/provenance"
)

// measureScript, appended to a copy of a page, measures what a reader sees
// once Chromium has laid the page out, and writes it into the page (base64
// JSON in <pre id="measurements">) for --dump-dom to return: each text's
// box beside the box of its element, the colour of everything drawn for a
// series, the numbers shown, and some texts.
const measureScript = `<script>(function(){
const m = {texts: [], series: [], numbers: [], ids: {}, labels: []};
const vw = document.documentElement.clientWidth;
for (const el of document.querySelectorAll('.chart .label, .chart .n, th, td, figcaption, .legend li > span:last-child, h1, h2, p, pre')) {
  if (!el.textContent.trim()) continue;
  const r = document.createRange(); r.selectNodeContents(el);
  const t = r.getBoundingClientRect(), b = el.getBoundingClientRect();
  m.texts.push({text: el.textContent, label: el.matches('.chart .label'), tl: t.left, tr: t.right, bl: b.left, br: b.right,
    sw: el.scrollWidth, cw: el.clientWidth, vw: vw});
  if (el.matches('.chart .label')) m.labels.push(el.textContent);
}
for (const el of document.querySelectorAll('[data-series]')) {
  m.series.push({key: el.dataset.series, colour: getComputedStyle(el).backgroundColor, legend: !!el.closest('.legend'),
    seg: el.classList.contains('seg'), w: el.getBoundingClientRect().width});
}
for (const el of document.querySelectorAll('td.n, .chart .n')) m.numbers.push(el.innerText);
for (const id of ['total', 'changed', 'compared', 'provenance']) { const e = document.getElementById(id); if (e) m.ids[id] = e.innerText; }
const pre = document.createElement('pre'); pre.id = 'measurements';
pre.textContent = btoa(unescape(encodeURIComponent(JSON.stringify(m))));
document.body.appendChild(pre);
})();</script>`

// measured is what measureScript found on a page.
type measured struct {
	Texts []struct {
		Text           string
		Label          bool
		TL, TR, BL, BR float64
		SW, CW, VW     float64
	}
	Series []struct {
		Key, Colour string
		Legend, Seg bool
		W           float64
	}
	Numbers []string
	IDs     map[string]string
	Labels  []string
}

// sharePrinted is a share of all installations, as the pages print it.
var sharePrinted = regexp.MustCompile(`^(\d{1,3}\.\d|<0\.1)%$`)

var measurements = regexp.MustCompile(`<pre id="measurements">([A-Za-z0-9+/=]+)</pre>`)

// measure renders page in headless Chromium at the given window width and
// returns what measureScript found.
func measure(t *testing.T, bin, name string, page []byte, width int) measured {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, name)
	withScript := bytes.Replace(page, []byte("</body>"), []byte(measureScript+"</body>"), 1)
	if err := os.WriteFile(path, withScript, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir="+t.TempDir(),
		fmt.Sprintf("--window-size=%d,2000", width), "--dump-dom", "file://"+path).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	sub := measurements.FindSubmatch(out)
	if sub == nil {
		t.Fatalf("%s: no measurements in the rendered DOM:\n%.2000s", name, out)
	}
	raw, err := base64.StdEncoding.DecodeString(string(sub[1]))
	if err != nil {
		t.Fatal(err)
	}
	var m measured
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, raw)
	}
	return m
}

// rgb prints a #RRGGBB colour as CSS computes it.
func rgb(hex string) string {
	v, _ := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	return fmt.Sprintf("rgb(%d, %d, %d)", v>>16, v>>8&0xff, v&0xff)
}

// TestHTMLRendersInChromium renders the run page, the comparison page and
// the what-if page in headless Chromium, wide and narrow, and checks what a
// reader sees: every text whole inside its box (none cut, on the left or
// the right), every number grouped in thousands, one colour per decision
// on every page and in every legend, the provenance block.
func TestHTMLRendersInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (Debian package chromium): the HTML render check is skipped")
	}
	ctx := context.Background()
	older, later := decisionsFile(false), decisionsFile(true)
	build := provenance.Build{Module: "github.com/s1resolve/s1resolve", Version: "v1.2.3", Revision: "0123456789abcdef0123", Go: "go1.26.8"}
	files := []provenance.Input{{Name: "smso_north.csv", Bytes: 28503163, XXH64: "529149cce83846d7", Reason: "installations"},
		{Name: "registration.csv", Bytes: 6651135, XXH64: "19e3fd83a31b8712", Reason: "registration"}}
	rules := "# s1resolve rules\nIOC        firmware=108 configuration=30 groups=AA,BA,CA\nMOC_MDS    firmware=15 configuration=10 groups=CB\n"

	rep, err := FromDecisions(ctx, strings.NewReader(older), "older.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	rep.SetAccount(Account{RejectedInstallations: 1234, RejectedRows: 5678, RejectedReferenceRows: 12, Smets2Read: 5931, Smets2Linked: 4546, Smets2Rejected: 128})
	rep.SetProvenance(Provenance{Written: "2026-03-01T10:00:00Z", Decided: "2026-03-01T10:00:00Z", Files: files, Store: "db",
		Rules: rules, RulesTitle: "Rules in force (RULES.md's defaults)", Build: &build, PageBuild: build})

	c := NewComparison()
	for _, f := range []struct {
		data string
		add  func(*output.Row)
	}{{older, c.Old}, {later, c.New}} {
		if err := output.ReadDecisions(ctx, strings.NewReader(f.data), "x.csv", func(_ int, r *output.Row) error { f.add(r); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	diff := c.Diff()
	diff.SetProvenance(Provenance{Written: "2026-03-02T10:00:00Z", PageBuild: build, Files: []provenance.Input{
		{Name: "march.csv", Bytes: 17845739, XXH64: "1fa99b312cf340f1", Reason: "earlier decisions"},
		{Name: "april.csv", Bytes: 17740767, XXH64: "b6d16c34029cc0e4", Reason: "later decisions"}}})
	// A what-if: the transitions with the longest labels there are.
	whatif := NewDiff()
	whatif.AddChange(Change{SMSO: "NORTH", InstallationID: "1", Cohort: "IOC", Supplier: "SUP1",
		From: Side{engine.Blocked.String(), engine.DuplicateMPxNActive.String()}, To: Side{engine.Migrate.String(), engine.DuplicateResolved.String()}})
	whatif.AddChange(Change{SMSO: "NORTH", InstallationID: "2", Cohort: "MOC_MDS", Supplier: "SUP1",
		From: Side{engine.Pending.String(), engine.FwNoExclusionCategory.String()}, To: Side{engine.MigratePartial.String(), engine.GasFailurePartial.String()}})
	for i := range 1500 {
		whatif.AddChange(Change{SMSO: "SOUTH", InstallationID: strconv.Itoa(10 + i), Cohort: "IOC", Supplier: "SUP2",
			From: Side{engine.Pending.String(), engine.FwRetry.String()}, To: Side{engine.Exclude.String(), engine.FwConfigFailure.String()}})
	}
	whatif.AddChange(Change{SMSO: "EAST", InstallationID: "new", Cohort: "FOC", Supplier: "SUP3",
		From: Side{Decision: Absent}, To: Side{engine.Migrate.String(), engine.Unique.String()}})
	whatif.AddChange(Change{SMSO: "EAST", InstallationID: "gone", Cohort: "FOC", Supplier: "SUP3",
		From: Side{engine.Blocked.String(), engine.NoPrepaymentKey.String()}, To: Side{Decision: Absent}})
	whatif.SetProvenance(Provenance{Written: "2026-03-03T10:00:00Z", Decided: "2026-03-01T10:00:00Z", Store: "db", Files: files,
		Rules: "IOC firmware=50 configuration=20 groups=AA,BA,CA\n", RulesTitle: "Rules tried (--rules strict.rules)", Build: &build, PageBuild: build})

	pages := []struct {
		name   string
		page   []byte
		labels []string // chart labels the page must show whole
		prov   []string // what its provenance block must say
	}{
		{"run.html", rep.HTML(), []string{"A_SERVICE_PROVIDER_WITH_A_VERY_LONG_NAME_INDEED",
			"blocked / duplicate_mpxn_active: Duplicate MPxNs with an Active meter: not attempted (§7)"},
			[]string{"smso_north.csv", "28,503,163", "529149cce83846d7", "registration", "IOC        firmware=108", "v1.2.3", "0123456789abcdef0123", "2026-03-01T10:00:00Z"}},
		{"diff.html", diff.HTML(), []string{"newly excluded", "unblocked"},
			[]string{"march.csv", "17,845,739", "1fa99b312cf340f1", "april.csv", "b6d16c34029cc0e4", "later decisions"}},
		{"whatif.html", whatif.HTML(), []string{"blocked / duplicate_mpxn_active → migrate / duplicate_resolved",
			"pending / fw_no_exclusion_category → migrate_partial / gas_failure_partial"},
			[]string{"Rules tried (--rules strict.rules)", "IOC firmware=50", "db", "smso_north.csv"}},
	}
	colours := map[string]string{} // series -> its colour, over every page and legend
	for _, width := range []int{1280, 700} {
		for _, pg := range pages {
			m := measure(t, bin, pg.name, pg.page, width)
			where := fmt.Sprintf("%s at %d px", pg.name, width)
			for _, x := range m.Texts {
				// Whole: the text lies inside its element's box, which lies
				// inside the page, and the element does not overflow.
				if x.TL < x.BL-1 || x.TR > x.BR+1 || x.TL < 0 || x.Label && x.SW > x.CW+1 {
					t.Errorf("%s: text %q is cut: text %.0f..%.0f, box %.0f..%.0f, scroll %.0f of %.0f", where, x.Text, x.TL, x.TR, x.BL, x.BR, x.SW, x.CW)
				}
			}
			for _, l := range pg.labels {
				found := false
				for _, got := range m.Labels {
					found = found || got == l
				}
				if !found {
					t.Errorf("%s: no chart label %q among %q", where, l, m.Labels)
				}
			}
			commas := 0
			for _, n := range m.Numbers {
				if !grouped.MatchString(n) && !sharePrinted.MatchString(n) {
					t.Errorf("%s: number %q is not grouped in thousands", where, n)
				}
				commas += strings.Count(n, ",")
			}
			if commas == 0 {
				t.Errorf("%s: no number with a separator among %q", where, m.Numbers)
			}
			inLegend := map[string]bool{}
			for _, s := range m.Series {
				if prev, ok := colours[s.Key]; ok && prev != s.Colour {
					t.Errorf("%s: %s drawn %s, elsewhere %s", where, s.Key, s.Colour, prev)
				}
				colours[s.Key] = s.Colour
				inLegend[s.Key] = inLegend[s.Key] || s.Legend
				if s.Seg && s.W < 1 {
					t.Errorf("%s: a segment of %s is %.1f px wide", where, s.Key, s.W)
				}
			}
			for k := range colours {
				if !inLegend[k] && strings.Contains(string(pg.page), `data-series="`+k+`"`) {
					t.Errorf("%s: %s is drawn but not in the legend", where, k)
				}
			}
			prov := m.IDs["provenance"]
			for _, w := range pg.prov {
				if !strings.Contains(prov, w) {
					t.Errorf("%s: the provenance block lacks %q:\n%s", where, w, prov)
				}
			}
		}
	}
	// One colour per decision, the palette's, and no two decisions alike.
	seen := map[string]string{}
	for d := range decisionColours {
		got, ok := colours[d.String()]
		if !ok {
			t.Errorf("decision %s is drawn on no page", d)
			continue
		}
		if got != rgb(decisionColours[d]) {
			t.Errorf("%s drawn %s, the palette says %s", d, got, decisionColours[d])
		}
		if other, dup := seen[got]; dup {
			t.Errorf("%s and %s share %s", d, other, got)
		}
		seen[got] = d.String()
	}
	if colours[Absent] == "" || colours[Absent] == colours[engine.Migrate.String()] {
		t.Errorf("absent drawn %q", colours[Absent])
	}
}

// TestEveryDecisionHasItsColour: every decision of the outcome table has a
// colour of its own, distinct from the others and from absent.
func TestEveryDecisionHasItsColour(t *testing.T) {
	seen := map[string]engine.Decision{}
	for _, d := range decisionsOfTheTable() {
		c, ok := decisionColours[d]
		if !ok {
			t.Errorf("decision %s has no colour in decisionColours", d)
		}
		if o, dup := seen[c]; dup {
			t.Errorf("%s and %s share %s", d, o, c)
		}
		seen[c] = d
		if DecisionSeries(d).Colour == AbsentSeries.Colour {
			t.Errorf("%s is drawn like absent", d)
		}
	}
	if len(seen) < 5 {
		t.Fatalf("%d decisions found", len(seen))
	}
}

// decisionsOfTheTable returns every decision engine's outcome table names:
// the values from 1 on whose word ParseDecision reads back, until the first
// that has none (the table's end).
func decisionsOfTheTable() []engine.Decision {
	var out []engine.Decision
	for d := engine.Decision(1); d < 255; d++ {
		word, ok := wordOf(d)
		if !ok {
			break
		}
		if back, ok := engine.ParseDecision(word); ok && back == d {
			out = append(out, d)
		}
	}
	return out
}

// wordOf returns d.String(), false where the table has no such decision.
func wordOf(d engine.Decision) (w string, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return d.String(), d.String() != ""
}
