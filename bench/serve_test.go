package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/pipeline"
	"github.com/s1resolve/s1resolve/serve"
	"github.com/s1resolve/s1resolve/value"
)

// BenchmarkServeLoad is the load test of `s1resolve serve`: 64 clients ask
// /api/explain for random keys (names, MPANs, MPRNs) of a stored
// population on 127.0.0.1 for a fixed time, each waiting for its answer
// before the next question. It reports the throughput, the p50 and p99
// latency of /api/explain, the errors, and the live heap at the start and
// the end of the load (flat means no growth with the requests). It runs
// once whatever b.N.
//
// By default 20,000 installations for 5 s (S1_SERVE_CLIENTS sets another
// number of clients); the figures of
// docs/PERFORMANCE.md are of 1M for 30 s:
//
//	S1_SERVE_INSTALLATIONS=1000000 S1_SERVE_SECONDS=30 go test ./bench -run XXX -bench ServeLoad -benchtime 1x -timeout 60m
func BenchmarkServeLoad(b *testing.B) {
	n := envInt("S1_SERVE_INSTALLATIONS", 20_000)
	secs := envInt("S1_SERVE_SECONDS", 5)
	clients := envInt("S1_SERVE_CLIENTS", 64)
	b.Run(fmt.Sprintf("installations=%d/clients=%d/seconds=%d", n, clients, secs), func(b *testing.B) {
		st := population(b, n)
		dir := b.TempDir()
		cfg := pipeline.Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, Smets2: st.Smets2,
			DB: filepath.Join(dir, "db"), Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv")}
		if _, err := pipeline.Run(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
		var keys []string
		f, err := os.Open(cfg.Out)
		if err != nil {
			b.Fatal(err)
		}
		err = output.ReadDecisions(context.Background(), f, cfg.Out, func(_ int, r *output.Row) error {
			keys = append(keys, r.SMSO+"/"+r.InstallationID)
			for _, k := range []value.Key{r.MPAN, r.MPRN} {
				if k != 0 {
					keys = append(keys, k.String())
				}
			}
			return nil
		})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		defer debug.SetGCPercent(debug.SetGCPercent(serve.GCPercent)) // as the command runs it
		s, err := serve.New(serve.Config{DB: cfg.DB, Log: io.Discard})
		if err != nil {
			b.Fatal(err)
		}
		hs := httptest.NewServer(s.Handler())
		defer func() {
			hs.Close()
			s.Close()
		}()
		tr := &http.Transport{MaxIdleConnsPerHost: clients}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

		heap := func() uint64 {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			return m.HeapAlloc
		}
		heapBefore := heap()
		var (
			mu        sync.Mutex
			latencies []time.Duration
			errs      int
			peakHeap  uint64
		)
		deadline := time.Now().Add(time.Duration(secs) * time.Second)
		stopSampling := make(chan struct{})
		var sampled sync.WaitGroup
		sampled.Go(func() { // the heap in use while the load runs
			t := time.NewTicker(500 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stopSampling:
					return
				case <-t.C:
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					mu.Lock()
					peakHeap = max(peakHeap, m.HeapInuse)
					mu.Unlock()
				}
			}
		})
		b.ResetTimer()
		start := time.Now()
		var wg sync.WaitGroup
		for c := range clients {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(c), 1))
				var mine []time.Duration
				bad := 0
				for i := 0; i < 10_000_000 && time.Now().Before(deadline); i++ {
					k := keys[rng.IntN(len(keys))]
					t0 := time.Now()
					resp, err := client.Get(hs.URL + "/api/explain?key=" + url.QueryEscape(k))
					if err == nil {
						_, err = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							err = fmt.Errorf("%s: %d", k, resp.StatusCode)
						}
					}
					mine = append(mine, time.Since(t0))
					if err != nil {
						bad++
					}
				}
				mu.Lock()
				latencies = append(latencies, mine...)
				errs += bad
				mu.Unlock()
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		b.StopTimer()
		close(stopSampling)
		sampled.Wait()
		heapAfter := heap()
		slices.Sort(latencies)
		q := func(p float64) float64 {
			return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
		}
		b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
		b.ReportMetric(q(0.50), "p50-ms")
		b.ReportMetric(q(0.99), "p99-ms")
		b.ReportMetric(float64(errs), "errors")
		b.ReportMetric(float64(heapBefore)/(1<<20), "heap-before-MiB")
		b.ReportMetric(float64(heapAfter)/(1<<20), "heap-after-MiB")
		b.ReportMetric(float64(peakHeap)/(1<<20), "heap-peak-MiB")
		if errs > 0 {
			b.Errorf("%d of %d requests failed", errs, len(latencies))
		}
	})
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
