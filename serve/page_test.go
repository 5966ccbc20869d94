package serve

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/report"
)

// TestPageInChromium drives the page in headless Chromium (Debian's
// chromium): it asks for the token, searches a key, draws the group with
// its members coloured by decision and linked by their MPxNs, says each
// member's decision and rule; a click on another member shows that one;
// a supplier's page filters its installations and downloads its list,
// which is the report's. With S1_SCREENSHOTS=DIR the screenshots are kept
// there.
func TestPageInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (Debian package chromium): the page test is skipped")
	}
	f := population(t)
	a, _ := twoSuppliers(t, f)
	file, toks := tokensFor(t, a)
	_, hs, _ := testServer(t, Config{Tokens: file, Rate: 1e6, Burst: 1e6})

	shots := os.Getenv("S1_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	downloads := t.TempDir()
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000)}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTime()
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(shots, name+".png"), png, 0o600)
		})
	}
	eval := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return n
	}
	text := func(id string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("text of #%s: %v", id, err)
		}
		return s
	}
	poll := func(js string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(10*time.Second)))
			return err
		})
	}

	// The group to look at: the largest of at most 6 members.
	var key string
	size := 0
	for _, r := range f.rows {
		if n, _ := strconv.Atoi(r[output.ColGroupSize]); n > size && n <= 6 {
			key, size = r[output.ColSMSO]+"/"+r[output.ColInstallationID], n
		}
	}
	err = chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads})
			return err
		}),
		chromedp.Navigate(hs.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("token")),
		shot("1-token"),
		chromedp.SendKeys(chromedp.ID("token"), toks["dcc"]),
		chromedp.Click(chromedp.CSS("#login-form button")),
		chromedp.WaitVisible(chromedp.ID("decisions")),
		shot("2-home"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Counts are written as the reports write them.
	if decided := text("decided"); !regexp.MustCompile(`^\d{1,3}(,\d{3})+ installations decided$`).MatchString(decided) {
		t.Errorf("home page: %q; want the count grouped in thousands", decided)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("key"), key),
		chromedp.Click(chromedp.CSS("#search button")),
		chromedp.WaitVisible(chromedp.CSS("svg.group-graph")),
		shot("3-group"),
	)
	if err != nil {
		t.Fatal(err)
	}
	what := text("what")
	nodes := eval(`document.querySelectorAll('svg.group-graph .node').length`)
	keys := eval(`document.querySelectorAll('svg.group-graph .key').length`)
	members := eval(`document.querySelectorAll('article.member').length`)
	if what != "installation "+key+": 1 installation(s)" || nodes != size || members != size || keys == 0 {
		t.Fatalf("explain %s: %q, %d nodes, %d MPxN boxes, %d members; the group has %d", key, what, nodes, keys, members, size)
	}
	// Each member node is filled with its decision's colour, and each
	// member says its decision and why.
	fills, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('svg.group-graph .node')].map(n => n.querySelector('circle,path').getAttribute('fill') + ' ' + n.querySelector('title').textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	whys, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('article.member')].map(a => a.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	words := outcomes()
	for _, fl := range fills {
		ok := strings.HasPrefix(fl, "#ffffff ") && strings.HasSuffix(fl, "(SMETS2+)")
		for _, d := range words.Decisions {
			ok = ok || strings.HasPrefix(fl, d.Colour+" ") && strings.HasSuffix(fl, ": "+d.Name)
		}
		if !ok {
			t.Errorf("node %q is not coloured by its decision", fl)
		}
	}
	for _, w := range whys {
		if !strings.Contains(w, "SMETS2+") && !strings.Contains(w, "Why: ") {
			t.Errorf("member without its rule in words: %q", w)
		}
	}
	// Click another member: its own explanation.
	others, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('a.member-link')].map(a => decodeURIComponent(a.getAttribute('href').slice(10)))`))
	if err != nil {
		t.Fatal(err)
	}
	first := ""
	for _, o := range others {
		if o != key {
			first = o
			break
		}
	}
	if first == "" {
		t.Fatalf("the group of %s has no other member to click: %v", key, others)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a.member-link[href="#/explain/`+url.PathEscape(first)+`"] .node`)),
		poll(`document.getElementById('what').textContent.indexOf(`+strconv.Quote(first)+`) >= 0`),
		shot("4-member"),
	); err != nil {
		t.Fatalf("clicking %s: %v", first, err)
	}
	if asked := eval(`[...document.querySelectorAll('article.member.asked h3 a')].filter(a => a.textContent === ` + strconv.Quote(first) + `).length`); asked != 1 {
		t.Errorf("after the click, %s is not the member asked", first)
	}

	// A supplier's page: filter, then download its list.
	listed := 0
	for _, r := range f.rows {
		if r[output.ColSupplierID] == a && r[output.ColDecision] == "exclude" {
			listed++
		}
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(hs.URL+"/#/supplier/"+url.PathEscape(a)),
		chromedp.WaitVisible(chromedp.CSS("#installations tbody tr")),
	); err != nil {
		t.Fatal(err)
	}
	rows := eval(`document.querySelectorAll('#installations tbody tr').length`)
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("filter-decision"), "exclude"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('filter-decision').dispatchEvent(new Event('change'))`))
			return err
		}),
		poll(`location.hash.indexOf('decision=exclude') >= 0 && document.querySelectorAll('#installations tbody tr').length > 0 && [...document.querySelectorAll('#installations tbody .badge')].every(b => b.textContent === 'exclude')`),
		shot("5-supplier"),
		chromedp.Click(chromedp.ID("download")),
	); err != nil {
		t.Fatal(err)
	}
	filtered := eval(`document.querySelectorAll('#installations tbody tr').length`)
	if rows == 0 || filtered != min(listed, defaultPage) {
		t.Errorf("supplier page: %d rows, %d excluded shown, %d in the decisions file", rows, filtered, listed)
	}
	want, _ := os.ReadFile(filepath.Join(f.report, "suppliers", report.SupplierFile(a)))
	got := filepath.Join(downloads, report.SupplierFile(a))
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, err := os.ReadFile(got)
		if err == nil && len(b) == len(want) {
			if string(b) != string(want) {
				t.Errorf("the downloaded list differs from the report's")
			}
			break
		}
		if time.Now().After(deadline) {
			entries, _ := os.ReadDir(downloads)
			t.Fatalf("no download of %s: %v (%d bytes, want %d)", got, entries, len(b), len(want))
		}
		time.Sleep(100 * time.Millisecond)
	}

	// A supplier's view of a group shared with another supplier: the other
	// member is drawn dashed and named by its place only.
	shared := ""
	bySupplier := map[string]map[string]bool{}
	for _, r := range f.rows {
		g := r[output.ColGroupID]
		if bySupplier[g] == nil {
			bySupplier[g] = map[string]bool{}
		}
		bySupplier[g][r[output.ColSupplierID]] = true
	}
	for _, r := range f.rows {
		if r[output.ColSupplierID] == a && len(bySupplier[r[output.ColGroupID]]) > 1 {
			shared = r[output.ColSMSO] + "/" + r[output.ColInstallationID]
			break
		}
	}
	if shared == "" {
		t.Logf("no group of %s shared with another supplier: the scoped view is not drawn", a)
		return
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("forget")),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), toks["supplier:"+a]),
		chromedp.Click(chromedp.CSS("#login-form button")),
		chromedp.Navigate(hs.URL+"/#/explain/"+url.PathEscape(shared)),
		chromedp.WaitVisible(chromedp.CSS("svg.group-graph")),
		shot("6-supplier-view"),
	); err != nil {
		t.Fatal(err)
	}
	if n := eval(`document.querySelectorAll('svg.group-graph [stroke-dasharray]').length`); n == 0 {
		t.Errorf("%s's view of %s draws no member of another supplier", a, shared)
	}
	if n := eval(`document.querySelectorAll('article.member .muted').length`); n == 0 {
		t.Errorf("%s's view of %s says nothing of the other supplier's member", a, shared)
	}
}
