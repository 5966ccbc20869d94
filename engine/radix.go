package engine

import (
	"cmp"
	"slices"
	"sync/atomic"

	"github.com/s1resolve/s1resolve/parallel"
)

// KeyRef pairs a 64-bit key with the id of an installation that holds it.
// The key is Mix of a packed MPxN key or a GUID, so that key order is hash
// order: sorted slices of KeyRefs, the raw material of the duplicate checks
// and of the persistent posting lists, are then also in hash-bucket order.
type KeyRef struct {
	K  uint64
	ID uint32
}

// GUIDRef is one device row of the store's GUID index: the top 32 bits of
// its GUID's mixed key (Mix), all the index keeps of a GUID (its hash
// bucket and a fingerprint: lookups check what they find against the
// rows), above the id of the row's installation. 8 bytes a row, where a
// KeyRef takes 16: 84 M rows at 20M installations.
//
// GUIDRefs sort as numbers: by key bits, then installation.
type GUIDRef uint64

// NewGUIDRef returns the GUIDRef of installation id's row of the GUID
// whose mixed key is k.
func NewGUIDRef(k uint64, id uint32) GUIDRef { return GUIDRef(k>>32<<32 | uint64(id)) }

// Key returns the top 32 bits of the GUID's mixed key.
func (r GUIDRef) Key() uint32 { return uint32(r >> 32) }

// ID returns the installation id.
func (r GUIDRef) ID() uint32 { return uint32(r) }

// Posting returns what the store's posting lists keep of the ref: the top
// 32 bits of its mixed key, and its installation id.
func (r GUIDRef) Posting() (top, id uint32) { return r.Key(), r.ID() }

// Posting returns what the store's posting lists keep of the ref: the top
// 32 bits of its mixed key, and its installation id.
func (r KeyRef) Posting() (top, id uint32) { return uint32(r.K >> 32), r.ID }

// sortGUIDRefs sorts refs made in (mixed key, id) order: only the ids of
// different GUIDs that share their top 32 bits can be out of order.
func sortGUIDRefs(refs []GUIDRef) {
	for i := 0; i < len(refs); {
		j := i + 1
		for j < len(refs) && refs[j].Key() == refs[i].Key() {
			j++
		}
		if run := refs[i:j]; !slices.IsSorted(run) {
			slices.Sort(run)
		}
		i = j
	}
}

