package bench

import (
	stdgzip "compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/pipeline"
)

// gzipped writes (once per process) gzipped copies of the population's
// installation files beside them and returns their names.
func gzipped(b *testing.B, files []string) []string {
	b.Helper()
	var out []string
	for _, f := range files {
		gz := f + ".gz"
		out = append(out, gz)
		if _, err := os.Stat(gz); err == nil {
			continue
		}
		in, err := os.Open(f)
		if err != nil {
			b.Fatal(err)
		}
		w, err := os.Create(gz)
		if err != nil {
			b.Fatal(err)
		}
		z := gzip.NewWriter(w)
		if _, err := io.Copy(z, in); err != nil {
			b.Fatal(err)
		}
		z.Close()
		w.Close()
		in.Close()
	}
	return out
}

// BenchmarkGunzip decompresses the population's files gzipped, one after
// another on one core, with the standard library and with
// klauspost/compress (which ingest uses): MB/s of the uncompressed text.
func BenchmarkGunzip(b *testing.B) {
	for _, n := range sizes() {
		st := population(b, n)
		files := gzipped(b, st.Files)
		for _, d := range []struct {
			name string
			open func(io.Reader) (io.Reader, error)
		}{
			{"compress-gzip", func(r io.Reader) (io.Reader, error) { return stdgzip.NewReader(r) }},
			{"klauspost", func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
		} {
			b.Run(fmt.Sprintf("installations=%d/%s", n, d.name), func(b *testing.B) {
				b.SetBytes(st.Bytes)
				for b.Loop() {
					for _, f := range files {
						in, err := os.Open(f)
						if err != nil {
							b.Fatal(err)
						}
						z, err := d.open(in)
						if err != nil {
							b.Fatal(err)
						}
						if _, err := io.Copy(io.Discard, z); err != nil {
							b.Fatal(err)
						}
						in.Close()
					}
				}
			})
		}
	}
}

// BenchmarkEndToEndGzip runs the whole job without a store on the
// population's files plain and gzipped, one after the other: the ratio of
// the two is what reading gzipped input costs.
func BenchmarkEndToEndGzip(b *testing.B) {
	for _, n := range sizes() {
		st := population(b, n)
		gz := gzipped(b, st.Files)
		for _, c := range []struct {
			name  string
			files []string
		}{{"plain", st.Files}, {"gzip", gz}} {
			b.Run(fmt.Sprintf("installations=%d/%s", n, c.name), func(b *testing.B) {
				dir := b.TempDir()
				b.SetBytes(st.Bytes)
				for b.Loop() {
					cfg := pipeline.Config{Inputs: c.files, Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv"), Format: output.CSV}
					if _, err := pipeline.Run(context.Background(), cfg); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
