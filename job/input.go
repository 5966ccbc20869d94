package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/cespare/xxhash/v2"

	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/provenance"
)

// Input is a file the command reads, once.
type Input struct {
	Label, Path string
	job         *Job
	mu          sync.Mutex
	opened      bool
	digest      *provenance.Input // once read to its end
}

// ErrReadTwice is wrapped when an Input is opened a second time: a pipe
// cannot be read again, and a file read twice may not be the same file.
var ErrReadTwice = errors.New("an input is read once")

// Name is the input as given ("-" for the standard input).
func (in *Input) Name() string { return in.Path }

// IsStdin reports whether the input is the standard input.
func (in *Input) IsStdin() bool { return in.Path == "-" }

// Open opens the input for reading, once. The reader counts and hashes what
// it reads; at the end of the file Digest says what was read. Cancelling ctx
// closes the file, so that a read or an open blocked on a pipe or FIFO
// returns ctx's error. Close releases the file.
func (in *Input) Open(ctx context.Context) (io.ReadCloser, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.opened {
		return nil, fmt.Errorf("%s: %w", in.Path, ErrReadTwice)
	}
	in.opened = true
	var raw io.Reader
	var closeRaw func()
	if in.IsStdin() {
		// A pipe of our own stands between the standard input and the
		// reader: closing it unblocks a Read, which closing a blocking
		// stdin would not.
		pr, pw := io.Pipe()
		stdin := in.job.stdin
		go func() {
			_, err := io.Copy(pw, stdin)
			pw.CloseWithError(err)
		}()
		raw, closeRaw = pr, func() { pr.CloseWithError(context.Canceled) }
	} else {
		f, err := paths.OpenCancellable(ctx, in.Path)
		if err != nil {
			return nil, err
		}
		raw, closeRaw = f, func() { f.Close() }
	}
	stop := context.AfterFunc(ctx, closeRaw)
	return &reader{in: in, ctx: ctx, r: raw, d: newDigest(), close: func() { stop(); closeRaw() }}, nil
}

// ReadAll reads the whole input (a rules file, a tokens file) once.
func (in *Input) ReadAll(ctx context.Context) ([]byte, error) {
	r, err := in.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Record says what a reader of its own read of the input (ingest reads a
// plain file through a mapping): its size and the xxhash64 of its bytes.
// It counts as the one reading.
func (in *Input) Record(n int64, sum uint64) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.opened = true
	in.digest = &provenance.Input{Name: in.Path, Bytes: n, XXH64: fmt.Sprintf("%016x", sum)}
}

// Digest returns what was read of the input: its name, size and xxhash64,
// once read to its end.
func (in *Input) Digest() (provenance.Input, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.digest == nil {
		return provenance.Input{}, false
	}
	return *in.digest, true
}

// reader counts and hashes the bytes of an Input as they are read.
type reader struct {
	in    *Input
	ctx   context.Context
	r     io.Reader
	d     *digest
	close func()
	n     int64
	done  bool
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.n += int64(n)
	r.d.Write(p[:n])
	if err == io.EOF && !r.done {
		r.done = true
		r.in.mu.Lock()
		r.in.digest = &provenance.Input{Name: r.in.Path, Bytes: r.n, XXH64: r.d.String()}
		r.in.mu.Unlock()
	}
	if err != nil && err != io.EOF {
		if cerr := r.ctx.Err(); cerr != nil {
			return n, cerr // the file was closed because the work was cancelled
		}
	}
	return n, err
}

func (r *reader) Close() error {
	r.close()
	return nil
}

// digest is an xxhash64 printed as 16 hex digits.
type digest struct{ *xxhash.Digest }

func newDigest() *digest { return &digest{xxhash.New()} }

func (d *digest) String() string { return fmt.Sprintf("%016x", d.Sum64()) }

// digestWriter counts and hashes the bytes written through it.
type digestWriter struct {
	w io.Writer
	d *digest
	n int64
}

func (w *digestWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.n += int64(n)
	w.d.Write(p[:n])
	return n, err
}
