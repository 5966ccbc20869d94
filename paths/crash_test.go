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
		dir := t.TempDir()
		for _, name := range committed {
			must(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
			must(t, os.WriteFile(filepath.Join(dir, name), []byte("old"), 0o600))
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCommitChild$")
		cmd.Env = append(os.Environ(), "S1_COMMIT_CHILD="+dir, "S1_COMMIT_KILL_AT="+strconv.Itoa(n))
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		killed := errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled()
		if err != nil && !killed {
			t.Fatalf("step %d: child failed: %v\n%s", n, err, out)
		}
		step := strings.TrimSpace(string(out))
		if i := strings.LastIndex(step, "killed at "); i >= 0 {
			step = step[i+len("killed at "):]
		}
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
		for _, name := range committed {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || string(b) != want {
				t.Fatalf("killed at %q (call %d): %s holds %q, %v; want every output %q (notes %q)", step, n, name, b, err, want, notes)
			}
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
