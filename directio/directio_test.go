package directio

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestWriter: whatever the sizes written, and whether direct I/O stays on,
// is turned off half-way or is not available, the file holds the bytes
// written, in order, and writes after a Flush land after them.
func TestWriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	data := make([]byte, 3*BufferSize+12345)
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	for _, tc := range []struct {
		name    string
		size    int
		offAt   int // turn direct I/O off after this many bytes; -1 never
		noStart bool
		flushAt int // Flush after this many bytes; -1 never
	}{
		{"empty", 0, -1, false, -1},
		{"under a block", 100, -1, false, -1},
		{"blocks and a tail", 3*BufferSize + 12345, -1, false, -1},
		{"whole buffers", 2 * BufferSize, -1, false, -1},
		{"off half-way", 3*BufferSize + 12345, BufferSize + 777, false, -1},
		{"never direct", BufferSize + 5, -1, true, -1},
		{"flushed half-way", 2*BufferSize + 99, -1, false, BufferSize / 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			w := NewWriter(f)
			t.Logf("direct I/O: %v", w.Direct())
			if tc.noStart && w.direct {
				if err := w.buffered(); err != nil {
					t.Fatal(err)
				}
			}
			want := data[:tc.size]
			done := 0
			for done < len(want) {
				n := min(len(want)-done, 1+rng.IntN(300_000))
				if tc.offAt >= 0 && done <= tc.offAt && done+n > tc.offAt && w.direct {
					w.write(w.n &^ (Align - 1)) // as a refused write would leave it
					if err := w.buffered(); err != nil {
						t.Fatal(err)
					}
				}
				if tc.flushAt >= 0 && done <= tc.flushAt && done+n > tc.flushAt {
					if err := w.Flush(); err != nil {
						t.Fatal(err)
					}
				}
				if m, err := w.Write(want[done : done+n]); err != nil || m != n {
					t.Fatalf("Write: %d, %v", m, err)
				}
				done += n
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("file holds %d bytes, not the %d written", len(got), len(want))
			}
		})
	}
}

func TestAlignedBuffer(t *testing.T) {
	for i := 0; i < 10; i++ {
		b := alignedBuffer(8192)
		if len(b) != 8192 || cap(b) != 8192 {
			t.Fatalf("len %d cap %d", len(b), cap(b))
		}
		if p := addr(b); p%Align != 0 {
			t.Fatalf("address %#x not aligned", p)
		}
	}
}
