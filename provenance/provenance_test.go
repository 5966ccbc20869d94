package provenance

import (
	"strings"
	"testing"
)

func TestCurrentBuild(t *testing.T) {
	b := CurrentBuild()
	if b.Module == "" || b.Go == "" || !strings.HasPrefix(b.String(), "s1resolve ") {
		t.Fatalf("build %+v, printed %q", b, b.String())
	}
	b = Build{Module: "m", Version: "v1.2.3", Revision: "abc", Time: "2026-11-29T00:00:00Z", Modified: true, Go: "go1.26"}
	if got := b.String(); got != "s1resolve v1.2.3 (m) revision abc of 2026-11-29T00:00:00Z, with uncommitted changes, go1.26" {
		t.Fatalf("printed %q", got)
	}
}
