package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/s1resolve/s1resolve/paths"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

var anyFolder = FolderKind{What: "a test folder", Owns: func(rel string, d fs.DirEntry) bool { return strings.HasSuffix(rel, ".txt") }}

// TestReadOnceAndDigest: an input is read once, and what was read is its
// digest: the size and xxhash64 of its bytes.
func TestReadOnceAndDigest(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	write(t, in, "a,b\n1,2\n")
	j := New(Streams{})
	x, err := j.Input("", in)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := x.Digest(); ok {
		t.Fatal("a digest before reading")
	}
	data, err := x.ReadAll(context.Background())
	if err != nil || string(data) != "a,b\n1,2\n" {
		t.Fatalf("read %q, %v", data, err)
	}
	d, ok := x.Digest()
	if !ok || d.Bytes != 8 || d.XXH64 != fmt.Sprintf("%016x", xxhash.Sum64(data)) {
		t.Fatalf("digest %+v, %v", d, ok)
	}
	if _, err := x.Open(context.Background()); !errors.Is(err, ErrReadTwice) {
		t.Fatalf("a second open: %v", err)
	}
	if _, err := j.Input("", in); !errors.Is(err, paths.ErrConflict) {
		t.Fatalf("the same input twice: %v", err)
	}
	if again, err := j.SameInput("", in); err != nil || again != x {
		t.Fatalf("SameInput of the same file: %v, %v", again, err)
	}
	if _, err := New(Streams{}).Input("", "-"); !errors.Is(err, paths.ErrConflict) {
		t.Fatalf("standard input without one: %v", err)
	}
	// "- < in": standard input is the file in, given again by name, so it
	// is read once and used twice, in either order.
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, order := range [][2]string{{"-", in}, {in, "-"}} {
		js := New(Streams{Stdin: f})
		first, err := js.SameInput("", order[0])
		if err != nil {
			t.Fatal(err)
		}
		if second, err := js.SameInput("", order[1]); err != nil || second != first {
			t.Errorf("%s then %s with standard input the same file: %v, %v", order[0], order[1], second, err)
		}
	}
}

// TestCancelledOpenOfAFIFO: opening a FIFO no one writes returns at once
// when the context is cancelled.
func TestCancelledOpenOfAFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	j := New(Streams{})
	x, err := j.Input("", fifo)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = x.Open(ctx)
	if !errors.Is(err, context.Canceled) || time.Since(start) > 2*time.Second {
		t.Fatalf("open of a FIFO with no writer: %v after %v", err, time.Since(start))
	}
}

// TestCancelledReadOfAPipe: a read blocked on a pipe returns the context's
// error once it is cancelled.
func TestCancelledReadOfAPipe(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	j := New(Streams{Stdin: pr})
	x, err := j.Input("", "-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r, err := x.Open(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go pw.Write([]byte("some"))
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = io.ReadAll(r)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("read after cancel: %v", err)
	}
}

// TestCommitIsOneUnit: nothing appears before Commit; Commit places every
// output and folder, the Last one last; Abort or a cancelled context leave
// every file as it was.
func TestCommitIsOneUnit(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	write(t, p("rejects.csv"), "old rejects")
	os.Mkdir(p("rep"), 0o700)
	write(t, p("rep/old.txt"), "old report")
	plan := func() (*Job, *Output, *Output, *Folder) {
		j := New(Streams{})
		d, err := j.Output("--out", p("decisions.csv"))
		if err != nil {
			t.Fatal(err)
		}
		d.Last()
		r, err := j.Output("--rejects", p("rejects.csv"))
		if err != nil {
			t.Fatal(err)
		}
		f, err := j.Folder("--report", p("rep"), anyFolder)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Begin(context.Background()); err != nil {
			t.Fatal(err)
		}
		io.WriteString(d.Writer(), "new decisions")
		io.WriteString(r.Writer(), "new rejects")
		write(t, filepath.Join(f.Path(), "new.txt"), "new report")
		return j, d, r, f
	}
	state := func() string {
		var b strings.Builder
		filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() {
				data, _ := os.ReadFile(path)
				rel, _ := filepath.Rel(dir, path)
				fmt.Fprintf(&b, "%s=%s;", rel, data)
			}
			return nil
		})
		return b.String()
	}
	before := state()
	j, _, _, _ := plan()
	j.Abort()
	if got := state(); got != before {
		t.Fatalf("Abort changed %q into %q", before, got)
	}
	j, _, _, _ = plan()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := j.Commit(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Commit with a cancelled context: %v", err)
	}
	if got := state(); got != before {
		t.Fatalf("a cancelled Commit changed %q into %q", before, got)
	}
	j, d, _, _ := plan()
	if err := j.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := "decisions.csv=new decisions;rejects.csv=new rejects;rep/new.txt=new report;"
	if got := state(); got != want {
		t.Fatalf("after Commit %q, want %q", got, want)
	}
	if w := d.Written(); w.Bytes != int64(len("new decisions")) || w.XXH64 != fmt.Sprintf("%016x", xxhash.Sum64String("new decisions")) {
		t.Fatalf("Written %+v", w)
	}
}

// TestPlanRefusesBeforeAnyWork: an argument added after Begin is a fault of
// the command; a folder holding what it does not own, or being written by a
// live process, is refused.
func TestPlanRefusesBeforeAnyWork(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "rep"), 0o700)
	write(t, filepath.Join(dir, "rep", "notes.doc"), "keep")
	j := New(Streams{})
	if _, err := j.Folder("--report", filepath.Join(dir, "rep"), anyFolder); !errors.Is(err, paths.ErrConflict) || !strings.Contains(err.Error(), "notes.doc") {
		t.Fatalf("a folder of other files: %v", err)
	}
	if err := j.Begin(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Output("--out", filepath.Join(dir, "x.csv")); !errors.Is(err, ErrPlanned) {
		t.Fatalf("an output after Begin: %v", err)
	}
	// A folder being written by a live process (this one) is refused; the
	// leftover of a dead process is removed by the next writer.
	live := paths.PartialPrefix(filepath.Join(dir, "out")) + fmt.Sprint(os.Getpid()) + "-1"
	os.Mkdir(live, 0o700)
	if _, err := New(Streams{}).Folder("--out", filepath.Join(dir, "out"), anyFolder); err == nil || !strings.Contains(err.Error(), "is writing it now") {
		t.Fatalf("a folder being written: %v", err)
	}
	os.Remove(live)
	dead := paths.PartialPrefix(filepath.Join(dir, "out")) + "999999999-1"
	os.Mkdir(dead, 0o700)
	j = New(Streams{})
	if _, err := j.Folder("--out", filepath.Join(dir, "out"), anyFolder); err != nil {
		t.Fatalf("a leftover of a dead process: %v", err)
	}
	if err := j.Begin(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer j.Abort()
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the leftover of a dead process is still there: %v", err)
	}
}
