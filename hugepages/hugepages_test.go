package hugepages

import (
	"runtime/debug"
	"testing"
	"unsafe"
)

// TestAdviceKeepsContents: advice on memory already written, on small,
// empty and unaligned slices changes no byte and does not fail.
func TestAdviceKeepsContents(t *testing.T) {
	s := make([]uint32, 3<<20)
	for i := range s {
		s[i] = uint32(i) * 2654435761
	}
	Slice(s)
	Slice(s[1:])                     // unaligned start
	Advise(unsafe.Pointer(&s[5]), 3) // smaller than a page
	Slice([]uint64(nil))
	Slice(make([]byte, 100))
	for i := range s {
		if s[i] != uint32(i)*2654435761 {
			t.Fatalf("s[%d] changed", i)
		}
	}
}

// BenchmarkFirstTouch makes a 64 MiB table on the heap and writes a byte
// of every cache line, with and without advice: the cost of memory's first
// touch, per 4 KiB. Each table is new memory: the heap's memory is handed
// back to the system between iterations, as a run's is between phases.
func BenchmarkFirstTouch(b *testing.B) {
	const size = 64 << 20
	for _, advise := range []bool{false, true} {
		name := "small-pages"
		if advise {
			name = "advised"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				debug.FreeOSMemory()
				b.StartTimer()
				s := make([]byte, size)
				if advise {
					Slice(s)
				}
				for i := 0; i < len(s); i += 64 {
					s[i] = 1
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size>>12), "ns/4KiB")
		})
	}
}
