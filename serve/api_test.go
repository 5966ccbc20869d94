package serve

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/s1resolve/s1resolve/explain"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/report"
)

type explainBody struct {
	What   string `json:"what"`
	Found  int    `json:"found"`
	Groups []struct {
		GroupID string           `json:"group_id"`
		Size    int              `json:"size"`
		Members []map[string]any `json:"members"`
		MPxNs   []explain.Link   `json:"mpxns"`
	} `json:"groups"`
}

// askedRows returns the rows of the asked members of an explanation.
func askedRows(x explainBody) []map[string]any {
	var out []map[string]any
	for _, g := range x.Groups {
		for _, m := range g.Members {
			if m["asked"] == true {
				row, _ := m["row"].(map[string]any)
				out = append(out, row)
			}
		}
	}
	return out
}

// checkRow compares a JSON row with the decisions file's row, column by
// column, by the decisions output's own column names.
func checkRow(t *testing.T, what string, got any, want printedRow) {
	t.Helper()
	fields := rowFields(t, got)
	for i, name := range output.ColumnNames() {
		if v, ok := fields[name]; !ok || v != want[i] {
			t.Errorf("%s: %s = %q (present %v), the decisions file says %q", what, name, v, ok, want[i])
		}
	}
}

// TestAPIAgainstDecisions: every installation of the population, looked
// up by its name, is the row of the decisions file of the same run, every
// field equal; MPAN, MPRN and GUID forms find it too; the paged list is
// the decisions file in its order; the counts are the file's; each
// supplier's CSV is the report's file byte for byte.
func TestAPIAgainstDecisions(t *testing.T) {
	f := population(t)
	_, hs, _ := testServer(t, Config{})
	for i, want := range f.rows {
		name := want[output.ColSMSO] + "/" + want[output.ColInstallationID]
		var x explainBody
		getJSON(t, hs.URL, "/api/explain?key="+url.QueryEscape(name), "", &x)
		rows := askedRows(x)
		if x.Found != 1 || len(rows) != 1 {
			t.Fatalf("%s: found %d, asked rows %d", name, x.Found, len(rows))
		}
		checkRow(t, name, rows[0], want)
		if i%25 != 0 {
			continue
		}
		for _, key := range []string{want[output.ColMPAN], want[output.ColMPRN]} {
			if key == "" {
				continue
			}
			var x explainBody
			getJSON(t, hs.URL, "/api/explain?key="+url.QueryEscape(key), "", &x)
			found := false
			for _, r := range askedRows(x) {
				found = found || r["smso"] == want[output.ColSMSO] && r["installation_id"] == want[output.ColInstallationID]
			}
			if !found {
				t.Errorf("%s does not find %s", key, name)
			}
		}
	}

	// The whole list, page by page, is the decisions file.
	var got []explain.Row
	next := ""
	for pages := 0; ; pages++ {
		var l listing
		getJSON(t, hs.URL, "/api/installations?limit=333&cursor="+next, "", &l)
		got = append(got, l.Installations...)
		if next = l.Next; next == "" {
			break
		}
		if pages > 100 {
			t.Fatal("the pages do not end")
		}
	}
	if len(got) != len(f.rows) {
		t.Fatalf("%d installations listed, the decisions file has %d", len(got), len(f.rows))
	}
	for i := range got {
		checkRow(t, "list row "+strconv.Itoa(i), got[i], f.rows[i])
	}

	// Filters select what the file says, in its order.
	for _, q := range []struct{ decision, reason string }{{"exclude", ""}, {"pending", "fw_retry"}, {"", "duplicate_mpxn_active"}} {
		var want []printedRow
		for _, r := range f.rows {
			if (q.decision == "" || r[output.ColDecision] == q.decision) && (q.reason == "" || r[output.ColReason] == q.reason) {
				want = append(want, r)
			}
		}
		var l listing
		getJSON(t, hs.URL, "/api/installations?limit=1000&decision="+q.decision+"&reason="+q.reason, "", &l)
		if len(l.Installations) != len(want) || len(want) == 0 {
			t.Fatalf("%+v: %d listed, %d in the file", q, len(l.Installations), len(want))
		}
		for i := range want {
			checkRow(t, fmt.Sprintf("%+v row %d", q, i), l.Installations[i], want[i])
		}
	}

	// The counts.
	var sum summaryBody
	getJSON(t, hs.URL, "/api/summary", "", &sum)
	decisions, reasons, cohorts := map[string]int{}, map[string]int{}, map[string]int{}
	for _, r := range f.rows {
		decisions[r[output.ColDecision]]++
		reasons[r[output.ColDecision]+"/"+r[output.ColReason]]++
		cohorts[r[output.ColCohort]]++
	}
	if sum.Installations != len(f.rows) || fmt.Sprint(sum.Decisions) != fmt.Sprint(decisions) || fmt.Sprint(sum.Reasons) != fmt.Sprint(reasons) ||
		fmt.Sprint(sum.Cohorts) != fmt.Sprint(cohorts) {
		t.Errorf("summary %+v\nthe file: %v %v %v", sum, decisions, reasons, cohorts)
	}

	// Each supplier's list is the report's.
	if len(sum.Suppliers) < 2 {
		t.Fatalf("%d suppliers", len(sum.Suppliers))
	}
	for _, s := range sum.Suppliers {
		code, body, h := get(t, hs.URL, "/api/suppliers/"+url.PathEscape(s.SupplierID)+"/installations.csv", "")
		want, err := os.ReadFile(filepath.Join(f.report, "suppliers", report.SupplierFile(s.SupplierID)))
		if os.IsNotExist(err) {
			want = []byte(report.SupplierHeader) // a supplier with nothing to be told
		}
		if code != http.StatusOK || string(body) != string(want) {
			t.Errorf("supplier %s: %d, %d bytes; the report's list has %d bytes", s.SupplierID, code, len(body), len(want))
		}
		if cd := h.Get("Content-Disposition"); cd != `attachment; filename="`+report.SupplierFile(s.SupplierID)+`"` {
			t.Errorf("Content-Disposition %q", cd)
		}
	}
}
