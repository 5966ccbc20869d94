package ingest

import (
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortRunKeys checks the in-place name sort against a stable sort by
// (k1, k2) of keys in input order, on populations shaped to reach every
// path: parts split again on a later byte, keys all equal, a skewed first
// byte, small parts.
func TestSortRunKeys(t *testing.T) {
	shapes := map[string]func(r *rand.Rand) (uint64, uint64){
		"uniform":    func(r *rand.Rand) (uint64, uint64) { return r.Uint64(), r.Uint64() },
		"few values": func(r *rand.Rand) (uint64, uint64) { return uint64(r.IntN(5)) << 56, uint64(r.IntN(3)) },
		"all equal":  func(r *rand.Rand) (uint64, uint64) { return 42, 7 },
		// ids of a shared prefix: digits in the low bytes of k1, k2 zero
		"digits": func(r *rand.Rand) (uint64, uint64) {
			var v uint64
			for i := 0; i < 7; i++ {
				v = v<<8 | uint64('0'+r.IntN(10))
			}
			return v, 0
		},
		// one first byte for almost every key: that bucket is split again
		"skewed": func(r *rand.Rand) (uint64, uint64) {
			if r.IntN(100) == 0 {
				return uint64(r.IntN(256)) << 56, r.Uint64()
			}
			return 'A'<<56 | uint64(r.IntN(1<<20))<<8, uint64(r.IntN(4))
		},
	}
	for name, shape := range shapes {
		for _, n := range []int{0, 1, 300, 5000, 300_000} {
			for _, workers := range []int{1, 3} {
				r := rand.New(rand.NewPCG(uint64(n), 9))
				keys := make([]runKey, n)
				for i := range keys {
					k1, k2 := shape(r)
					keys[i] = runKey{k1: k1, k2: k2, g: uint32(i), n: uint32(r.IntN(1 << 20))}
				}
				want := slices.Clone(keys)
				slices.SortStableFunc(want, func(a, b runKey) int { return cmp.Or(cmp.Compare(a.k1, b.k1), cmp.Compare(a.k2, b.k2)) })
				r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
				if err := sortRunKeys(context.Background(), keys, workers); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(keys, want) {
					t.Fatalf("%s, %d keys, %d workers: not sorted by (k1, k2, input order)", name, n, workers)
				}
			}
		}
	}
}

func TestSortRunKeysCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	keys := make([]runKey, 200_000)
	for i := range keys {
		keys[i] = runKey{k1: uint64(i % 7), g: uint32(i)}
	}
	if err := sortRunKeys(ctx, keys, 2); err == nil {
		t.Fatal("a cancelled sort reported no error")
	}
}
