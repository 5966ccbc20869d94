package output

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"

	"github.com/parquet-go/parquet-go"

	"github.com/s1resolve/s1resolve/parallel"
	"github.com/s1resolve/s1resolve/value"
)

// parquetRow is a decisions row as Parquet holds it: the columns of
// columns.go in the same order, group_size an integer, every empty value a
// null (an optional column's zero value is written as null), as DuckDB
// reads the CSV.
type parquetRow struct {
	SMSO           string `parquet:"smso,optional"`
	InstallationID string `parquet:"installation_id,optional"`
	Cohort         string `parquet:"cohort,optional"`
	Decision       string `parquet:"decision,optional"`
	Reason         string `parquet:"reason,optional"`
	Clause         string `parquet:"clause,optional"`
	GroupID        string `parquet:"group_id,optional"`
	GroupSize      int64  `parquet:"group_size"`
	MPAN           string `parquet:"mpan,optional"`
	MPRN           string `parquet:"mprn,optional"`
	SupplierID     string `parquet:"supplier_id,optional"`
	NotifySupplier string `parquet:"notify_supplier,optional"`
}

// strings returns the row's string columns by column index (nil for
// group_size).
func (p *parquetRow) strings() [NumColumns]*string {
	return [NumColumns]*string{&p.SMSO, &p.InstallationID, &p.Cohort, &p.Decision, &p.Reason, &p.Clause, &p.GroupID, nil,
		&p.MPAN, &p.MPRN, &p.SupplierID, &p.NotifySupplier}
}

// newParquetRow makes the Parquet row of r: the values appendRow writes.
func newParquetRow(r row) parquetRow {
	in, o := r.in, r.out
	return parquetRow{SMSO: in.SMSO(), InstallationID: in.ID(), Cohort: in.Cohort.String(), Decision: o.Decision.String(),
		Reason: o.Reason.String(), Clause: o.Clause(in.Cohort), GroupID: r.groupID.String(), GroupSize: int64(r.size),
		MPAN: in.MPAN.String(), MPRN: in.MPRN.String(), SupplierID: r.supplier, NotifySupplier: value.YN(r.notify)}
}

// checkParquetSchema panics unless parquetRow lists the columns of
// columns.go, in order: the two must not drift apart.
var checkParquetSchema = sync.OnceFunc(func() {
	for i, f := range parquet.SchemaOf(parquetRow{}).Fields() {
		if i >= NumColumns || f.Name() != columns[i].name {
			panic(fmt.Sprintf("output: Parquet column %d is %q, not the decisions column", i, f.Name()))
		}
	}
})

// parquetRowGroup is the number of rows in each row group: the writer holds
// one row group in memory at a time.
const parquetRowGroup = 1 << 18

// writeParquet writes the decisions as Parquet: rows made in parallel
// chunks, written in order, flushed a row group at a time.
func writeParquet(ctx context.Context, w io.Writer, d *Decisions, workers int, supplier func(id uint32) (string, bool)) error {
	checkParquetSchema()
	pw := parquet.NewGenericWriter[parquetRow](w, parquet.MaxRowsPerRowGroup(parquetRowGroup))
	const chunk = 1 << 14
	n := len(d.Pop.Installations)
	slots := make([][]parquetRow, (n+chunk-1)/chunk) // the rows of each chunk until written
	next := 0
	err := parallel.Ordered(ctx, n, chunk, workers, func(buf []byte, lo, hi int) []byte {
		if lo >= hi {
			return buf[:0] // past the end: no chunk
		}
		rows := make([]parquetRow, 0, hi-lo)
		for id := lo; id < hi; id++ {
			r := row{in: &d.Pop.Installations[id], out: d.Res.Outcomes[id], groupID: d.Res.GroupID[id], size: d.Res.GroupSize[id], notify: true}
			if supplier != nil {
				r.supplier, r.notify = supplier(uint32(id))
			}
			rows = append(rows, newParquetRow(r))
		}
		slots[lo/chunk] = rows
		return append(buf[:0], 1) // a token: Ordered hands chunks to write in order
	}, func([]byte) error {
		rows := slots[next]
		slots[next], next = nil, next+1
		_, err := pw.Write(rows)
		return err
	})
	if err != nil {
		return err
	}
	return pw.Close()
}

// readParquet reads a decisions Parquet file; line is the row's number.
func readParquet(f *os.File, name string, fn func(line int, row *Row) error) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	file, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		return fmt.Errorf("%s: not a Parquet file: %w", name, err)
	}
	for _, c := range columns {
		if _, ok := file.Schema().Lookup(c.name); !ok {
			return fmt.Errorf("%s: column %q is missing: not a decisions file", name, c.name)
		}
	}
	pr := parquet.NewGenericReader[parquetRow](f)
	defer pr.Close()
	buf := make([]parquetRow, 4096)
	var out Row
	line := 0
	for {
		n, err := pr.Read(buf)
		for i := 0; i < n; i++ {
			line++
			for col, s := range buf[i].strings() {
				if col == ColGroupSize {
					out[col] = strconv.FormatInt(buf[i].GroupSize, 10)
				} else {
					out[col] = *s
				}
			}
			if err := fn(line, &out); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: row %d: %w", name, line+1, err)
		}
	}
}
