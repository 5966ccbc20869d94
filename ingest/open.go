package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/s1resolve/s1resolve/paths"

	"github.com/cespare/xxhash/v2"
)

// Stdin is the input path that means standard input.
const Stdin = "-"

// input is one opened input file.
type input struct {
	r io.Reader
	// stop closes the underlying file (safe from any goroutine: a Read
	// blocked on a pipe or FIFO then returns) and releases the rest.
	stop func()
	raw  *digestReader // the file's own bytes, before any gunzip
}

// digestReader counts and hashes (xxhash64) the bytes read through it.
type digestReader struct {
	r io.Reader
	n int64
	d *xxhash.Digest
}

func (h *digestReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.n += int64(n)
	h.d.Write(p[:n])
	return n, err
}

// done reads what is left of the file (a gzip trailer, say) and tells
// opt.OnRead its size and hash, once the text was read to its end.
func (in *input) done(path string, opt Options) {
	if opt.OnRead == nil {
		return
	}
	io.Copy(io.Discard, in.raw)
	opt.OnRead(path, in.raw.n, in.raw.d.Sum64())
}

// openInput opens path, or stdin (os.Stdin when nil) for Stdin, for
// reading. The text is gunzipped when it starts with gzip's magic number,
// whatever its name; a name ending in .gz (any case) must be gzip. When
// ctx is done the file is closed, so a read blocked on a slow pipe or FIFO
// returns.
func openInput(ctx context.Context, path string, stdin io.Reader) (*input, error) {
	var raw io.Reader
	var closeRaw func()
	if path == Stdin {
		if stdin == nil {
			stdin = os.Stdin
		}
		// A pipe of our own stands between stdin and the reader: closing
		// it unblocks a Read, which closing a blocking stdin would not.
		pr, pw := io.Pipe()
		go func() {
			_, err := io.Copy(pw, stdin)
			pw.CloseWithError(err)
		}()
		raw, closeRaw = pr, func() { pr.CloseWithError(context.Canceled) }
	} else {
		f, err := paths.OpenCancellable(ctx, path) // a FIFO with no writer yet: cancelling ends the wait
		if err != nil {
			return nil, err
		}
		raw, closeRaw = f, func() { f.Close() }
	}
	stopWatch := context.AfterFunc(ctx, closeRaw)
	in := &input{stop: func() { stopWatch(); closeRaw() }, raw: &digestReader{r: raw, d: xxhash.New()}}
	br := bufio.NewReaderSize(in.raw, 64<<10)
	magic, _ := br.Peek(2)
	if err := ctx.Err(); err != nil {
		in.stop()
		return nil, err
	}
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		if strings.HasSuffix(strings.ToLower(path), ".gz") {
			in.stop()
			return nil, fmt.Errorf("%s: not a readable gzip file: %w", path, gzip.ErrHeader)
		}
		in.r = br
		return in, nil
	}
	z, err := Gunzip(br)
	if err != nil {
		in.stop()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	in.r = z
	return in, nil
}

// Gunzip returns the text of the gzip file br reads (every file s1resolve
// reads that starts with gzip's magic number goes through it): its
// members one after the other, as gzip -d reads them. A header that cannot
// be read is an error wrapping gzip.ErrHeader or io.ErrUnexpectedEOF;
// reading then fails, with a message saying which, when the file is cut
// short or followed by bytes that are not gzip.
func Gunzip(br *bufio.Reader) (io.Reader, error) {
	z, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("not a readable gzip file: %w", err)
	}
	z.Multistream(false)
	return &gunzip{br: br, z: z}, nil
}

// gunzip reads the members of a gzip file one after the other, as gzip -d
// does, and names the two ways a gzip file is damaged: cut short inside a
// member, or followed by bytes that are not a member (text appended to a
// .gz file would otherwise be dropped without a word). Zero bytes after
// the last member (a tape's padding) are skipped, as gzip -d skips them.
type gunzip struct {
	br *bufio.Reader
	z  *gzip.Reader
}

func (g *gunzip) Read(p []byte) (int, error) {
	for {
		n, err := g.z.Read(p)
		switch {
		case err == io.ErrUnexpectedEOF:
			return n, errors.New("the gzip data stops before its end: the file is cut short")
		case err != io.EOF:
			return n, err
		}
		next, _ := g.br.Peek(2)
		if len(next) == 2 && next[0] == 0x1f && next[1] == 0x8b {
			if err := g.z.Reset(g.br); err != nil {
				return n, fmt.Errorf("a gzip member after the first is damaged: %w", err)
			}
			g.z.Multistream(false)
			if n > 0 {
				return n, nil
			}
			continue
		}
		rest, zeros, err := countRest(g.br)
		switch {
		case err != nil:
			return n, err
		case rest > zeros:
			return n, fmt.Errorf("%d bytes after the end of the gzip data are not gzip: something was appended to the file, or it is damaged", rest)
		}
		return n, io.EOF
	}
}

// countRest reads r to its end and counts its bytes and its zero bytes.
func countRest(r io.Reader) (n, zeros int64, err error) {
	buf := make([]byte, 32<<10)
	for {
		k, rerr := r.Read(buf)
		n += int64(k)
		zeros += int64(bytes.Count(buf[:k], []byte{0}))
		if rerr == io.EOF {
			return n, zeros, nil
		}
		if rerr != nil {
			return n, zeros, rerr
		}
	}
}
