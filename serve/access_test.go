package serve

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/s1resolve/s1resolve/output"
)

// tokensFor writes a tokens file with a token for dcc and for each
// supplier given, and returns it and the tokens by principal.
func tokensFor(t *testing.T, suppliers ...string) (string, map[string]string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "tokens")
	toks := map[string]string{}
	for _, p := range append([]string{"dcc"}, suppliers...) {
		if p != "dcc" {
			p = "supplier:" + p
		}
		tok, _, err := AddToken(file, p)
		if err != nil {
			t.Fatal(err)
		}
		toks[p] = tok
	}
	return file, toks
}

// twoSuppliers returns the two suppliers of the fixture with the most
// installations.
func twoSuppliers(t *testing.T, f *fixture) (string, string) {
	counts := map[string]int{}
	for _, r := range f.rows {
		counts[r[output.ColSupplierID]]++
	}
	var a, b string
	for s, n := range counts {
		if s == "" {
			continue
		}
		if a == "" || n > counts[a] || n == counts[a] && s < a {
			a, b = s, a
		} else if b == "" || n > counts[b] || n == counts[b] && s < b {
			b = s
		}
	}
	return a, b
}

// sameRefusal checks that an answer is the one a key that does not exist
// gets: the same status, headers and body, the key's own words aside.
func sameRefusal(t *testing.T, what string, code int, body []byte, h http.Header, nCode int, nBody []byte, nh http.Header, key, nKey string) {
	t.Helper()
	if code != nCode || strings.ReplaceAll(string(body), key, "KEY") != strings.ReplaceAll(string(nBody), nKey, "KEY") {
		t.Errorf("%s: %d %s; a key that does not exist: %d %s", what, code, body, nCode, nBody)
	}
	for _, k := range []string{"Content-Type", "Content-Security-Policy", "Cache-Control", "WWW-Authenticate"} {
		if h.Get(k) != nh.Get(k) {
			t.Errorf("%s: header %s %q, for a key that does not exist %q", what, k, h.Get(k), nh.Get(k))
		}
	}
}

