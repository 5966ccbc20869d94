package output

import (
	"strings"
	"testing"
)

// A large group's warning points at what the operator has: the store when
// the run wrote one, else the decisions file's group_id column.
func TestGroupWarningPointsAtWhatExists(t *testing.T) {
	g := DuplicateGroup{Key: "E0000000000009", Installations: 1200, SMSOs: map[string]int{"SMSO_B": 400, "SMSO_A": 800}}
	without := g.Warning("")
	for _, want := range []string{"links 1,200 installations (SMSO_A 800, SMSO_B 400)", "(group_id E0000000000009)"} {
		if !strings.Contains(without, want) {
			t.Errorf("without a store: %q lacks %q", without, want)
		}
	}
	if strings.Contains(without, "explain") {
		t.Errorf("without a store the warning suggests explain: %q", without)
	}
	if with := g.Warning("/srv/db"); !strings.Contains(with, "s1resolve explain --db /srv/db E0000000000009") {
		t.Errorf("with a store: %q", with)
	}
}
