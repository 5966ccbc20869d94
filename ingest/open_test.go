package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/cespare/xxhash/v2"
	"github.com/s1resolve/s1resolve/engine"
)

func gzipped(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write([]byte(s))
	z.Close()
	return b.Bytes()
}

// TestInputsByContent: standard input ("-") is read, gzip or not; gzip is
// told by its magic number whatever the name (.GZ, no suffix); a header
// that is not UTF-8 text is said to be so, not "column missing".
func TestInputsByContent(t *testing.T) {
	dir := t.TempDir()
	text := hdr + goodRow
	utf16le := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(text)) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
	}
	tests := []struct {
		name  string
		path  string // "" for standard input
		data  []byte
		valid int
		err   string
	}{
		{"stdin plain", "", []byte(text), 1, ""},
		{"stdin gzip", "", gzipped(t, text), 1, ""},
		{"upper-case .GZ", "a.CSV.GZ", gzipped(t, text), 1, ""},
		{"gzip without the suffix", "plain-name.csv", gzipped(t, text), 1, ""},
		{"UTF-16 with a BOM", "u16.csv", utf16le, 0, "not UTF-8 text: the file is UTF-16"},
		{"UTF-16 without a BOM", "u16nobom.csv", utf16le[2:], 0, "not UTF-8 text: the header holds NUL bytes"},
		{"Latin-1 header", "latin1.csv", []byte("smso,cohort,installation_id,mpan,install_date,device_guid,device_type,caf\xe9\n"), 0, "not UTF-8 text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, opt := Stdin, Options{Workers: 2, Stdin: bytes.NewReader(tt.data)}
			if tt.path != "" {
				path = filepath.Join(dir, tt.path)
				os.WriteFile(path, tt.data, 0o600)
			}
			res, err := Load(context.Background(), []string{path}, opt, nil)
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) || !errors.Is(err, ErrHeader) {
					t.Fatalf("error %v, want a header error containing %q", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case len(res.Population.Installations) != tt.valid:
				t.Fatalf("%d installations, want %d", len(res.Population.Installations), tt.valid)
			}
		})
	}
	reg := engine.NewRegistry()
	rejects, err := LoadRegistration(context.Background(), Stdin, 0, reg,
		Options{Stdin: bytes.NewReader(gzipped(t, "mpxn,supplier_id\n1200023305967,S1\nbad,S2\n"))})
	if err != nil || reg.Len() != 1 || len(rejects) != 1 {
		t.Fatalf("registration from standard input: %d registered, %v, %v", reg.Len(), rejects, err)
	}
}

// TestCancelUnblocksARead: a load whose input is a FIFO that stays open
// but sends nothing more returns as soon as its context is cancelled.
func TestCancelUnblocksARead(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	writer := make(chan *os.File)
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			close(writer)
			return
		}
		w.Write([]byte(hdr + goodRow))
		writer <- w
	}()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := Load(ctx, []string{fifo}, Options{}, nil)
		done <- err
	}()
	w := <-writer
	if w == nil {
		t.Fatal("could not open the FIFO for writing")
	}
	defer w.Close()
	time.Sleep(50 * time.Millisecond) // the loader is now blocked reading
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled load stayed blocked on its FIFO")
	}

	// The same through standard input.
	pr, pw, _ := os.Pipe()
	defer pw.Close()
	pw.Write([]byte(hdr + goodRow))
	ctx, cancel = context.WithCancel(context.Background())
	go func() {
		_, err := Load(ctx, []string{Stdin}, Options{Stdin: pr}, nil)
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("stdin: error %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a cancelled load stayed blocked on standard input")
	}
}

// TestOnReadDigests: each file read to its end is told with its size and
// the xxhash64 of its bytes as on disk, gzip or not.
func TestOnReadDigests(t *testing.T) {
	dir := t.TempDir()
	text := []byte(hdr + goodRow)
	plain, gz := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv.gz")
	os.WriteFile(plain, text, 0o600)
	gzBytes := gzipped(t, strings.Replace(string(text), "\n", "\n\n", 1)) // another text: the same one twice is refused
	os.WriteFile(gz, gzBytes, 0o600)
	got := map[string][2]uint64{}
	var mu sync.Mutex
	opt := Options{OnRead: func(p string, n int64, sum uint64) {
		mu.Lock()
		got[p] = [2]uint64{uint64(n), sum}
		mu.Unlock()
	}}
	if _, err := Load(context.Background(), []string{plain, gz}, opt, nil); err != nil {
		t.Fatal(err)
	}
	for p, data := range map[string][]byte{plain: text, gz: gzBytes} {
		if want := [2]uint64{uint64(len(data)), xxhash.Sum64(data)}; got[p] != want {
			t.Errorf("%s: told %v, want %v", p, got[p], want)
		}
	}
}
