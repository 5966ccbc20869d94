package index

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestDirectWriter: whatever the sizes written, and whether direct I/O
// stays on, is refused half-way or is not available, the file holds the
// bytes written, in order.
func TestDirectWriter(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	data := make([]byte, 3*directBuffer+12345)
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	for _, tc := range []struct {
		name    string
		size    int
		offAt   int // turn direct I/O off after this many bytes; -1 never
		noStart bool
	}{
		{"empty", 0, -1, false},
		{"under a block", 100, -1, false},
		{"blocks and a tail", 3*directBuffer + 12345, -1, false},
		{"whole buffers", 2 * directBuffer, -1, false},
		{"off half-way", 3*directBuffer + 12345, directBuffer + 777, false},
		{"never direct", directBuffer + 5, -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			w, err := createDirect(path)
			if err != nil {
				t.Fatal(err)
			}
			if tc.noStart && w.direct {
				if err := w.buffered(); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("direct I/O: %v", w.direct)
			want := data[:tc.size]
			for rest := want; len(rest) > 0; {
				n := min(len(rest), 1+rng.IntN(300_000))
				if tc.offAt >= 0 && len(want)-len(rest) <= tc.offAt && len(want)-len(rest)+n > tc.offAt && w.direct {
					w.flush(w.n &^ (directAlign - 1)) // as a refused write would leave it
					if err := w.buffered(); err != nil {
						t.Fatal(err)
					}
				}
				if m, err := w.Write(rest[:n]); err != nil || m != n {
					t.Fatalf("Write: %d, %v", m, err)
				}
				rest = rest[n:]
			}
			if err := w.Close(); err != nil {
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
		if p := addr(b); p%directAlign != 0 {
			t.Fatalf("address %#x not aligned", p)
		}
	}
}
