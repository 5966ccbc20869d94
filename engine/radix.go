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
// bucket of its top byte; then the buckets, in parallel over workers
// goroutines, take two stable radix passes on the next 16 bits through a
// buffer of one bucket's size, and a last pass orders the short runs that
// share the top 24 bits. No buffer of the slice's size is taken: for the
// 84 M GUID rows of a 20M run it would be 1.3 GB.
func SortKeyRefs(refs []KeyRef, workers int) {
	if len(refs) < 2 {
		return
	}
	workers = max(1, min(workers, len(refs)/4096+1))
	counts := make([][256]int, workers)
	part := func(w int) []KeyRef { return refs[len(refs)*w/workers : len(refs)*(w+1)/workers] }
	parallel.Each(workers, func(w int) {
		c := &counts[w]
		for _, r := range part(w) {
			c[r.K>>56]++
		}
	})
	var start, end [257]int
	sum := 0
	for d := 0; d < 256; d++ {
		start[d] = sum
		for w := range counts {
			sum += counts[w][d]
		}
		end[d] = sum
	}
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
	var bucket atomic.Int32
	parallel.Each(workers, func(int) {
		var tmp []KeyRef
		for d := int(bucket.Add(1)) - 1; d < 256; d = int(bucket.Add(1)) - 1 {
			tmp = sortBucket(refs[start[d]:end[d]], tmp)
		}
	})
}

// sortBucket sorts refs, whose keys share their top byte, by (K, ID),
// using tmp as scratch and returning it, grown if need be.
func sortBucket(refs, tmp []KeyRef) []KeyRef {
	if cap(tmp) < len(refs) {
		tmp = make([]KeyRef, len(refs))
	}
	t := tmp[:len(refs)]
	bucketPass(refs, t, 40)
	bucketPass(t, refs, 48)
	for i := 0; i < len(refs); {
		j := i + 1
		for j < len(refs) && refs[j].K>>40 == refs[i].K>>40 {
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
	return tmp
}

// bucketPass scatters src into dst by the byte of K at shift, stably.
func bucketPass(src, dst []KeyRef, shift uint) {
	var next [256]int
	for _, r := range src {
		next[byte(r.K>>shift)]++
	}
	sum := 0
	for d, n := range next {
		next[d] = sum
		sum += n
	}
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
