//go:build !unix

package hugepages

// Map reports false here: the heap serves (see the Unix build).
func Map[T any](n int) ([]T, bool) { return nil, false }

// Unmap does nothing here.
func Unmap[T any](s []T) {}

// Trim returns s here.
func Trim[T any](s []T) []T { return s }
