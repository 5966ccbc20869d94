// Package parallel holds the few shapes of parallel work the engine uses:
// cutting [0, n) into ranges, running a function over them with bounded
// goroutines, one goroutine per worker, a radix pass, and formatting chunks
// in parallel while writing them in order. Each takes a context and returns
// its error; none keeps state between calls.
package parallel

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Ranges cuts [0, n) into up to parts consecutive, non-empty ranges of
// nearly equal size.
func Ranges(n, parts int) [][2]int {
	parts = max(parts, 1)
	var out [][2]int
	for i := 0; i < parts; i++ {
		lo, hi := int(int64(n)*int64(i)/int64(parts)), int(int64(n)*int64(i+1)/int64(parts))
		if hi > lo {
			out = append(out, [2]int{lo, hi})
		}
	}
	return out
}

// Each calls fn(0) ... fn(n-1) each on its own goroutine and waits for
// them all: for a fixed set of workers that each take their share.
func Each(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(i)
		}()
	}
	wg.Wait()
}

// For calls fn on consecutive ranges of [0, n) of at most chunk items, on
// up to workers goroutines, and stops early when ctx is done.
func For(ctx context.Context, n, chunk, workers int, fn func(lo, hi int)) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(workers, 1))
	for lo := 0; lo < n; lo += chunk {
		lo, hi := lo, min(lo+chunk, n)
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			fn(lo, hi)
			return nil
		})
	}
	return g.Wait()
}

// Ordered formats [0, n) in chunks of chunk items on workers goroutines,
// each appending the bytes of items lo..hi to its buffer (handed back
// emptied, buf[:0], for reuse), and passes the buffers to write in item
// order. Output is the same bytes whatever the number of workers.
func Ordered(ctx context.Context, n, chunk, workers int, format func(buf []byte, lo, hi int) []byte, write func([]byte) error) error {
	workers = max(workers, 1)
	bufs := make([][]byte, workers)
	for lo := 0; lo < n; lo += chunk * workers {
		g, gctx := errgroup.WithContext(ctx)
		for k := 0; k < workers; k++ {
			a, b := min(lo+k*chunk, n), min(lo+(k+1)*chunk, n)
			g.Go(func() error {
				bufs[k] = format(bufs[k][:0], a, b)
				return gctx.Err()
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for k := range bufs {
			if len(bufs[k]) > 0 {
				if err := write(bufs[k]); err != nil {
					return err
				}
			}
		}
	}
	return ctx.Err()
}
