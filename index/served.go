package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// servedPrefix begins the name of a served marker: S1RESOLVE-SERVED.<pid>-<n>
// in the store directory, one per server reading the store (n tells apart
// the servers of one process). It holds who serves (pid and address), and
// its server holds an exclusive flock on it for as long as it serves: a
// marker whose lock can be taken is stale (its server was killed) and
// means nothing.
const servedPrefix = "S1RESOLVE-SERVED."

var servedSeq atomic.Uint64

// MarkServed marks the store in dir as read by a server described by who
// ("pid 4242, https://10.0.0.1:8443"), until release is called. Stale
// markers of killed servers are removed on the way. `run --db` on a store
// with a live marker refuses before any work (ServedBy).
func MarkServed(dir, who string) (release func(), err error) {
	removeStaleMarkers(dir)
	name := filepath.Join(dir, fmt.Sprintf("%s%d-%d", servedPrefix, os.Getpid(), servedSeq.Add(1)))
	for range 3 {
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
		if err != nil {
			return nil, fmt.Errorf("marking store %s as served: %w", dir, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			return nil, fmt.Errorf("marking store %s as served: %s is locked: %w", dir, name, err)
		}
		// Another server cleaning stale markers may have removed the file
		// between its creation and the lock: then the lock is on nothing
		// anyone can see, and the marker is made again.
		held, err1 := f.Stat()
		named, err2 := os.Stat(name)
		if err1 != nil || err2 != nil || !os.SameFile(held, named) {
			f.Close()
			continue
		}
		if _, err := f.WriteString(who + "\n"); err != nil {
			f.Close()
			os.Remove(name)
			return nil, fmt.Errorf("marking store %s as served: %w", dir, err)
		}
		f.Sync()
		syncDir(dir)
		var once atomic.Bool
		return func() {
			if once.Swap(true) {
				return
			}
			// The store may have been renamed since (a new store renamed into
			// its place, then SIGHUP): remove the marker where it is now.
			if now, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", f.Fd())); err == nil && !strings.HasSuffix(now, " (deleted)") {
				os.Remove(now)
			} else {
				os.Remove(name)
			}
			f.Close() // closing the file drops the lock
		}, nil
	}
	return nil, fmt.Errorf("marking store %s as served: %s keeps disappearing", dir, name)
}

// ServedBy reports whether a live server reads the store in dir, and who
// (what it wrote in its marker; several servers are joined by "; ").
// Markers left by killed servers do not count.
func ServedBy(dir string) (who string, served bool) {
	var whos []string
	for _, m := range markers(dir) {
		if w, live := probeMarker(m); live {
			whos = append(whos, w)
		}
	}
	return strings.Join(whos, "; "), len(whos) > 0
}

// markers returns the paths of the served markers in dir.
func markers(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if isServedMarker(e.Name()) && !e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// isServedMarker reports whether name is a served marker's:
// servedPrefix, a pid, '-' and a number.
func isServedMarker(name string) bool {
	rest, ok := strings.CutPrefix(name, servedPrefix)
	if !ok {
		return false
	}
	pid, n, ok := strings.Cut(rest, "-")
	_, err1 := strconv.ParseUint(pid, 10, 32)
	_, err2 := strconv.ParseUint(n, 10, 64)
	return ok && err1 == nil && err2 == nil
}

// probeMarker reads a marker and tells whether its lock is held: a lock
// taken here means its server is gone.
func probeMarker(path string) (who string, live bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return "", false
	}
	if !errors.Is(err, syscall.EWOULDBLOCK) {
		return "", false
	}
	b := make([]byte, 512)
	n, _ := f.ReadAt(b, 0)
	who = strings.TrimSpace(string(b[:n]))
	if who == "" {
		who = "a server (" + filepath.Base(path) + ")"
	}
	return who, true
}

// removeStaleMarkers removes the markers of dir whose servers are gone.
func removeStaleMarkers(dir string) {
	for _, m := range markers(dir) {
		f, err := os.Open(m)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.Remove(m)
		}
		f.Close()
	}
}
