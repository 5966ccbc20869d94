//go:build !unix

package ingest

import (
	"errors"
	"os"
)

func mapFile(f *os.File, size int) ([]byte, error) {
	return nil, errors.New("no mapping on this system")
}

func unmapFile(b []byte) {}

func dropPages(b []byte) {}
