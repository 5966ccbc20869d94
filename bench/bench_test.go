// Package bench holds the large-scale benchmarks: ingest, resolve and the
// whole run on generated populations. The population size is 100k and 1M
// installations by default (100k alone for BenchmarkImpact);
// S1_BENCH_INSTALLATIONS=5000000 sets another.
//
//	go test ./bench -run XXX -bench . -benchtime 1x -timeout 60m
package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/ingest"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/pipeline"
	"github.com/s1resolve/s1resolve/synth"
)

func sizes() []int {
	if v := os.Getenv("S1_BENCH_INSTALLATIONS"); v != "" {
		n, err := strconv.Atoi(v)
		if err == nil && n > 0 {
			return []int{n}
		}
	}
	return []int{100_000, 1_000_000}
}

var (
	popMu sync.Mutex
	pops  = map[int]*synth.Stats{}
	root  string
)

// population generates (once per process) a population of n installations.
func population(b *testing.B, n int) *synth.Stats {
	b.Helper()
	popMu.Lock()
	defer popMu.Unlock()
	if st, ok := pops[n]; ok {
		return st
	}
	if root == "" {
		var err error
		if root, err = os.MkdirTemp("", "s1resolve-bench-*"); err != nil {
			b.Fatal(err)
		}
	}
	st, err := synth.Generate(context.Background(), synth.Config{Dir: filepath.Join(root, strconv.Itoa(n)),
		Installations: n, Seed: 1, SMSOs: 3, Bad: 0.001, Smets2Rate: 0.1}) // an inventory of about 10%: the installation files do not depend on it
	if err != nil {
		b.Fatal(err)
	}
	pops[n] = st
	return st
}

func TestMain(m *testing.M) {
	code := m.Run()
	if root != "" {
		os.RemoveAll(root)
	}
	os.Exit(code)
}

// loadPopulation loads a generated population, outside the timed part.
func loadPopulation(b *testing.B, st *synth.Stats) *engine.Population {
	b.Helper()
	loaded, err := ingest.Load(context.Background(), st.Files, ingest.Options{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return loaded.Population
}

func report(b *testing.B, st *synth.Stats, start func() float64) {
	secs := start()
	b.ReportMetric(float64(st.Rows)*float64(b.N)/secs, "rows/s")
	b.ReportMetric(float64(st.Bytes)*float64(b.N)/secs/1e6, "MB/s")
}

// BenchmarkRead reads the population's files and does nothing else: the
// physical floor every phase is compared with (MB/s of the same bytes).
func BenchmarkRead(b *testing.B) {
	for _, n := range sizes() {
		b.Run(fmt.Sprintf("installations=%d", n), func(b *testing.B) {
			st := population(b, n)
			b.SetBytes(st.Bytes)
			buf := make([]byte, 8<<20)
			b.ResetTimer()
			for b.Loop() {
				for _, p := range st.Files {
					f, err := os.Open(p)
					if err != nil {
						b.Fatal(err)
					}
					for {
						if _, err := f.Read(buf); err != nil {
							break
						}
					}
					f.Close()
				}
			}
		})
	}
}

func BenchmarkIngest(b *testing.B) {
	for _, n := range sizes() {
		b.Run(fmt.Sprintf("installations=%d", n), func(b *testing.B) {
			st := population(b, n)
			b.SetBytes(st.Bytes)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := ingest.Load(context.Background(), st.Files, ingest.Options{}, nil); err != nil {
					b.Fatal(err)
				}
			}
			report(b, st, func() float64 { return b.Elapsed().Seconds() })
		})
	}
}

func BenchmarkResolve(b *testing.B) {
	for _, n := range sizes() {
		b.Run(fmt.Sprintf("installations=%d", n), func(b *testing.B) {
			st := population(b, n)
			pop := loadPopulation(b, st)
			b.SetBytes(st.Bytes) // MB/s of the input, to set beside BenchmarkRead
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := (&engine.Resolver{GUIDPostings: true}).Resolve(context.Background(), pop); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(pop.Installations))*float64(b.N)/b.Elapsed().Seconds(), "installations/s")
		})
	}
}

