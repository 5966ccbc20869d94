package output

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/s1resolve/s1resolve/paths"
)

// TestFileIsAtomic: nothing appears under the final name before Commit,
// and Abort leaves nothing behind.
func TestFileIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	f, err := Create(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half"))
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the final name exists before Commit")
	}
	f.Abort()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("Abort left %v", entries)
	}
	f, _ = Create(path, nil)
	f.Write([]byte("whole"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("committed file: %v %v", st, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("Commit left %v", entries)
	}
	if _, err := Create(filepath.Join(dir, "missing", "x.csv"), nil); err == nil {
		t.Fatal("created a file in a missing directory")
	}
}

// TestCommitIsOneUnit: when one output cannot be placed, the outputs
// already placed are put back as they were (old content restored, new
// files removed) and nothing is left under a temporary name.
func TestCommitIsOneUnit(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	os.WriteFile(p("rejects.csv"), []byte("old rejects"), 0o600)
	os.WriteFile(p("keep.txt"), []byte("keep"), 0o600)
	mk := func(name, text string) *File {
		f, err := Create(p(name), nil)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(text))
		return f
	}
	summary, rejects, decisions := mk("summary.json", "new summary"), mk("rejects.csv", "new rejects"), mk("decisions.csv", "new decisions")
	// The decisions path becomes a non-empty folder after the run
	// started: its rename fails.
	os.MkdirAll(p("decisions.csv/x"), 0o700)
	err := Commit(summary, rejects, decisions)
	if err == nil || !strings.Contains(err.Error(), "decisions.csv") {
		t.Fatalf("Commit: %v, want an error naming decisions.csv", err)
	}
	if b, _ := os.ReadFile(p("rejects.csv")); string(b) != "old rejects" {
		t.Fatalf("rejects.csv holds %q after a failed commit, want the old content", b)
	}
	if _, err := os.Stat(p("summary.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("summary.json left behind by a failed commit")
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "decisions.csv keep.txt rejects.csv" {
		t.Fatalf("folder holds %s after a failed commit", got)
	}

	// The same outputs commit whole once the way is clear.
	os.RemoveAll(p("decisions.csv"))
	summary, rejects, decisions = mk("summary.json", "new summary"), mk("rejects.csv", "new rejects"), mk("decisions.csv", "new decisions")
	if err := Commit(summary, rejects, decisions); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"summary.json": "new summary", "rejects.csv": "new rejects", "decisions.csv": "new decisions", "keep.txt": "keep"} {
		if b, _ := os.ReadFile(p(name)); string(b) != want {
			t.Errorf("%s = %q, want %q", name, b, want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Fatalf("commit left %d entries, want 4", len(entries))
	}
}

// TestDirIsReplacedWhole: a committed folder holds only what was written
// this time; a discarded one leaves the old folder as it was.
func TestDirIsReplacedWhole(t *testing.T) {
	base := t.TempDir()
	final := filepath.Join(base, "report")
	os.MkdirAll(filepath.Join(final, "suppliers"), 0o700)
	os.WriteFile(filepath.Join(final, "suppliers", "OLD.csv"), []byte("stale"), 0o600)
	var plan paths.Plan
	folder, err := plan.Folder("--report", final, "", "a report", func(string, fs.DirEntry) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	d, err := CreateDir(folder)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(d.Path(), "summary.csv"), []byte("new"), 0o600)
	d.Abort()
	if _, err := os.Stat(filepath.Join(final, "suppliers", "OLD.csv")); err != nil {
		t.Fatal("an aborted folder touched the old one")
	}
	d, _ = CreateDir(folder)
	os.WriteFile(filepath.Join(d.Path(), "summary.csv"), []byte("new"), 0o600)
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(final, "suppliers", "OLD.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("an earlier file survived in a replaced folder")
	}
	if b, _ := os.ReadFile(filepath.Join(final, "summary.csv")); string(b) != "new" {
		t.Fatalf("summary.csv = %q", b)
	}
	if entries, _ := os.ReadDir(base); len(entries) != 1 {
		t.Fatalf("the swap left %d entries beside the folder", len(entries))
	}
}

// TestStreamsAreWrittenInPlace: a FIFO and a device node are written
// through, never replaced by a regular file; a symlink to a file stays a
// link and its target gets the content.
func TestStreamsAreWrittenInPlace(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	f, err := Create(fifo, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("through the fifo"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through the fifo" {
		t.Fatalf("the FIFO's reader got %q", s)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatal("the FIFO was replaced")
	}

	node := filepath.Join(dir, "null")
	if err := syscall.Mknod(node, syscall.S_IFCHR|0o600, 1<<8|3); err == nil {
		f, err := Create(node, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte("discarded"))
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Lstat(node); err != nil || st.Mode()&os.ModeCharDevice == 0 {
			t.Fatal("the device node was replaced by a regular file")
		}
	} else {
		t.Logf("mknod not allowed here (%v): the device case is skipped", err)
	}

	os.WriteFile(filepath.Join(dir, "target.csv"), []byte("old"), 0o600)
	link := filepath.Join(dir, "link.csv")
	os.Symlink("target.csv", link)
	f, err = Create(link, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new"))
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "target.csv")); string(b) != "new" {
		t.Fatalf("the link's target holds %q", b)
	}
}
