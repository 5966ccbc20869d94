package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/value"
)

func tinyPopulation() (*engine.Population, *engine.Result) {
	pop := &engine.Population{
		Installations: []engine.Installation{{Name: "S\x00a", MPAN: value.MPANKey(1200023305967), Count: 1, Cohort: engine.FOC}},
		Devices:       []engine.Device{engine.DeviceFields{GUID: 42, Type: engine.CHF}.Device()},
		Positions:     engine.PositionsOf([]uint16{0}, []uint32{2}), Files: []string{"a.csv"},
	}
	res, _ := (&engine.Resolver{GUIDPostings: true}).Resolve(context.Background(), pop)
	return pop, res
}

// TestStoreInUse: a second writer on a store that is open fails at once
// with an error naming the directory.
func TestStoreInUse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	pop, res := tinyPopulation()
	if err := Write(context.Background(), dir, pop, res, Extras{Rules: engine.DefaultRules()}, 1); err != nil {
		t.Fatal(err)
	}
	db, err := badger.Open(badgerOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = Write(context.Background(), dir, pop, res, Extras{Rules: engine.DefaultRules()}, 1)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), dir) {
		t.Fatalf("error %v, want ErrLocked naming %s", err, dir)
	}
}

// TestStoreFormatChecked: a store of another format version, or a Badger
// directory that is not a store, is refused, never misread.
func TestStoreFormatChecked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	pop, res := tinyPopulation()
	if err := Write(context.Background(), dir, pop, res, Extras{Rules: engine.DefaultRules()}, 1); err != nil {
		t.Fatal(err)
	}
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ids, _, err := st.ByGUID(42); err != nil || len(ids) != 1 {
		t.Fatalf("ByGUID: %v %v", ids, err)
	}
	st.Close()

	db, err := badger.Open(badgerOptions(dir))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(txn *badger.Txn) error { return txn.Set(metaKey, []byte(`{"format":99}`)) })
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "format 99") {
		t.Fatalf("error %v, want ErrFormat for format 99", err)
	}

	other := filepath.Join(t.TempDir(), "other")
	db, err = badger.Open(badgerOptions(other))
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(other); !errors.Is(err, ErrNotStore) {
		t.Fatalf("error %v, want ErrNotStore for another program's Badger directory", err)
	}
	before := listDir(t, other)
	if err := Write(context.Background(), other, pop, res, Extras{Rules: engine.DefaultRules()}, 1); !errors.Is(err, ErrNotStore) ||
		!strings.Contains(err.Error(), "it holds ") {
		t.Fatalf("Write into another program's Badger directory: %v, want ErrNotStore naming what it holds", err)
	}
	if after := listDir(t, other); after != before {
		t.Fatalf("a refused Write changed the directory:\n%s\nbecame\n%s", before, after)
	}
	if err := markComplete(other); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(other); !errors.Is(err, ErrFormat) {
		t.Fatalf("error %v, want ErrFormat for a store without metadata", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("opened a missing store")
	}
}

// TestInterruptedWriteIsRefused: a write that stopped half-way (here,
// cancelled) leaves a directory Open refuses; writing again repairs it.
func TestInterruptedWriteIsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	pop, res := tinyPopulation()
	x := Extras{Rules: engine.DefaultRules()}
	if err := Write(context.Background(), dir, pop, res, x, 1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Write(ctx, dir, pop, res, x, 1); err == nil {
		t.Fatal("a cancelled write succeeded")
	}
	if _, err := Open(dir); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("error %v, want ErrIncomplete", err)
	}
	if err := Write(context.Background(), dir, pop, res, x, 1); err != nil {
		t.Fatal(err)
	}
	st, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

// listDir returns the names and sizes of dir's entries.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		info, _ := e.Info()
		fmt.Fprintf(&b, "%s %d\n", e.Name(), info.Size())
	}
	return b.String()
}

