package parallel

import (
	"bytes"
	"context"
	"math/rand/v2"
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

func TestRadixPassIsAStableSortStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([][2]int, 50_000)
	for i := range src {
		src[i] = [2]int{rng.IntN(1000), i}
	}
	for _, workers := range []int{1, 3} {
		dst := make([][2]int, len(src))
		if !RadixPass(src, dst, func(v *[2]int) byte { return byte(v[0]) }, workers) {
			t.Fatal("a pass over varied digits was skipped")
		}
		for i := 1; i < len(dst); i++ {
			a, b := dst[i-1], dst[i]
			if byte(a[0]) > byte(b[0]) || byte(a[0]) == byte(b[0]) && a[1] > b[1] {
				t.Fatalf("%d workers: %v before %v", workers, a, b)
			}
		}
	}
	same := make([][2]int, 20_000) // enough items for several workers
	for i := range same {
		same[i] = [2]int{7, i}
	}
	for _, workers := range []int{1, 2, 3} {
		if RadixPass(same, make([][2]int, len(same)), func(v *[2]int) byte { return byte(v[0]) }, workers) {
			t.Fatalf("%d workers: a pass over one digit was not skipped", workers)
		}
	}
}
