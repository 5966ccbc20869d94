// Package output writes the run's files: decisions (CSV or JSON Lines),
// rejects and the summary.
//
// How a file is written depends on what its path names (paths.Kind): a new
// path or an existing regular file is written under a temporary name beside
// it and renamed into place only when complete, so a file under its final
// name is never partial; a device, FIFO or descriptor is written in place;
// "-" is the command's standard output. A run's outputs are committed
// together (Commit): when one cannot be placed, those already placed are
// put back as they were.
package output

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/s1resolve/s1resolve/directio"
	"github.com/s1resolve/s1resolve/paths"
)

// File is an output being written. For a renamed kind nothing appears
// under its final name until it is committed.
type File struct {
	t   paths.Target
	tmp *os.File // the temporary file (New, Regular); nil once placed or discarded
	out *os.File // the file written in place (Stream)
	w   bufferedWriter
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
		tmp, err := os.CreateTemp(filepath.Dir(t.Path), filepath.Base(paths.PartialPrefix(t.Path))+strconv.Itoa(os.Getpid())+"-*")
		if err != nil {
			return nil, fmt.Errorf("creating %s: %w", t.Arg, err)
		}
		if err := tmp.Chmod(0o600); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return nil, fmt.Errorf("creating %s: %w", t.Arg, err)
		}
		f.tmp, f.w = tmp, directio.NewWriter(tmp)
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

func (f *File) place() (placed, error) {
	if f.tmp == nil {
		return placed{}, nil // written in place
	}
	p, err := replace(f.tmp.Name(), f.t.Path, false)
	if err != nil {
		return p, fmt.Errorf("writing %s: %w", f.t.Arg, err)
	}
	f.tmp = nil
	return p, nil
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
}

// Pending is an output written but not yet placed: a File or a Dir.
type Pending interface {
	finish() error
	place() (placed, error)
	discard()
}

// placed is an output under its final name: undo puts back what it
// replaced; cleanup forgets that for good. Either may be nil.
type placed struct {
	undo    func() error
	cleanup func()
}

// Commit finishes every item, then places them in order (put the one whose
// presence means "the run completed" last). If any fails, the items
// already placed are put back as they were (what they replaced restored,
// or removed where nothing was there), the rest are discarded, and the
// error is returned.
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
	var done []placed
	for _, it := range items {
		p, err := it.place()
		if err != nil {
			for i := len(done) - 1; i >= 0; i-- {
				if done[i].undo == nil {
					continue
				}
				if uerr := done[i].undo(); uerr != nil {
					err = fmt.Errorf("%w; and putting back an earlier output failed: %v", err, uerr)
				}
			}
			return fail(err)
		}
		done = append(done, p)
	}
	for _, p := range done {
		if p.cleanup != nil {
			p.cleanup()
		}
	}
	return nil
}

// replace renames tmp to final. Whatever final held is kept under a hidden
// name until undo puts it back or cleanup removes it. dir says whether the
// two are folders.
func replace(tmp, final string, dir bool) (placed, error) {
	prev := ""
	if st, err := os.Lstat(final); err == nil {
		// What the run checked before its work may have changed since:
		// never put a file over a folder or a folder over a file.
		if st.IsDir() != dir || !dir && !st.Mode().IsRegular() {
			return placed{}, fmt.Errorf("%s is no longer what it was when the run started (now %s)", final, st.Mode().Type())
		}
		if prev, err = keepPrevious(final, dir); err != nil {
			return placed{}, err
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		if prev != "" {
			if _, lerr := os.Lstat(final); lerr != nil {
				os.Rename(prev, final) // it was moved aside: put it back
			} else {
				os.Remove(prev) // a hard link beside a file still in place
			}
		}
		return placed{}, err
	}
	syncDir(filepath.Dir(final))
	var p placed
	if prev != "" {
		p.cleanup = func() { os.RemoveAll(prev) }
	}
	p.undo = func() error {
		if prev == "" {
			if dir {
				return os.RemoveAll(final)
			}
			return os.Remove(final)
		}
		if dir {
			if err := os.RemoveAll(final); err != nil {
				return err
			}
		}
		return os.Rename(prev, final)
	}
	return p, nil
}

// keepPrevious keeps what final holds under a hidden name beside it: a
// hard link for a file (final stays in place until the rename replaces it
// atomically), the folder itself renamed for a folder.
func keepPrevious(final string, dir bool) (string, error) {
	for i := 0; i < 100; i++ {
		prev := filepath.Join(filepath.Dir(final), fmt.Sprintf(".%s.previous-%d-%d", filepath.Base(final), os.Getpid(), i))
		var err error
		if dir {
			err = os.Rename(final, prev)
		} else if err = os.Link(final, prev); err != nil && !errors.Is(err, os.ErrExist) {
			err = os.Rename(final, prev) // a filesystem without hard links
		}
		if err == nil {
			return prev, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("keeping the previous %s: %w", final, err)
		}
	}
	return "", fmt.Errorf("keeping the previous %s: too many leftovers beside it", final)
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
