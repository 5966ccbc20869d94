package parallel

// RadixPass scatters src into dst by one byte of each item (digit), stably:
// each of workers goroutines counts a contiguous part of src, then writes
// its items after those of the parts before it. It reports false, and
// leaves dst untouched, when every item has the same digit: the pass would
// not change the order, so an LSD sort can skip it.
func RadixPass[T any](src, dst []T, digit func(*T) byte, workers int) bool {
	workers = max(1, min(workers, len(src)/4096+1))
	counts := make([][256]int, workers)
	part := func(w int) []T { return src[len(src)*w/workers : len(src)*(w+1)/workers] }
	Each(workers, func(w int) {
		c := &counts[w]
		p := part(w)
		for i := range p {
			c[digit(&p[i])]++
		}
	})
	sum := 0
	for d := 0; d < 256; d++ {
		if sum == 0 {
			total := 0
			for w := range counts {
				total += counts[w][d]
			}
			if total == len(src) { // every item has digit d
				return false
			}
		}
		for w := 0; w < workers; w++ {
			n := counts[w][d]
			counts[w][d] = sum
			sum += n
		}
	}
	Each(workers, func(w int) {
		next := &counts[w]
		p := part(w)
		for i := range p {
			b := digit(&p[i])
			dst[next[b]] = p[i]
			next[b]++
		}
	})
	return true
}
