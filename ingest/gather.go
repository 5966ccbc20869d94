package ingest

import (
	"bytes"
	"sync"

	"github.com/s1resolve/s1resolve/engine"
)

// run is a stretch of consecutive rows of one chunk that name the same
// installation. Parse workers build runs without sharing anything; the runs
// of one installation, wherever they stand in the input, are gathered
// afterwards by sorting their name hashes.
type run struct {
	hash    uint64 // xxhash of the name
	nameOff uint32 // the name, smso + "\x00" + installation_id, in the chunk's arena
	nameLen uint32
	ref     instFields // installation-level values of the run's first valid row
	hasRef  bool
	bad     bool // some row of the run has a problem of its own
	// inconsistent: some valid row of the run disagrees with ref
	inconsistent bool
}

// gathered is one installation: its first run (whose name is its name) and
// what its runs say of it. It holds no pointers, so that millions of them
// cost the garbage collector nothing.
type gathered struct {
	first        uint32     // global index of its first run
	ref          instFields // of its first run with a valid row
	hasRef       bool
	bad          bool
	inconsistent bool
}

func (g *gathered) valid() bool { return g.hasRef && !g.bad && !g.inconsistent }

// merge adds what a run says to the installation.
func (g *gathered) merge(r *run) {
	g.bad = g.bad || r.bad
	g.inconsistent = g.inconsistent || r.inconsistent
	if !r.hasRef {
		return
	}
	if !g.hasRef {
		g.ref, g.hasRef = r.ref, true
	} else if g.ref != r.ref {
		g.inconsistent = true
	}
}

// groupRuns gathers runs into installations. sorted holds one (hash, run
// index) pair per run, sorted by hash and, among equal hashes, by run index
// (input order). It returns the installations, in the order of the sorted
// hashes, and for each run index its installation. Runs whose names differ
// but share a hash stay apart.
func groupRuns(sorted []engine.KeyRef, runAt func(i uint32) (*run, []byte), workers int) ([]gathered, []uint32) {
	runInst := make([]uint32, len(sorted))
	// Cut sorted into parts at hash boundaries and gather each in parallel.
	workers = max(1, min(workers, len(sorted)/65536+1))
	cuts := make([]int, workers+1)
	for w := 1; w < workers; w++ {
		c := max(len(sorted)*w/workers, cuts[w-1])
		for c > cuts[w-1] && c < len(sorted) && sorted[c].K == sorted[c-1].K {
			c++
		}
		cuts[w] = c
	}
	cuts[workers] = len(sorted)
	parts := make([][]gathered, workers)
	var total int
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parts[w] = groupPart(sorted[cuts[w]:cuts[w+1]], runAt, runInst)
		}()
	}
	wg.Wait()
	for _, p := range parts {
		total += len(p)
	}
	insts := make([]gathered, 0, total)
	for w, p := range parts {
		if base := uint32(len(insts)); base > 0 {
			for _, ref := range sorted[cuts[w]:cuts[w+1]] {
				runInst[ref.ID] += base
			}
		}
		insts = append(insts, p...)
		parts[w] = nil
	}
	return insts, runInst
}

// groupPart gathers a part of the sorted runs that no hash straddles,
// numbering its installations from 0.
func groupPart(sorted []engine.KeyRef, runAt func(i uint32) (*run, []byte), runInst []uint32) []gathered {
	insts := make([]gathered, 0, len(sorted))
	for i := 0; i < len(sorted); {
		j := i + 1
		for j < len(sorted) && sorted[j].K == sorted[i].K {
			j++
		}
		first := len(insts)
		for _, ref := range sorted[i:j] {
			r, name := runAt(ref.ID)
			at := first
			if j-i > 1 { // several runs share the hash: most often one name, rarely more
				for ; at < len(insts); at++ {
					if _, n := runAt(insts[at].first); bytes.Equal(n, name) {
						break
					}
				}
			}
			if at == len(insts) {
				insts = append(insts, gathered{first: ref.ID})
			}
			insts[at].merge(r)
			runInst[ref.ID] = uint32(at)
		}
		i = j
	}
	return insts
}