// TestSupplierScope: a supplier's token sees its own installations, by
// every key form and page, and nothing of another supplier's but, in a
// group, a member's existence and decision; anything else answers exactly
// as a key that does not exist.
func TestSupplierScope(t *testing.T) {
	f := population(t)
	a, b := twoSuppliers(t, f)
	file, toks := tokensFor(t, a)
	_, hs, _ := testServer(t, Config{Tokens: file, Rate: 1e6, Burst: 1e6})
	tok := toks["supplier:"+a]

	// MPxNs an A installation holds may be shown to A.
	aKeys := map[string]bool{}
	for _, r := range f.rows {
		if r[output.ColSupplierID] == a {
			aKeys[r[output.ColMPAN]], aKeys[r[output.ColMPRN]] = true, true
		}
	}
	mine := 0
	for i, r := range f.rows {
		name := r[output.ColSMSO] + "/" + r[output.ColInstallationID]
		code, body, h := get(t, hs.URL, "/api/explain?key="+url.QueryEscape(name), tok)
		if r[output.ColSupplierID] != a {
			nKey := r[output.ColSMSO] + "/NO-SUCH-ID"
			nCode, nBody, nh := get(t, hs.URL, "/api/explain?key="+url.QueryEscape(nKey), tok)
			sameRefusal(t, name, code, body, h, nCode, nBody, nh, name, nKey)
			if i%10 == 0 {
				for _, k := range []string{r[output.ColMPAN], r[output.ColMPRN]} {
					if k == "" || aKeys[k] {
						continue
					}
					code, body, h := get(t, hs.URL, "/api/explain?key="+url.QueryEscape(k), tok)
					dcode, _, _ := get(t, hs.URL, "/api/explain?key="+url.QueryEscape(k), toks["dcc"])
					if code != http.StatusNotFound || dcode != http.StatusOK || h.Get("Content-Type") != "application/json; charset=utf-8" ||
						!strings.Contains(string(body), `"no installation matches M`) {
						t.Errorf("%s of %s (supplier %q) for %s: %d %s (dcc: %d)", k, name, r[output.ColSupplierID], a, code, body, dcode)
					}
				}
			}
			continue
		}
		mine++
		if code != http.StatusOK {
			t.Fatalf("%s, %s's own: %d %s", name, a, code, body)
		}
		var x explainBody
		json.Unmarshal(body, &x)
		if !aKeys[r[output.ColGroupID]] {
			r[output.ColGroupID] = "" // another supplier's MPxN: withheld
		}
		checkRow(t, name, askedRows(x)[0], r)
		// Nothing of an installation of another supplier: no name, no MPxN
		// it holds and A's do not.
		for _, o := range f.rows {
			if o[output.ColSupplierID] == a {
				continue
			}
			for _, s := range []string{`"` + o[output.ColSMSO] + "/" + o[output.ColInstallationID] + `"`, o[output.ColSMSO] + "/" + o[output.ColInstallationID] + " ("} {
				if strings.Contains(string(body), s) {
					t.Errorf("%s for %s shows %s of supplier %q:\n%s", name, a, s, o[output.ColSupplierID], body)
				}
			}
			for _, k := range []string{o[output.ColMPAN], o[output.ColMPRN]} {
				if k != "" && !aKeys[k] && strings.Contains(string(body), k) {
					t.Errorf("%s for %s shows MPxN %s of %s:\n%s", name, a, k, o[output.ColSMSO]+"/"+o[output.ColInstallationID], body)
				}
			}
		}
		for _, g := range x.Groups {
			for _, m := range g.Members {
				if m["visible"] == false && (m["row"] != nil || m["key"] != nil || m["mpan"] != nil || m["devices"] != nil || m["why"] != nil) {
					t.Errorf("%s: a hidden member shows more than its decision: %v", name, m)
				}
			}
		}
	}
	if mine == 0 {
		t.Fatal("the supplier has no installation")
	}

	// Pages: A's list is A's installations only; B's answers as a supplier
	// that does not exist, by list and CSV.
	var l listing
	getJSON(t, hs.URL, "/api/installations?limit=1000", tok, &l)
	if len(l.Installations) != mine {
		t.Errorf("A lists %d installations, it has %d", len(l.Installations), mine)
	}
	for _, r := range l.Installations {
		if r.SupplierID != a || r.GroupID != 0 && !aKeys[r.GroupID.String()] {
			t.Errorf("A's list holds %+v", r)
		}
	}
	for _, path := range []string{"/api/installations?supplier=%s", "/api/suppliers/%s/installations.csv"} {
		code, body, h := get(t, hs.URL, strings.Replace(path, "%s", url.QueryEscape(b), 1), tok)
		nCode, nBody, nh := get(t, hs.URL, strings.Replace(path, "%s", "NO-SUCH-SUPPLIER", 1), tok)
		sameRefusal(t, path+" of "+b, code, body, h, nCode, nBody, nh, b, "NO-SUCH-SUPPLIER")
		if code != http.StatusNotFound {
			t.Errorf("%s of %s for %s: %d", path, b, a, code)
		}
		if dcode, _, _ := get(t, hs.URL, strings.Replace(path, "%s", url.QueryEscape(b), 1), toks["dcc"]); dcode != http.StatusOK {
			t.Errorf("%s of %s for dcc: %d", path, b, dcode)
		}
	}
	if code, _, _ := get(t, hs.URL, "/api/suppliers/"+url.PathEscape(a)+"/installations.csv", tok); code != http.StatusOK {
		t.Errorf("A's own list: %d", code)
	}
	var sum summaryBody
	getJSON(t, hs.URL, "/api/summary", tok, &sum)
	if sum.Installations != mine || len(sum.Suppliers) != 1 || sum.Suppliers[0].SupplierID != a {
		t.Errorf("A's summary: %+v", sum)
	}
	// A SMETS2+ inventory_id is no key of A's: it answers as an id that is
	// in no inventory.
	inv, _ := os.ReadFile(filepath.Join(f.dir, "in", "smets2.csv"))
	lines := strings.Split(strings.TrimSpace(string(inv)), "\n")
	col := 0
	for i, h := range strings.Split(lines[0], ",") {
		if strings.EqualFold(strings.TrimSpace(h), "inventory_id") {
			col = i
		}
	}
	id := strings.Split(lines[1], ",")[col]
	if dcode, _, _ := get(t, hs.URL, "/api/explain?key="+url.QueryEscape(id), toks["dcc"]); dcode != http.StatusOK {
		t.Fatalf("dcc explain of SMETS2+ %s: %d", id, dcode)
	}
	code, body, h := get(t, hs.URL, "/api/explain?key="+url.QueryEscape(id), tok)
	nCode, nBody, nh := get(t, hs.URL, "/api/explain?key=NO-SUCH-INVENTORY-ID", tok)
	sameRefusal(t, "SMETS2+ "+id, code, body, h, nCode, nBody, nh, id, "NO-SUCH-INVENTORY-ID")
}

