package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
)

// TestImpactTables: impact.csv in FORMATS.md §7's order, the tables' counts
// by RULES.md's definitions, and a self-contained page.
func TestImpactTables(t *testing.T) {
	in := engine.AllClauses.Without(engine.Clause18_9).Without(engine.Clause4_1B)
	im := NewImpact(in, 1000)
	sets := im.Comparisons()
	if len(sets) != 9 || sets[0] != in || sets[1] != in.Without(engine.Clause18_10) || sets[8] != 0 {
		t.Fatalf("comparisons %v", sets)
	}
	o := func(d engine.Decision, r engine.Reason) engine.Outcome { return engine.Outcome{Decision: d, Reason: r} }
	// comparison 1 is 18.10, 5 is 4.1A, 7 is 4.26A, 8 is all
	im.Add(8, engine.MOCSecure, o(engine.Exclude, engine.MPxNNotRegistered), o(engine.Blocked, engine.MPxNNotRegistered), 2)
	im.Add(8, engine.FOC, o(engine.Migrate, engine.Unique), o(engine.Blocked, engine.SupplierCeasedTrading), 3)
	im.Add(7, engine.MOCMDS, o(engine.Pending, engine.FwRetry), o(engine.Exclude, engine.FwConfigFailure), 1)
	im.Add(7, engine.MOCMDS, o(engine.MigratePartial, engine.GasFailurePartial), o(engine.Exclude, engine.FwConfigFailure), 4)
	im.Add(1, engine.MOCMDS, o(engine.Exclude, engine.FwConfigFailure), o(engine.Pending, engine.FwNoExclusionCategory), 5)
	im.Add(5, engine.FOC, o(engine.Migrate, engine.Unique), o(engine.Blocked, engine.SupplierCeasedTrading), 3)
	im.Add(5, engine.FOC, o(engine.Migrate, engine.Unique), o(engine.Migrate, engine.Unique), 7) // no change: not counted
	want := ImpactHeader +
		"18.10,MOC_MDS,exclude,fw_config_failure,pending,fw_no_exclusion_category,5\n" +
		"4.1A,FOC,migrate,unique,blocked,supplier_ceased_trading,3\n" +
		"4.26A,MOC_MDS,migrate_partial,gas_failure_partial,exclude,fw_config_failure,4\n" +
		"4.26A,MOC_MDS,pending,fw_retry,exclude,fw_config_failure,1\n" +
		"all,FOC,migrate,unique,blocked,supplier_ceased_trading,3\n" +
		"all,MOC_SECURE,exclude,mpxn_not_registered,blocked,mpxn_not_registered,2\n"
	if got := string(im.CSV()); got != want {
		t.Fatalf("impact.csv\n%s\nwant\n%s", got, want)
	}
	if im.Headline() != "together these clauses exclude 2 installations and unblock 3" ||
		im.Excluded("18.10") != 5 || im.Unblocked("4.26A") != 4 || im.Excluded("4.26A") != 0 || im.Excluded("18.9") != 0 {
		t.Errorf("headline %q, 18.10 excludes %d, 4.26A unblocks %d", im.Headline(), im.Excluded("18.10"), im.Unblocked("4.26A"))
	}
	md := string(im.Markdown())
	for _, line := range []string{
		"| Partial migration for firmware failure (MOC (MDS)) (4.26A) | 0 | 4 | 1 |",
		"| Duplicate MPANs and MPRNs (18.13) | 0 | 0 | 0 |",
		"| All of them together | 2 | 3 | 0 |",
		"Not in force, so not compared: 18.9 4.1B.",
		"**Together these clauses exclude 2 installations and unblock 3.**",
	} {
		if !strings.Contains(md, line) {
			t.Errorf("impact.md lacks %q:\n%s", line, md)
		}
	}
	if strings.Contains(md, "(18.9) |") {
		t.Errorf("impact.md has a line for a clause not in force:\n%s", md)
	}
	dir := t.TempDir()
	if err := im.Write(dir); err != nil {
		t.Fatal(err)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	if strings.Count(string(page), `<div class="chart">`) != 2 || strings.Contains(string(page), "<link") || strings.Contains(string(page), "src=") || strings.Contains(string(page), "<script") {
		t.Errorf("report.html is not a self-contained page with charts")
	}
	for _, f := range ImpactFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}
