package ingest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/s1resolve/s1resolve/value"
)

// benchBlock returns a block of n valid rows of the full column set, the
// shape of an SMSO extract, and its header.
func benchBlock(n int) ([]byte, *header) {
	cols := "smso,cohort,installation_id,mpan,mprn,install_date,communicating,device_guid,device_type,device_state,group_id,fw_status,fw_attempts,config_status,config_attempts,prepay_key"
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		core := fmt.Sprintf("%012d", 100000000000+i/4)
		core += string(value.MPANCheckDigit([]byte(core)))
		fmt.Fprintf(&b, "SMSO_A,IOC,INS-%d,%s,%010d,2019-03-%02d,Y,%016X,ESME,dormant,AA,failed,12,ok,3,Y\n",
			i/4, core, i/4, 1+i%28, uint64(i)*7919)
	}
	h, _, _, err := readHeader("bench.csv", []byte(cols+"\n"), true, Installations)
	if err != nil {
		panic(err)
	}
	return b.Bytes(), newHeader(h)
}

// BenchmarkScanBlock touches every byte of the block BenchmarkParseBlock
// parses once, counting line ends: the floor a parse on one core is
// compared with (a read of the bytes, no work on them).
func BenchmarkScanBlock(b *testing.B) {
	data, _ := benchBlock(20000)
	b.SetBytes(int64(len(data)))
	lines := 0
	for b.Loop() {
		lines = bytes.Count(data, []byte{'\n'})
	}
	if lines != 20000 {
		b.Fatalf("%d lines", lines)
	}
}

// BenchmarkParseRecord splits records into fields (csv.go), as a parse
// worker does for one block, telling first whether it holds a CR. The
// sub-benchmarks write the same rows with the other line ends of FORMATS.md
// §1.
func BenchmarkParseRecord(b *testing.B) {
	data, _ := benchBlock(20000)
	for _, le := range benchLineEnds {
		b.Run(le.name, func(b *testing.B) {
			d := withLineEnds(data, le.end)
			b.SetBytes(int64(len(d)))
			b.ReportAllocs()
			b.ResetTimer()
			var rec record
			for b.Loop() {
				crs := bytes.IndexByte(d, '\r') >= 0
				for d := d; len(d) > 0; {
					n, _ := parseRecord(d, true, &rec, crs)
					d = d[n:]
				}
			}
		})
	}
}

var benchLineEnds = []struct{ name, end string }{{"LF", "\n"}, {"CRLF", "\r\n"}, {"CRCRLF", "\r\r\n"}, {"CR", "\r"}}

// withLineEnds returns data with each LF written as end.
func withLineEnds(data []byte, end string) []byte {
	return bytes.ReplaceAll(data, []byte("\n"), []byte(end))
}

// BenchmarkCutBlock finds the last record end of a block (csv.go).
func BenchmarkCutBlock(b *testing.B) {
	data, _ := benchBlock(20000)
	for _, le := range benchLineEnds {
		b.Run(le.name, func(b *testing.B) {
			d := withLineEnds(data, le.end)
			b.SetBytes(int64(len(d)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if cutBlock(d, false) == 0 {
					b.Fatal("no record end")
				}
			}
		})
	}
}

// BenchmarkCutBlockQuotes: the same with a quoted note on one line in
// thirty, as extracts carry them.
func BenchmarkCutBlockQuotes(b *testing.B) {
	data, _ := benchBlock(20000)
	var q []byte
	for i, line := range bytes.SplitAfter(data, []byte("\n")) {
		if i%30 == 0 && len(line) > 0 {
			line = append([]byte(`"access via side gate, ""dog""",`), line...)
		}
		q = append(q, line...)
	}
	b.SetBytes(int64(len(q)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if cutBlock(q, false) == 0 {
			b.Fatal("no record end")
		}
	}
}

// BenchmarkParseRow validates split rows (row.go), without the splitting.
func BenchmarkParseRow(b *testing.B) {
	data, h := benchBlock(20000)
	var recs [][][]byte
	for d := data; len(d) > 0; {
		var rec record
		n, _ := parseRecord(d, true, &rec, false)
		recs = append(recs, append([][]byte(nil), rec.fields...))
		d = d[n:]
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	var r row
	for b.Loop() {
		for _, f := range recs {
			h.parseRow(f, &r)
			if len(r.problems) > 0 {
				b.Fatal(r.problem())
			}
		}
	}
}

// BenchmarkParseBlock turns a block into a chunk (parse.go): splitting,
// validating and recording runs, as one worker does; with each line end of
// FORMATS.md §1.
func BenchmarkParseBlock(b *testing.B) {
	data, h := benchBlock(20000)
	for _, le := range benchLineEnds {
		b.Run(le.name, func(b *testing.B) {
			d := withLineEnds(data, le.end)
			b.SetBytes(int64(len(d)))
			b.ReportAllocs()
			b.ResetTimer()
			p := &parser{}
			for b.Loop() {
				c, _ := p.parseBlock(&block{data: d, hdr: h, first: true, line: 2})
				if len(c.errs) > 0 {
					b.Fatal(c.errs[0].msg)
				}
				c.freeRows() // as layout does: rows live outside the heap
			}
		})
	}
}