// routes are every route of the API, with a query that answers 200 for dcc.
func routes(f *fixture, supplier string) []string {
	r := f.rows[0]
	return []string{"/healthz", "/api/summary", "/api/installations", "/api/installations?supplier=" + url.QueryEscape(supplier),
		"/api/explain?key=" + url.QueryEscape(r[output.ColSMSO]+"/"+r[output.ColInstallationID]),
		"/api/explain?key=" + url.QueryEscape(r[output.ColMPAN]),
		"/api/suppliers/" + url.PathEscape(supplier) + "/installations.csv", "/api/explain?key=junk!", "/no/such/route"}
}

// TestTokensRequired: with a tokens file, every route of the API answers
// 401 without a token, with a wrong one and with a revoked one (at once on
// SIGHUP's reload, and within a second of the file's change without it);
// the page's own files need none; the log names the principal and never
// holds a token.
func TestTokensRequired(t *testing.T) {
	f := population(t)
	a, b := twoSuppliers(t, f)
	file, toks := tokensFor(t, a, b)
	s, hs, logs := testServer(t, Config{Tokens: file, Rate: 1e6, Burst: 1e6})
	for _, path := range routes(f, a) {
		for _, tok := range []string{"", "s1r_not-a-token", toks["dcc"] + "x"} {
			code, body, h := get(t, hs.URL, path, tok)
			if code != http.StatusUnauthorized || !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") || !strings.Contains(string(body), `"status":401`) {
				t.Errorf("%s with token %q: %d %s", path, tok, code, body)
			}
		}
		if code, body, _ := get(t, hs.URL, path, toks["dcc"]); code == http.StatusUnauthorized {
			t.Errorf("%s with dcc's token: %d %s", path, code, body)
		}
	}
	for _, path := range []string{"/", "/app.js", "/app.css"} {
		if code, _, _ := get(t, hs.URL, path, ""); code != http.StatusOK {
			t.Errorf("page file %s without a token: %d", path, code)
		}
	}
	// Revoked: by SIGHUP's reload at once.
	if _, err := RevokeTokens(file, toks["supplier:"+a], ""); err != nil {
		t.Fatal(err)
	}
	s.Reload()
	for _, path := range routes(f, a) {
		if code, _, _ := get(t, hs.URL, path, toks["supplier:"+a]); code != http.StatusUnauthorized {
			t.Errorf("%s with a revoked token: %d", path, code)
		}
	}
	// Revoked: by the file's change alone, within a second or so.
	if code, _, _ := get(t, hs.URL, "/healthz", toks["supplier:"+b]); code != http.StatusOK {
		t.Fatalf("B before revocation: %d", code)
	}
	if _, err := RevokeTokens(file, "", "supplier:"+b); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		code, _, _ := get(t, hs.URL, "/healthz", toks["supplier:"+b])
		if code == http.StatusUnauthorized {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a revoked token still answers %d after 3 s", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	log := logs.String()
	for p, tok := range toks {
		if strings.Contains(log, tok) || strings.Contains(log, tok[4:20]) {
			t.Errorf("the log holds %s's token", p)
		}
	}
	if strings.Contains(log, "not-a-token") {
		t.Error("the log holds a token given")
	}
	if !strings.Contains(log, " dcc#") || !strings.Contains(log, " supplier:"+b+"#") || !strings.Contains(log, " - GET /api/summary 401 ") {
		t.Errorf("the access log does not name principals, paths and statuses:\n%.2000s", log)
	}
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if fields := strings.Fields(line); len(fields) == 6 {
			if _, err := time.Parse(time.RFC3339Nano, fields[0]); err != nil {
				t.Errorf("log line without a time: %q", line)
			}
			if _, err := time.ParseDuration(fields[5]); err != nil {
				t.Errorf("log line without a duration: %q", line)
			}
		}
	}
}

// TestRateLimit: a token asking faster than its rate is answered 429 with
// Retry-After; another token is not slowed by it.
func TestRateLimit(t *testing.T) {
	f := population(t)
	a, _ := twoSuppliers(t, f)
	file, toks := tokensFor(t, a)
	_, hs, _ := testServer(t, Config{Tokens: file, Rate: 1, Burst: 5})
	limited := 0
	for range 10 {
		code, _, h := get(t, hs.URL, "/healthz", toks["dcc"])
		if code == http.StatusTooManyRequests {
			limited++
			if h.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}
	}
	if limited < 4 {
		t.Errorf("%d of 10 quick requests limited, want at least 4 (burst 5)", limited)
	}
	if code, _, _ := get(t, hs.URL, "/healthz", toks["supplier:"+a]); code != http.StatusOK {
		t.Errorf("another token: %d", code)
	}
}
