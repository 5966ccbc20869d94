package paths

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
)

// A commit places several outputs (files, folders, the store) by renaming
// each partial over its final name. A process killed between two renames
// (SIGKILL, a power cut) would leave the outputs of two runs side by side.
// So before its first rename a commit writes a journal, and a command that
// later plans a path in one of those folders finishes the commit for the
// dead process:
//
//	1. every partial is complete and synced (the caller's part)
//	2. one copy of the journal is written, as <name>.tmp, into the folder of
//	   every final name, and synced
//	3. each copy is renamed to <name>                  <- the commit point
//	4. for each move: what the final name holds is kept under Previous
//	   (a hard link for a file, the folder renamed), then From is renamed
//	   to To
//	5. every Previous is removed
//	6. every copy of the journal is removed
//
// A killed commit is rolled back (its partials removed as leftovers) when
// no copy of its journal bears its final name, and rolled forward (steps 4
// to 6 done again, each skipping what is already done) when one does. The
// journal's name is
//
//	.s1resolve-commit-<pid>-<seq>
//
// where pid is the committing process (alive, and started before the
// journal was written: the commit is under way, leave it) and seq counts
// the commits of that process.

// Move is one rename of a commit: From (a partial beside To) becomes To;
// whatever To held is kept under Previous until the commit ends. All three
// are absolute paths in one folder.
type Move struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Previous string `json:"previous"`
	Folder   bool   `json:"folder"`
}

// Journal is a commit under way: its moves and where its copies are.
type Journal struct {
	held []*os.File // the locks of its copies, while this process commits

	PID    int      `json:"pid"`
	Start  int64    `json:"start"`  // the process's start, clock ticks since boot (0: unknown)
	Boot   string   `json:"boot"`   // the boot it ran in (Linux's boot_id), "" when unknown
	Here   string   `json:"here"`   // the folder of this copy, when written
	Copies []string `json:"copies"` // absolute paths, one per folder of a To
	Moves  []Move   `json:"moves"`
}

// RealName returns path made absolute with the symlinks of its folder
// resolved (path itself need not exist): the name a journal records, so
// that it still names the same files when a symlink on the way is changed.
func RealName(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	return filepath.Join(realPath(filepath.Dir(abs)), filepath.Base(abs))
}

const journalPrefix = ".s1resolve-commit-"

var journalSeq atomic.Int64

// PreviousName returns a name beside final, free now, under which a
// commit of this process keeps what final holds until the commit ends.
func PreviousName(final string) (string, error) {
	for i := 0; i < 100; i++ {
		prev := filepath.Join(filepath.Dir(final), fmt.Sprintf(".%s.previous-%s-%d", filepath.Base(final), Self(), i))
		if _, err := os.Lstat(prev); errors.Is(err, os.ErrNotExist) {
			return prev, nil
		}
	}
	return "", fmt.Errorf("keeping the previous %s: too many leftovers beside it", final)
}

// BeginCommit writes the journal of moves (steps 2 and 3): once it
// returns without error the commit will be finished, by this process or,
// if it is killed, by the next command that plans a path in one of the
// folders. On error nothing is placed and no journal is left.
func BeginCommit(moves []Move) (*Journal, error) {
	j := &Journal{PID: os.Getpid(), Start: selfStart(), Boot: bootID(), Moves: moves}
	name := journalPrefix + strconv.Itoa(j.PID) + "-" + strconv.FormatInt(journalSeq.Add(1), 10)
	seen := map[string]bool{}
	for _, m := range moves {
		if d := filepath.Dir(m.To); !seen[d] {
			seen[d] = true
			j.Copies = append(j.Copies, filepath.Join(d, name))
		}
	}
	sort.Strings(j.Copies)
	for _, c := range j.Copies {
		copy := *j
		copy.Here = filepath.Dir(c)
		b, err := json.Marshal(&copy)
		if err != nil {
			return nil, err
		}
		if err := writeSynced(c+".tmp", append(b, '\n')); err != nil {
			j.remove()
			return nil, fmt.Errorf("writing the commit journal %s: %w", c, err)
		}
		lock, err := Hold(c + ".tmp") // the commit is under way: across PID namespaces too
		if err != nil {
			j.remove()
			return nil, fmt.Errorf("writing the commit journal %s: %w", c, err)
		}
		j.held = append(j.held, lock)
	}
	crashPoint("journal written")
	for i, c := range j.Copies {
		if err := os.Rename(c+".tmp", c); err != nil {
			j.remove()
			return nil, fmt.Errorf("writing the commit journal %s: %w", c, err)
		}
		syncFolder(filepath.Dir(c))
		if i == 0 {
			crashPoint("commit point")
		}
	}
	return j, nil
}