// TestClaim: a store is written only into a new or empty directory or an
// s1resolve store; a folder holding anything else is refused untouched.
func TestClaim(t *testing.T) {
	base := t.TempDir()
	if err := Claim(filepath.Join(base, "new")); err != nil || !IsStore(filepath.Join(base, "new")) {
		t.Fatalf("new directory: %v", err)
	}
	if err := Claim(filepath.Join(base, "no", "parent")); err == nil {
		t.Fatal("claimed a directory whose parent is missing")
	}
	notes := filepath.Join(base, "notes")
	os.Mkdir(notes, 0o700)
	os.WriteFile(filepath.Join(notes, "todo.txt"), []byte("keep me"), 0o600)
	if err := Claim(notes); !errors.Is(err, ErrNotStore) || !strings.Contains(err.Error(), "todo.txt") {
		t.Fatalf("folder with a file: %v", err)
	}
	if IsStore(notes) {
		t.Fatal("a refused claim left a marker")
	}
	file := filepath.Join(base, "file")
	os.WriteFile(file, nil, 0o600)
	if err := Claim(file); !errors.Is(err, ErrNotStore) {
		t.Fatalf("a file as store: %v", err)
	}
}

// TestOpenSaysWhoWritesIt: a store that does not exist yet because a live
// command is writing it is said to be being written, not missing or
// interrupted.
func TestOpenSaysWhoWritesIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	if _, err := Open(dir); err == nil || errors.Is(err, ErrWriting) {
		t.Fatalf("a missing store: %v", err)
	}
	partial := paths.PartialPrefix(dir) + fmt.Sprint(os.Getpid()) + "-1"
	if err := os.Mkdir(partial, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrWriting) || !strings.Contains(err.Error(), fmt.Sprintf("process %d", os.Getpid())) {
		t.Fatalf("a store being written: %v", err)
	}
}

// TestServedMarker: a live server's marker is seen, with who serves; a
// stale one (its lock free: the server was killed) is not, and is removed
// by the next server; a store with markers is still a store a run may
// write into (Owns), and release removes the marker.
func TestServedMarker(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	pop, res := tinyPopulation()
	if err := Write(context.Background(), dir, pop, res, Extras{Rules: engine.DefaultRules()}, 1); err != nil {
		t.Fatal(err)
	}
	if who, served := ServedBy(dir); served {
		t.Fatalf("an unserved store is served by %q", who)
	}
	stale := filepath.Join(dir, servedPrefix+"999999-1")
	if err := os.WriteFile(stale, []byte("pid 999999, http://127.0.0.1:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if who, served := ServedBy(dir); served {
		t.Fatalf("a stale marker counts: %q", who)
	}
	release, err := MarkServed(dir, "pid 1, http://127.0.0.1:8080")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale marker is still there: %v", err)
	}
	release2, err := MarkServed(dir, "pid 2, https://10.0.0.1:8443")
	if err != nil {
		t.Fatal(err)
	}
	who, served := ServedBy(dir)
	if !served || !strings.Contains(who, "http://127.0.0.1:8080") || !strings.Contains(who, "https://10.0.0.1:8443") {
		t.Fatalf("ServedBy = %q, %v; want both servers", who, served)
	}
	if err := Claim(dir); err != nil {
		t.Fatalf("a served store is not a store to Owns: %v", err)
	}
	owns := Owns(dir)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !owns(e.Name(), e) {
			t.Errorf("Owns refuses %s", e.Name())
		}
	}
	release()
	release() // twice is harmless
	if who, served := ServedBy(dir); !served || strings.Contains(who, "8080") {
		t.Fatalf("after one release: %q, %v", who, served)
	}
	release2()
	if who, served := ServedBy(dir); served {
		t.Fatalf("after both releases: %q", who)
	}
	if ms := markers(dir); len(ms) != 0 {
		t.Fatalf("markers left: %v", ms)
	}
}

// TestStoreNeedsGUIDPostings: a population resolved without its GUID
// postings cannot make a store (it would answer no GUID), and nothing is
// written.
func TestStoreNeedsGUIDPostings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	pop, _ := tinyPopulation()
	res, _ := (&engine.Resolver{}).Resolve(context.Background(), pop)
	err := Write(context.Background(), dir, pop, res, Extras{Rules: engine.DefaultRules()}, 1)
	if err == nil || !strings.Contains(err.Error(), "GUID postings") {
		t.Fatalf("%v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s was made: %v", dir, err)
	}
}
