package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cespare/xxhash/v2"
)

// block is a run of whole records of one file.
type block struct {
	file  uint16
	seq   int
	first bool   // the first block of its file
	line  uint32 // for the first block, the line on which it starts
	data  []byte
	hdr   *header
	owner []byte // buffer to recycle, nil for a slice of a mapping
	// mapped: data is a slice of a file's mapping (mapped.go)
	mapped bool
}

func (l *loader) buffer(n int) []byte {
	select {
	case b := <-l.free:
		if cap(b) >= n {
			return b[:0]
		}
	default:
	}
	return make([]byte, 0, n)
}

func (l *loader) recycle(b []byte) {
	if b == nil {
		return
	}
	select {
	case l.free <- b:
	default:
	}
}

// readFile splits one file into blocks of whole records and sends them.
func (l *loader) readFile(ctx context.Context, fi uint16, path string, seq *int, out chan<- *block) error {
	if m, ok := mapInput(path); ok {
		l.mu.Lock()
		l.mappings = append(l.mappings, m)
		l.mu.Unlock()
		return l.readMapped(ctx, fi, m, seq, out)
	}
	in, err := openInput(ctx, path, l.opt.Stdin)
	if err != nil {
		return err
	}
	defer in.stop()
	rc := in.r
	var hdr *header
	var line uint32 // of the first block: after the header
	first := true
	carry := []byte(nil)
	size := l.opt.BlockSize
	eof := false
	var text int64 // the bytes of text read
	textSum := xxhash.New()
	for {
		buf := l.buffer(size)
		buf = append(buf, carry...)
		for len(buf) < cap(buf) && !eof {
			n, err := rc.Read(buf[len(buf):cap(buf)])
			textSum.Write(buf[len(buf) : len(buf)+n])
			buf = buf[:len(buf)+n]
			text += int64(n)
			l.prog.Bytes.Add(int64(n))
			if err == io.EOF {
				eof = true
			} else if err != nil {
				if cerr := ctx.Err(); cerr != nil {
					return cerr
				}
				return fmt.Errorf("%s: reading: %w", path, err)
			}
		}
		data := buf
		if hdr == nil {
			h, n, next, err := readHeader(path, data, eof, Installations)
			if err == errNeedMore {
				carry, size = append(carry[:0], buf...), 2*cap(buf)
				continue
			}
			if err != nil {
				return err
			}
			hdr, line = newHeader(h), uint32(next)
			data = data[n:]
		}
		cut := cutBlock(data, eof)
		if cut == 0 && !eof {
			carry, size = append(carry[:0], data...), 2*cap(buf)
			continue
		}
		carry = append(carry[:0], data[cut:]...)
		size = l.opt.BlockSize
		if cut > 0 {
			// Lines are counted by the parser, which reads every byte anyway;
			// a block knows only whether it starts its file, and on which line.
			b := &block{file: fi, seq: *seq, first: first, line: line, data: data[:cut], hdr: hdr, owner: buf}
			*seq++
			first = false
			select {
			case out <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if eof && len(carry) == 0 {
			in.done(path, l.opt)
			l.prints[fi] = textPrint{text, textSum.Sum64()}
			return nil
		}
	}
}

// textPrint tells two files of the same text apart from two files of the
// same name: the size of the text (decompressed) and its xxhash64. A copy of
// a file, or a gzipped copy, given beside it has the same print.
type textPrint struct {
	size int64
	sum  uint64
}

// ErrSameText is wrapped when two inputs hold the same text: every row
// would be read twice and every GUID be a duplicate.
var ErrSameText = errors.New("two inputs hold the same text")

// sameText refuses two inputs whose prints are the same.
func (l *loader) sameText() error {
	seen := map[textPrint]int{}
	for i, p := range l.prints {
		if p.size == 0 {
			continue
		}
		if j, dup := seen[p]; dup {
			return fmt.Errorf("%w: %s and %s (%d bytes of text, the same xxhash64): a copy read twice would make every row a duplicate; give each file once",
				ErrSameText, l.paths[j], l.paths[i], p.size)
		}
		seen[p] = i
	}
	return nil
}
