package paths

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fixture makes a folder with an input file, a symlink to it, a
// subfolder, a folder holding a stray file and (where allowed) a FIFO.
func fixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("in.csv", "input")
	write("other.csv", "other")
	if err := os.Symlink("in.csv", filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("new-target.csv", filepath.Join(dir, "dangling.csv")); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o700)
	os.Mkdir(filepath.Join(dir, "report"), 0o700)
	write("report/summary.csv", "old")
	os.Mkdir(filepath.Join(dir, "notes"), 0o700)
	write("notes/todo.txt", "keep")
	os.Mkdir(filepath.Join(dir, "empty"), 0o700)
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func reportOwns(rel string, d fs.DirEntry) bool { return rel == "summary.csv" }

// TestPlanRefusals: every slip is refused with an error naming both
// arguments; the accepted cases are accepted.
func TestPlanRefusals(t *testing.T) {
	dir := fixture(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	type add struct{ kind, flag, arg string } // kind: in, out, folder
	tests := []struct {
		name  string
		adds  []add
		error string // "" when accepted; else a fragment of the message
	}{
		{"distinct files", []add{{"in", "", p("in.csv")}, {"out", "--out", p("d.csv")}, {"out", "--rejects", p("r.csv")}}, ""},
		{"output is the input", []add{{"in", "", p("in.csv")}, {"out", "--out", p("in.csv")}}, "--out " + p("in.csv") + ": is input " + p("in.csv")},
		{"output given before the input", []add{{"out", "--out", p("in.csv")}, {"in", "", p("in.csv")}}, "is input " + p("in.csv")},
		{"output through a symlink to the input", []add{{"in", "", p("in.csv")}, {"out", "--out", p("link.csv")}}, "is input"},
		{"output spelled another way", []add{{"in", "", p("in.csv")}, {"out", "--out", dir + "/sub/../in.csv"}}, "is input"},
		{"two outputs on one new path", []add{{"out", "--out", p("x.csv")}, {"out", "--rejects", dir + "/./x.csv"}}, "is the same file as --out"},
		{"two outputs on one existing file", []add{{"out", "--out", p("other.csv")}, {"out", "--summary", p("other.csv")}}, "is the same file as --out"},
		{"two outputs on standard output", []add{{"out", "--out", "-"}, {"out", "--rejects", "-"}}, "also writes to standard output"},
		{"an input twice", []add{{"in", "", p("in.csv")}, {"in", "", p("link.csv")}}, "input " + p("link.csv") + ": is the same file as input " + p("in.csv")},
		{"registration is an input", []add{{"in", "", p("in.csv")}, {"in", "--registration", p("in.csv")}}, "--registration"},
		{"standard input twice", []add{{"in", "", "-"}, {"in", "--registration", "-"}}, "can be read once"},
		{"missing input", []add{{"in", "", p("nope.csv")}}, "no such file"},
		{"directory as input", []add{{"in", "", p("sub")}}, "is a directory"},
		{"directory as output", []add{{"out", "--out", p("sub")}}, "is a directory"},
		{"output folder missing", []add{{"out", "--out", p("nope/d.csv")}}, "does not exist"},
		{"the null device twice", []add{{"out", "--out", "/dev/null"}, {"out", "--rejects", "/dev/null"}}, ""},
		{"a folder holding only its own files", []add{{"folder", "--report", p("report")}}, ""},
		{"an empty folder", []add{{"folder", "--report", p("empty")}}, ""},
		{"a new folder", []add{{"folder", "--report", p("fresh")}}, ""},
		{"a new folder in a missing one", []add{{"folder", "--report", p("nope/fresh")}}, "does not exist"},
		{"a folder holding other files", []add{{"folder", "--report", p("notes")}}, "it holds todo.txt"},
		{"a file as folder", []add{{"folder", "--report", p("in.csv")}}, "not a directory"},
		{"an input inside a folder", []add{{"in", "", p("report/summary.csv")}, {"folder", "--report", p("report")}}, "holds input"},
		{"an output inside a folder", []add{{"folder", "--report", p("report")}, {"out", "--out", p("report/d.csv")}}, "is inside --report"},
		{"nested folders", []add{{"folder", "--db", p("empty")}, {"folder", "--report", p("empty")}}, "overlaps --db"},
		{"a store read", []add{{"read", "--db", p("empty")}, {"out", "--out", p("d.csv")}}, ""},
		{"a missing store", []add{{"read", "--db", p("nope")}}, "--db " + p("nope") + ": no such folder"},
		{"a file as store", []add{{"read", "--db", p("in.csv")}}, "is not a directory"},
		{"an output inside a store", []add{{"read", "--db", p("empty")}, {"out", "--out", p("empty/d.csv")}}, "is inside --db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var plan Plan
			var err error
			for _, a := range tt.adds {
				switch a.kind {
				case "in":
					err = plan.Input(a.flag, a.arg)
				case "out":
					_, err = plan.Output(a.flag, a.arg)
				case "folder":
					_, err = plan.Folder(a.flag, a.arg, "", "a report folder", reportOwns)
				case "read":
					err = plan.ReadFolder(a.flag, a.arg)
				}
				if err != nil {
					break
				}
			}
			switch {
			case tt.error == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.error != "" && err == nil:
				t.Fatalf("accepted; want a refusal containing %q", tt.error)
			case tt.error != "" && (!errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), tt.error)):
				t.Fatalf("error %q; want ErrConflict containing %q", err, tt.error)
			}
		})
	}
	// The current folder, or one holding it, is never swapped out.
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(p("empty"))
	for _, arg := range []string{".", p("empty")} {
		var plan Plan
		if _, err := plan.Folder("--report", arg, "", "a report folder", reportOwns); err == nil || !strings.Contains(err.Error(), "current folder") {
			t.Errorf("folder %s holding the current folder: %v", arg, err)
		}
	}
	os.Chdir(wd)
	if b, _ := os.ReadFile(p("notes/todo.txt")); string(b) != "keep" {
		t.Fatal("a refused folder was touched")
	}
}

