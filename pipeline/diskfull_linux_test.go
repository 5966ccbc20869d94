package pipeline

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/s1resolve/s1resolve/index"
)

// smallDisk mounts a tmpfs of the given size, or skips the test where
// mounting is not allowed (it needs root).
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v): the full-disk test is skipped", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, 0) })
	return dir
}

// TestDiskFull: outputs or a store that fill their disk give an error
// naming what was being written, and nothing under a final name.
func TestDiskFull(t *testing.T) {
	files := generate(t, 20000, 0)
	for _, where := range []string{"outputs", "store"} {
		t.Run(where, func(t *testing.T) {
			full := smallDisk(t, "1m")
			out, db := full, filepath.Join(t.TempDir(), "db")
			if where == "store" {
				out, db = t.TempDir(), filepath.Join(full, "db")
			}
			cfg := Config{Inputs: files, DB: db, Out: filepath.Join(out, "d.csv"), Rejects: filepath.Join(out, "r.csv")}
			_, err := Run(t.Context(), cfg)
			if err == nil {
				t.Fatal("a run onto a full disk succeeded")
			}
			if !errors.Is(err, syscall.ENOSPC) && !errors.Is(err, index.ErrNoSpace) {
				t.Errorf("error %v, want one saying the disk is full", err)
			}
			if !strings.Contains(err.Error(), full) {
				t.Errorf("error %v does not name what was being written", err)
			}
			for _, name := range []string{"d.csv", "r.csv"} {
				if _, err := os.Stat(filepath.Join(out, name)); err == nil {
					t.Errorf("%s exists after a failed run", name)
				}
			}
			if entries, _ := os.ReadDir(out); where == "outputs" && len(entries) > 0 {
				t.Errorf("left behind %v", entries)
			}
		})
	}
}
