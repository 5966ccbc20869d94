package paths

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A folder written whole (output.Dir), or a file written beside its place
// (output.File), is written under a new name beside it: PartialPrefix(path)
// + the writer's process id + "-" + random, until it is placed or removed. So a folder being written can be told
// from the leftover of a killed command: the process of the first is
// alive, that of the second is not. (A lock cannot say it: the store's
// Badger locks its folder itself.)

// PartialPrefix returns the prefix of the names of the folders being
// written to replace path.
func PartialPrefix(path string) string {
	return filepath.Join(filepath.Dir(filepath.Clean(path)), "."+filepath.Base(filepath.Clean(path))+".partial-")
}

// Writer says whether a command is writing a new content of the folder
// path now: it returns the writer's process id, or 0 when none is (a
// leftover of a killed command is not a writer).
func Writer(path string) int {
	pid, _ := scanPartials(path, false)
	return pid
}

// RemoveLeftovers removes what a killed command left while writing path
// (partial files or folders of a process that is gone) and returns how many
// it removed.
func RemoveLeftovers(path string) int {
	Settle(filepath.Dir(filepath.Clean(path)), nil) // a killed commit's partials are not leftovers
	_, n := scanPartials(path, true)
	return n
}

func scanPartials(path string, remove bool) (writer, removed int) {
	prefix := PartialPrefix(path)
	entries, err := os.ReadDir(filepath.Dir(prefix))
	if err != nil {
		return 0, 0
	}
	base := filepath.Base(prefix)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), base) {
			continue
		}
		pid, err := strconv.Atoi(strings.SplitN(strings.TrimPrefix(e.Name(), base), "-", 2)[0])
		if err != nil || pid <= 0 {
			continue // not a name this package gives
		}
		if alive(pid) {
			writer = max(writer, pid)
			continue
		}
		if remove && os.RemoveAll(filepath.Join(filepath.Dir(prefix), e.Name())) == nil {
			removed++
		}
	}
	return writer, removed
}

// alive reports whether process pid exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// beingWritten refuses a folder another command is writing now.
func beingWritten(l, path string) error {
	if pid := Writer(path); pid != 0 {
		return &Error{l, fmt.Sprintf("another s1resolve command (process %d) is writing it now; wait for it to finish", pid)}
	}
	return nil
}
