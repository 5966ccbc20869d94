package paths_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/paths"
)

// The commit under test places three outputs in two folders: a file and a
// folder written whole (as a store is) in dir, a file in dir/sub. Each
// holds "old" before and "new" after.
var committed = []string{"decisions.csv", "store/data", "sub/summary.json"}

// TestCommitKilledAtEveryStep kills a committing process (SIGKILL: no
// deferred call, no handler) at each step of its commit in turn, then
// plans only the store, as `explain --db` would: the outputs must then be
// all of the old run (killed before the commit point) or all of the new one
// (killed after), and once every folder has been planned nothing of the
// commit is left beside them.
func TestCommitKilledAtEveryStep(t *testing.T) {
	if os.Getenv("S1_COMMIT_CHILD") != "" {
		return
	}
	steps := 0
	for n := 1; ; n++ {
		dir, step, killed := killedCommit(t, n)
		if killed {
			steps++
			t.Logf("killed at %s", step)
			if step == "" {
				t.Fatalf("step %d: killed without naming the step", n)
			}
		}

		var notes []string
		p := paths.Plan{Note: func(s string) { notes = append(notes, s) }}
		must(t, p.ReadFolder("--db", filepath.Join(dir, "store")))
		want := "new"
		if killed && step == "journal written" {
			want = "old" // before the commit point
		}
		holds(t, dir, want, committed...)
		if t.Failed() {
			t.Fatalf("killed at %q (call %d): want every output %q (notes %q)", step, n, want, notes)
		}
		if killed && (step == "commit point" || step == "previous") && len(notes) == 0 {
			t.Errorf("killed at %q: planning finished the commit without saying so", step)
		}
		for _, name := range []string{"decisions.csv", "store", "sub/summary.json"} {
			paths.RemoveLeftovers(filepath.Join(dir, name)) // as a command writing there would
		}
		if left := leftovers(t, dir); len(left) > 0 {
			t.Fatalf("killed at %q (call %d): left %q", step, n, left)
		}
		if !killed {
			break
		}
	}
	if steps < 8 {
		t.Fatalf("the commit was killed at %d steps; want every step (at least 8)", steps)
	}
}