// TestResolveOutputKinds: regular files and new paths are renamed into
// place (a symlink's target, not the link); devices, FIFOs and descriptors
// are written in place.
func TestResolveOutputKinds(t *testing.T) {
	dir := fixture(t)
	p := func(name string) string { return filepath.Join(dir, name) }
	real := func(name string) string { r, _ := filepath.EvalSymlinks(dir); return filepath.Join(r, name) }
	tests := []struct {
		arg  string
		kind Kind
		path string
	}{
		{"-", Stdout, "-"},
		{p("new.csv"), New, p("new.csv")},
		{p("other.csv"), Regular, p("other.csv")},
		{p("link.csv"), Regular, real("in.csv")},
		{p("dangling.csv"), New, p("new-target.csv")},
		{p("fifo"), Stream, p("fifo")},
		{"/dev/null", Stream, "/dev/null"},
		{"/dev/stdout", Stream, "/dev/stdout"},
	}
	for _, tt := range tests {
		got, err := ResolveOutput(tt.arg)
		if err != nil {
			t.Errorf("%s: %v", tt.arg, err)
			continue
		}
		if got.Kind != tt.kind || got.Path != tt.path {
			t.Errorf("%s: kind %d path %s; want %d %s", tt.arg, got.Kind, got.Path, tt.kind, tt.path)
		}
	}
	if n, err := ResolveOutput("/dev/null"); err != nil || !n.IsNull() {
		t.Errorf("/dev/null is not the null device: %v", err)
	}
	// A device node of our own (root only): written in place.
	node := p("null-node")
	if err := syscall.Mknod(node, syscall.S_IFCHR|0o600, nullDevice); err == nil {
		if got, err := ResolveOutput(node); err != nil || got.Kind != Stream || !got.IsNull() {
			t.Errorf("device node: %+v %v", got, err)
		}
	}
}

// TestPidGivenAgain: a live process that started after a file last changed
// did not write it (its pid was given again, after a reboot): the file is
// a leftover, not a write under way.
func TestPidGivenAgain(t *testing.T) {
	start, ok := processStart(os.Getpid())
	if !ok {
		t.Skip("no /proc here: only whether the process is alive is told")
	}
	if d := time.Since(start); d < 0 || d > time.Hour {
		t.Fatalf("this process started %v ago, by /proc", d)
	}
	if !startedBy(os.Getpid(), time.Now()) {
		t.Error("a file changed now: this process may have written it")
	}
	if startedBy(os.Getpid(), start.Add(-time.Hour)) {
		t.Error("a file changed an hour before this process started: it is not this process's")
	}
	dir := t.TempDir()
	partial := filepath.Join(dir, ".decisions.csv.partial-"+strconv.Itoa(os.Getpid())+"-1")
	if err := os.WriteFile(partial, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if Writer(filepath.Join(dir, "decisions.csv")) != os.Getpid() {
		t.Error("a partial this process wrote is not told as being written")
	}
	// Named with this process's id but another start: another process
	// had the id (before a reboot, in another PID namespace).
	ticks, _ := processTicks(os.Getpid())
	for start, mine := range map[int64]bool{ticks: true, ticks + 1: false} {
		other := filepath.Join(dir, fmt.Sprintf(".rejects.csv.partial-%d-%d-99", os.Getpid(), start))
		if err := os.WriteFile(other, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if got := Writer(filepath.Join(dir, "rejects.csv")) == os.Getpid(); got != mine {
			t.Errorf("a partial named with this process's id and start %d (this process's: %d): told as this process's = %v", start, ticks, got)
		}
		os.Remove(other)
	}
	if !strings.HasPrefix(filepath.Base(PartialPattern("x.csv")), fmt.Sprintf(".x.csv.partial-%d-%d-", os.Getpid(), ticks)) {
		t.Errorf("PartialPattern = %q; want the process id and its start", PartialPattern("x.csv"))
	}
	// A journal of this very process, but of another boot, is not a
	// commit under way.
	j := &Journal{PID: os.Getpid(), Start: ticks, Boot: bootID()}
	if !j.writing(partial) {
		t.Error("this process's journal of this boot is not told as under way")
	}
	if j.Boot != "" {
		j.Boot = "another-boot"
		if j.writing(partial) {
			t.Error("a journal of another boot is told as under way")
		}
	}
}
