package pipeline

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/paths"
)

// TestCPUProfileIsAnOutput: a command's CPU profile is one of its outputs,
// committed with the rest or not at all. Interrupted mid-work, the run
// leaves an earlier file at the profile's path as it was; completed, it
// places the profile; inside the store's folder, it is refused before any
// work, as any output there would be.
func TestCPUProfileIsAnOutput(t *testing.T) {
	sample := filepath.Join("..", "testdata", "sample")
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	prof := at("cpu.prof")
	if err := os.WriteFile(prof, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := func(cancel func()) Config {
		return Config{Inputs: []string{filepath.Join(sample, "smso_a.csv"), filepath.Join(sample, "smso_b.csv")},
			DB: at("db"), Out: at("d.csv"), Rejects: at("r.csv"), CPUProfile: prof, Workers: 2,
			Process: Process{StartCPUProfile: func(w io.Writer) error {
				_, err := w.Write([]byte("profile"))
				cancel() // interrupted as soon as the profile has begun
				return err
			}, StopCPUProfile: func() {}}}
	}
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := Run(ctx, cfg(cancel)); !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	if b, _ := os.ReadFile(prof); string(b) != "precious" {
		t.Fatalf("an interrupted run changed the file at its profile's path: %q", b)
	}
	if left, _ := filepath.Glob(at(".*partial*")); len(left) > 0 {
		t.Fatalf("an interrupted run left %v", left)
	}
	if _, err := Run(context.Background(), cfg(func() {})); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(prof); string(b) != "profile" {
		t.Fatalf("a completed run's profile: %q", b)
	}
	inside := cfg(func() {})
	inside.CPUProfile = at("db/cpu.prof")
	_, err := Run(context.Background(), inside)
	if !errors.Is(err, paths.ErrConflict) || !strings.Contains(err.Error(), "cpu.prof") {
		t.Fatalf("a profile inside the store: %v", err)
	}
}
