package engine

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkSortKeyRefs sorts (mixed key, installation) pairs as the
// resolver does: the MPxN refs of 250k, 2.5M and 10M installations (1M, 10M,
// 40M refs; 5M and 20M installations make about 10M and 40M) and one of the
// eight parts of the GUID refs (keys sharing their top 3 bits) at 5M and
// 20M installations. A linear sort takes as long per ref at every size.
func BenchmarkSortKeyRefs(b *testing.B) {
	for _, c := range []struct {
		name   string
		n      int
		prefix uint // top bits every key shares
	}{{"mpxn-1M", 1 << 20, 0}, {"mpxn-10M", 10 << 20, 0}, {"mpxn-40M", 40 << 20, 0},
		{"guidpart-2.6M", 2600 << 10, 3}, {"guidpart-10.5M", 10500 << 10, 3}} {
		rng := rand.New(rand.NewPCG(1, 2))
		src := make([]KeyRef, c.n)
		for i := range src {
			k := Mix(rng.Uint64() % uint64(4*c.n))
			if c.prefix > 0 {
				k = 5<<(64-c.prefix) | k>>c.prefix
			}
			src[i] = KeyRef{k, uint32(i)}
		}
		refs := make([]KeyRef, len(src))
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/%dworkers", c.name, workers), func(b *testing.B) {
				b.SetBytes(int64(len(src)) * 12)
				b.ReportAllocs()
				for b.Loop() {
					copy(refs, src)
					SortKeyRefs(refs, workers)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(c.n), "ns/ref")
			})
		}
	}
}
