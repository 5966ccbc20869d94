package ingest

import "testing"

// TestInternHashCollision feeds two names under one hash: they must stay two
// installations, each found again.
func TestInternHashCollision(t *testing.T) {
	s := &newInterner(0).shards[3]
	a, _ := s.lookup([]byte("S\x00a"), 42, 3)
	b, _ := s.lookup([]byte("S\x00b"), 42, 3)
	if a == b {
		t.Fatal("two names with one hash got one id")
	}
	a2, _ := s.lookup([]byte("S\x00a"), 42, 3)
	b2, _ := s.lookup([]byte("S\x00b"), 42, 3)
	if a2 != a || b2 != b {
		t.Fatalf("ids %d %d then %d %d", a, b, a2, b2)
	}
	if got := string(s.name(&s.entries[b>>shardBits])); got != "S\x00b" {
		t.Fatalf("name %q", got)
	}
}
