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

// Format is an encoding of the decisions output, an index into formats.
type Format int

// The formats, in the order of the formats table.
const (
	CSV Format = iota
	JSONL
	Parquet
)

// formatInfo is one encoding of the decisions: its name (as --format takes
// it), the file name suffixes that ask for it, whether it may be gzipped,
// and its writer. A new format is one file with its writer and one line
// here.
type formatInfo struct {
	name     string
	suffixes []string // the first is the default file's
	gzip     bool
	write    func(ctx context.Context, w io.Writer, d *Decisions, workers int) error
}

var formats = [...]formatInfo{
	CSV:     {"csv", []string{".csv"}, true, textWriter(csvRow, DecisionsHeader, 128)},
	JSONL:   {"jsonl", []string{".jsonl", ".ndjson"}, true, textWriter(jsonRow, "", 256)},
	Parquet: {"parquet", []string{".parquet"}, false, writeParquet},
}

// ParseFormat reads a format's name: csv, jsonl or parquet.
func ParseFormat(s string) (Format, error) {
	var names []string
	for f, info := range formats {
		if info.name == s {
			return Format(f), nil
		}
		names = append(names, info.name)
	}
	return 0, fmt.Errorf("unknown format %q: want %s", s, strings.Join(names, ", "))
}

// String returns the format's name, as ParseFormat reads it.
func (f Format) String() string { return formats[f].name }

// Suffix returns the file name suffix of the format's default file.
func (f Format) Suffix() string { return formats[f].suffixes[0] }

// Gzips reports whether the format may be gzipped (a name ending in .gz).
func (f Format) Gzips() bool { return formats[f].gzip }

// Gzipped reports whether an output name asks for gzip: it ends in .gz, in
// any case.
func Gzipped(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".gz") }

// FormatOf returns the format a decisions file name asks for by its suffix
// (.csv, .jsonl, .parquet, the first two also with .gz), and false for a
// name that says none (standard output, a device, another suffix).
func FormatOf(name string) (Format, bool) {
	n := strings.TrimSuffix(strings.ToLower(name), ".gz")
	for f, info := range formats {
		for _, suffix := range info.suffixes {
			if strings.HasSuffix(n, suffix) {
				return Format(f), true
			}
		}
	}
	return CSV, false
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

// WriteDecisions writes the decisions to w in d.Format, rows made in
// parallel and written in order.
func WriteDecisions(ctx context.Context, w io.Writer, d *Decisions) error {
	workers := d.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	return formats[d.Format].write(ctx, w, d, workers)
}

// textWriter returns the writer of a text format: the header, then the
// rows as f prints them, about rowSize bytes each.
func textWriter(f *rowFormat, header string, rowSize int) func(context.Context, io.Writer, *Decisions, int) error {
	return func(ctx context.Context, w io.Writer, d *Decisions, workers int) error {
		if _, err := io.WriteString(w, header); err != nil {
			return err
		}
		return parallel.Ordered(ctx, len(d.Pop.Installations), 1<<15, workers, func(buf []byte, lo, hi int) []byte {
			buf = slices.Grow(buf, (hi-lo)*rowSize) // room for most chunks at once: no copying as it fills
			r := new(Row)                           // one per chunk: the column table's functions would make a row per row escape
			for id := lo; id < hi; id++ {
				*r = RowOf(d.Pop, d.Res, uint32(id), d.Supplier)
				buf = f.appendRow(buf, r)
			}
			return buf
		}, func(b []byte) error { _, err := w.Write(b); return err })
	}
}
