package output

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"

	"github.com/parquet-go/parquet-go"

	"github.com/s1resolve/s1resolve/parallel"
)

// parquetSchema is the decisions schema, derived from the column table:
// its columns in the same order, each word or text column an optional
// string (an empty value is written as null, as DuckDB reads the empty
// fields of the CSV), each number column a required 64-bit integer.
var parquetSchema = func() *parquet.Schema {
	fields := make([]reflect.StructField, NumColumns)
	for i, c := range columns {
		t, tag := reflect.TypeFor[string](), c.name+",optional"
		if c.kind == number {
			t, tag = reflect.TypeFor[int64](), c.name
		}
		fields[i] = reflect.StructField{Name: fmt.Sprintf("C%d", i), Type: t, Tag: reflect.StructTag(`parquet:"` + tag + `"`)}
	}
	return parquet.SchemaOf(reflect.New(reflect.StructOf(fields)).Elem().Interface())
}()

// parquetRowGroup is the number of rows in each row group: the writer holds
// one row group in memory at a time.
var parquetRowGroup int64 = 1 << 18

// appendParquetRow appends to row the values of r, column by column, their
// bytes in arena; it returns both.
func appendParquetRow(row parquet.Row, arena []byte, r *Row) (parquet.Row, []byte) {
	for i := range columns {
		c := &columns[i]
		start := len(arena)
		if c.kind == text {
			arena = append(arena, c.text(r)...)
		} else {
			arena = c.put(arena, r)
		}
		v := arena[start:]
		switch {
		case c.kind == number:
			n, _ := strconv.ParseInt(string(v), 10, 64)
			arena = arena[:start]
			row = append(row, parquet.Int64Value(n).Level(0, 0, i))
		case len(v) == 0:
			row = append(row, parquet.NullValue().Level(0, 0, i))
		default:
			row = append(row, parquet.ByteArrayValue(v).Level(0, 1, i))
		}
	}
	return row, arena
}

// writeParquet writes the decisions as Parquet: rows made in parallel
// chunks, written in order, flushed a row group at a time.
func writeParquet(ctx context.Context, w io.Writer, d *Decisions, workers int) error {
	pw := parquet.NewWriter(w, parquetSchema, parquet.MaxRowsPerRowGroup(parquetRowGroup))
	const chunk = 1 << 14
	n := len(d.Pop.Installations)
	slots := make([][]parquet.Row, (n+chunk-1)/chunk) // the rows of each chunk until written
	next := 0
	err := parallel.Ordered(ctx, n, chunk, workers, func(buf []byte, lo, hi int) []byte {
		if lo >= hi {
			return buf[:0] // past the end: no chunk
		}
		rows := make([]parquet.Row, 0, hi-lo)
		values := make([]parquet.Value, 0, (hi-lo)*NumColumns)
		var arena []byte
		r := new(Row) // one per chunk, as the text formats do
		for id := lo; id < hi; id++ {
			*r = RowOf(d.Pop, d.Res, uint32(id), d.Supplier)
			start := len(values)
			values, arena = appendParquetRow(values, arena, r)
			rows = append(rows, values[start:len(values):len(values)])
		}
		slots[lo/chunk] = rows
		return append(buf[:0], 1) // a token: Ordered hands chunks to write in order
	}, func([]byte) error {
		rows := slots[next]
		slots[next], next = nil, next+1
		_, err := pw.WriteRows(rows)
		return err
	})
	if err != nil {
		return err
	}
	return pw.Close()
}

// readParquet reads the decisions Parquet file data, calling fn with each
// row's values as printed (a null as ""); the line is the row's number.
func readParquet(ctx context.Context, data []byte, name string, fn rowFunc) error {
	file, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return &ReadError{File: name, Err: fmt.Errorf("not a readable Parquet file: %w", err)}
	}
	var at [NumColumns]int // the file's column index of each column
	for i, c := range columns {
		leaf, ok := file.Schema().Lookup(c.name)
		if !ok {
			return &ReadError{File: name, Column: c.name, Err: fmt.Errorf("is missing: %w", ErrNotDecisions)}
		}
		at[i] = leaf.ColumnIndex
	}
	byIndex := map[int]int{}
	for i, x := range at {
		byIndex[x] = i
	}
	pr := parquet.NewReader(file)
	defer pr.Close()
	rows := make([]parquet.Row, 1024)
	var values [NumColumns]string
	line := 0
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := pr.ReadRows(rows)
		for _, row := range rows[:n] {
			line++
			values = [NumColumns]string{}
			for _, v := range row {
				i, ok := byIndex[v.Column()]
				if !ok || v.IsNull() {
					continue
				}
				if columns[i].kind == number {
					values[i] = strconv.FormatInt(v.Int64(), 10)
				} else {
					values[i] = string(v.ByteArray())
				}
			}
			if err := fn(line, &values); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &ReadError{File: name, Line: line + 1, Err: err}
		}
	}
}
