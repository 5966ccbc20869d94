package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/s1resolve/s1resolve/synth"
)

// sampleTest is binaryTest with the two sample files (testdata/sample)
// and must, which runs the binary in dir and fails the test unless it
// exits 0, returning what it printed.
func sampleTest(t *testing.T) (bin, dir, a, b string, must func(args ...string) string) {
	t.Helper()
	bin, dir = binaryTest(t)
	sample, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "sample"))
	a, b = filepath.Join(sample, "smso_a.csv"), filepath.Join(sample, "smso_b.csv")
	must = func(args ...string) string {
		t.Helper()
		code, stdout, stderr := runBin(t, bin, dir, nil, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, stderr)
		}
		return stdout + stderr
	}
	return bin, dir, a, b, must
}

// binaryTest skips under -short, and returns the built binary (built once
// per test process) and a new folder for the test.
func binaryTest(t *testing.T) (bin, dir string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and runs it")
	}
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "s1resolve-bin-*")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "s1resolve")
		if out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin, t.TempDir()
}

// built is the binary the tests of this package share.
var built struct {
	once     sync.Once
	dir, bin string
	err      error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// TestKilledRunLeavesNothingFinalAndRerunMatches starts the binary, kills
// it (SIGKILL) at several moments, checks that no output exists under its
// final name, then runs again on the same store and compares with an
// uninterrupted run.
func TestKilledRunLeavesNothingFinalAndRerunMatches(t *testing.T) {
	bin, _ := binaryTest(t)
	st, err := synth.Generate(context.Background(), synth.Config{Dir: t.TempDir(), Installations: 150000, Seed: 9, Bad: 0.001})
	if err != nil {
		t.Fatal(err)
	}
	args := func(dir string) []string {
		return append([]string{"run", "--quiet", "--db", filepath.Join(dir, "db"), "--out", filepath.Join(dir, "d.csv"),
			"--rejects", filepath.Join(dir, "r.csv"), "--registration", st.Registration, "--suppliers", st.Suppliers}, st.Files...)
	}
	ref := t.TempDir()
	if out, err := exec.Command(bin, args(ref)...).CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, out)
	}
	want, _ := os.ReadFile(filepath.Join(ref, "d.csv"))
	wantRej, _ := os.ReadFile(filepath.Join(ref, "r.csv"))
	for _, after := range []time.Duration{50 * time.Millisecond, 300 * time.Millisecond, 700 * time.Millisecond, 1200 * time.Millisecond} {
		dir := t.TempDir()
		cmd := exec.Command(bin, args(dir)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(after)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		killed := err != nil
		for _, name := range []string{"d.csv", "r.csv"} {
			data, statErr := os.ReadFile(filepath.Join(dir, name))
			if killed && statErr == nil {
				t.Errorf("killed after %v: %s exists under its final name (%d bytes)", after, name, len(data))
			}
		}
		if out, err := exec.Command(bin, args(dir)...).CombinedOutput(); err != nil {
			t.Fatalf("rerun after a kill at %v: %v\n%s", after, err, out)
		}
		got, _ := os.ReadFile(filepath.Join(dir, "d.csv"))
		gotRej, _ := os.ReadFile(filepath.Join(dir, "r.csv"))
		if !bytes.Equal(got, want) || !bytes.Equal(gotRej, wantRej) {
			t.Errorf("rerun after a kill at %v differs from an uninterrupted run", after)
		}
		if out, err := exec.Command(bin, "explain", "--db", filepath.Join(dir, "db"), "SMSO_A0/INS-1").CombinedOutput(); err != nil &&
			!strings.Contains(string(out), "no installation matches") {
			t.Errorf("explain on the rebuilt store: %v\n%s", err, out)
		}
	}
}

// TestInterruptStopsCleanly: SIGINT stops a run within two seconds, with
// exit status 130, a message, and no output under its final name.
func TestInterruptStopsCleanly(t *testing.T) {
	bin, _ := binaryTest(t)
	st, err := synth.Generate(context.Background(), synth.Config{Dir: t.TempDir(), Installations: 300000, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, append([]string{"run", "--db", filepath.Join(dir, "db"), "--out", filepath.Join(dir, "d.csv"),
		"--rejects", filepath.Join(dir, "r.csv")}, st.Files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	sent := time.Now()
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	took := time.Since(sent)
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Skipf("the run finished before the interrupt (%v)", err)
	}
	if ee.ExitCode() != 130 || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("exit %d, stderr %q; want 130 and a message", ee.ExitCode(), stderr.String())
	}
	if took > 2*time.Second {
		t.Errorf("took %v to stop after SIGINT", took)
	}
	for _, name := range []string{"d.csv", "r.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s exists after an interrupted run", name)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".partial-") {
			t.Errorf("interrupted run left %s", e.Name())
		}
	}
}

// TestFilesAreOwnerOnly: outputs, reports and every file of the store are
// readable by the owner only.
func TestFilesAreOwnerOnly(t *testing.T) {
	bin, dir := binaryTest(t)
	good := filepath.Join("..", "..", "testdata", "sample", "smso_a.csv")
	cmd := exec.Command(bin, "run", "--quiet", "--db", filepath.Join(dir, "db"), "--out", filepath.Join(dir, "d.csv"),
		"--rejects", filepath.Join(dir, "r.csv"), "--report", filepath.Join(dir, "rep"), good)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	n := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		n++
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v", p, perm)
		}
		return nil
	})
	if n < 8 {
		t.Fatalf("only %d files written", n)
	}
}
