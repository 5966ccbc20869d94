package ingest

import (
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
	name         string
	ref          instFields
	hasRef       bool
	bad          bool
	inconsistent bool
}

// interner gives each installation a provisional id, shard index in the low
// bits. Its shards are locked separately so that parse workers rarely wait.
type interner struct {
	shards [numShards]internShard
}

type internShard struct {
	mu      sync.Mutex
	ids     map[string]uint32
	entries []instEntry
	_       [40]byte // keep shards on separate cache lines
}

func newInterner() *interner {
	in := &interner{}
	for i := range in.shards {
		in.shards[i].ids = make(map[string]uint32)
	}
	return in
}

// entry returns the shard and the entry of a provisional id; the caller holds
// no lock, so only use it once loading is over.
func (in *interner) entry(tmp uint32) *instEntry {
	return &in.shards[tmp&(numShards-1)].entries[tmp>>shardBits]
}

func (s *internShard) lookup(key []byte, shard uint32) (uint32, *instEntry) {
	idx, ok := s.ids[string(key)]
	if !ok {
		idx = uint32(len(s.entries))
		name := string(key)
		s.ids[name] = idx
		s.entries = append(s.entries, instEntry{name: name})
	}
	return idx<<shardBits | shard, &s.entries[idx]
}

// markBad records a row of installation key that is invalid.
func (in *interner) markBad(key []byte) uint32 {
	shard := uint32(xxhash.Sum64(key) & (numShards - 1))
	s := &in.shards[shard]
	s.mu.Lock()
	tmp, e := s.lookup(key, shard)
	e.bad = true
	s.mu.Unlock()
	return tmp
}

// add records a valid row of installation key and reports whether its
// installation-level columns equal the reference row's.
func (in *interner) add(key []byte, f instFields) (tmp uint32, sameAsRef bool) {
	shard := uint32(xxhash.Sum64(key) & (numShards - 1))
	s := &in.shards[shard]
	s.mu.Lock()
	tmp, e := s.lookup(key, shard)
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
