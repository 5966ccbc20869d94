package paths

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// A folder a command writes whole carries a marker naming its kind, so
// that a folder is replaced only by the command that wrote it: a folder of
// someone's own files whose names happen to be those the command writes
// (a folder of real SMSO files given to gen --out, a folder of decisions
// given to whatif --out) is refused.
const (
	// MarkerFile is the marker of a folder written whole: it holds the
	// folder's kind ("report", "diff", ...).
	MarkerFile = "S1RESOLVE-FOLDER"
	// StoreMarker is the marker of a store (package index writes it).
	StoreMarker = "S1RESOLVE-STORE"
)

// WriteMarker writes the marker of kind into dir, a folder being written.
func WriteMarker(dir, kind string) error {
	return os.WriteFile(filepath.Join(dir, MarkerFile), []byte(kind+"\n"), 0o600)
}

// markerOf returns the kind the marker of dir names, "" when it has none.
func markerOf(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, MarkerFile))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// checkMarker refuses an existing, non-empty folder that does not bear
// the marker of kind.
func checkMarker(l, dir, kind, what string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &Error{l, err.Error()}
	}
	if len(entries) == 0 {
		return nil
	}
	switch got := markerOf(dir); {
	case got == kind:
		return nil
	case got != "":
		return &Error{l, fmt.Sprintf("is not %s: it is the folder of s1resolve %s; give a new or empty folder; nothing in it was touched", what, got)}
	}
	if _, err := os.Lstat(filepath.Join(dir, MarkerFile)); err == nil {
		return &Error{l, fmt.Sprintf("is not %s: its %s marker is empty or unreadable (the folder is damaged, or was not written by s1resolve); give a new or empty folder; nothing in it was touched",
			what, MarkerFile)}
	}
	return &Error{l, fmt.Sprintf("is not %s: it holds %s and no %s marker, so s1resolve did not write it; give a new or empty folder; nothing in it was touched",
		what, entries[0].Name(), MarkerFile)}
}

// writtenWhole returns the folder holding path (or path itself) that a
// command writes whole (a store or a marked folder), and what it is; ""
// when there is none. Files placed in such a folder would be lost, or
// would make it refused, the next time its command replaces it.
func writtenWhole(path string) (dir, what string) {
	for d := filepath.Dir(path); ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, StoreMarker)); err == nil {
			return d, "an s1resolve store"
		}
		if kind := markerOf(d); kind != "" {
			return d, "the folder of s1resolve " + kind
		}
		if next := filepath.Dir(d); next == d {
			return "", ""
		}
	}
}
