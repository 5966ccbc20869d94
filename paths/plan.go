package paths

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Plan collects the files a command reads and writes and the folders it
// replaces, and checks each against those added before it. Add everything
// before doing any work; the first refusal is the error to report.
type Plan struct {
	// Note, when set, is told what planning did to finish the commit of a
	// command killed while placing its outputs (Settle).
	Note func(string)

	settled map[string]bool // folders Settle has looked at
	inputs  []input
	outputs []Target
	folders []Folder
	read    []readFolder // folders read, not written (a store)
	stdin   string       // the label of the input that is "-", if any
}

type readFolder struct{ label, real string }

// settle runs Settle once on each folder above arg, from the top down,
// before arg is looked at: what a killed commit left there is finished or
// undone first. Every folder above, not only arg's own: arg may lie inside
// a folder the commit was swapping (gen's population, a report), which is
// missing or old until the journal beside it is rolled forward. The
// partials of dead processes are removed from arg's own folder only.
func (p *Plan) settle(arg string) {
	if arg == "" || arg == "-" {
		return
	}
	abs, err := filepath.Abs(arg)
	if err != nil {
		return
	}
	if p.settled == nil {
		p.settled = map[string]bool{}
	}
	var dirs []string
	for d := filepath.Dir(abs); ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- { // from the top: an outer folder may be missing until settled
		d := realPath(dirs[i])
		if !p.settled[d] {
			p.settled[d] = true
			Settle(d, p.Note)
		}
	}
	RemoveOrphans(realPath(filepath.Dir(abs)))
}

type input struct {
	label string
	id    ID
	char  bool   // a character device (a terminal): may also be written
	real  string // absolute path with symlinks resolved; "" for "-"
}

// label names an argument in messages: "--out x.csv", or "input x.csv" for
// a positional one (flag "").
func label(flag, arg string) string {
	if flag == "" {
		return "input " + arg
	}
	return flag + " " + arg
}

// Input adds a file the command reads; flag is "" for a positional
// argument. "-" is standard input, which only one input may be. The file
// must exist and not be a directory.
func (p *Plan) Input(flag, arg string) error {
	l := label(flag, arg)
	p.settle(arg)
	in := input{label: l}
	if arg == "-" {
		if p.stdin != "" {
			return &Error{l, fmt.Sprintf("standard input is already read as %s; it can be read once", p.stdin)}
		}
		p.stdin = l
		if st, err := os.Stdin.Stat(); err == nil {
			in.id, in.char = idOf(st), st.Mode()&os.ModeCharDevice != 0
		}
	} else {
		st, err := os.Stat(arg)
		switch {
		case errors.Is(err, os.ErrNotExist):
			return &Error{l, "no such file"}
		case err != nil:
			return &Error{l, err.Error()}
		case st.IsDir():
			return &Error{l, "is a directory, not a file"}
		}
		in.id, in.char, in.real = idOf(st), st.Mode()&os.ModeCharDevice != 0, realPath(arg)
	}
	for _, o := range p.inputs {
		if o.id == in.id && in.id != (ID{}) && !in.char {
			return &Error{l, fmt.Sprintf("is the same file as %s: each file is read once (rows read twice would all be duplicates)", o.label)}
		}
	}
	for _, o := range p.outputs {
		if clash(o, in.id) && !in.char {
			return &Error{label(o.flag, o.Arg), fmt.Sprintf("is %s, an input: refusing to write over it", l)}
		}
	}
	if err := p.outsideFolders(l, in.real); err != nil {
		return err
	}
	p.inputs = append(p.inputs, in)
	return nil
}

// Output adds a file the command writes, named by flag (e.g. "--out"), and
// returns how it is to be written.
func (p *Plan) Output(flag, arg string) (Target, error) {
	l := label(flag, arg)
	if !descriptorPath(arg) {
		p.settle(arg)
	}
	t, err := ResolveOutput(arg)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Arg = l
		}
		return t, err
	}
	t.flag = flag
	for _, o := range p.outputs {
		switch {
		case t.Kind == Stdout && o.Kind == Stdout:
			return t, &Error{l, fmt.Sprintf("%s also writes to standard output: the two would be interleaved", label(o.flag, o.Arg))}
		case t.IsNull() && o.IsNull():
		case t.key != "" && t.key == o.key, clash(o, t.id):
			return t, &Error{l, fmt.Sprintf("is the same file as %s: one output would overwrite the other", label(o.flag, o.Arg))}
		}
	}
	for _, in := range p.inputs {
		if clash(t, in.id) && !in.char {
			return t, &Error{l, fmt.Sprintf("is %s: refusing to write over an input", in.label)}
		}
	}
	if t.Kind == New || t.Kind == Regular {
		if err := beingWritten(l, t.Path); err != nil {
			return t, err
		}
		if err := p.outsideFolders(l, t.key); err != nil {
			return t, err
		}
		if dir, what := writtenWhole(t.key); dir != "" {
			return t, &Error{l, fmt.Sprintf("is inside %s, %s, which its command replaces whole: write it elsewhere", dir, what)}
		}
		for _, r := range p.read {
			if within(t.key, r.real) {
				return t, &Error{l, fmt.Sprintf("is inside %s, which is read", r.label)}
			}
		}
	}
	p.outputs = append(p.outputs, t)
	return t, nil
}

// clash reports whether output t is the file id.
func clash(t Target, id ID) bool {
	return id != (ID{}) && t.id == id && !t.IsNull()
}

// Folder is a folder a command replaces whole (the reports, a generated
// population) or owns (the store).
type Folder struct {
	Arg    string
	Path   string // the real location, symlinks resolved
	Exists bool
	flag   string
}

