package ingest

import (
	"reflect"
	"testing"
)

// TestChunkRowHoldsNoPointer: chunk rows live outside the Go heap
// (rowmem.go), where the collector does not look: a pointer in them would
// leave what it points to unseen, and freed.
func TestChunkRowHoldsNoPointer(t *testing.T) {
	var walk func(reflect.Type, string)
	walk = func(tp reflect.Type, path string) {
		switch tp.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.String, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
			t.Errorf("%s is a %s", path, tp.Kind())
		case reflect.Struct:
			for i := range tp.NumField() {
				walk(tp.Field(i).Type, path+"."+tp.Field(i).Name)
			}
		case reflect.Array:
			walk(tp.Elem(), path+"[]")
		}
	}
	walk(reflect.TypeFor[chunkRow](), "chunkRow")
}

// TestRowsGrow: a chunk given more rows than its first capacity keeps
// every row, in order, across the moves; freeing leaves it empty.
func TestRowsGrow(t *testing.T) {
	c := &chunk{}
	c.rows, c.rowsMapped = allocRows(rowsCapacity(0))
	const n = 100000
	for i := range n {
		c.addRow(chunkRow{run: uint32(i), line: uint32(2 * i)})
	}
	if len(c.rows) != n {
		t.Fatalf("%d rows", len(c.rows))
	}
	for i := range c.rows {
		if c.rows[i].run != uint32(i) || c.rows[i].line != uint32(2*i) {
			t.Fatalf("row %d is %+v", i, c.rows[i])
		}
	}
	c.freeRows()
	if c.rows != nil || c.rowsMapped {
		t.Fatal("rows left after freeRows")
	}
	c.freeRows() // twice is harmless
}
