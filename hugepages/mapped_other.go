//go:build !unix

package hugepages

import "unsafe"

// Map reports false here: the heap serves (see the Unix build).
func Map[T any](n int) ([]T, bool) { return nil, false }

// Unmap does nothing here.
func Unmap[T any](s []T) {}

// Trim returns s here.
func Trim[T any](s []T) []T { return s }

func release[T any](base unsafe.Pointer, s []T) (from, to uintptr) { return 0, 0 }

func unmapBytes(base unsafe.Pointer, from, to uintptr) {}

func pageAligned(n uintptr) uintptr { return n }
