package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/dgraph-io/badger/v4/pb"
	"github.com/dgraph-io/ristretto/v2/z"
	"golang.org/x/sync/errgroup"

	"github.com/s1resolve/s1resolve/engine"
)

// ErrLocked is wrapped when the store is in use by another process.
var ErrLocked = fmt.Errorf("store is in use by another process")

func badgerOptions(dir string) badger.Options {
	return badger.DefaultOptions(dir).
		WithLogger(nil).
		WithCompression(options.None).
		WithBlockCacheSize(0).
		WithIndexCacheSize(0).
		WithNumVersionsToKeep(1)
}

func openDB(opts badger.Options) (*badger.DB, error) {
	db, err := badger.Open(opts)
	if err != nil {
		if strings.Contains(err.Error(), "Cannot acquire directory lock") {
			return nil, fmt.Errorf("%s: %w", opts.Dir, ErrLocked)
		}
		return nil, fmt.Errorf("opening store %s: %w", opts.Dir, err)
	}
	return db, nil
}

// Write builds the store in dir from a resolved population, replacing any
// store there. workers bounds the encoding goroutines.
func Write(ctx context.Context, dir string, pop *engine.Population, res *engine.Result, workers int) error {
	if workers < 1 {
		workers = 1
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating store %s: %w", dir, err)
	}
	db, err := openDB(badgerOptions(dir))
	if err != nil {
		return err
	}
	sw := db.NewStreamWriter()
	if err := sw.Prepare(); err != nil {
		db.Close()
		return fmt.Errorf("preparing store %s: %w", dir, err)
	}
	if err := writeStreams(ctx, sw, pop, res, workers); err != nil {
		sw.Cancel()
		db.Close()
		return fmt.Errorf("writing store %s: %w", dir, err)
	}
	if err := sw.Flush(); err != nil {
		db.Close()
		return fmt.Errorf("writing store %s: %w", dir, err)
	}
	return db.Close()
}

func writeStreams(ctx context.Context, sw *badger.StreamWriter, pop *engine.Population, res *engine.Result, workers int) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	stream := uint32(0)
	next := func() *streamOut { stream++; return newStreamOut(sw, stream) }

	meta := next()
	g.Go(func() error {
		m := Meta{Format: FormatVersion, Installations: len(pop.Installations), Devices: len(pop.Devices), Files: pop.Files}
		return meta.addFlush(metaKey, encodeMeta(m))
	})

	pages := uint32((len(pop.Installations) + pageSize - 1) / pageSize)
	for _, r := range splitRange(pages, uint32(workers)) {
		out := next()
		g.Go(func() error { return writePages(gctx, out, pop, res, r[0], r[1]) })
	}

	names := bucketOrder(len(pop.Installations), func(i int) uint32 { return bucketOfName(pop.Installations[i].Name) })
	out := next()
	g.Go(func() error {
		return names.write(gctx, out, 'n', 0, 1<<bucketBits, func(b []byte, id uint32) []byte {
			name := pop.Installations[id].Name
			b = binary.AppendUvarint(b, uint64(len(name)))
			b = append(b, name...)
			return binary.AppendUvarint(b, uint64(id))
		})
	})

	for _, x := range []struct {
		prefix byte
		refs   []engine.KeyRef
		rows   bool
	}{{'x', res.MPxNRefs, false}, {'g', res.GUIDRefs, true}} {
		runs := keyRuns(x.refs)
		order := bucketOrder(len(runs)-1, func(i int) uint32 { return bucketOf64(x.refs[runs[i]].K) })
		parts := uint32(1)
		if x.rows {
			parts = uint32(workers) // the GUID index is the largest: split it
		}
		for _, r := range splitRange(1<<bucketBits, parts) {
			out := next()
			enc := postingEncoder(x.refs, runs, x.rows)
			g.Go(func() error { return order.write(gctx, out, x.prefix, r[0], r[1], enc) })
		}
	}
	return g.Wait()
}

// postingEncoder returns a function that encodes the run r of sorted refs:
// its key, its number of rows when rows is set, and its posting.
func postingEncoder(refs []engine.KeyRef, runs []uint32, rows bool) func([]byte, uint32) []byte {
	var ids []uint32
	return func(b []byte, r uint32) []byte {
		span := refs[runs[r]:runs[r+1]]
		b = binary.BigEndian.AppendUint64(b, span[0].K)
		if rows {
			b = binary.AppendUvarint(b, uint64(len(span)))
		}
		ids = ids[:0]
		for i, ref := range span {
			if i == 0 || ref.ID != span[i-1].ID {
				ids = append(ids, ref.ID)
			}
		}
		return appendPosting(b, ids)
	}
}

