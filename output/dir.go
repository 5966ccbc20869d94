package output

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/s1resolve/s1resolve/paths"
)

// Dir is a folder written whole: its content is written into a new folder
// beside it (Path), which Commit swaps in, so that nothing of an earlier
// content survives and nothing appears under the final name half-written.
type Dir struct {
	f    paths.Folder
	tmp  string   // "" once placed or discarded
	lock *os.File // held on the partial until it is placed or discarded
}

// CreateDir starts the folder f (from paths.Plan.Folder): a new folder
// beside it named for this process (paths.Writer), after removing the
// leftovers of a killed command that wrote it.
func CreateDir(f paths.Folder) (*Dir, error) {
	paths.RemoveLeftovers(f.Path)
	tmp, err := os.MkdirTemp(filepath.Dir(f.Path), paths.PartialPattern(f.Path))
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", f.Arg, err)
	}
	d := &Dir{f: f, tmp: tmp}
	// Locked (paths.Hold), then checked: of two commands started at once
	// on one folder, at most one goes on.
	if d.lock, err = paths.Hold(tmp); err != nil {
		d.discard()
		return nil, fmt.Errorf("creating %s: %w", f.Arg, err)
	}
	if pid := paths.OtherWriter(f.Path, tmp); pid != 0 {
		d.discard()
		return nil, paths.ErrBeingWritten(f.Arg, pid)
	}
	return d, nil
}

// WriteDir writes the folder f whole: write fills a new folder beside it,
// which then replaces f; on any error f stays as it was.
func WriteDir(f paths.Folder, write func(dir string) error) error {
	d, err := CreateDir(f)
	if err != nil {
		return err
	}
	defer d.Abort()
	if err := write(d.Path()); err != nil {
		return err
	}
	return d.Commit()
}

// Path is where to write the folder's content until it is committed.
func (d *Dir) Path() string { return d.tmp }

// Final is where the folder is once committed.
func (d *Dir) Final() string { return d.f.Path }

// Commit swaps the folder into place.
func (d *Dir) Commit() error { return Commit(d) }

// Abort removes what was written; it is safe after Commit.
func (d *Dir) Abort() { d.discard() }

// finish makes the folder's content durable before the commit journal
// names it: every file and folder in it synced, so that a power cut after
// the journal never leaves a placed folder of empty files.
func (d *Dir) finish() error {
	if d.tmp == "" {
		return nil
	}
	err := filepath.WalkDir(d.tmp, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !e.Type().IsRegular() && !e.IsDir() {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return f.Sync()
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", d.f.Arg, err)
	}
	return nil
}

func (d *Dir) move() (paths.Move, bool) {
	if d.tmp == "" {
		return paths.Move{}, false
	}
	return paths.Move{From: d.tmp, To: d.f.Path, Folder: true}, true
}

func (d *Dir) placed() {
	d.tmp = ""
	d.release()
	os.Remove(filepath.Join(d.f.Path, paths.WritingLock))
}

func (d *Dir) release() {
	if d.lock != nil {
		d.lock.Close()
		d.lock = nil
	}
}

func (d *Dir) discard() {
	if d.tmp != "" {
		os.RemoveAll(d.tmp)
		d.tmp = ""
	}
	d.release()
}
