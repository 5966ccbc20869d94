package index

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/s1resolve/s1resolve/paths"
)

// ErrNotStore is wrapped when a directory is not an s1resolve store: a run
// refuses to write there (it would wipe what is there) and Open refuses to
// read it.
var ErrNotStore = errors.New("not an s1resolve store")

// ownerFile marks a directory as an s1resolve store from the moment a run
// claims it, before Badger writes anything; completeFile (write.go) marks
// one written to the end.
const ownerFile = paths.StoreMarker

// IsStore reports whether dir holds an s1resolve store, complete or not.
func IsStore(dir string) bool {
	for _, name := range []string{ownerFile, completeFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// Owns returns what a store directory may hold, for paths.Plan.Folder: in
// an s1resolve store, its markers (served markers included) and Badger's files; in any other
// directory, nothing (so only an empty one is accepted).
func Owns(dir string) paths.Owns {
	if !IsStore(dir) {
		return func(string, fs.DirEntry) bool { return false }
	}
	return func(rel string, d fs.DirEntry) bool {
		if d.IsDir() {
			return false
		}
		switch rel {
		case ownerFile, completeFile, completeFile + ".tmp", pageFile, "MANIFEST", "MANIFEST-REWRITE", "KEYREGISTRY",
			"KEYREGISTRY-REWRITE", "DISCARD", "LOCK", "LOG", "VERSION":
			return true
		}
		if isServedMarker(rel) {
			return true
		}
		for _, ext := range []string{".sst", ".vlog", ".mem"} {
			if strings.HasSuffix(rel, ext) {
				return true
			}
		}
		return false
	}
}

// Claim makes dir a store directory: it creates it (its parent must exist)
// or checks that it is empty or already a store, then writes the owner
// marker. Anything else is refused and left as it is.
func Claim(dir string) error {
	switch st, err := os.Stat(dir); {
	case errors.Is(err, os.ErrNotExist):
		if err := os.Mkdir(dir, 0o700); err != nil {
			return fmt.Errorf("creating store %s: %w", dir, err)
		}
	case err != nil:
		return fmt.Errorf("store %s: %w", dir, err)
	case !st.IsDir():
		return fmt.Errorf("store %s: %w: not a directory", dir, ErrNotStore)
	}
	owns := Owns(dir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("store %s: %w", dir, err)
	}
	for _, e := range entries {
		if e.Name() == paths.WritingLock { // the lock of the folder being written
			continue
		}
		if !owns(e.Name(), e) {
			return fmt.Errorf("%s: %w (it holds %s); give a new or empty directory; nothing in it was touched", dir, ErrNotStore, e.Name())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ownerFile)); err == nil {
		return nil
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte("s1resolve store: written by `s1resolve run --db`\n"), 0o600); err != nil {
		return fmt.Errorf("claiming store %s: %w", dir, err)
	}
	syncDir(dir)
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
