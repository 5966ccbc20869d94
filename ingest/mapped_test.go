package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
)

// TestMappedSameAsRead: a file read through its mapping and the same bytes
// read from standard input give the same population, rejects, line numbers
// and digest, with blocks cut inside quoted multi-line fields.
func TestMappedSameAsRead(t *testing.T) {
	var b strings.Builder
	b.WriteString("\xEF\xBB\xBFsmso,cohort,installation_id,mpan,mprn,install_date,communicating,device_guid,device_type,device_state,site_notes\n")
	for i := 0; i < 3000; i++ {
		note := ""
		if i%7 == 0 {
			note = "\"gate,\n\"\"dog\"\"\""
		}
		if i%500 == 3 {
			b.WriteString("\n") // a blank line
		}
		fmt.Fprintf(&b, "S,FOC,%d,1200023305967,,2019-01-02,Y,000D6F%010X,CHF,,%s\n", i/3, i, note)
	}
	b.WriteString("S,FOC,x,not-an-mpan,,2019-01-02,Y,000D6F0000000001,CHF,,") // a reject, no final newline
	path := filepath.Join(t.TempDir(), "a.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	type digest struct {
		n   int64
		sum uint64
	}
	load := func(p string, stdin string) (*Result, digest) {
		var d digest
		opt := Options{Workers: 3, BlockSize: 4096, Stdin: strings.NewReader(stdin),
			OnRead: func(_ string, n int64, sum uint64) { d = digest{n, sum} }}
		res, err := Load(context.Background(), []string{p}, opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res, d
	}
	if m, ok := mapInput(path); !ok {
		t.Skip("this system does not map files")
	} else {
		m.unmap()
	}
	mappedRes, mappedDigest := load(path, "")
	readRes, readDigest := load(Stdin, b.String())
	if mappedDigest != readDigest || mappedDigest.n != int64(b.Len()) {
		t.Fatalf("digest %+v mapped, %+v read, file %d bytes", mappedDigest, readDigest, b.Len())
	}
	mappedRes.Population.Files, readRes.Population.Files = nil, nil
	if !reflect.DeepEqual(byInstallation(mappedRes.Population), byInstallation(readRes.Population)) || !reflect.DeepEqual(mappedRes.Rejects, readRes.Rejects) ||
		mappedRes.Stats != readRes.Stats {
		t.Fatalf("mapped and read differ: %+v vs %+v", mappedRes.Stats, readRes.Stats)
	}
	if len(mappedRes.Rejects) != 1 || mappedRes.Stats.BlankLines != 6 {
		t.Fatalf("rejects %v, blank lines %d", mappedRes.Rejects, mappedRes.Stats.BlankLines)
	}
}

// TestMappedFileShrinks: a file truncated while it is read through its
// mapping gives ErrChanged naming it, from the reader and from a parser,
// not a crash.
func TestMappedFileShrinks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.csv")
	content := hdr + strings.Repeat("S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,\n", 100_000)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	m, ok := mapInput(path)
	if !ok {
		t.Skip("this system does not map files")
	}
	defer m.unmap()
	if err := os.Truncate(path, 100); err != nil {
		t.Fatal(err)
	}
	l := &loader{opt: Options{Workers: 1, BlockSize: 1 << 16, OnRead: func(string, int64, uint64) {}}, paths: []string{path}, prog: &Progress{}}
	out := make(chan *block, 1000)
	seq := 0
	err := l.readMapped(context.Background(), 0, m, &seq, out)
	if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), path) {
		t.Fatalf("reader: %v, want ErrChanged naming %s", err, path)
	}
	// A block cut before the file shrank, parsed after.
	b := &block{file: 0, data: m.data[len(m.data)/2:], hdr: mustHeader(t), mapped: true}
	var perr error
	func() {
		defer func() { // the parse workers ask for faults as panics
			if r := recover(); r != nil {
				t.Fatalf("parse panicked: %v", r)
			}
		}()
		defer setPanicOnFault()()
		_, _, perr = l.parse(&parser{}, b)
	}()
	if !errors.Is(perr, ErrChanged) {
		t.Fatalf("parser: %v, want ErrChanged", perr)
	}
}

func mustHeader(t *testing.T) *header {
	h, _, _, err := readHeader("a.csv", []byte(hdr), true, Installations)
	if err != nil {
		t.Fatal(err)
	}
	return newHeader(h)
}

// setPanicOnFault asks for faults as panics in this goroutine and returns
// the undo.
func setPanicOnFault() func() {
	old := debug.SetPanicOnFault(true)
	return func() { debug.SetPanicOnFault(old) }
}

// installationRows is one installation as a population holds it: its
// columns, its devices and their input positions.
type installationRows struct {
	in      engine.Installation
	devices []engine.Device
	files   []uint16
	lines   []uint32
}

// byInstallation returns each installation of p with its devices and
// their positions: what a population says, whatever the place its devices
// take in Devices (which follows how the input was cut into blocks).
func byInstallation(p *engine.Population) []installationRows {
	out := make([]installationRows, len(p.Installations))
	for id, in := range p.Installations {
		r := installationRows{in: in, devices: p.DevicesOf(uint32(id))}
		if p.Positions != nil {
			for i := in.First; i < in.First+in.Count; i++ {
				file, line := p.Positions.At(int(i))
				r.files, r.lines = append(r.files, file), append(r.lines, line)
			}
		}
		r.in.First = 0
		out[id] = r
	}
	return out
}
