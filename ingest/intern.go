package ingest

import (
	"bytes"
	"sync"

	"github.com/cespare/xxhash/v2"
)

const (
	shardBits = 8
	numShards = 1 << shardBits
	noInst    = ^uint32(0)
)

// instEntry is what the loader knows of one (smso, installation_id) while it
// reads: the installation-level columns of the first valid row it met (the
// reference) and whether any row is invalid or disagrees with the reference.
type instEntry struct {
	nameOff      uint32 // the name, smso + "\x00" + installation_id, in its shard's arena
	nameLen      uint32
	ref          instFields
	hasRef       bool
	bad          bool
	inconsistent bool
}

// interner gives each installation a provisional id, shard index in the low
// bits. Its shards are locked separately so that parse workers rarely wait.
// It holds no pointers per installation (names live in byte arenas, keyed by
// their 64-bit hash), so the garbage collector has nothing to scan in it.
type interner struct {
	shards [numShards]internShard
}

type internShard struct {
	mu      sync.Mutex
	ids     map[uint64]uint32 // hash of the name -> index in entries
	extra   map[string]uint32 // names whose hash another name already has
	arena   []byte
	entries []instEntry
	_       [40]byte // keep shards on separate cache lines
}

// newInterner returns a table sized for about n installations.
func newInterner(n int) *interner {
	in := &interner{}
	per := n/numShards + 16
	for i := range in.shards {
		s := &in.shards[i]
		s.ids = make(map[uint64]uint32, per)
		s.entries = make([]instEntry, 0, per)
		s.arena = make([]byte, 0, per*24)
	}
	return in
}

// entry returns the shard and the entry of a provisional id; the caller holds
// no lock, so only use it once loading is over.
func (in *interner) entry(tmp uint32) *instEntry {
	return &in.shards[tmp&(numShards-1)].entries[tmp>>shardBits]
}

// name returns the name of an entry of the shard.
func (s *internShard) name(e *instEntry) []byte { return s.arena[e.nameOff : e.nameOff+e.nameLen] }

// name returns the name of a provisional id; only once loading is over.
func (in *interner) name(tmp uint32) []byte {
	s := &in.shards[tmp&(numShards-1)]
	return s.name(&s.entries[tmp>>shardBits])
}

func (s *internShard) lookup(key []byte, h uint64, shard uint32) (uint32, *instEntry) {
	idx, ok := s.ids[h]
	switch {
	case ok && bytes.Equal(s.name(&s.entries[idx]), key):
	case ok: // another name has this hash
		if idx, ok = s.extra[string(key)]; !ok {
			if s.extra == nil {
				s.extra = make(map[string]uint32)
			}
			idx = s.add(key)
			s.extra[string(key)] = idx
		}
	default:
		idx = s.add(key)
		s.ids[h] = idx
	}
	return idx<<shardBits | shard, &s.entries[idx]
}

func (s *internShard) add(key []byte) uint32 {
	idx := uint32(len(s.entries))
	s.entries = append(s.entries, instEntry{nameOff: uint32(len(s.arena)), nameLen: uint32(len(key))})
	s.arena = append(s.arena, key...)
	return idx
}

// markBad records a row of installation key that is invalid.
func (in *interner) markBad(key []byte) uint32 {
	h := xxhash.Sum64(key)
	shard := uint32(h & (numShards - 1))
	s := &in.shards[shard]
	s.mu.Lock()
	tmp, e := s.lookup(key, h, shard)
	e.bad = true
	s.mu.Unlock()
	return tmp
}

// add records a valid row of installation key and reports whether its
// installation-level columns equal the reference row's.
func (in *interner) add(key []byte, f instFields) (tmp uint32, sameAsRef bool) {
	h := xxhash.Sum64(key)
	shard := uint32(h & (numShards - 1))
	s := &in.shards[shard]
	s.mu.Lock()
	tmp, e := s.lookup(key, h, shard)
	switch {
	case !e.hasRef:
		e.ref, e.hasRef = f, true
		sameAsRef = true
	case e.ref == f:
		sameAsRef = true
	default:
		e.inconsistent = true
	}
	s.mu.Unlock()
	return tmp, sameAsRef
}
