// Package job is what every command does with the files it names, in one
// place, so that a command added later gets the same safety without asking:
//
//   - Plan first. Every input, output file, output folder and store is added
//     to one Job before any work. Package paths refuses the slips that would
//     destroy a file or change a decision (an output over an input or over
//     another output, an input given twice, a folder holding what the
//     command does not write, a default folder of another command); a
//     refusal wraps paths.ErrConflict and leaves every file as it was.
//   - Read once. An Input is opened once; its bytes are counted and hashed
//     (xxhash64) as they are read, so that a FIFO or standard input works and
//     the provenance names what was really read. A read or an open blocked
//     on a pipe returns when the context is cancelled.
//   - Write beside. Begin creates every output beside its final place: a file
//     under a temporary name (a device, FIFO or "-" is written in place), a
//     folder (the reports, a comparison, the store) whole, in a new folder.
//   - Commit as one unit. Commit places everything, the store included, the
//     output marked Last (a run's decisions) last; when one cannot be placed,
//     those already placed are put back as they were. Cancelling the context
//     before the commit leaves every file as it was; once the commit has
//     begun it runs to its end, and Committing says so to a signal handler.
//     A process killed while placing (SIGKILL, a power cut) left a journal:
//     planning any path beside one of its outputs finishes that commit
//     first and says so on Streams.Stderr (paths.Settle).
//
// A command's flow is therefore: New, Input/Output/Folder/Store/ReadStore for
// each argument, Begin, the work (reading Inputs, writing Outputs and into
// Folders), Commit; Abort (deferred) discards whatever was not committed.
package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/provenance"
)

// Job is one command's files. Its methods are for one goroutine, but for
// the reading and writing of Inputs and Outputs, which may be concurrent.
type Job struct {
	plan    paths.Plan
	stdin   io.Reader
	stdout  io.Writer
	inputs  []*Input
	outputs []*Output
	folders []*Folder
	begun   bool
	ended   bool
}

// Streams are what "-" means for a Job: the command's standard input and
// output. Nil means none: "-" is then refused.
type Streams struct {
	Stdin  io.Reader
	Stdout io.Writer
	// Stderr is told when planning finishes the commit of a command that
	// was killed while placing its outputs (paths.Settle); nil means
	// os.Stderr.
	Stderr io.Writer
}

// New returns an empty Job whose "-" reads and writes s.
func New(s Streams) *Job {
	j := &Job{stdin: s.Stdin, stdout: s.Stdout}
	stderr := s.Stderr
	if stderr == nil {
		stderr = os.Stderr
	}
	j.plan.Note = func(msg string) { fmt.Fprintln(stderr, "s1resolve: "+msg) }
	return j
}

// committing counts the Jobs of the process whose commit has begun.
var committing atomic.Int32

// Committing reports whether a Job of this process is committing: a signal
// handler then lets the commit run to its end rather than exit midway.
func Committing() bool { return committing.Load() > 0 }

// lateCommit is set when a commit ran to its end after its context was
// cancelled (the signal came once the placing had begun).
var lateCommit atomic.Bool

// CommittedAfterSignal reports whether a Job of this process finished its
// commit after its context was cancelled: the command was interrupted, but
// every output is in place and complete.
func CommittedAfterSignal() bool { return lateCommit.Load() }

// ErrPlanned is wrapped when a Job is used out of order (an argument added
// after Begin, a second Begin): a fault of the command, not of its user.
var ErrPlanned = errors.New("job used out of order")

func (j *Job) planning(label string) error {
	if j.begun {
		return fmt.Errorf("%w: %s added after Begin", ErrPlanned, label)
	}
	return nil
}

// Input adds a file the command reads; label names it in messages ("--rules
// r.txt" is label "--rules"; "" for a positional argument). "-" is the
// standard input, which only one input may be.
func (j *Job) Input(label, path string) (*Input, error) {
	if err := j.planning(label); err != nil {
		return nil, err
	}
	if path == "-" && j.stdin == nil {
		return nil, &paths.Error{Arg: labelOf(label, path), Problem: "standard input cannot be read by this command"}
	}
	if err := j.plan.Input(label, path); err != nil {
		return nil, err
	}
	in := &Input{Label: label, Path: path, job: j}
	j.inputs = append(j.inputs, in)
	return in, nil
}

