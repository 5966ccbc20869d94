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

// TestTable: a table's values read back until their stretch is done, the
// rest of the table stays readable beside a stretch handed back, and a
// table of nothing, or handed back twice, is no fault.
func TestTable(t *testing.T) {
	const n = 3 << 20 // several pages and huge pages
	tb := MakeTable[uint64](n/2, n)
	if len(tb.S) != n/2 || cap(tb.S) != n {
		t.Fatalf("length %d capacity %d, want %d and %d", len(tb.S), cap(tb.S), n/2, n)
	}
	for i := range n {
		if i < len(tb.S) && tb.S[i] != 0 {
			t.Fatalf("value %d not zero", i)
		}
		if i >= len(tb.S) {
			tb.S = append(tb.S, 0)
		}
		tb.S[i] = uint64(i) * 2654435761
	}
	// Hand back stretches of the middle, unaligned; read what is left.
	tb.Done(tb.S[1000 : n/3+7])
	tb.Done(tb.S[n/3+7 : n/2])
	for _, i := range []int{0, 999, n/2 + 1, n - 1} {
		if tb.S[i] != uint64(i)*2654435761 {
			t.Fatalf("value %d changed", i)
		}
	}
	tb.Done(tb.S[:0])
	tb.Free()
	tb.Free()
	if tb.S != nil {
		t.Fatal("a freed table is not empty")
	}
	empty := MakeTable[uint32](0, 0)
	empty.Done(empty.S)
	empty.Free()
}

// TestTableFreeLeavesOthers: memory a table handed back may be mapped
// again by another table (or the Go runtime) before the first is freed;
// freeing it must not take that memory away.
func TestTableFreeLeavesOthers(t *testing.T) {
	for range 20 {
		a := MakeTable[byte](8<<20, 8<<20)
		a.Done(a.S[1<<20 : 7<<20])
		// Tables of the hole's size, which the system may place in it.
		var others []*Table[byte]
		for range 4 {
			b := MakeTable[byte](1<<20, 1<<20)
			for i := range b.S {
				b.S[i] = 7
			}
			others = append(others, b)
		}
		a.Free()
		for _, b := range others {
			for i := 0; i < len(b.S); i += 4096 {
				if b.S[i] != 7 {
					t.Fatalf("another table's byte %d changed", i)
				}
			}
			b.Free()
		}
	}
}