// killedCommit prepares the old outputs in a new folder and runs the
// committing process, killed at its n-th step: it returns the folder, the
// step it was killed at, and whether it was (false: n is past the last
// step and the commit ended).
func killedCommit(t *testing.T, n int) (dir, step string, killed bool) {
	t.Helper()
	dir = t.TempDir()
	for _, name := range committed {
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		must(t, os.WriteFile(filepath.Join(dir, name), []byte("old"), 0o600))
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCommitChild$")
	cmd.Env = append(os.Environ(), "S1_COMMIT_CHILD="+dir, "S1_COMMIT_KILL_AT="+strconv.Itoa(n))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	killed = errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled()
	if err != nil && !killed {
		t.Fatalf("step %d: child failed: %v\n%s", n, err, out)
	}
	step = strings.TrimSpace(string(out))
	if i := strings.LastIndex(step, "killed at "); i >= 0 {
		step = step[i+len("killed at "):]
	}
	return dir, step, killed
}

// holds fails unless every file of names in dir holds want.
func holds(t *testing.T, dir, want string, names ...string) {
	t.Helper()
	for _, name := range names {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != want {
			t.Errorf("%s holds %q, %v; want %q", name, b, err, want)
		}
	}
}

// TestFolderMovedOrCopiedMidCommit: a folder moved or copied after its
// commit was killed is finished where it now is, the folders inside it
// too; the original of a copy is finished by a command that plans a path
// in it, never through the copy.
func TestFolderMovedOrCopiedMidCommit(t *testing.T) {
	if os.Getenv("S1_COMMIT_CHILD") != "" {
		return
	}
	dir, step, _ := killedCommit(t, 2)
	if step != "commit point" {
		t.Fatalf("killed at %q; want the commit point", step)
	}
	moved := filepath.Join(t.TempDir(), "moved")
	must(t, os.Rename(dir, moved))
	var notes []string
	p := paths.Plan{Note: func(s string) { notes = append(notes, s) }}
	must(t, p.ReadFolder("--db", filepath.Join(moved, "store")))
	holds(t, moved, "new", committed...) // sub moved with its folder: finished too
	if len(notes) == 0 || !strings.Contains(notes[0], "moved or copied") {
		t.Errorf("notes %q; want one saying the folder was moved", notes)
	}
	if left := leftovers(t, moved); len(left) > 0 {
		t.Errorf("left %q", left)
	}

	dir, _, _ = killedCommit(t, 2)
	copied := filepath.Join(t.TempDir(), "copied")
	must(t, exec.Command("cp", "-a", dir, copied).Run())
	var q paths.Plan
	must(t, q.ReadFolder("--db", filepath.Join(copied, "store")))
	holds(t, copied, "new", committed...)
	holds(t, dir, "old", committed...) // never touched through the copy
	var r paths.Plan
	must(t, r.ReadFolder("--db", filepath.Join(dir, "store")))
	holds(t, dir, "new", "decisions.csv", "store/data", "sub/summary.json")
}

// TestInputInsideAFolderBeingSwapped: killed once the store was moved
// aside (its final name missing), a path inside the store is found: the
// folder above it is settled first.
func TestInputInsideAFolderBeingSwapped(t *testing.T) {
	if os.Getenv("S1_COMMIT_CHILD") != "" {
		return
	}
	dir, step, _ := killedCommit(t, 3)
	if _, err := os.Stat(filepath.Join(dir, "store")); step != "previous" || err == nil {
		t.Fatalf("killed at %q with the store there (%v); want it killed with the store moved aside", step, err)
	}
	var p paths.Plan
	must(t, p.Input("", filepath.Join(dir, "store", "data")))
	holds(t, dir, "new", "store/data", "decisions.csv", "sub/summary.json")
}

// TestOrphanPartialsAndLiveWriters: planning an output removes the
// partials of dead processes beside it, and refuses a file another live
// process is writing.
func TestOrphanPartialsAndLiveWriters(t *testing.T) {
	dir := t.TempDir()
	child := exec.Command("true")
	must(t, child.Run())
	orphan := filepath.Join(dir, fmt.Sprintf(".store.partial-%d-123", child.Process.Pid))
	must(t, os.MkdirAll(orphan, 0o755))
	live := filepath.Join(dir, fmt.Sprintf(".decisions.csv.partial-%d-456", os.Getpid()))
	must(t, os.WriteFile(live, nil, 0o600))
	var p paths.Plan
	if _, err := p.Output("--rejects", filepath.Join(dir, "rejects.csv")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(orphan); err == nil {
		t.Error("the partial of a dead process is left")
	}
	_, err := p.Output("--out", filepath.Join(dir, "decisions.csv"))
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("process %d", os.Getpid())) {
		t.Errorf("a file another process is writing: %v; want it refused naming the process", err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Error("the partial of a live process was removed")
	}
}

// TestCommitChild is the committing process of TestCommitKilledAtEveryStep.
func TestCommitChild(t *testing.T) {
	dir := os.Getenv("S1_COMMIT_CHILD")
	if dir == "" {
		t.Skip("run by TestCommitKilledAtEveryStep")
	}
	killAt, _ := strconv.Atoi(os.Getenv("S1_COMMIT_KILL_AT"))
	calls := 0
	paths.SetCrashPoint(func(step string) {
		if calls++; calls == killAt {
			fmt.Printf("killed at %s\n", step)
			os.Stdout.Sync()
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
	})
	var p paths.Plan
	folder, err := p.Folder("--db", filepath.Join(dir, "store"), "", "a store", func(string, fs.DirEntry) bool { return true })
	must(t, err)
	store, err := output.CreateDir(folder)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(store.Path(), "data"), []byte("new"), 0o600))
	var items []output.Pending
	items = append(items, store)
	for _, name := range []string{"sub/summary.json", "decisions.csv"} {
		f, err := output.Create(filepath.Join(dir, name), nil)
		must(t, err)
		_, err = f.Write([]byte("new"))
		must(t, err)
		items = append(items, f)
	}
	must(t, output.Commit(items...))
}

// leftovers lists the hidden entries of dir and dir/sub: partials, kept
// previous contents, journals.
func leftovers(t *testing.T, dir string) []string {
	var left []string
	for _, d := range []string{dir, filepath.Join(dir, "sub")} {
		entries, err := os.ReadDir(d)
		must(t, err)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") {
				left = append(left, filepath.Join(filepath.Base(d), e.Name()))
			}
		}
	}
	return left
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestKeptPreviousOfDeadProcess: a previous content kept by a process that
// died with no journal (killed while undoing its commit) is put back when
// its final name is missing and removed when it is not.
func TestKeptPreviousOfDeadProcess(t *testing.T) {
	dir := t.TempDir()
	child := exec.Command("true")
	must(t, child.Run())
	dead := child.Process.Pid
	must(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	prevStore := filepath.Join(dir, fmt.Sprintf(".store.previous-%d-0", dead))
	must(t, os.MkdirAll(prevStore, 0o755))
	must(t, os.WriteFile(filepath.Join(prevStore, "data"), []byte("old"), 0o600))
	must(t, os.WriteFile(filepath.Join(dir, "decisions.csv"), []byte("new"), 0o600))
	prevFile := filepath.Join(dir, fmt.Sprintf(".decisions.csv.previous-%d-0", dead))
	must(t, os.WriteFile(prevFile, []byte("old"), 0o600))
	var notes []string
	paths.Settle(dir, func(s string) { notes = append(notes, s) })
	if b, err := os.ReadFile(filepath.Join(dir, "store", "data")); err != nil || string(b) != "old" {
		t.Errorf("the missing store was not put back: %q, %v", b, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "decisions.csv")); string(b) != "new" {
		t.Errorf("decisions.csv = %q; want it left as it is", b)
	}
	if left := leftovers(t, dir); len(left) > 0 {
		t.Errorf("left %q", left)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "store was missing") {
		t.Errorf("notes = %q; want one naming the store put back", notes)
	}
}

// TestLockedPartialIsLive: a partial its writer holds locked is being
// written whatever its name says (a writer in another PID namespace has a
// process id that means another process here); and of two commands that
// create partials of one folder, the second is refused once its own
// partial exists.
func TestLockedPartialIsLive(t *testing.T) {
	dir := t.TempDir()
	child := exec.Command("true")
	must(t, child.Run())
	other := filepath.Join(dir, fmt.Sprintf(".store.partial-%d-1-99", child.Process.Pid)) // a dead process here
	must(t, os.Mkdir(other, 0o755))
	lock, err := paths.Hold(other)
	must(t, err)
	if pid := paths.Writer(filepath.Join(dir, "store")); pid != child.Process.Pid {
		t.Errorf("a locked partial: writer %d; want %d", pid, child.Process.Pid)
	}
	paths.RemoveLeftovers(filepath.Join(dir, "store"))
	paths.RemoveOrphans(dir)
	if _, err := os.Stat(other); err != nil {
		t.Fatal("a locked partial was removed as a leftover")
	}
	lock.Close()
	if pid := paths.Writer(filepath.Join(dir, "store")); pid != 0 {
		t.Errorf("unlocked, of a dead process: writer %d; want none", pid)
	}

	var p paths.Plan
	folder, err := p.Folder("--db", filepath.Join(dir, "db"), "", "a store", func(string, fs.DirEntry) bool { return true })
	must(t, err)
	first, err := output.CreateDir(folder)
	must(t, err)
	defer first.Abort()
	if second, err := output.CreateDir(folder); err == nil || !strings.Contains(err.Error(), "is writing it now") {
		if second != nil {
			second.Abort()
		}
		t.Errorf("a second writer of one folder: %v; want it refused", err)
	}
	f1, err := output.Create(filepath.Join(dir, "d.csv"), nil)
	must(t, err)
	defer f1.Abort()
	if f2, err := output.Create(filepath.Join(dir, "d.csv"), nil); err == nil || !strings.Contains(err.Error(), "is writing it now") {
		if f2 != nil {
			f2.Abort()
		}
		t.Errorf("a second writer of one file: %v; want it refused", err)
	}
}
