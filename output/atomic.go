// Package output writes the run's files: decisions (CSV or JSON Lines),
// rejects and the summary.
//
// How a file is written depends on what its path names (paths.Kind): a new
// path or an existing regular file is written under a temporary name beside
// it and renamed into place only when complete, so a file under its final
// name is never partial; a device, FIFO or descriptor is written in place;
// "-" is the command's standard output. A run's outputs are committed
// together (Commit), under a journal that lets the next command finish a
// commit whose process was killed midway (paths.BeginCommit, paths.Settle):
// when one cannot be placed, those already placed are put back as they were.
package output

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/s1resolve/s1resolve/directio"
	"github.com/s1resolve/s1resolve/paths"
)

// File is an output being written. For a renamed kind nothing appears
// under its final name until it is committed.
type File struct {
	t    paths.Target
	lock *os.File // held on the partial until it is placed or discarded
	tmp  *os.File // the temporary file (New, Regular); nil once placed or discarded
	out  *os.File // the file written in place (Stream)
	w    bufferedWriter
}

// bufferedWriter is a bufio.Writer, or for a temporary file a
// directio.Writer: a run's decisions are hundreds of megabytes that are
// read later, if at all, and need not pass through the page cache.
type bufferedWriter interface {
	io.Writer
	Flush() error
}

// Create starts an output at path; "-" means stdout (os.Stdout when nil).
func Create(path string, stdout io.Writer) (*File, error) {
	t, err := paths.ResolveOutput(path)
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	return CreateTarget(t, stdout)
}

// CreateTarget starts an output at a resolved target.
func CreateTarget(t paths.Target, stdout io.Writer) (*File, error) {
	f := &File{t: t}
	switch t.Kind {
	case paths.Stdout:
		if stdout == nil {
			stdout = os.Stdout
		}
		f.w = bufio.NewWriterSize(stdout, 1<<20)
	case paths.Stream:
		out, err := os.OpenFile(t.Path, t.OpenFlags(), 0)
		if err != nil {
			return nil, fmt.Errorf("opening %s: %w", t.Arg, err)
		}
		f.out, f.w = out, bufio.NewWriterSize(out, 1<<20)
	default:
		paths.RemoveLeftovers(t.Path)
		tmp, err := os.CreateTemp(filepath.Dir(t.Path), paths.PartialPattern(t.Path))
		if err != nil {
			return nil, fmt.Errorf("creating %s: %w", t.Arg, err)
		}
		if err := tmp.Chmod(0o600); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return nil, fmt.Errorf("creating %s: %w", t.Arg, err)
		}
		f.tmp, f.w = tmp, directio.NewWriter(tmp)
		if err := f.hold(); err != nil {
			f.discard()
			return nil, err
		}
	}
	return f, nil
}

// InPlace returns the file written in place (a device, FIFO or
// descriptor), nil for the other kinds. Closing it from another goroutine
// makes a write blocked on a slow reader return.
func (f *File) InPlace() *os.File { return f.out }

// Write writes to the file's buffer.
func (f *File) Write(p []byte) (int, error) { return f.w.Write(p) }

// Writer returns the buffered writer of the file.
func (f *File) Writer() io.Writer { return f.w }

// Commit flushes the file and places it under its final name.
func (f *File) Commit() error { return Commit(f) }

// Abort discards the file; it is safe after Commit, where it does nothing.
func (f *File) Abort() { f.discard() }

func (f *File) finish() error {
	if err := f.w.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", f.t.Arg, err)
	}
	switch {
	case f.out != nil:
		err := f.out.Close()
		f.out = nil
		if err != nil {
			return fmt.Errorf("writing %s: %w", f.t.Arg, err)
		}
	case f.tmp != nil:
		if err := f.tmp.Sync(); err != nil {
			return fmt.Errorf("writing %s: %w", f.t.Arg, err)
		}
		if err := f.tmp.Close(); err != nil {
			return fmt.Errorf("writing %s: %w", f.t.Arg, err)
		}
	}
	return nil
}

func (f *File) move() (paths.Move, bool) {
	if f.tmp == nil {
		return paths.Move{}, false // written in place
	}
	return paths.Move{From: f.tmp.Name(), To: f.t.Path}, true
}

func (f *File) placed() {
	f.tmp = nil
	f.release()
}

// hold locks the partial (paths.Hold) and refuses a file another command
// writes too, now that this one's partial exists.
func (f *File) hold() error {
	lock, err := paths.Hold(f.tmp.Name())
	if err != nil {
		return fmt.Errorf("creating %s: %w", f.t.Arg, err)
	}
	f.lock = lock
	if pid := paths.OtherWriter(f.t.Path, f.tmp.Name()); pid != 0 {
		return paths.ErrBeingWritten(f.t.Arg, pid)
	}
	return nil
}

