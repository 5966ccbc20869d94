package report

import (
	"context"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
)

var update = flag.Bool("update", false, "rewrite the golden files of the report tests")

// grouped is a number as people read it: digits in groups of three.
var grouped = regexp.MustCompile(`^\d{1,3}(,\d{3})*$`)

// TestSummaryMarkdownGolden: summary.md of thousands of installations is
// the golden file, its numbers grouped in thousands; and, read another way,
// its category table holds the counts encoding/csv finds in the decisions.
func TestSummaryMarkdownGolden(t *testing.T) {
	data := decisionsFile(false)
	rep, err := FromDecisions(context.Background(), strings.NewReader(data), "d.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := rep.summaryMarkdown()
	golden := filepath.Join("testdata", "summary.md")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("summary.md differs from %s (go test ./report -run Golden -update rewrites it):\n%s", golden, got)
	}

	// Another way: count the rows with encoding/csv and plain maps.
	recs, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want2 := map[string]int{}
	for _, r := range recs[1:] {
		reason, _ := engine.ParseReason(r[4])
		decision, _ := engine.ParseDecision(r[3])
		want2[strings.Join([]string{reason.Category(), decision.Title(), r[5], r[2]}, "|")]++
	}
	lines := strings.Split(string(got), "\n")
	if head, _, _ := strings.Cut(lines[2], " "); !grouped.MatchString(head) || !strings.Contains(head, ",") ||
		strings.ReplaceAll(lines[2], ",", "") != strconv.Itoa(len(recs)-1)+" installations decided." {
		t.Errorf("headline %q for %d rows", lines[2], len(recs)-1)
	}
	got2 := map[string]int{}
	commas := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "## ") {
			break
		}
		cells := strings.Split(strings.Trim(l, "|"), " | ")
		if len(cells) != 5 || strings.HasPrefix(l, "|---") || strings.HasPrefix(l, "| Category") {
			continue
		}
		num := strings.TrimSpace(cells[4])
		if !grouped.MatchString(num) {
			t.Errorf("number %q is not grouped in thousands: %s", num, l)
		}
		commas += strings.Count(num, ",")
		n, _ := strconv.Atoi(strings.ReplaceAll(num, ",", ""))
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		got2[strings.Join(cells[:4], "|")] += n
	}
	if commas == 0 {
		t.Error("no number of the category table has a separator")
	}
	if len(got2) != len(want2) {
		t.Errorf("%d categories in summary.md, %d in the decisions", len(got2), len(want2))
	}
	for k, n := range want2 {
		if got2[k] != n {
			t.Errorf("%s: summary.md says %d, the decisions hold %d", k, got2[k], n)
		}
	}
	// The largest duplicate group is the placeholder's: 24 rows and a
	// SMETS2+ member, their SMSOs counted from the rows.
	bySMSO := map[string]int{}
	for _, r := range recs[1:] {
		if r[6] == "E0000000000000" {
			bySMSO[r[0]]++
		}
	}
	g := rep.LargestGroups()
	if len(g) == 0 || g[0].Key != "E0000000000000" || g[0].Installations != 25 || g[0].Smets2 != 1 || len(g[0].SMSOs) != len(bySMSO) {
		t.Fatalf("largest groups %+v; the placeholder's rows by SMSO %v", g, bySMSO)
	}
	for s, n := range bySMSO {
		if g[0].SMSOs[s] != n {
			t.Errorf("group %s: %s has %d, rows say %d", g[0].Key, s, g[0].SMSOs[s], n)
		}
	}
	if len(g) != 10 { // the ten largest, and no other of more than 20
		t.Errorf("%d groups listed, want 10", len(g))
	}
}