func BenchmarkStore(b *testing.B) {
	for _, n := range sizes() {
		b.Run(fmt.Sprintf("installations=%d", n), func(b *testing.B) {
			st := population(b, n)
			pop := loadPopulation(b, st)
			res, err := (&engine.Resolver{GUIDPostings: true}).Resolve(context.Background(), pop)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(st.Bytes) // MB/s of the input, to set beside BenchmarkRead
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := index.Write(context.Background(), b.TempDir(), pop, res, index.Extras{Rules: engine.DefaultRules()}, 2); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEndToEnd runs the whole job, as `s1resolve run` does:
// "no-db" without a store (the default), "db" keeping one; "duplicates"
// applies steps 1, 2 and 6 only, "all-rules" every step with the
// registration and supplier files, "+smets2" adds the SMETS2+ inventory. MB/s is of the input, to set beside
// BenchmarkRead.
func BenchmarkEndToEnd(b *testing.B) {
	for _, n := range sizes() {
		for _, mode := range []string{"no-db/all-rules", "no-db/all-rules+smets2", "db/all-rules", "db/duplicates"} {
			b.Run(fmt.Sprintf("installations=%d/%s", n, mode), func(b *testing.B) {
				st := population(b, n)
				b.SetBytes(st.Bytes)
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					dir := b.TempDir()
					cfg := pipeline.Config{Inputs: st.Files, Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv"), Format: output.CSV}
					if strings.HasPrefix(mode, "db/") {
						cfg.DB = filepath.Join(dir, "db")
					}
					if strings.HasSuffix(mode, "+smets2") {
						cfg.Smets2 = st.Smets2
					}
					if strings.HasSuffix(mode, "duplicates") {
						cfg.DuplicatesOnly = true
					} else {
						cfg.Registration, cfg.Suppliers = st.Registration, st.Suppliers
					}
					if _, err := pipeline.Run(context.Background(), cfg); err != nil {
						b.Fatal(err)
					}
				}
				report(b, st, func() float64 { return b.Elapsed().Seconds() })
			})
		}
	}
}

// BenchmarkWhatIf re-decides a stored population under other thresholds;
// "run" is the run --db that made the store, timed the same way, for the
// ratio the issue asks for (at most a third).
func BenchmarkWhatIf(b *testing.B) {
	rules, err := engine.ParseRules(strings.NewReader("IOC firmware=50 configuration=10 groups=AA,BA,CA,DA\nMOC_MDS firmware=5 configuration=5 groups=CB,CC\n"), "bench")
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range sizes() {
		st := population(b, n)
		dir := b.TempDir()
		db := filepath.Join(dir, "db")
		cfg := pipeline.Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, DB: db,
			Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv")}
		b.Run(fmt.Sprintf("installations=%d/run", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := pipeline.Run(context.Background(), cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("installations=%d/whatif", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := pipeline.WhatIf(context.Background(), pipeline.WhatIfConfig{DB: db, Rules: rules, Out: b.TempDir()}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "installations/s")
		})
	}
}

// BenchmarkImpact decides a stored population under the nine clauses, each
// of them taken out and none (eleven decisions of every installation, ten
// of them re-decisions) and writes the impact; "run" is the run --db that
// made the store, timed the same way, for the ratio the issue asks for (at
// most one). 100k installations unless S1_BENCH_INSTALLATIONS says
// otherwise.
func BenchmarkImpact(b *testing.B) {
	ns := []int{100_000}
	if v := os.Getenv("S1_BENCH_INSTALLATIONS"); v != "" {
		ns = sizes()
	}
	for _, n := range ns {
		st := population(b, n)
		dir := b.TempDir()
		db := filepath.Join(dir, "db")
		cfg := pipeline.Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, Smets2: st.Smets2, DB: db,
			Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv")}
		b.Run(fmt.Sprintf("installations=%d/run", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := pipeline.Run(context.Background(), cfg); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("installations=%d/impact", n), func(b *testing.B) {
			if _, err := os.Stat(db); err != nil { // "run" was not asked for: make the store, untimed
				if _, err := pipeline.Run(context.Background(), cfg); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
			}
			for i := 0; i < b.N; i++ {
				if _, err := pipeline.Impact(context.Background(), pipeline.ImpactConfig{DB: db, Out: filepath.Join(b.TempDir(), "impact")}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*11*float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}

// BenchmarkLargeGroups measures what naming the largest duplicate groups
// adds to every run (output.LargeGroups over a resolved population).
func BenchmarkLargeGroups(b *testing.B) {
	for _, n := range sizes() {
		b.Run(fmt.Sprintf("installations=%d", n), func(b *testing.B) {
			st := population(b, n)
			pop := loadPopulation(b, st)
			res, err := (&engine.Resolver{GUIDPostings: true}).Resolve(context.Background(), pop)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if g := output.LargeGroups(pop, res, output.ListedGroups, output.LargeGroup); len(g) == 0 {
					b.Fatal("no duplicate group")
				}
			}
			b.ReportMetric(float64(len(pop.Installations))*float64(b.N)/b.Elapsed().Seconds(), "installations/s")
		})
	}
}

// BenchmarkReport measures s1resolve report of a run's decisions file
// (without a store): reading it, counting, and writing every report file
// with the page.
func BenchmarkReport(b *testing.B) {
	for _, n := range sizes() {
		b.Run(fmt.Sprintf("installations=%d", n), func(b *testing.B) {
			st := population(b, n)
			dir := b.TempDir()
			decisions := filepath.Join(dir, "d.csv")
			if _, err := pipeline.Run(context.Background(), pipeline.Config{Inputs: st.Files, Registration: st.Registration,
				Suppliers: st.Suppliers, Out: decisions, Rejects: filepath.Join(dir, "r.csv")}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := pipeline.Report(context.Background(), pipeline.ReportConfig{Decisions: decisions,
					Out: filepath.Join(dir, fmt.Sprintf("report%d", i))}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "installations/s")
		})
	}
}