func (f *File) release() {
	if f.lock != nil {
		f.lock.Close()
		f.lock = nil
	}
}

func (f *File) discard() {
	if f.out != nil {
		f.out.Close()
		f.out = nil
	}
	if f.tmp != nil {
		f.tmp.Close()
		os.Remove(f.tmp.Name())
		f.tmp = nil
	}
	f.release()
}

// Pending is an output written but not yet placed: a File or a Dir.
type Pending interface {
	finish() error
	// move returns the rename that places it, or false when it is written
	// in place (nothing to place).
	move() (paths.Move, bool)
	placed() // the move was done (or undone): forget the partial
	discard()
}

// Commit finishes every item, then places them in order (put the one whose
// presence means "the run completed" last), under a commit journal
// (paths.BeginCommit): a process killed while placing has its commit
// finished by the next command that plans a path beside one of the items
// (paths.Settle). If a rename fails, the items already placed are put back
// as they were (what they replaced restored, or removed where nothing was
// there), the rest are discarded, and the error is returned.
func Commit(items ...Pending) error {
	fail := func(err error) error {
		for _, it := range items {
			it.discard()
		}
		return err
	}
	for _, it := range items {
		if err := it.finish(); err != nil {
			return fail(err)
		}
	}
	var moves []paths.Move
	var moved []Pending
	for _, it := range items {
		m, ok := it.move()
		if !ok {
			continue
		}
		m.From, m.To = paths.RealName(m.From), paths.RealName(m.To)
		var err error
		if m.Previous, err = paths.PreviousName(m.To); err != nil {
			return fail(err)
		}
		moves, moved = append(moves, m), append(moved, it)
	}
	if len(moves) == 0 {
		return nil
	}
	journal, err := paths.BeginCommit(moves)
	if err != nil {
		return fail(err)
	}
	var undo []func() error
	for i, m := range moves {
		u, err := replace(m)
		if err != nil {
			err = fmt.Errorf("writing %s: %w", m.To, err)
			journal.End() // from here the commit is undone, not finished
			for k := len(undo) - 1; k >= 0; k-- {
				if uerr := undo[k](); uerr != nil {
					err = fmt.Errorf("%w; and putting back an earlier output failed: %v", err, uerr)
				}
			}
			return fail(err)
		}
		moved[i].placed()
		undo = append(undo, u)
	}
	paths.CrashPoint("placed")
	for _, m := range moves {
		os.RemoveAll(m.Previous)
	}
	journal.End()
	return nil
}

// replace does one move: whatever m.To holds is kept under m.Previous (a
// hard link for a file, so that the final name never goes missing; the
// folder renamed for a folder), then m.From is renamed to m.To. undo puts
// back what m.To held.
func replace(m paths.Move) (undo func() error, err error) {
	kept := false
	if st, err := os.Lstat(m.To); err == nil {
		// What the run checked before its work may have changed since:
		// never put a file over a folder or a folder over a file.
		if st.IsDir() != m.Folder || !m.Folder && !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is no longer what it was when the run started (now %s)", m.To, st.Mode().Type())
		}
		if err := keepPrevious(m); err != nil {
			return nil, err
		}
		kept = true
		paths.CrashPoint("previous")
	}
	if err := os.Rename(m.From, m.To); err != nil {
		if kept {
			if _, lerr := os.Lstat(m.To); lerr != nil {
				os.Rename(m.Previous, m.To) // it was moved aside: put it back
			} else {
				os.Remove(m.Previous) // a hard link beside a file still in place
			}
		}
		return nil, err
	}
	syncDir(filepath.Dir(m.To))
	paths.CrashPoint("rename")
	return func() error {
		if !kept {
			if m.Folder {
				return os.RemoveAll(m.To)
			}
			return os.Remove(m.To)
		}
		if m.Folder {
			if err := os.RemoveAll(m.To); err != nil {
				return err
			}
		}
		return os.Rename(m.Previous, m.To)
	}, nil
}

// keepPrevious keeps what m.To holds under m.Previous: a hard link for a
// file (m.To stays in place until the rename replaces it atomically), the
// folder itself renamed for a folder.
func keepPrevious(m paths.Move) error {
	var err error
	if m.Folder {
		err = os.Rename(m.To, m.Previous)
	} else if err = os.Link(m.To, m.Previous); err != nil {
		err = os.Rename(m.To, m.Previous) // a filesystem without hard links
	}
	if err != nil {
		return fmt.Errorf("keeping the previous %s: %w", m.To, err)
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
