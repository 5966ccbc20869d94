package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/pipeline"
)

// inputSize returns the bytes of the installation files, or 0 when one is
// compressed or standard input (the share read cannot then be known).
func inputSize(files []string) int64 {
	var n int64
	for _, f := range files {
		st, err := os.Stat(f)
		if f == "-" || err != nil || !st.Mode().IsRegular() || strings.HasSuffix(strings.ToLower(f), ".gz") {
			return 0
		}
		n += st.Size()
	}
	return n
}

// startProgress shows, on a terminal, a bar per phase: while loading, the
// share of the input read and the time left; then the phase and its time.
// Nothing is printed when stderr is not a terminal. It returns the
// function that stops it and clears the line.
func startProgress(p *pipeline.Progress, total int64, stderr io.Writer) func() {
	f, ok := stderr.(*os.File)
	if !ok {
		return func() {}
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		start := time.Now()
		phase, phaseStart := "", start
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		printed := false
		for {
			select {
			case <-done:
				if printed {
					fmt.Fprint(stderr, "\r\033[K")
				}
				return
			case <-tick.C:
				if ph := p.Phase(); ph != phase {
					phase, phaseStart = ph, time.Now()
				}
				if time.Since(start) < time.Second {
					continue
				}
				fmt.Fprint(stderr, "\r\033[K"+progressLine(phase, time.Since(phaseStart), p.Load.Bytes.Load(), total))
				printed = true
			}
		}
	}()
	return func() { close(done); <-finished }
}

// progressLine is one line of progress: the phase, a bar of the input read
// while loading (when its size is known), and the time.
func progressLine(phase string, el time.Duration, read, total int64) string {
	if phase != "load" || total <= 0 {
		return fmt.Sprintf("%-8s %.0f MB read  %s", phase, float64(read)/1e6, el.Round(time.Second))
	}
	share := min(float64(read)/float64(total), 1)
	const width = 30
	bar := strings.Repeat("=", int(share*width)) + strings.Repeat(" ", width-int(share*width))
	left := "?"
	if share > 0.01 {
		left = time.Duration(float64(el) * (1 - share) / share).Round(time.Second).String()
	}
	return fmt.Sprintf("%-8s [%s] %3.0f%%  %.0f/%.0f MB  %s, %s left", phase, bar, share*100, float64(read)/1e6,
		float64(total)/1e6, el.Round(time.Second), left)
}

// printSummary prints what the run read and decided, each phase's time and
// throughput, and where the outputs are.
func printSummary(w io.Writer, s *output.Summary, cfg pipeline.Config) {
	load := s.PhaseSeconds["load"]
	fmt.Fprintf(w, "read %d rows (%d files, %.1f MB) in %.2fs: %.0f rows/s, %.0f MB/s; the whole run took %.2fs\n",
		s.Rows, len(s.Files), float64(s.Bytes)/1e6, load, perSecond(float64(s.Rows), load), perSecond(float64(s.Bytes)/1e6, load), s.Seconds)
	fmt.Fprintf(w, "installations: %d decided, %d rejected (%d rejected rows); %d duplicate MPxN groups\n",
		s.Installations, s.RejectedInstallations, s.RejectedRows, s.DuplicateGroups)
	if s.RegisteredMPxNs > 0 || s.RejectedReferenceRows > 0 {
		fmt.Fprintf(w, "registration: %d MPxNs registered; %d rejected rows in the registration, supplier and inventory files\n",
			s.RegisteredMPxNs, s.RejectedReferenceRows)
	}
	if cfg.Smets2 != "" {
		fmt.Fprintf(w, "SMETS2+ inventory: %d installations read, %d in a group with a SMETS1 installation, %d rows rejected\n",
			s.Smets2Read, s.Smets2Linked, s.Smets2Rejected)
	}
	for _, k := range slices.Sorted(maps.Keys(s.Reasons)) {
		fmt.Fprintf(w, "  %-40s %10d\n", strings.Replace(k, "/", "  ", 1), s.Reasons[k])
	}
	var parts []string
	for _, p := range []struct {
		name string
		per  float64 // what the phase's throughput counts
		unit string
	}{{"load", float64(s.Bytes) / 1e6, "MB/s"}, {"resolve", float64(s.Installations), "installations/s"},
		{"store", float64(s.Installations), "installations/s"}, {"outputs", float64(s.Installations), "rows/s"}, {"report", 0, ""}} {
		if v, ok := s.PhaseSeconds[p.name]; ok {
			part := fmt.Sprintf("%s %.2fs", p.name, v)
			if p.per > 0 && v > 0 {
				part += fmt.Sprintf(" (%.0f %s)", p.per/v, p.unit)
			}
			parts = append(parts, part)
		}
	}
	fmt.Fprintf(w, "phases: %s\n", strings.Join(parts, ", "))
	if cfg.Out != "-" {
		fmt.Fprintf(w, "decisions: %s\n", cfg.Out)
	}
	if cfg.Rejects != "-" {
		fmt.Fprintf(w, "rejects:   %s\n", cfg.Rejects)
	}
	if cfg.DB != "" {
		fmt.Fprintf(w, "store:     %s (s1resolve explain --db %s KEY)\n", cfg.DB, cfg.DB)
	}
}

func perSecond(n, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return n / seconds
}
