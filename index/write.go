package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

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
	opts := badger.DefaultOptions(dir).
		WithLogger(nil).
		WithCompression(options.None).
		WithBlockCacheSize(0).
		WithIndexCacheSize(0).
		WithNumVersionsToKeep(1).
		// StreamWriter builds each table in memory at the size of the last
		// level (base size x multiplier^(levels-2): 64 MiB by default) for
		// every stream at once; 16 MiB tables cut that memory by four.
		WithBaseTableSize(16 << 20).
		WithMemTableSize(8 << 20)
	opts.TableSizeMultiplier = 1
	return opts
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
func Write(ctx context.Context, dir string, pop *engine.Population, res *engine.Result, x Extras, workers int) error {
	if workers < 1 {
		workers = 1
	}
	if res.GUIDRefs == nil && len(pop.Devices) > 0 {
		return errors.New("writing a store: the population was resolved without its GUID postings (engine.Resolver.GUIDPostings)")
	}
	if pop.Positions == nil && len(pop.Devices) > 0 {
		return errors.New("writing a store: the population was loaded without its rows' positions (ingest.Options.DropPositions)")
	}
	if err := Claim(dir); err != nil {
		return err
	}
	if err := checkSpace(dir, estimateSize(pop, x.Registry)); err != nil {
		return err
	}
	db, err := openDB(badgerOptions(dir))
	if err != nil {
		return err
	}
	// Until the new store is whole, the directory holds no complete store.
	if err := os.Remove(filepath.Join(dir, completeFile)); err != nil && !os.IsNotExist(err) {
		db.Close()
		return fmt.Errorf("writing store %s: %w", dir, err)
	}
	sw := db.NewStreamWriter()
	if err := sw.Prepare(); err != nil {
		db.Close()
		return fmt.Errorf("preparing store %s: %w", dir, err)
	}
	if err := writeStreams(ctx, dir, sw, pop, res, x, workers); err != nil {
		sw.Cancel()
		db.Close()
		return fmt.Errorf("writing store %s: %w", dir, err)
	}
	if err := sw.Flush(); err != nil {
		db.Close()
		return fmt.Errorf("writing store %s: %w", dir, err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("closing store %s: %w", dir, err)
	}
	return markComplete(dir)
}

// completeFile marks a store that was written to the end: a run killed
// while writing leaves a directory without it, which Open refuses and the
// next run rebuilds.
const completeFile = "S1RESOLVE-COMPLETE"

func markComplete(dir string) error {
	tmp := filepath.Join(dir, completeFile+".tmp")
	if err := os.WriteFile(tmp, []byte(fmt.Sprintf("s1resolve store format %d\n", FormatVersion)), 0o600); err != nil {
		return fmt.Errorf("writing store %s: %w", dir, err)
	}
	if f, err := os.Open(tmp); err == nil {
		f.Sync()
		f.Close()
	}
	if err := os.Rename(tmp, filepath.Join(dir, completeFile)); err != nil {
		return fmt.Errorf("writing store %s: %w", dir, err)
	}
	syncDir(dir)
	return nil
}

func writeStreams(ctx context.Context, dir string, sw *badger.StreamWriter, pop *engine.Population, res *engine.Result, x Extras, workers int) error {
	devices := len(pop.Devices)
	// The installation table first, on every worker: it is the only
	// reader of the devices and their row positions, which the caller may
	// then drop before Badger builds its tables.
	if err := writePageFile(ctx, dir, pop, res, workers); err != nil {
		return err
	}
	if x.TableWritten != nil {
		x.TableWritten()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	stream := uint32(0)
	next := func() *streamOut { stream++; return newStreamOut(sw, stream) }

	if x.Registry != nil {
		out := next()
		g.Go(func() error { return writeRegistration(gctx, out, x.Registry) })
	}

	if len(pop.Smets2) > 0 {
		out := next()
		g.Go(func() error { return writeSmets2Pages(gctx, out, pop.Smets2) })
		ids := bucketOrder(len(pop.Smets2), func(i int) uint32 { return bucketOfName(pop.Smets2[i].ID) })
		names := next()
		g.Go(func() error {
			return ids.write(gctx, names, prefixSmets2Name, 0, 1<<bucketBits, func(b []byte, i uint32) []byte {
				return appendSmets2Name(b, pop.Smets2[i].ID, uint32(len(pop.Installations))+i)
			})
		})
	}

	if len(x.Rejected) > 0 {
		rejected := bucketOrder(len(x.Rejected), func(i int) uint32 { return bucketOfName(x.Rejected[i].Name) })
		out := next()
		g.Go(func() error {
			return rejected.write(gctx, out, prefixRejected, 0, 1<<bucketBits, func(b []byte, i uint32) []byte {
				return appendRejected(b, &x.Rejected[i])
			})
		})
	}

	// The MPxN refs are made again here, not kept from resolve: after the
	// installation table the devices' memory is free for them. Both kinds
	// of refs go back to the system as they are written (the GUIDs' when
	// the caller consumes them), and whole once every writer is done:
	// Badger's tables grow meanwhile.
	mpxn := engine.MPxNRefs(pop, workers)
	for _, refs := range refsByBucket(mpxn.S, 1) {
		out := next()
		g.Go(func() error { return writePostings(gctx, out, prefixMPxN, refs, mpxn.Done) })
	}
	guidDone := func([]engine.GUIDRef) {}
	if x.ConsumeGUIDRefs {
		guidDone = res.GUIDRefsDone
	}
	for _, refs := range refsByBucket(res.GUIDRefs, workers) { // the GUID index is the largest: split it
		out := next()
		g.Go(func() error { return writePostings(gctx, out, prefixGUID, refs, guidDone) })
	}
	err := g.Wait()
	mpxn.Free()
	if x.ConsumeGUIDRefs {
		res.FreeGUIDRefs()
	}
	if err != nil {
		return err
	}
	// The description last: it names the decisions written beside the
	// store, which may still be being written.
	m := newMeta(pop, x, devices)
	if x.Decisions != nil {
		d, err := x.Decisions(ctx)
		if err != nil {
			return err
		}
		m.Decisions = &d
	}
	return next().addFlush(metaKey, encodeMeta(m))
}

// newMeta describes the store of pop.
func newMeta(pop *engine.Population, x Extras, devices int) Meta {
	files := x.Files
	if files == nil {
		files = pop.Files
	}
	m := Meta{Format: FormatVersion, Installations: len(pop.Installations), Devices: devices, Files: files,
		Smets2: len(pop.Smets2), Rejects: x.Rejects, RejectedInstallations: len(x.Rejected),
		Account: x.Account, Inputs: x.Inputs, Build: x.Build, Created: time.Now().UTC().Format(time.RFC3339)}
	var rules strings.Builder
	x.Rules.Format(&rules)
	m.Rules = rules.String()
	m.Thresholds = map[string]engine.Thresholds{}
	for c, th := range x.Rules.Thresholds {
		m.Thresholds[c.String()] = th
	}
	m.ClausesInForce = x.Rules.InForce().Names()
	if x.Registry != nil {
		m.Registration = x.Registration
		ids, status := x.Registry.Suppliers()
		m.Suppliers = ids
		for _, s := range status {
			m.SupplierStatus = append(m.SupplierStatus, s.String())
		}
	}
	return m
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
		if err := out.addBucket(ctx, prefix, b, val); err != nil {
			return err
		}
	}
	return out.close()
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
		s.buf = z.NewBuffer(9<<20, "s1resolve.index")
	}
	badger.KVToBuffer(&pb.KV{Key: k, Value: v, Version: 1, StreamId: s.id}, s.buf)
	if s.buf.LenNoPadding() >= 8<<20 {
		return s.flush()
	}
	return nil
}

// close flushes the stream and frees its buffer.
func (s *streamOut) close() error {
	err := s.flush()
	if s.buf != nil {
		s.buf.Release()
		s.buf = nil
	}
	return err
}

// addBucket adds the value of one hash bucket, and every 1,024 buckets
// checks that the write was not cancelled.
func (s *streamOut) addBucket(ctx context.Context, prefix byte, bucket uint32, v []byte) error {
	if err := s.add(bucketKey(prefix, bucket), v); err != nil {
		return err
	}
	if bucket%1024 == 0 {
		return ctx.Err()
	}
	return nil
}

func (s *streamOut) addFlush(k, v []byte) error {
	if err := s.add(k, v); err != nil {
		return err
	}
	return s.close()
}

func (s *streamOut) flush() error {
	if s.buf == nil {
		return nil
	}
	// StreamWriter.Write copies what it keeps, so the buffer is reused.
	err := s.sw.Write(s.buf)
	s.buf.Reset()
	return err
}
