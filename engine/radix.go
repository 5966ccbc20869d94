package engine

// KeyRef pairs a 64-bit key with the id of an installation that holds it.
// The key is Mix of a packed MPxN key or a GUID, so that key order is hash
// order: sorted slices of KeyRefs, the raw material of the duplicate checks
// and of the persistent posting lists, are then also in hash-bucket order.
type KeyRef struct {
	K  uint64
	ID uint32
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
