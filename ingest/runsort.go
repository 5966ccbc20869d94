package ingest

import (
	"cmp"
	"context"
	"math/bits"
	"slices"
	"sync/atomic"

	"github.com/s1resolve/s1resolve/parallel"
)

// The name sort of gather: every run key ordered by (k1, k2), and among
// equal keys by g, its place in the input. g is distinct, so the order is
// total: any worker count gives the same bytes.
//
// It sorts in place, with buffers of a part's size rather than of the
// whole (134 MB at 5M installations, beside 700 MB of parsed rows):
//
//	keys   [..................................................]
//	        one pass on the first byte the keys differ in, in place
//	       [ 1 ..... | 2 ....... | 3 ...... | 4 .... | 5 ..... ]
//	        a part still larger than partMax: again, on its next byte
//	       [ 1 ..... | 2a | 2b | 3 ...... | 4 .... | 5 ..... ]
//	        each part, by the workers: least significant digit first,
//	        g's bytes then the key's below the part's, in a part-sized buffer

// partMax returns the largest part sorted with a buffer of its own.
func partMax(n int) int { return max(1<<16, n/32) }

// keyPart is a stretch of keys whose key bytes before from are all equal.
type keyPart struct {
	keys []runKey
	from int // the first key byte (0 to 16) the part's keys may differ in
}

// sortRunKeys sorts keys by (k1, k2, g) in place.
func sortRunKeys(ctx context.Context, keys []runKey, workers int) error {
	var parts []keyPart
	if err := splitRunKeys(ctx, keys, 0, partMax(len(keys)), &parts); err != nil {
		return err
	}
	var next atomic.Int64
	parallel.Each(max(1, min(workers, len(parts))), func(int) {
		var tmp []runKey
		for i := int(next.Add(1)) - 1; i < len(parts) && ctx.Err() == nil; i = int(next.Add(1)) - 1 {
			tmp = sortKeyPart(parts[i], tmp)
		}
	})
	return ctx.Err()
}

// keyByte returns byte pos (0 to 15, most significant first) of k's key.
func keyByte(k *runKey, pos int) byte {
	if pos < 8 {
		return byte(k.k1 >> (56 - 8*pos))
	}
	return byte(k.k2 >> (56 - 8*(pos-8)))
}

// firstDifference returns the first key byte from pos on in which keys
// differ, or 16 when their keys are all equal.
func firstDifference(keys []runKey, pos int) int {
	var d1, d2 uint64
	for i := range keys {
		d1 |= keys[i].k1 ^ keys[0].k1
		d2 |= keys[i].k2 ^ keys[0].k2
	}
	first := 16
	if d1 != 0 {
		first = bits.LeadingZeros64(d1) / 8
	} else if d2 != 0 {
		first = 8 + bits.LeadingZeros64(d2)/8
	}
	return max(first, pos)
}

// splitRunKeys orders keys by their key bytes from pos on, in place, until
// each stretch is at most max keys or of keys all equal, and appends the
// stretches to parts in order.
func splitRunKeys(ctx context.Context, keys []runKey, pos, most int, parts *[]keyPart) error {
	if len(keys) <= most {
		*parts = append(*parts, keyPart{keys, pos})
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	pos = firstDifference(keys, pos)
	if pos == 16 {
		*parts = append(*parts, keyPart{keys, 16})
		return nil
	}
	var start, end [256]int
	for i := range keys {
		end[keyByte(&keys[i], pos)]++
	}
	sum := 0
	for d := range 256 {
		start[d], sum = sum, sum+end[d]
		end[d] = sum
	}
	next := start
	for d := range 256 { // American flag: each key swapped into its bucket
		for next[d] < end[d] {
			k := keys[next[d]]
			for b := int(keyByte(&k, pos)); b != d; b = int(keyByte(&k, pos)) {
				k, keys[next[b]] = keys[next[b]], k
				next[b]++
			}
			keys[next[d]] = k
			next[d]++
		}
	}
	for d := range 256 {
		if err := splitRunKeys(ctx, keys[start[d]:end[d]], pos+1, most, parts); err != nil {
			return err
		}
	}
	return nil
}

// sortKeyPart sorts a part by its key bytes from its from on, then g,
// using tmp as the buffer and returning it, grown if need be.
func sortKeyPart(p keyPart, tmp []runKey) []runKey {
	keys := p.keys
	if len(keys) < 256 {
		slices.SortFunc(keys, compareRunKeys)
		return tmp
	}
	if cap(tmp) < len(keys) {
		tmp = make([]runKey, len(keys))
	}
	src, dst := keys, tmp[:len(keys)]
	pass := func(digit func(*runKey) byte) {
		if parallel.RadixPass(src, dst, digit, 1) {
			src, dst = dst, src
		}
	}
	for shift := 0; shift < 32; shift += 8 {
		pass(func(k *runKey) byte { return byte(k.g >> shift) })
	}
	for pos := 15; pos >= p.from; pos-- {
		pass(func(k *runKey) byte { return keyByte(k, pos) })
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
	return tmp
}

func compareRunKeys(a, b runKey) int {
	return cmp.Or(cmp.Compare(a.k1, b.k1), cmp.Compare(a.k2, b.k2), cmp.Compare(a.g, b.g))
}
