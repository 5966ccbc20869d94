package output

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"

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
	// Supplier returns the Responsible Supplier of an installation and
	// whether to notify it; nil means no registration data.
	Supplier func(id uint32) (supplier string, notify bool)
	Workers  int
}

// WriteDecisions writes the decisions to w, formatting in parallel and
// writing in order.
func WriteDecisions(ctx context.Context, w io.Writer, d *Decisions) error {
	if d.Format == CSV {
		if _, err := io.WriteString(w, DecisionsHeader); err != nil {
			return err
		}
	}
	workers := d.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	if d.Format == Parquet {
		return writeParquet(ctx, w, d, workers, d.Supplier)
	}
	f, rowSize := csvRow, 128
	if d.Format == JSONL {
		f, rowSize = jsonRow, 256
	}
	return parallel.Ordered(ctx, len(d.Pop.Installations), 1<<15, workers, func(buf []byte, lo, hi int) []byte {
		buf = slices.Grow(buf, (hi-lo)*rowSize) // room for most chunks at once: no copying as it fills
		for id := lo; id < hi; id++ {
			r := row{in: &d.Pop.Installations[id], out: d.Res.Outcomes[id], groupID: d.Res.GroupID[id], size: d.Res.GroupSize[id], notify: true}
			if d.Supplier != nil {
				r.supplier, r.notify = d.Supplier(uint32(id))
			}
			buf = f.appendRow(buf, r)
		}
		return buf
	}, func(b []byte) error { _, err := w.Write(b); return err })
}
