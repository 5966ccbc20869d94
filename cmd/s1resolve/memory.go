package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// parseSize reads a byte size such as 3GiB, 2500MiB, 800MB or 1073741824.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("bad size %q", s)
			}
			return int64(v * float64(u.mult)), nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad size %q: want a number of bytes or e.g. 3GiB, 2500MiB", s)
	}
	return v, nil
}

// memoryLimit returns the soft memory limit for a run over files: the
// --max-memory value, or for "auto" 1.1 times the uncompressed input plus
// 128 MiB (about what the run holds at its peak, so that collections stay
// rare), at most 80% of the machine's memory. 0 means no limit.
func memoryLimit(flag string, files []string) (int64, error) {
	if flag != "auto" {
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
	limit := input*11/10 + 128<<20
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

// applyMemoryLimit sets the Go runtime's soft memory limit; the garbage
// collector then works harder as the heap nears it. The heap of a run is
// almost free of pointers, so collections are cheap and the limit costs
// little time while it keeps the peak down.
func applyMemoryLimit(limit int64) {
	if limit > 0 {
		debug.SetMemoryLimit(limit)
	}
}
