//go:build !unix

package ingest

func mapSlice[T any](n int) ([]T, bool) { return nil, false }

func unmapSlice[T any](s []T) {}

func trimMapped[T any](s []T) []T { return s }
