package main

import (
	"runtime/pprof"

	"github.com/s1resolve/s1resolve/output"
)

// startProfile starts a CPU profile into path ("" for none), an output the
// command's plan has checked, and returns the function that stops it and
// places the file.
func startProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := output.Create(path, nil)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f.Writer()); err != nil {
		f.Abort()
		return nil, err
	}
	return func() error { pprof.StopCPUProfile(); return f.Commit() }, nil
}
