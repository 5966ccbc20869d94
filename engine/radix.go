package engine

// KeyRef pairs a 64-bit key (a packed MPxN key or a GUID) with the id of an
// installation that holds it. Sorted slices of KeyRefs are the raw material of
// the duplicate checks and of the persistent posting lists.
type KeyRef struct {
	K  uint64
	ID uint32
}

// SortKeyRefs sorts refs by K, keeping the input order among equal keys, with
// a least-significant-digit radix sort that skips digits all keys share. tmp
// is scratch space; it is grown when shorter than refs.
func SortKeyRefs(refs, tmp []KeyRef) {
	if len(refs) < 2 {
		return
	}
	if cap(tmp) < len(refs) {
		tmp = make([]KeyRef, len(refs))
	}
	tmp = tmp[:len(refs)]
	var counts [8][256]int
	for i := range refs {
		k := refs[i].K
		for d := 0; d < 8; d++ {
			counts[d][byte(k>>(8*d))]++
		}
	}
	src, dst := refs, tmp
	for d := 0; d < 8; d++ {
		c := &counts[d]
		if c[byte(src[0].K>>(8*d))] == len(src) {
			continue // every key has the same digit here
		}
		sum := 0
		for i := range c {
			n := c[i]
			c[i] = sum
			sum += n
		}
		shift := uint(8 * d)
		for _, r := range src {
			b := byte(r.K >> shift)
			dst[c[b]] = r
			c[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &refs[0] {
		copy(refs, src)
	}
}
