package parallel

import (
	"bytes"
	"cmp"
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
)

func TestRanges(t *testing.T) {
	for _, c := range []struct{ n, parts int }{{0, 4}, {1, 4}, {10, 3}, {10, 0}, {1 << 20, 7}} {
		next := 0
		for _, r := range Ranges(c.n, c.parts) {
			if r[0] != next || r[1] <= r[0] {
				t.Fatalf("Ranges(%d, %d): %v after %d", c.n, c.parts, r, next)
			}
			next = r[1]
		}
		if next != c.n {
			t.Fatalf("Ranges(%d, %d) covers [0, %d)", c.n, c.parts, next)
		}
	}
}

func TestForCoversEachItemOnce(t *testing.T) {
	seen := make([]atomic.Int32, 100_003)
	if err := For(context.Background(), len(seen), 1000, 3, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			seen[i].Add(1)
		}
	}); err != nil {
		t.Fatal(err)
	}
	for i := range seen {
		if seen[i].Load() != 1 {
			t.Fatalf("item %d seen %d times", i, seen[i].Load())
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := For(ctx, 10, 1, 2, func(int, int) {}); err == nil {
		t.Fatal("For ran on a cancelled context")
	}
}

func TestSortMatchesSlicesSort(t *testing.T) {
	for _, n := range []int{0, 1, 1000, 1<<16 + 17, 300_001} {
		for _, workers := range []int{1, 2, 3, 8} {
			rng := rand.New(rand.NewPCG(uint64(n), uint64(workers)))
			s := make([]int, n)
			for i := range s {
				s[i] = rng.IntN(n/3 + 1)
			}
			want := slices.Clone(s)
			slices.Sort(want)
			if err := Sort(context.Background(), s, cmp.Compare[int], workers); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s, want) {
				t.Fatalf("n=%d workers=%d: not sorted", n, workers)
			}
		}
	}
}

func TestOrderedSameBytesAnyWorkers(t *testing.T) {
	format := func(buf []byte, lo, hi int) []byte {
		for i := lo; i < hi; i++ {
			buf = strconv.AppendInt(append(buf, ','), int64(i), 10)
		}
		return buf
	}
	var want []byte
	for _, workers := range []int{1, 2, 5} {
		var got bytes.Buffer
		if err := Ordered(context.Background(), 10_007, 100, workers, format, func(b []byte) error { got.Write(b); return nil }); err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = got.Bytes()
		} else if !bytes.Equal(got.Bytes(), want) {
			t.Fatalf("%d workers give other bytes", workers)
		}
	}
	if !bytes.HasPrefix(want, []byte(",0,1,2")) || !bytes.HasSuffix(want, []byte(",10006")) {
		t.Fatalf("Ordered wrote %.40q...", want)
	}
}
