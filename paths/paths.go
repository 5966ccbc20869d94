// Package paths resolves the files and folders a command reads and writes,
// before it does any work, and refuses an argument list in which a slip
// would destroy a file or change a decision:
//
//   - an output that is an input, or another output (compared by device
//     and inode, through symlinks, so "in.csv", "./in.csv" and a link to it
//     are one file);
//   - two outputs on standard output ("-", /dev/stdout, the same FIFO);
//   - an input given twice (a glob overlapping a name, a symlink);
//   - standard input ("-") given as more than one input;
//   - an output path that is a directory, or whose folder is missing;
//   - an input or output inside a folder the command replaces whole (the
//     store, the reports, a generated population).
//
// It also says how each output is to be written (Kind): a regular file or a
// new path is written under a temporary name and renamed into place; a
// device, FIFO, socket or descriptor (/dev/stdout, /dev/fd/N, a process
// substitution) is written in place, never renamed over.
//
// Every refusal is an *Error naming the arguments involved; it wraps
// ErrConflict, which a command maps to its usage exit status.
package paths

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrConflict is wrapped by every refusal of this package.
var ErrConflict = errors.New("refused before any work")

// Error is a refused argument: Arg names it ("--out in.csv", "input
// smso_a.csv") and Problem says what is wrong, naming the other argument
// where there is one.
type Error struct {
	Arg     string
	Problem string
}

func (e *Error) Error() string { return e.Arg + ": " + e.Problem }

func (e *Error) Unwrap() error { return ErrConflict }

// Kind says how an output is written.
type Kind int

const (
	// Stdout is "-": the command's standard output, written in place.
	Stdout Kind = iota
	// New is a path where nothing is yet: written under a temporary name
	// beside it and renamed into place.
	New
	// Regular is an existing regular file (Path is its real location, a
	// symlink resolved): replaced like New, so the link stays a link.
	Regular
	// Stream is a device, FIFO, socket or an open descriptor
	// (/dev/stdout, /dev/fd/N): opened and written in place.
	Stream
)

// ID identifies a file: its device and inode.
type ID struct{ Dev, Ino uint64 }

// nullDevice is /dev/null's device number (major 1, minor 3): writing to
// it twice harms nothing, so two outputs may share it.
const nullDevice = 1<<8 | 3

// Target is a resolved output.
type Target struct {
	Arg  string // as given
	Path string // where it is written
	Kind Kind
	flag string // the flag that named it, for messages
	id   ID     // zero for New
	key  string // New: the real folder joined with the name
	mode os.FileMode
	rdev uint64
}

// IsNull reports whether the target is the null device.
func (t Target) IsNull() bool { return t.mode&os.ModeCharDevice != 0 && t.rdev == nullDevice }

// descriptorPath reports whether p names an open descriptor rather than a
// file: written in place whatever it refers to.
func descriptorPath(p string) bool {
	switch p {
	case "/dev/stdout", "/dev/stderr", "/dev/stdin":
		return true
	}
	return strings.HasPrefix(p, "/dev/fd/") || strings.HasPrefix(p, "/proc/self/fd/") ||
		strings.HasPrefix(p, "/proc/") && strings.Contains(p, "/fd/")
}

// ResolveOutput says where and how the output arg is written; arg "-" is
// standard output. It fails (an *Error) for a directory, a missing folder
// or a symlink loop.
func ResolveOutput(arg string) (Target, error) {
	t := Target{Arg: arg, Path: arg}
	if arg == "" {
		return t, &Error{arg, "empty path"}
	}
	if arg == "-" {
		t.Kind = Stdout
		if st, err := os.Stdout.Stat(); err == nil {
			t.id, t.mode, t.rdev = idOf(st), st.Mode(), rdevOf(st)
		}
		return t, nil
	}
	p := arg
	for hops := 0; ; hops++ {
		if hops > 40 {
			return t, &Error{arg, "too many levels of symbolic links"}
		}
		lst, err := os.Lstat(p)
		if errors.Is(err, os.ErrNotExist) {
			dir := filepath.Dir(p)
			dst, derr := os.Stat(dir)
			if derr != nil || !dst.IsDir() {
				return t, &Error{arg, fmt.Sprintf("its folder %s does not exist", dir)}
			}
			real, rerr := filepath.EvalSymlinks(dir)
			if rerr != nil {
				real = dir
			}
			abs, _ := filepath.Abs(real)
			t.Kind, t.Path, t.key = New, p, filepath.Join(abs, filepath.Base(p))
			return t, nil
		}
		if err != nil {
			return t, &Error{arg, err.Error()}
		}
		if lst.Mode()&os.ModeSymlink != 0 && !descriptorPath(p) {
			st, err := os.Stat(p)
			if errors.Is(err, os.ErrNotExist) {
				// A link to a file not yet there: write where it points.
				to, rerr := os.Readlink(p)
				if rerr != nil {
					return t, &Error{arg, rerr.Error()}
				}
				if !filepath.IsAbs(to) {
					to = filepath.Join(filepath.Dir(p), to)
				}
				p = to
				continue
			}
			if err != nil {
				return t, &Error{arg, err.Error()}
			}
			if st.Mode().IsRegular() {
				real, err := filepath.EvalSymlinks(p)
				if err != nil {
					return t, &Error{arg, err.Error()}
				}
				p = real
				continue
			}
			lst = st
		}
		if descriptorPath(p) {
			st, err := os.Stat(p)
			if err != nil {
				return t, &Error{arg, err.Error()}
			}
			lst = st
		}
		if lst.IsDir() {
			return t, &Error{arg, "is a directory; give a file name"}
		}
		t.id, t.mode, t.rdev, t.Path = idOf(lst), lst.Mode(), rdevOf(lst), p
		if lst.Mode().IsRegular() && !descriptorPath(p) {
			t.Kind = Regular
			abs, _ := filepath.Abs(p)
			t.key = abs
		} else {
			t.Kind = Stream
		}
		return t, nil
	}
}

// OpenFlags returns the flags a Stream target is opened with: appending for
// a regular file behind a descriptor (the shell has just created or
// truncated it; ">>" keeps its content), plain writing otherwise.
func (t Target) OpenFlags() int {
	if t.mode.IsRegular() {
		return os.O_WRONLY | os.O_APPEND
	}
	return os.O_WRONLY
}

func idOf(st os.FileInfo) ID {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return ID{uint64(s.Dev), uint64(s.Ino)}
	}
	return ID{}
}

func rdevOf(st os.FileInfo) uint64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Rdev)
	}
	return 0
}
