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
	"github.com/s1resolve/s1resolve/value"
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
		return fmt.Sprintf("%-8s %s MB read  %s", phase, value.ThousandsFloat(float64(read)/1e6, 0), el.Round(time.Second))
	}
	share := min(float64(read)/float64(total), 1)
	const width = 30
	bar := strings.Repeat("=", int(share*width)) + strings.Repeat(" ", width-int(share*width))
	left := "?"
	if share > 0.01 {
		left = time.Duration(float64(el) * (1 - share) / share).Round(time.Second).String()
	}
	return fmt.Sprintf("%-8s [%s] %3.0f%%  %s/%s MB  %s, %s left", phase, bar, share*100, value.ThousandsFloat(float64(read)/1e6, 0),
		value.ThousandsFloat(float64(total)/1e6, 0), el.Round(time.Second), left)
}

// printSummary prints what the run read and decided, each phase's time and
// throughput, and where the outputs are; numbers grouped in thousands
// (value.Thousands), for people.
func printSummary(w io.Writer, s *output.Summary, cfg pipeline.Config) {
	n := value.Thousands[int]
	mb := func(bytes float64) string { return value.ThousandsFloat(bytes/1e6, 1) }
	load := s.PhaseSeconds["load"]
	fmt.Fprintf(w, "read %s rows (%s files, %s MB) in %.2fs: %s rows/s, %s MB/s; the whole run took %.2fs\n",
		value.Thousands(s.Rows), n(len(s.Files)), mb(float64(s.Bytes)), load, value.ThousandsFloat(perSecond(float64(s.Rows), load), 0),
		value.ThousandsFloat(perSecond(float64(s.Bytes)/1e6, load), 0), s.Seconds)
	fmt.Fprintf(w, "installations: %s decided, %s rejected (%s rejected rows); %s duplicate MPxN groups",
		n(s.Installations), n(s.RejectedInstallations), n(s.RejectedRows), n(s.DuplicateGroups))
	if len(s.LargestDuplicateGroups) > 0 {
		g := s.LargestDuplicateGroups[0]
		fmt.Fprintf(w, ", the largest %s of %s installations", g.Key, n(g.Installations))
	}
	fmt.Fprintln(w)
	if s.RegisteredMPxNs > 0 || s.RejectedReferenceRows > 0 {
		fmt.Fprintf(w, "registration: %s MPxNs registered; %s rejected rows in the registration, supplier and inventory files\n",
			n(s.RegisteredMPxNs), n(s.RejectedReferenceRows))
	}
	if cfg.Smets2 != "" {
		fmt.Fprintf(w, "SMETS2+ inventory: %s installations read, %s in a group with a SMETS1 installation, %s rows rejected\n",
			n(s.Smets2Read), n(s.Smets2Linked), n(s.Smets2Rejected))
	}
	for _, k := range slices.Sorted(maps.Keys(s.Reasons)) {
		fmt.Fprintf(w, "  %-40s %10s\n", strings.Replace(k, "/", "  ", 1), n(s.Reasons[k]))
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
				part += fmt.Sprintf(" (%s %s)", value.ThousandsFloat(p.per/v, 0), p.unit)
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
	if cfg.Report != "" {
		fmt.Fprintf(w, "reports:   %s (report.html, summary.md, suppliers/)\n", cfg.Report)
	}
	if cfg.Summary != "" && cfg.Summary != "-" {
		fmt.Fprintf(w, "summary:   %s\n", cfg.Summary)
	}
}

func perSecond(n, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return n / seconds
}
