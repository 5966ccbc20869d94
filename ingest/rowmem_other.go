//go:build !unix

package ingest

func mapRows(n int) ([]chunkRow, bool) { return nil, false }

func unmapRows(rows []chunkRow) {}

func trimMapped(rows []chunkRow) []chunkRow { return rows }