// writing reports whether the process of the journal at path is alive:
// the commit is under way. A journal of another boot is not.
func (j *Journal) writing(path string) bool {
	if held(path) {
		return true
	}
	if j.Boot != "" && j.Boot != bootID() {
		return false
	}
	return wrote(j.PID, j.Start, path)
}

// bootID returns Linux's identifier of this boot, "" where there is none.
func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// End removes every copy of the journal (step 6): the commit is finished,
// or, after a failure, undone by its own process.
func (j *Journal) End() { j.remove() }

func (j *Journal) remove() {
	for _, c := range j.Copies {
		os.Remove(c + ".tmp")
		os.Remove(c)
		syncFolder(filepath.Dir(c))
	}
	for _, f := range j.held {
		f.Close()
	}
	j.held = nil
}

// rollForward does steps 4 to 6 of a journal whose process is dead,
// skipping each move already done. It returns the final names placed.
func (j *Journal) rollForward() ([]string, error) {
	var placed []string
	for _, m := range j.Moves {
		if _, err := os.Lstat(m.From); err != nil {
			continue // placed before the process died
		}
		if m.Folder {
			if _, err := os.Lstat(m.To); err == nil {
				if _, err := os.Lstat(m.Previous); err == nil {
					return placed, fmt.Errorf("%s and %s both exist", m.To, m.Previous)
				}
				if err := os.Rename(m.To, m.Previous); err != nil {
					return placed, err
				}
			}
		}
		if err := os.Rename(m.From, m.To); err != nil {
			return placed, err
		}
		syncFolder(filepath.Dir(m.To))
		placed = append(placed, m.To)
	}
	for _, m := range j.Moves {
		os.RemoveAll(m.Previous)
	}
	j.remove()
	return placed, nil
}

// Settle finishes or undoes, in folder dir, what a command killed while
// committing left there, and tells note (when not nil) what it did:
//
//   - a journal bearing its final name is rolled forward, in every folder
//     it names;
//   - a journal still under its .tmp name is removed, unless another copy
//     of it bears its final name (then rolled forward);
//   - a kept previous content (.<name>.previous-<pid>-<i>) that no journal
//     names is put back when its final name is missing, removed otherwise.
//
// Partials of dead processes are left to RemoveOrphans and RemoveLeftovers. Errors are told
// to note and leave the files as they are.
func Settle(dir string, note func(string)) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	say := func(format string, a ...any) {
		if note != nil {
			note(fmt.Sprintf(format, a...))
		}
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, journalPrefix) {
			continue
		}
		pid, ok := journalPID(name)
		path := filepath.Join(dir, name)
		if !ok {
			continue
		}
		tmp := strings.HasSuffix(name, ".tmp")
		j, err := readJournal(path)
		if err == nil && j.writing(path) || err != nil && wrote(pid, 0, path) {
			continue // a commit under way
		}
		if err != nil {
			if tmp {
				os.Remove(path) // cut short while being written: nothing was placed
				continue
			}
			say("%s: a commit journal that cannot be read (%v): left as it is", path, err)
			continue
		}
		here := realPath(dir)
		moved := here != j.Here
		if moved {
			// This folder was moved or copied while the commit was under
			// way: the journal's names are read from where it now is.
			j.translate(j.Here, here)
		}
		if tmp {
			valid := ""
			for _, c := range j.Copies {
				if _, err := os.Lstat(c); err == nil {
					valid = c
				}
			}
			if valid == "" {
				os.Remove(path) // killed before the commit point: rolled back
				continue
			}
		}
		if moved {
			say("%s was moved or copied while an earlier s1resolve (process %d) was placing its outputs in %s: its commit is finished where they now are", dir, pid, j.Here)
		}
		placed, err := j.rollForward()
		if err != nil {
			say("an earlier s1resolve (process %d) was killed while placing its outputs; finishing its commit failed: %v", pid, err)
			continue
		}
		if len(placed) > 0 {
			say("an earlier s1resolve (process %d) was killed while placing its outputs: its commit is now finished (placed: %s)", pid, strings.Join(placed, ", "))
		}
	}
	settlePrevious(dir, say)
}

