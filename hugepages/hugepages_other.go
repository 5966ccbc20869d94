//go:build !linux

package hugepages

import "unsafe"

// Advise does nothing here: see the Linux build.
func Advise(p unsafe.Pointer, n uintptr) {}
