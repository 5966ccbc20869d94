package index

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/cespare/xxhash/v2"
	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/parallel"
)

// The posting lists ('x' MPxNs, 'g' GUIDs; layout.go): the encoder of a
// bucket's entries beside the lookup that decodes them.

// bucketKey returns the Badger key of a bucket under prefix.
func bucketKey(prefix byte, bucket uint32) []byte {
	return binary.BigEndian.AppendUint16([]byte{prefix}, uint16(bucket))
}

// bucketOfMixed returns the bucket of a mixed key (engine.Mix): its top bits.
func bucketOfMixed(k uint64) uint32 { return uint32(k >> (64 - bucketBits)) }

// fingerprintOfMixed returns the 16 bits of a mixed key below its bucket.
func fingerprintOfMixed(k uint64) uint16 { return uint16(k >> (64 - bucketBits - 16)) }

// bucketOfName returns the bucket of a name (a rejected installation's,
// a SMETS2+ member's inventory_id): the low bits of its xxhash64.
func bucketOfName(name string) uint32 {
	return uint32(xxhash.Sum64String(name) & (1<<bucketBits - 1))
}

// appendPosting appends the posting of ids, which are sorted and distinct.
func appendPosting(b []byte, ids []uint32) []byte {
	b = binary.AppendUvarint(b, uint64(len(ids)))
	if len(ids) <= inlineMax {
		prev := uint32(0)
		for _, id := range ids {
			b = binary.AppendUvarint(b, uint64(id-prev))
			prev = id
		}
		return b
	}
	bm := roaring.BitmapOf(ids...)
	bm.RunOptimize()
	data, _ := bm.ToBytes()
	b = binary.AppendUvarint(b, uint64(len(data)))
	return append(b, data...)
}

// readPosting reads a posting from b and returns its ids and the rest of b.
func readPosting(b []byte) ([]uint32, []byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 {
		return nil, nil, fmt.Errorf("%w: bad posting", ErrFormat)
	}
	b = b[k:]
	if n <= inlineMax {
		ids := make([]uint32, 0, n)
		prev := uint64(0)
		for i := uint64(0); i < n; i++ {
			d, k := binary.Uvarint(b)
			if k <= 0 {
				return nil, nil, fmt.Errorf("%w: bad posting", ErrFormat)
			}
			prev += d
			ids = append(ids, uint32(prev))
			b = b[k:]
		}
		return ids, b, nil
	}
	size, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < size {
		return nil, nil, fmt.Errorf("%w: bad posting", ErrFormat)
	}
	bm := roaring.New()
	if _, err := bm.FromUnsafeBytes(b[k : k+int(size)]); err != nil {
		return nil, nil, fmt.Errorf("%w: bad bitmap: %v", ErrFormat, err)
	}
	return bm.ToArray(), b[k+int(size):], nil
}

// A posting list is made of refs (engine.KeyRef, engine.GUIDRef): a key's
// top 32 bits, its bucket and fingerprint, and an installation id. Sorted
// by those bits, refs are in bucket order.
type postingRef interface {
	engine.KeyRef | engine.GUIDRef
	Posting() (top, id uint32)
}

// bucketOfTop returns the bucket of a key's top 32 bits.
func bucketOfTop(top uint32) uint32 { return bucketOfMixed(uint64(top) << 32) }

// refsByBucket cuts refs, sorted by key, into parts of about equal numbers
// of buckets; a bucket's refs are all in one part.
func refsByBucket[R postingRef](refs []R, parts int) [][]R {
	var out [][]R
	for _, r := range parallel.Ranges(1<<bucketBits, parts) {
		at := func(b int) int {
			return sort.Search(len(refs), func(i int) bool { top, _ := refs[i].Posting(); return bucketOfTop(top) >= uint32(b) })
		}
		out = append(out, refs[at(r[0]):at(r[1])])
	}
	return out
}

// writePostings writes the posting lists of refs, sorted by key, as one
// value per hash bucket: an entry per fingerprint (refs of different keys
// that share their bucket and fingerprint make one entry, which a lookup
// checks against the records it reads), each of a fingerprint and the
// posting of its installations. done is told of each stretch of refs
// written, a million refs or so at a time (8 or 16 MiB), and of the last:
// the caller may hand their memory back.
func writePostings[R postingRef](ctx context.Context, out *streamOut, prefix byte, refs []R, done func([]R)) error {
	var val []byte
	var ids []uint32
	const doneEvery = 1 << 20 // refs
	from := 0                 // the first ref not yet given to done
	for i := 0; i < len(refs); {
		top, _ := refs[i].Posting()
		bucket := bucketOfTop(top)
		val = val[:0]
		for i < len(refs) {
			top, _ := refs[i].Posting()
			if bucketOfTop(top) != bucket {
				break
			}
			ids = ids[:0]
			j := i
			for ; j < len(refs); j++ {
				t, id := refs[j].Posting()
				if t != top {
					break
				}
				ids = append(ids, id)
			}
			if !slices.IsSorted(ids) { // keys of one fingerprint: each key's ids are sorted
				slices.Sort(ids)
			}
			ids = slices.Compact(ids) // a key held by an installation on several rows
			val = binary.BigEndian.AppendUint16(val, fingerprintOfMixed(uint64(top)<<32))
			val = appendPosting(val, ids)
			i = j
		}
		if err := out.addBucket(ctx, prefix, bucket, val); err != nil {
			return err
		}
		if i-from >= doneEvery { // out holds a copy of what it was given
			done(refs[from:i])
			from = i
		}
	}
	done(refs[from:])
	return out.close()
}

// posting returns the candidates for key: the ids of every entry of its
// bucket with its fingerprint, sorted and distinct.
func (s *Store) posting(prefix byte, key uint64) ([]uint32, error) {
	key = engine.Mix(key)
	v, err := s.get(bucketKey(prefix, bucketOfMixed(key)))
	if err != nil || v == nil {
		return nil, err
	}
	fp := fingerprintOfMixed(key)
	var out []uint32
	matches := 0
	for len(v) > 0 {
		if len(v) < 2 {
			return nil, fmt.Errorf("%w: truncated bucket", ErrFormat)
		}
		f := binary.BigEndian.Uint16(v)
		if f > fp { // entries are in key order, so in fingerprint order
			break
		}
		ids, rest, err := readPosting(v[2:])
		if err != nil {
			return nil, err
		}
		if f == fp {
			out = append(out, ids...)
			matches++
		}
		v = rest
	}
	if matches > 1 {
		slices.Sort(out)
		out = slices.Compact(out)
	}
	return out, nil
}
