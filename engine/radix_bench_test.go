package engine

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSortKeyRefs sorts 1M (mixed key, installation) pairs, as the
// resolver does for MPxNs and GUIDs.
func BenchmarkSortKeyRefs(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([]KeyRef, 1<<20)
	for i := range src {
		src[i] = KeyRef{Mix(rng.Uint64() % (1 << 22)), uint32(i)}
	}
	refs := make([]KeyRef, len(src))
	for _, workers := range []int{1, 2} {
		b.Run(map[int]string{1: "1worker", 2: "2workers"}[workers], func(b *testing.B) {
			b.SetBytes(int64(len(src)) * 12)
			b.ReportAllocs()
			for b.Loop() {
				copy(refs, src)
				SortKeyRefs(refs, workers)
			}
		})
	}
}
