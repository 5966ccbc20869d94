// Package output writes the run's files: decisions (CSV or JSON Lines),
// rejects and the summary. Every file is written under a temporary name and
// renamed into place only when complete, so a file under its final name is
// never partial.
package output

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// File is an output file being written. Nothing appears under its final
// name until Commit succeeds.
type File struct {
	final string
	tmp   *os.File
	w     *bufio.Writer
	std   bool
}

// Create starts an output file at path; "-" means stdout (os.Stdout when
// nil), written directly.
func Create(path string, stdout io.Writer) (*File, error) {
	if path == "-" {
		if stdout == nil {
			stdout = os.Stdout
		}
		return &File{final: path, w: bufio.NewWriterSize(stdout, 1<<20), std: true}, nil
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	return &File{final: path, tmp: tmp, w: bufio.NewWriterSize(tmp, 1<<20)}, nil
}

// Write writes to the file's buffer.
func (f *File) Write(p []byte) (int, error) { return f.w.Write(p) }

// Writer returns the buffered writer of the file.
func (f *File) Writer() io.Writer { return f.w }

// Commit flushes and syncs the file and renames it to its final name.
func (f *File) Commit() error {
	if err := f.w.Flush(); err != nil {
		f.Abort()
		return fmt.Errorf("writing %s: %w", f.final, err)
	}
	if f.std {
		return nil
	}
	if err := f.tmp.Sync(); err != nil {
		f.Abort()
		return fmt.Errorf("writing %s: %w", f.final, err)
	}
	if err := f.tmp.Close(); err != nil {
		os.Remove(f.tmp.Name())
		return fmt.Errorf("writing %s: %w", f.final, err)
	}
	if err := os.Rename(f.tmp.Name(), f.final); err != nil {
		os.Remove(f.tmp.Name())
		return fmt.Errorf("writing %s: %w", f.final, err)
	}
	f.tmp = nil
	return nil
}

// Abort discards the file; it is safe after Commit, where it does nothing.
func (f *File) Abort() {
	if f.std || f.tmp == nil {
		return
	}
	f.tmp.Close()
	os.Remove(f.tmp.Name())
}