// splitRange cuts [0, n) into up to parts consecutive ranges.
func splitRange(n, parts uint32) [][2]uint32 {
	if parts < 1 {
		parts = 1
	}
	var out [][2]uint32
	for i := uint32(0); i < parts; i++ {
		lo, hi := uint64(n)*uint64(i)/uint64(parts), uint64(n)*uint64(i+1)/uint64(parts)
		if hi > lo {
			out = append(out, [2]uint32{uint32(lo), uint32(hi)})
		}
	}
	return out
}

// keyRuns returns the start of every run of equal keys in sorted refs, and
// len(refs) last.
func keyRuns(refs []engine.KeyRef) []uint32 {
	runs := make([]uint32, 0, len(refs)/2+1)
	for i := range refs {
		if i == 0 || refs[i].K != refs[i-1].K {
			runs = append(runs, uint32(i))
		}
	}
	return append(runs, uint32(len(refs)))
}

// buckets is a list of items ordered by hash bucket: the items of bucket b
// are items[start[b]:start[b+1]], in their original order.
type buckets struct {
	items []uint32
	start []uint32
}

func bucketOrder(n int, bucketOf func(i int) uint32) *buckets {
	bs := make([]uint16, n)
	start := make([]uint32, 1<<bucketBits+1)
	for i := 0; i < n; i++ {
		b := bucketOf(i)
		bs[i] = uint16(b)
		start[b+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	items := make([]uint32, n)
	next := append([]uint32(nil), start[:1<<bucketBits]...)
	for i, b := range bs {
		items[next[b]] = uint32(i)
		next[b]++
	}
	return &buckets{items: items, start: start}
}

// write writes the buckets [lo, hi) under prefix, one key per non-empty
// bucket, each value the concatenated encodings of its items.
func (bk *buckets) write(ctx context.Context, out *streamOut, prefix byte, lo, hi uint32, encode func([]byte, uint32) []byte) error {
	var val []byte
	for b := lo; b < hi; b++ {
		items := bk.items[bk.start[b]:bk.start[b+1]]
		if len(items) == 0 {
			continue
		}
		val = val[:0]
		for _, it := range items {
			val = encode(val, it)
		}
		if err := out.add(bucketKey(prefix, b), val); err != nil {
			return err
		}
		if b%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return out.flush()
}

func writePages(ctx context.Context, out *streamOut, pop *engine.Population, res *engine.Result, lo, hi uint32) error {
	var val, rec []byte
	n := uint32(len(pop.Installations))
	for page := lo; page < hi; page++ {
		first, last := page*pageSize, min((page+1)*pageSize, n)
		val = binary.AppendUvarint(val[:0], uint64(last-first))
		for id := first; id < last; id++ {
			rec = appendInstallation(rec[:0], pop, res, id)
			val = binary.AppendUvarint(val, uint64(len(rec)))
			val = append(val, rec...)
		}
		if err := out.add(pageKey(page), val); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return out.flush()
}

// streamOut batches the sorted key-values of one StreamWriter stream.
type streamOut struct {
	sw  *badger.StreamWriter
	id  uint32
	buf *z.Buffer
}

func newStreamOut(sw *badger.StreamWriter, id uint32) *streamOut {
	return &streamOut{sw: sw, id: id}
}

func (s *streamOut) add(k, v []byte) error {
	if s.buf == nil {
		s.buf = z.NewBuffer(16<<20, "s1resolve.index")
	}
	badger.KVToBuffer(&pb.KV{Key: k, Value: v, Version: 1, StreamId: s.id}, s.buf)
	if s.buf.LenNoPadding() >= 8<<20 {
		return s.flush()
	}
	return nil
}

func (s *streamOut) addFlush(k, v []byte) error {
	if err := s.add(k, v); err != nil {
		return err
	}
	return s.flush()
}

func (s *streamOut) flush() error {
	if s.buf == nil {
		return nil
	}
	err := s.sw.Write(s.buf)
	s.buf.Release()
	s.buf = nil
	return err
}