// Mix is a bijective 64-bit mixer (MurmurHash3's finaliser): equal keys mix
// equal and distinct keys mix distinct, spread evenly over all 64 bits.
func Mix(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

// SortKeyRefs sorts refs by (K, ID), in place: refs made in id order end
// as a stable sort by K would leave them. Keys are expected to be mixed,
// evenly spread. One in-place pass (American flag) puts each ref in the
// bucket of its top byte; then sortBuckets orders the buckets. No buffer
// of the slice's size is taken: for the 84 M GUID rows of a 20M run it
// would be 1.3 GB. A caller that makes the refs itself can put them in
// their buckets as it makes them, and skip the in-place pass (topCounts).
func SortKeyRefs(refs []KeyRef, workers int) {
	if len(refs) < 2 {
		return
	}
	workers = max(1, min(workers, len(refs)/4096+1))
	counts := make(topCounts, workers)
	part := func(w int) []KeyRef { return refs[len(refs)*w/workers : len(refs)*(w+1)/workers] }
	parallel.Each(workers, func(w int) {
		c := &counts[w]
		for _, r := range part(w) {
			c[r.K>>56]++
		}
	})
	start, end, _ := counts.layout(0, 256)
	next := start
	for d := 0; d < 256; d++ {
		for next[d] < end[d] {
			r := refs[next[d]]
			for b := int(r.K >> 56); b != d; b = int(r.K >> 56) { // follow the cycle
				r, refs[next[b]] = refs[next[b]], r
				next[b]++
			}
			refs[next[d]] = r
			next[d]++
		}
	}
	sortBuckets(refs, &start, &end, workers)
}

// topCounts counts, for each worker making refs, its refs by the top byte
// of their keys: the first pass of a caller that puts each ref in its
// bucket as it makes it, instead of making them in order and sorting them
// (SortKeyRefs' in-place pass, a single-threaded pass over every ref).
type topCounts [][256]int

// layout returns, for the refs whose keys' top bytes are in [lo, hi),
// laid out from index 0 by top byte: where each top byte's refs start and
// end (indexes lo to hi of start and end), and, for each worker, where its
// first ref of each top byte goes. Workers that put their refs there, in
// the order they make them, leave each bucket as a stable sort by top byte
// of the workers' refs in turn would.
func (c topCounts) layout(lo, hi int) (start, end [257]int, next [][256]int) {
	next = make([][256]int, len(c))
	sum := 0
	for d := lo; d < hi; d++ {
		start[d] = sum
		for w := range c {
			next[w][d] = sum
			sum += c[w][d]
		}
		end[d] = sum
	}
	return start, end, next
}

// sortBuckets sorts each bucket refs[start[d]:end[d]] of refs laid out by
// the top byte of their keys (a bucket may be empty), by (K, ID), the
// buckets shared out among workers goroutines.
func sortBuckets(refs []KeyRef, start, end *[257]int, workers int) {
	var bucket atomic.Int32
	parallel.Each(workers, func(int) {
		var tmp []KeyRef
		for d := int(bucket.Add(1)) - 1; d < 256; d = int(bucket.Add(1)) - 1 {
			b := refs[start[d]:end[d]]
			if cap(tmp) < len(b) {
				tmp = make([]KeyRef, len(b))
			}
			sortBucket(b, tmp[:len(b)], 56)
		}
	})
}

// cacheRefs is the most refs sortBucket orders by whole passes over them:
// 32,768 refs, half a megabyte, which with as much scratch stays in a
// core's L2 cache. A larger bucket is first split on its next byte, so
// that each part is sorted in the cache: at 20M installations a bucket of
// a top byte holds 160k MPxN refs, and two passes over it and its scratch
// from memory took twice as long per ref as at 5M.
const cacheRefs = 1 << 15

// sortBucket sorts refs, whose keys share every bit from hi up, by (K,
// ID), using tmp (as long as refs) as scratch. Small buckets take two
// stable radix passes on the 16 bits below hi, then the short runs that
// share every bit from hi-16 up are ordered; larger ones are split on the
// byte below hi first, each part sorted so.
func sortBucket(refs, tmp []KeyRef, hi uint) {
	if len(refs) > cacheRefs && hi >= 24 {
		var at [257]int
		bucketPass(refs, tmp, hi-8, &at)
		for d := 0; d < 256; d++ {
			part, partTmp := tmp[at[d]:at[d+1]], refs[at[d]:at[d+1]]
			sortBucket(part, partTmp, hi-8)
			copy(partTmp, part)
		}
		return
	}
	var at [257]int
	bucketPass(refs, tmp, hi-16, &at)
	bucketPass(tmp, refs, hi-8, &at)
	low := hi - 16
	for i := 0; i < len(refs); {
		j := i + 1
		for j < len(refs) && refs[j].K>>low == refs[i].K>>low {
			j++
		}
		if run := refs[i:j]; len(run) > 16 { // a key repeated many times
			slices.SortFunc(run, compareKeyRefs)
		} else {
			for a := 1; a < len(run); a++ {
				for b := a; b > 0 && compareKeyRefs(run[b-1], run[b]) > 0; b-- {
					run[b-1], run[b] = run[b], run[b-1]
				}
			}
		}
		i = j
	}
}

// bucketPass scatters src into dst by the byte of K at shift, stably, and
// sets at[d] to where byte d's refs start in dst (at[256] = len(dst)).
func bucketPass(src, dst []KeyRef, shift uint, at *[257]int) {
	var next [256]int
	for _, r := range src {
		next[byte(r.K>>shift)]++
	}
	sum := 0
	for d, n := range next {
		at[d] = sum
		next[d] = sum
		sum += n
	}
	at[256] = sum
	for _, r := range src {
		b := byte(r.K >> shift)
		dst[next[b]] = r
		next[b]++
	}
}

func compareKeyRefs(a, b KeyRef) int {
	if c := cmp.Compare(a.K, b.K); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}