// SameInput adds a file like Input, but a file given again (the same file
// under any name) is not refused: the Input already added is returned, to be
// read once and used twice (comparing a file with itself).
func (j *Job) SameInput(label, path string) (*Input, error) {
	if st, ok := j.stat(path); ok {
		for _, in := range j.inputs {
			if o, ok := j.stat(in.Path); ok && os.SameFile(st, o) {
				return in, nil
			}
		}
	}
	return j.Input(label, path)
}

// stat returns what path names: "-" is the standard input (when it is a
// file), another path the file it names through symlinks.
func (j *Job) stat(path string) (os.FileInfo, bool) {
	if path == "-" {
		f, ok := j.stdin.(*os.File)
		if !ok {
			return nil, false
		}
		st, err := f.Stat()
		return st, err == nil && st.Mode().IsRegular()
	}
	st, err := os.Stat(path)
	return st, err == nil
}

// Output adds a file the command writes; "-" is the standard output.
func (j *Job) Output(label, path string) (*Output, error) {
	if err := j.planning(label); err != nil {
		return nil, err
	}
	if path == "-" && j.stdout == nil {
		return nil, &paths.Error{Arg: labelOf(label, path), Problem: "standard output cannot be written by this command"}
	}
	t, err := j.plan.Output(label, path)
	if err != nil {
		return nil, err
	}
	o := &Output{Label: label, Path: path, target: t, job: j}
	j.outputs = append(j.outputs, o)
	return o, nil
}

// Reserve adds a file the command writes by other means (a CPU profile):
// it is checked against every other argument, but the Job neither creates
// nor commits it.
func (j *Job) Reserve(label, path string) error {
	if err := j.planning(label); err != nil {
		return err
	}
	_, err := j.plan.Output(label, path)
	return err
}

// Folder adds a folder the command writes whole: it must be missing (with
// its parent present), empty, or hold only entries kind accepts; it is
// written beside and swapped in by Commit, so no file of an earlier content
// survives.
func (j *Job) Folder(label, path string, kind FolderKind) (*Folder, error) {
	if err := j.planning(label); err != nil {
		return nil, err
	}
	f, err := j.plan.Folder(label, path, kind.Kind, kind.What, kind.Owns)
	if err != nil {
		return nil, err
	}
	fo := &Folder{Label: label, Arg: path, planned: f, kind: kind.Kind}
	j.folders = append(j.folders, fo)
	return fo, nil
}

// ReadFolder adds a folder the command reads (a store): no output may be
// written inside it, and no folder written whole may hold it.
func (j *Job) ReadFolder(label, path string) error {
	if err := j.planning(label); err != nil {
		return err
	}
	return j.plan.ReadFolder(label, path)
}

// FolderKind says what a folder written whole may hold before it is
// replaced (Owns) and what it is, for the message refusing one that holds
// anything else ("an s1resolve report folder").
type FolderKind struct {
	// Kind names the folder's kind ("report", "diff"): the folder is
	// written with a marker naming it (paths.MarkerFile), and an existing,
	// non-empty folder is replaced only when it bears the same marker.
	// "" for a folder with a marker of its own (the store).
	Kind string
	What string
	Owns paths.Owns
}

// Begin creates every output beside its final place, once every argument
// is planned: a place that cannot be written fails here, before the work,
// and leaves nothing behind. An output that is a FIFO is opened here, which
// waits for its reader; cancelling ctx ends the wait.
func (j *Job) Begin(ctx context.Context) error {
	if j.begun {
		return fmt.Errorf("%w: Begin called twice", ErrPlanned)
	}
	j.begun = true
	for _, f := range j.folders {
		d, err := output.CreateDir(f.planned)
		if err != nil {
			j.Abort()
			return err
		}
		f.dir = d
		if f.kind != "" {
			if err := paths.WriteMarker(d.Path(), f.kind); err != nil {
				j.Abort()
				return err
			}
		}
	}
	for _, o := range j.outputs {
		if err := o.create(ctx); err != nil {
			j.Abort()
			return err
		}
	}
	return ctx.Err()
}