// Owns tells whether an entry of an existing folder is one the command
// writes: a folder holding anything else is refused, so that no slip
// replaces or wipes someone's files.
type Owns func(rel string, d fs.DirEntry) bool

// Folder adds a folder the command writes whole, a new one swapped in (the
// reports, a generated population): it must be missing (with its parent
// present), empty, or hold only entries owns accepts; what names what the
// command writes there, for the message. No input or output may lie
// inside it, and it may not be the current folder or hold it.
//
// kind, when not "", names the folder's kind: the folder is then written
// with a marker (MarkerFile) naming it, and an existing, non-empty folder is
// accepted only when it bears the marker of the same kind.
func (p *Plan) Folder(flag, arg, kind, what string, owns Owns) (Folder, error) {
	return p.folder(flag, arg, kind, what, owns)
}

func (p *Plan) folder(flag, arg, kind, what string, owns Owns) (Folder, error) {
	l := label(flag, arg)
	p.settle(arg)
	f := Folder{Arg: arg, flag: flag}
	st, err := os.Stat(arg)
	switch {
	case errors.Is(err, os.ErrNotExist):
		parent := filepath.Dir(filepath.Clean(arg))
		if pst, perr := os.Stat(parent); perr != nil || !pst.IsDir() {
			return f, &Error{l, fmt.Sprintf("its folder %s does not exist", parent)}
		}
		f.Path = filepath.Join(realPath(parent), filepath.Base(filepath.Clean(arg)))
	case err != nil:
		return f, &Error{l, err.Error()}
	case !st.IsDir():
		return f, &Error{l, "is not a directory"}
	default:
		f.Path, f.Exists = realPath(arg), true
		if kind != "" {
			if err := checkMarker(l, f.Path, kind, what); err != nil {
				return f, err
			}
			inner := owns
			owns = func(rel string, d fs.DirEntry) bool { return rel == MarkerFile || inner(rel, d) }
		}
		whole := owns
		owns = func(rel string, d fs.DirEntry) bool { return rel == WritingLock || whole != nil && whole(rel, d) }
		if stray, err := strayEntry(f.Path, owns); err != nil {
			return f, &Error{l, err.Error()}
		} else if stray != "" {
			return f, &Error{l, fmt.Sprintf("is not %s (it holds %s): give a new or empty folder; nothing in it was touched", what, stray)}
		}
	}
	if err := beingWritten(l, f.Path); err != nil {
		return f, err
	}
	if cwd, err := os.Getwd(); err == nil && within(realPath(cwd), f.Path) {
		// Swapping it would leave the operator's shell in a deleted folder.
		return f, &Error{l, "is the current folder, or holds it: give a folder beside or below it"}
	}
	for _, o := range p.folders {
		if within(f.Path, o.Path) || within(o.Path, f.Path) {
			return f, &Error{l, fmt.Sprintf("overlaps %s: each folder is written whole", label(o.flag, o.Arg))}
		}
	}
	for _, in := range p.inputs {
		if within(in.real, f.Path) {
			return f, &Error{l, fmt.Sprintf("holds %s, which it would replace", in.label)}
		}
	}
	for _, o := range p.outputs {
		if within(o.key, f.Path) {
			return f, &Error{l, fmt.Sprintf("holds %s, which it would replace", label(o.flag, o.Arg))}
		}
	}
	for _, r := range p.read {
		if within(r.real, f.Path) || within(f.Path, r.real) {
			return f, &Error{l, fmt.Sprintf("overlaps %s, which is read", r.label)}
		}
	}
	f.flag = flag
	p.folders = append(p.folders, f)
	return f, nil
}

// ReadFolder adds a folder the command reads (a store): no output may lie
// inside it, and no folder written whole may hold it or lie inside it. The
// folder need not exist: its reader says what is wrong with it.
func (p *Plan) ReadFolder(flag, arg string) error {
	l := label(flag, arg)
	if arg == "" {
		return &Error{l, "empty path"}
	}
	p.settle(arg)
	switch st, err := os.Stat(arg); {
	case errors.Is(err, fs.ErrNotExist):
		return &Error{l, "no such folder"}
	case err != nil:
		return &Error{l, err.Error()}
	case !st.IsDir():
		return &Error{l, "is not a directory"}
	}
	real := realPath(arg)
	for _, o := range p.outputs {
		if within(o.key, real) {
			return &Error{label(o.flag, o.Arg), fmt.Sprintf("is inside %s, which is read", l)}
		}
	}
	for _, f := range p.folders {
		if within(f.Path, real) || within(real, f.Path) {
			return &Error{label(f.flag, f.Arg), fmt.Sprintf("overlaps %s, which is read", l)}
		}
	}
	p.read = append(p.read, readFolder{l, real})
	return nil
}

// SameFile reports whether a and b name one existing file (by device and
// inode, through symlinks); "-" is never the same as another argument.
func SameFile(a, b string) bool {
	if a == "-" || b == "-" {
		return a == b
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// strayEntry returns the first entry (in walk order) of dir that owns does
// not accept, or "".
func strayEntry(dir string, owns Owns) (string, error) {
	var stray string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		if owns == nil || !owns(rel, d) {
			stray = rel
			return filepath.SkipAll
		}
		return nil
	})
	return stray, err
}

func (p *Plan) outsideFolders(l, real string) error {
	for _, f := range p.folders {
		if within(real, f.Path) {
			return &Error{l, fmt.Sprintf("is inside %s, which is written whole", label(f.flag, f.Arg))}
		}
	}
	return nil
}

// within reports whether path is dir or lies inside it.
func within(path, dir string) bool {
	if path == "" || dir == "" {
		return false
	}
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

// realPath returns the absolute path of p with symlinks resolved, or its
// cleaned absolute form when that fails.
func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	return abs
}
