package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkAgainstReference builds s1resolve (./cmd/s1resolve) and the
// single-threaded yardstick (./bench/reference), then runs them as
// processes on the same files, in turns: the reference, `s1resolve run`,
// `s1resolve run --db`, all with default flags. Each iteration reports
// the two ratios to the reference's wall time of that same iteration (so
// that a machine drifting during the benchmark moves both sides), each
// program's seconds and its peak RSS in MiB. With GZIP=1 in the
// environment, `run` also reads the files gzipped: "gzip/plain" is that
// time over the plain run's.
//
//	S1_BENCH_INSTALLATIONS=5000000 go test ./bench -run XXX -bench AgainstReference -benchtime 3x -timeout 60m
func BenchmarkAgainstReference(b *testing.B) {
	dir := b.TempDir()
	s1, ref := filepath.Join(dir, "s1resolve"), filepath.Join(dir, "reference")
	for bin, pkg := range map[string]string{s1: "../cmd/s1resolve", ref: "./reference"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			b.Skipf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	for _, n := range sizes() {
		b.Run(fmt.Sprintf("installations=%d", n), func(b *testing.B) {
			st := population(b, n)
			var gz []string
			if os.Getenv("GZIP") == "1" {
				gz = gzipped(b, st.Files)
			}
			b.SetBytes(st.Bytes)
			var sums [5]float64 // reference, run, run --db, the two ratios
			var peaks [3]int64
			var gzRatio float64
			for b.Loop() {
				out := b.TempDir()
				runs := [][]string{
					append([]string{ref, "--out", filepath.Join(out, "ref.csv")}, st.Files...),
					append([]string{s1, "run", "--quiet", "--out", filepath.Join(out, "d.csv"), "--rejects", filepath.Join(out, "r.csv")}, st.Files...),
					append([]string{s1, "run", "--quiet", "--db", filepath.Join(out, "db"), "--out", filepath.Join(out, "d2.csv"), "--rejects", filepath.Join(out, "r2.csv")}, st.Files...),
				}
				var secs [3]float64
				for i, args := range runs {
					var peak int64
					secs[i], peak = timeProcess(b, args)
					peaks[i] = max(peaks[i], peak)
					sums[i] += secs[i]
				}
				sums[3] += secs[1] / secs[0]
				sums[4] += secs[2] / secs[0]
				if gz != nil {
					s, _ := timeProcess(b, append([]string{s1, "run", "--quiet", "--out", filepath.Join(out, "d3.csv"), "--rejects", filepath.Join(out, "r3.csv")}, gz...))
					gzRatio += s / secs[1]
				}
			}
			k := float64(b.N)
			b.ReportMetric(sums[0]/k, "ref-s")
			b.ReportMetric(sums[1]/k, "run-s")
			b.ReportMetric(sums[2]/k, "db-s")
			b.ReportMetric(sums[3]/k, "run/ref")
			b.ReportMetric(sums[4]/k, "db/ref")
			b.ReportMetric(float64(peaks[0])/1024, "ref-MiB")
			b.ReportMetric(float64(peaks[1])/1024, "run-MiB")
			b.ReportMetric(float64(peaks[2])/1024, "db-MiB")
			if gz != nil {
				b.ReportMetric(gzRatio/k, "gzip/plain")
			}
		})
	}
}

// timeProcess runs args and returns its wall seconds and peak RSS in KiB.
func timeProcess(b *testing.B, args []string) (float64, int64) {
	b.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("%s: %v", args[0], err)
	}
	secs := time.Since(start).Seconds()
	var peak int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		peak = ru.Maxrss
	}
	return secs, peak
}
