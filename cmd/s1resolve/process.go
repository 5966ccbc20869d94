package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/s1resolve/s1resolve/pipeline"
)

// process is what a command decides for the whole process, and passes
// down: the collector's settings during a run, the soft memory limit, a
// CPU profile. Packages below cmd never change them themselves.
type process struct{}

func processSettings() process { return process{} }

// pipeline returns the settings a run may use.
func (process) pipeline() pipeline.Process {
	return pipeline.Process{ReturnMemory: debug.FreeOSMemory, SetGCPercent: debug.SetGCPercent,
		StartCPUProfile: pprof.StartCPUProfile, StopCPUProfile: pprof.StopCPUProfile}
}

// setMemoryLimit sets the Go runtime's soft memory limit (0: none); the
// collector then works harder as the heap nears it. The heap of a run is
// almost free of pointers, so collections are cheap and the limit costs
// little time while it keeps the peak down.
func (process) setMemoryLimit(limit int64) {
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
}

// setGCPercent sets the collector's target for the rest of the process
// (debug.SetGCPercent).
func (process) setGCPercent(percent int) { debug.SetGCPercent(percent) }

// parseSize reads a byte size such as 3GiB, 2500MiB, 800MB or 1073741824;
// units B, K/KiB/KB, M/MiB/MB, G/GiB/GB, T/TiB/TB and P/PiB/PB in any case
// (3gib, 800mb), at most 1 PiB.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   float64
	}{{"PIB", 1 << 50}, {"TIB", 1 << 40}, {"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"PB", 1e15}, {"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6},
		{"KB", 1e3}, {"P", 1 << 50}, {"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	num, mult := strings.TrimSpace(s), 1.0
	upper := strings.ToUpper(num)
	for _, u := range units {
		if strings.HasSuffix(upper, u.suffix) {
			num, mult = strings.TrimSpace(num[:len(num)-len(u.suffix)]), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || !(v >= 0) || math.IsInf(v, 0) || strings.ContainsAny(num, "xXpPnN_") {
		return 0, fmt.Errorf("bad size %q: want e.g. 3GiB, 2500MiB, 800MB, 1TiB or a number of bytes (units B, K, M, G, T, P, with iB or B)", s)
	}
	if v*mult > 1<<50 {
		return 0, fmt.Errorf("size %q is more than 1 PiB", s)
	}
	return int64(v * mult), nil
}

// memoryLimit returns the soft memory limit for a run over files: the
// --max-memory value, or for "auto" 0.85 times the uncompressed input plus
// 128 MiB (a little under what the run holds at its peak without a limit:
// the collector then returns freed memory before the next phase asks for
// fresh pages, which costs less than the page faults it saves), at most
// 80% of the machine's memory. 0 means no limit.
func memoryLimit(flag string, files []string) (int64, error) {
	if !strings.EqualFold(flag, "auto") {
		return parseSize(flag)
	}
	var input int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			n := st.Size()
			if strings.HasSuffix(f, ".gz") {
				n *= 5
			}
			input += n
		}
	}
	limit := input*85/100 + 128<<20
	if total := physicalMemory(); total > 0 {
		limit = min(limit, total*8/10)
	}
	return limit, nil
}

// physicalMemory returns the machine's memory in bytes, or 0 if unknown.
func physicalMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
