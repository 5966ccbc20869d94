package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// FuzzDamagedPages flips, cuts and overwrites bytes of a real installation
// table and reads it every way the store does (open, scan, by page, by
// name): never a panic; either the records read back as written, or an
// error that says the store is damaged (ErrDamaged) or not of this format
// (ErrFormat).
func FuzzDamagedPages(f *testing.F) {
	pop := &engine.Population{}
	for i := 0; i < 700; i++ { // three pages
		pop.Installations = append(pop.Installations, engine.Installation{
			Name: engine.InstallationName("S", string(rune('a'+i%26))+string(rune('a'+i/26))), MPAN: value.MPANKey(uint64(1e12 + i)),
			Date: value.MakeDate(2019, 1, 1+i%28), First: uint32(i), Count: 1, Cohort: engine.Cohort(1 + i%4)})
		pop.Devices = append(pop.Devices, engine.DeviceFields{GUID: value.GUID(i + 1), Type: engine.ESME, State: engine.Dormant}.Device())
	}
	rowsInOrder(pop)
	rules := engine.DefaultRules()
	res, err := (&engine.Resolver{Workers: 1, Rules: &rules, GUIDPostings: true}).Resolve(context.Background(), pop)
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	if err := writePageFile(context.Background(), dir, pop, res, 1); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(dir, pageFile))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint32(10), byte(1), uint32(0))
	f.Add(uint32(len(good)-5), byte(0x80), uint32(0))
	f.Add(uint32(len(good)-30), byte(0x10), uint32(0))
	f.Add(uint32(0), byte(0), uint32(7))
	f.Fuzz(func(t *testing.T, at uint32, flip byte, cut uint32) {
		data := append([]byte(nil), good...)
		if len(data) > 0 {
			data[int(at)%len(data)] ^= flip
		}
		if int(cut) < len(data) {
			data = data[:len(data)-int(cut)]
		}
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, pageFile), data, 0o600); err != nil {
			t.Fatal(err)
		}
		damaged := func(err error) {
			t.Helper()
			if err != nil && !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrFormat) {
				t.Fatalf("flip %#x at %d, cut %d: %v, want ErrDamaged or ErrFormat", flip, at, cut, err)
			}
		}
		r, err := openPageFile(d)
		if err != nil {
			damaged(err)
			return
		}
		defer r.close()
		s := &Store{pages: r, Meta: Meta{Installations: len(pop.Installations)}}
		n := 0
		err = s.Scan(context.Background(), func(rec *Record) error {
			if rec.Installation.Name != pop.Installations[rec.ID].Name || rec.Outcome != res.Outcomes[rec.ID] {
				t.Fatalf("record %d read back as %q %v", rec.ID, rec.Installation.Name, rec.Outcome)
			}
			n++
			return nil
		})
		damaged(err)
		if err == nil && n != len(pop.Installations) {
			t.Fatalf("%d records scanned", n)
		}
		for _, id := range []uint32{0, 300, 699} {
			_, err := s.Installation(id)
			damaged(err)
		}
		_, _, err = s.ByName("S", "zz")
		damaged(err)
	})
}

// rowsInOrder gives pop's device rows the positions of a file that lists
// them one per line after its header: file 0, lines 2, 3, ...
func rowsInOrder(pop *engine.Population) {
	files, lines := make([]uint16, len(pop.Devices)), make([]uint32, len(pop.Devices))
	for i := range lines {
		lines[i] = uint32(i + 2)
	}
	pop.Positions = engine.PositionsOf(files, lines)
}
