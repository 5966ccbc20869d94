package ingest

import (
	"reflect"
	"testing"
)

// TestChunkMemoryHoldsNoPointer: chunk rows and runs live outside the Go
// heap (rowmem.go), where the collector does not look: a pointer in them would
// leave what it points to unseen, and freed.
func TestChunkMemoryHoldsNoPointer(t *testing.T) {
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
	walk(reflect.TypeFor[run](), "run")
}

// TestRowsGrow: a chunk given more rows and runs than their first
// capacity keeps every one, in order, across the moves; trimmed, it keeps
// them all; freeing leaves it empty.
func TestRowsGrow(t *testing.T) {
	c := &chunk{}
	c.rows, c.rowsMapped = allocMapped[chunkRow](rowsCapacity(0))
	c.runs, c.runsMapped = allocMapped[run](1)
	const n = 100000
	for i := range n {
		c.addRow(chunkRow{run: uint32(i), line: uint32(2 * i)})
		if i%3 == 0 {
			c.addRun(run{nameOff: uint32(i), rows: 3})
		}
	}
	c.trim()
	if len(c.rows) != n || len(c.runs) != (n+2)/3 {
		t.Fatalf("%d rows, %d runs", len(c.rows), len(c.runs))
	}
	for i := range c.rows {
		if c.rows[i].run != uint32(i) || c.rows[i].line != uint32(2*i) {
			t.Fatalf("row %d is %+v", i, c.rows[i])
		}
	}
	for i := range c.runs {
		if c.runs[i].nameOff != uint32(3*i) || c.runs[i].rows != 3 {
			t.Fatalf("run %d is %+v", i, c.runs[i])
		}
	}
	c.free()
	if c.rows != nil || c.rowsMapped || c.runs != nil || c.runsMapped {
		t.Fatal("rows or runs left after free")
	}
	c.free() // twice is harmless
}