// Commit places every output and folder as one unit, the Output marked Last
// last: if one cannot be placed, those already placed are put back as they
// were and the rest discarded. When ctx is already cancelled nothing is
// placed and ctx's error is returned; once the placing has begun,
// cancelling no longer stops it.
func (j *Job) Commit(ctx context.Context) error {
	if !j.begun || j.ended {
		return fmt.Errorf("%w: Commit without Begin", ErrPlanned)
	}
	committing.Add(1)
	defer committing.Add(-1)
	if err := ctx.Err(); err != nil {
		j.Abort()
		return err
	}
	j.ended = true
	var items, last []output.Pending
	for _, f := range j.folders {
		items = append(items, f.dir)
	}
	for _, o := range j.outputs {
		o.stopWatch()
		if o.last {
			last = append(last, o.file)
		} else {
			items = append(items, o.file)
		}
	}
	err := output.Commit(append(items, last...)...)
	if err == nil && ctx.Err() != nil {
		lateCommit.Store(true)
	}
	return err
}

// Abort discards every output and folder not committed; it is safe to call
// after Commit, and more than once.
func (j *Job) Abort() {
	j.ended = true
	for _, o := range j.outputs {
		if o.stopWatch != nil {
			o.stopWatch()
		}
		if o.file != nil {
			o.file.Abort()
		}
	}
	for _, f := range j.folders {
		if f.dir != nil {
			f.dir.Abort()
		}
	}
}

// Read lists the inputs read to their end, in the order they were added:
// name, size and xxhash64 of their bytes as they are on disk.
func (j *Job) Read() []provenance.Input {
	var out []provenance.Input
	for _, in := range j.inputs {
		if p, ok := in.Digest(); ok {
			out = append(out, p)
		}
	}
	return out
}

func labelOf(label, path string) string {
	if label == "" {
		return "input " + path
	}
	return label + " " + path
}

// Output is a file the command writes.
type Output struct {
	Label, Path string
	target      paths.Target
	job         *Job
	last        bool
	file        *output.File
	w           *digestWriter
	stopWatch   func() bool
}

// Last marks the output to be placed after every other: its presence under
// its final name means the command completed (a run's decisions).
func (o *Output) Last() { o.last = true }

// IsStream reports whether the output is written in place (standard
// output, a device, a FIFO) rather than beside and renamed.
func (o *Output) IsStream() bool {
	return o.target.Kind == paths.Stdout || o.target.Kind == paths.Stream
}

// Name is the output as given ("-" for the standard output).
func (o *Output) Name() string { return o.Path }

func (o *Output) create(ctx context.Context) error {
	var f *output.File
	var err error
	if o.target.Kind == paths.Stream {
		// Opening a FIFO waits for its reader: wait in a goroutine, so that
		// cancelling is not stuck behind the open.
		type opened struct {
			f   *output.File
			err error
		}
		ch := make(chan opened, 1)
		go func() {
			f, err := output.CreateTarget(o.target, o.job.stdout)
			ch <- opened{f, err}
		}()
		select {
		case r := <-ch:
			f, err = r.f, r.err
		case <-ctx.Done():
			go func() {
				if r := <-ch; r.f != nil {
					r.f.Abort()
				}
			}()
			return ctx.Err()
		}
	} else {
		f, err = output.CreateTarget(o.target, o.job.stdout)
	}
	if err != nil {
		return err
	}
	o.file = f
	o.w = &digestWriter{w: f.Writer(), d: newDigest()}
	// A write blocked on a slow reader of a FIFO returns once the file is
	// closed: cancelling closes it.
	o.stopWatch = func() bool { return true }
	if out := f.InPlace(); out != nil {
		o.stopWatch = context.AfterFunc(ctx, func() { out.Close() })
	}
	return nil
}

// Writer returns where the output's bytes go, counted and hashed; valid
// between Begin and Commit.
func (o *Output) Writer() io.Writer { return o.w }

// Written returns the name, size and xxhash64 of the bytes written so far:
// after the last write, what the output holds.
func (o *Output) Written() provenance.Input {
	return provenance.Input{Name: o.Path, Bytes: o.w.n, XXH64: o.w.d.String()}
}

// Folder is a folder the command writes whole.
type Folder struct {
	Label, Arg string
	planned    paths.Folder
	kind       string
	dir        *output.Dir
}

// Path is where the folder's content is written until Commit swaps it in;
// valid after Begin.
func (f *Folder) Path() string { return f.dir.Path() }

// Final is where the folder is once committed (symlinks resolved).
func (f *Folder) Final() string { return f.planned.Path }

// Exists reports whether the folder was there when planned (it is then
// replaced whole).
func (f *Folder) Exists() bool { return f.planned.Exists }