// translate reads every name of the journal from the folder to rather than
// from: the same place relative to it. A move whose partial is not found
// there (a folder outside what was moved or copied) is skipped by
// rollForward, as one already done.
func (j *Journal) translate(from, to string) {
	in := func(p string) string {
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return p
		}
		return filepath.Join(to, rel)
	}
	for i, m := range j.Moves {
		j.Moves[i] = Move{From: in(m.From), To: in(m.To), Previous: in(m.Previous), Folder: m.Folder}
	}
	for i, c := range j.Copies {
		j.Copies[i] = in(c)
	}
}

// RemoveOrphans removes from dir the partials (.NAME.partial-PID-*) of
// processes that are gone and that no journal left in dir names: what a
// command killed before its commit point left. Run Settle first.
func RemoveOrphans(dir string) {
	deadLeftovers(dir, ".partial-", func(path, _ string, _ int) { os.RemoveAll(path) })
}

// settlePrevious handles the kept previous contents of dead processes that
// no journal names (a commit killed while undoing itself, or written by a
// build without journals).
func settlePrevious(dir string, say func(string, ...any)) {
	deadLeftovers(dir, ".previous-", func(prev, final string, pid int) {
		if _, err := os.Lstat(final); errors.Is(err, os.ErrNotExist) {
			if os.Rename(prev, final) == nil {
				syncFolder(dir)
				say("%s was missing after an earlier s1resolve (process %d) was killed: its previous content is put back", final, pid)
			}
			return
		}
		os.RemoveAll(prev)
	})
}

// deadLeftovers calls fn with each entry of dir named .FINAL<kind>PID-...
// (kind ".partial-" or ".previous-"), the final name it stands beside and
// its process, when that process is gone and no journal left in dir names
// it.
func deadLeftovers(dir, kind string, fn func(path, final string, pid int)) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		i := strings.LastIndex(name, kind)
		if !strings.HasPrefix(name, ".") || i <= 1 {
			continue
		}
		pid, start, ok := parseWriter(name[i+len(kind):])
		path := filepath.Join(dir, name)
		if !ok || hasJournal(entries, pid) || wrote(pid, start, path) {
			continue
		}
		fn(path, filepath.Join(dir, name[1:i]), pid)
	}
}

func hasJournal(entries []os.DirEntry, pid int) bool {
	for _, e := range entries {
		if p, ok := journalPID(e.Name()); ok && p == pid && strings.HasPrefix(e.Name(), journalPrefix) {
			return true
		}
	}
	return false
}

// journalPID returns the process id a journal's name carries.
func journalPID(name string) (int, bool) {
	rest := strings.TrimPrefix(name, journalPrefix)
	pid, err := strconv.Atoi(strings.SplitN(rest, "-", 2)[0])
	return pid, err == nil && pid > 0 && rest != name
}

func readJournal(path string) (*Journal, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var j Journal
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, err
	}
	if len(j.Copies) == 0 || len(j.Moves) == 0 {
		return nil, errors.New("no moves")
	}
	for _, m := range j.Moves {
		if !filepath.IsAbs(m.From) || !filepath.IsAbs(m.To) || !filepath.IsAbs(m.Previous) {
			return nil, errors.New("a path that is not absolute")
		}
	}
	return &j, nil
}

func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncFolder(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// crashPoint is called at each step of a commit; tests set it to kill the
// process there.
var crashPoint = func(step string) {}

// CrashPoint calls the crash point of the commit steps (for package
// output's own steps).
func CrashPoint(step string) { crashPoint(step) }
