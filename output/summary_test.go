package output

import (
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
)

// TestSummaryCount: the counts by decision and by decision/reason are the
// plain counts of the outcomes, and a duplicate group counts once.
func TestSummaryCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	outcomes := []engine.Outcome{
		{Decision: engine.Migrate, Reason: engine.NoReason},
		{Decision: engine.Migrate, Reason: engine.DuplicateGUID},
		{Decision: engine.Undecided, Reason: engine.NoReason},
	}
	n := 1000
	res := &engine.Result{Outcomes: make([]engine.Outcome, n), Root: make([]uint32, n)}
	decisions, reasons := map[string]int{}, map[string]int{}
	groups := 0
	for id := range res.Outcomes {
		o := outcomes[rng.IntN(len(outcomes))]
		res.Outcomes[id] = o
		decisions[o.Decision.String()]++
		reasons[o.Decision.String()+"/"+o.Reason.String()]++
		res.Root[id] = uint32(id)
		if id%10 == 1 { // a group of two: id-1 (root) and id
			res.Root[id] = uint32(id - 1)
			res.Groups = append(res.Groups, engine.GroupFacts{Root: uint32(id - 1), Size: 2})
			groups++
		}
	}
	var s Summary
	s.Count(res)
	if !maps.Equal(s.Decisions, decisions) || !maps.Equal(s.Reasons, reasons) || s.DuplicateGroups != groups {
		t.Fatalf("counted %v %v %d groups, want %v %v %d", s.Decisions, s.Reasons, s.DuplicateGroups, decisions, reasons, groups)
	}
}
