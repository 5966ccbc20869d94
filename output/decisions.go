package output

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strconv"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/parallel"
	"github.com/s1resolve/s1resolve/value"
)

// Format is the encoding of the decisions output.
type Format int

// Formats.
const (
	CSV Format = iota
	JSONL
)

// ParseFormat reads "csv" or "jsonl".
func ParseFormat(s string) (Format, error) {
	switch s {
	case "csv":
		return CSV, nil
	case "jsonl":
		return JSONL, nil
	}
	return 0, fmt.Errorf("unknown format %q: want csv or jsonl", s)
}

// DecisionsHeader is the header of the decisions CSV (FORMAT.md §4).
const DecisionsHeader = "smso,installation_id,cohort,decision,reason,clause,group_id,group_size,mpan,mprn,supplier_id,notify_supplier\n"

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
	return parallel.Ordered(ctx, len(d.Pop.Installations), 1<<15, workers, func(buf []byte, lo, hi int) []byte {
		for id := lo; id < hi; id++ {
			buf = d.appendRow(buf, uint32(id))
		}
		return buf
	}, func(b []byte) error { _, err := w.Write(b); return err })
}

func (d *Decisions) appendRow(b []byte, id uint32) []byte {
	in := &d.Pop.Installations[id]
	o := d.Res.Outcomes[id]
	supplier, notify := "", true
	if d.Supplier != nil {
		supplier, notify = d.Supplier(id)
	}
	nt := "Y"
	if !notify {
		nt = "N"
	}
	if d.Format == JSONL {
		b = append(b, `{"smso":`...)
		b = value.AppendJSONString(b, in.SMSO())
		b = append(b, `,"installation_id":`...)
		b = value.AppendJSONString(b, in.ID())
		b = append(b, `,"cohort":"`...)
		b = append(b, in.Cohort.String()...)
		b = append(b, `","decision":"`...)
		b = append(b, o.Decision.String()...)
		b = append(b, `","reason":"`...)
		b = append(b, o.Reason.String()...)
		b = append(b, `","clause":"`...)
		b = append(b, o.Clause(in.Cohort)...)
		b = append(b, `","group_id":"`...)
		b = d.Res.GroupID[id].Append(b)
		b = append(b, `","group_size":`...)
		b = strconv.AppendUint(b, uint64(d.Res.GroupSize[id]), 10)
		b = append(b, `,"mpan":"`...)
		b = in.MPAN.Append(b)
		b = append(b, `","mprn":"`...)
		b = in.MPRN.Append(b)
		b = append(b, `","supplier_id":`...)
		b = value.AppendJSONString(b, supplier)
		b = append(b, `,"notify_supplier":"`...)
		b = append(b, nt...)
		return append(b, "\"}\n"...)
	}
	b = value.AppendCSVField(b, in.SMSO())
	b = append(b, ',')
	b = value.AppendCSVField(b, in.ID())
	b = append(b, ',')
	b = append(b, in.Cohort.String()...)
	b = append(b, ',')
	b = append(b, o.Decision.String()...)
	b = append(b, ',')
	b = append(b, o.Reason.String()...)
	b = append(b, ',')
	b = append(b, o.Clause(in.Cohort)...)
	b = append(b, ',')
	b = d.Res.GroupID[id].Append(b)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(d.Res.GroupSize[id]), 10)
	b = append(b, ',')
	b = in.MPAN.Append(b)
	b = append(b, ',')
	b = in.MPRN.Append(b)
	b = append(b, ',')
	b = value.AppendCSVField(b, supplier)
	b = append(b, ',')
	b = append(b, nt...)
	return append(b, '\n')
}
