package pipeline

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/cespare/xxhash/v2"

	"github.com/s1resolve/s1resolve/ingest"
	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/provenance"
)

// textDigest counts and hashes (xxhash64) the text of a decisions file as
// it is written or read: the gzip file's content, not its bytes. A store
// records the text of the decisions its run wrote, so that a gzipped copy
// of a decisions.csv, or a gunzipped one of a decisions.csv.gz, is still
// told as the decisions of that run (provenance.SameFile).
type textDigest struct {
	n    int64
	d    *xxhash.Digest
	done bool // read to its end (always, once written)
}

func newTextDigest() *textDigest { return &textDigest{d: xxhash.New()} }

// Digest returns the text's size and xxhash64, false when it was read only
// in part.
func (t *textDigest) Digest() (*provenance.Digest, bool) {
	if !t.done {
		return nil, false
	}
	return &provenance.Digest{Bytes: t.n, XXH64: fmt.Sprintf("%016x", t.d.Sum64())}, true
}

// writer returns w, hashing what is written to it.
func (t *textDigest) writer(w io.Writer) io.Writer {
	t.done = true
	return io.MultiWriter(w, &hashWriter{t})
}

type hashWriter struct{ t *textDigest }

func (h *hashWriter) Write(p []byte) (int, error) {
	h.t.n += int64(len(p))
	h.t.d.Write(p)
	return len(p), nil
}

type textReader struct {
	r io.Reader
	t *textDigest
}

func (r *textReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.t.n += int64(n)
	r.t.d.Write(p[:n])
	if err == io.EOF {
		r.t.done = true
	}
	return n, err
}

// openText opens the decisions file in for reading its text: gunzipped
// when it is gzip (ingest.Gunzip), hashed as it is read. Close the closer
// once read.
func openText(ctx context.Context, in *job.Input) (io.Reader, *textDigest, io.Closer, error) {
	raw, err := in.Open(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	br := bufio.NewReaderSize(raw, 1<<16)
	var text io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		z, err := ingest.Gunzip(br)
		if err != nil {
			raw.Close()
			return nil, nil, nil, fmt.Errorf("%s: %w", in.Path, err)
		}
		text = z
	}
	t := newTextDigest()
	return &textReader{r: text, t: t}, t, raw, nil
}

// decisionsRead is what a decisions file read was: its bytes and its text.
func decisionsRead(in *job.Input, t *textDigest) (provenance.Input, bool) {
	got, ok := in.Digest()
	if ok {
		got.Text, _ = t.Digest()
	}
	return got, ok
}
