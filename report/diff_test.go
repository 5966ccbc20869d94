package report

import (
	"strconv"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
)

// TestKindsOfChangeAreExclusive: a comparison holding every change between
// any two decisions (and absent) counts each changed installation in one
// kind, so that the kinds of summary.md and of the page add up to the
// installations that changed; and each kind is the one its direction says.
func TestKindsOfChangeAreExclusive(t *testing.T) {
	sides := []Side{{Decision: Absent}}
	for _, d := range decisionsOfTheTable() {
		sides = append(sides, Side{d.String(), "r1"}, Side{d.String(), "r2"})
	}
	d := NewDiff()
	changed := 0
	for _, from := range sides {
		for _, to := range sides {
			if from.Decision == Absent && to.Decision == Absent {
				continue
			}
			d.Add("S", from.Decision+from.Reason+">"+to.Decision+to.Reason, "FOC", "SUP", from, to)
			if from != to {
				changed++
			}
		}
	}
	if d.Changed() != changed {
		t.Fatalf("%d changes, want %d", d.Changed(), changed)
	}
	sum := 0
	for _, l := range d.kindLines() {
		sum += l.N
	}
	if sum != changed {
		t.Errorf("the kinds add up to %d installations, %d changed", sum, changed)
	}
	md := string(d.SummaryMarkdown())
	table, _, _ := strings.Cut(md, "## Transitions")
	mdSum := 0
	for _, l := range strings.Split(table, "\n") {
		cells := strings.Split(strings.Trim(l, "| "), " | ")
		if n, err := strconv.Atoi(strings.ReplaceAll(cells[len(cells)-1], ",", "")); err == nil && len(cells) == 4 {
			mdSum += n
		}
	}
	if mdSum != changed {
		t.Errorf("summary.md's kinds add up to %d, %d changed:\n%s", mdSum, changed, md)
	}
	side := func(d engine.Decision) Side { return Side{d.String(), "r"} }
	for _, c := range []struct {
		from, to Side
		want     string
	}{
		{side(engine.Blocked), side(engine.Exclude), kindNewlyExcluded},
		{side(engine.Pending), side(engine.Exclude), kindNewlyExcluded},
		{side(engine.Migrate), side(engine.Blocked), kindNewlyBlocked},
		{side(engine.Blocked), side(engine.Pending), kindNewlyHeld},
		{side(engine.Blocked), side(engine.Migrate), kindUnblocked},
		{side(engine.Blocked), side(engine.MigratePartial), kindUnblocked},
		{side(engine.Pending), side(engine.Migrate), kindNoLongerHeld},
		{side(engine.Exclude), side(engine.Migrate), kindNoLongerExcluded},
		{side(engine.Migrate), side(engine.MigratePartial), kindNewlyPartial},
		{side(engine.MigratePartial), side(engine.Migrate), kindNewlyMigrating},
		{Side{engine.Exclude.String(), "a"}, Side{engine.Exclude.String(), "b"}, kindReasonOnly},
		{Side{Decision: Absent}, side(engine.Exclude), kindAppeared},
		{side(engine.Exclude), Side{Decision: Absent}, kindGone},
	} {
		if got := changeKind(c.from, c.to); got != c.want {
			t.Errorf("%v -> %v: %q, want %q", c.from, c.to, got, c.want)
		}
	}
}
