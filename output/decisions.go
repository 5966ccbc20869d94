package output

import (
	"context"

	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/parallel"
)

// Format is the encoding of the decisions output.
type Format int

// Formats.
const (
	CSV Format = iota
	JSONL
	Parquet
)

// ParseFormat reads "csv" or "jsonl".
func ParseFormat(s string) (Format, error) {
	switch s {
	case "csv":
		return CSV, nil
	case "jsonl":
		return JSONL, nil
	case "parquet":
		return Parquet, nil
	}
	return 0, fmt.Errorf("unknown format %q: want csv, jsonl or parquet", s)
}

// Decisions describes what WriteDecisions writes: one row per installation
// of the population, in id order (smso, then installation_id).
type Decisions struct {
	Pop    *engine.Population
	Res    *engine.Result
	Format Format
	// Supplier gives each installation's Responsible Supplier; nil means
	// no registration data.
	Supplier SupplierOf
	Workers  int // zero means one per core
}

// WriteDecisions writes the decisions to w, formatting in parallel and
// writing in order.
func WriteDecisions(ctx context.Context, w io.Writer, d *Decisions) error {
	workers := max(d.Workers, 1)
	if d.Workers <= 0 {
		workers = runtime.NumCPU()
	}
	if d.Format == Parquet {
		return writeParquet(ctx, w, d, workers)
	}
	if d.Format == CSV {
		if _, err := io.WriteString(w, DecisionsHeader); err != nil {
			return err
		}
	}
	f, rowSize := csvRow, 128
	if d.Format == JSONL {
		f, rowSize = jsonRow, 256
	}
	return parallel.Ordered(ctx, len(d.Pop.Installations), 1<<15, workers, func(buf []byte, lo, hi int) []byte {
		buf = slices.Grow(buf, (hi-lo)*rowSize) // room for most chunks at once: no copying as it fills
		for id := lo; id < hi; id++ {
			r := RowOf(d.Pop, d.Res, uint32(id), d.Supplier)
			buf = f.appendRow(buf, &r)
		}
		return buf
	}, func(b []byte) error { _, err := w.Write(b); return err })
}

// Gzipped reports whether an output name asks for gzip: it ends in .gz, in
// any case.
func Gzipped(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".gz") }

// FormatOf returns the format a decisions file name asks for by its suffix
// (.csv, .jsonl, .parquet, each of the first two with .gz), and false for a
// name that says none (standard output, a device, another suffix).
func FormatOf(name string) (Format, bool) {
	n := strings.TrimSuffix(strings.ToLower(name), ".gz")
	switch {
	case strings.HasSuffix(n, ".csv"):
		return CSV, true
	case strings.HasSuffix(n, ".jsonl"), strings.HasSuffix(n, ".ndjson"):
		return JSONL, true
	case strings.HasSuffix(n, ".parquet"):
		return Parquet, true
	}
	return CSV, false
}

// String returns the format's name, as ParseFormat reads it.
func (f Format) String() string { return [...]string{"csv", "jsonl", "parquet"}[f] }

// Suffix returns the file name suffix of the format: .csv, .jsonl, .parquet.
func (f Format) Suffix() string { return "." + f.String() }
