package index

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/s1resolve/s1resolve/engine"
)

// ErrNoSpace is wrapped when the store's disk lacks room for it. Badger
// writes its tables through memory maps, where a full disk is a fatal
// SIGBUS rather than an error, so the space is checked before writing.
var ErrNoSpace = errors.New("not enough free disk space for the store")

// estimateSize returns a generous estimate of the bytes a store of pop
// takes: about 40 per device row, 60 per installation and 20 per
// registered MPxN, a quarter more, and 16 MiB for Badger's own files (its
// write-ahead and discard files, sparse but mapped: a tiny store uses 52 KB).
func estimateSize(pop *engine.Population, reg *engine.Registry) uint64 {
	n := uint64(len(pop.Devices))*40 + uint64(len(pop.Installations))*60
	if reg != nil {
		n += uint64(reg.Len()) * 20
	}
	return n + n/4 + 16<<20
}

// CheckSpace fails with ErrNoSpace when dir's filesystem lacks room for
// the store of pop plus extra bytes (other files written there meanwhile).
func CheckSpace(dir string, pop *engine.Population, reg *engine.Registry, extra uint64) error {
	return checkSpace(dir, estimateSize(pop, reg)+extra)
}

// checkSpace fails with ErrNoSpace when dir's filesystem has less free
// space than the store needs.
func checkSpace(dir string, need uint64) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return nil // cannot tell: let the write try
	}
	free := st.Bavail * uint64(st.Bsize)
	if free < need {
		return fmt.Errorf("%w: %s has %d MB free, the store needs about %d MB", ErrNoSpace, dir, free>>20, need>>20)
	}
	return nil
}
