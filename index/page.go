package index

import (
	"encoding/binary"

	"github.com/s1resolve/s1resolve/engine"
)

// A page of records, in the installation table (pagefile.go) and in the
// SMETS2+ pages alike: a count, then each record after its length as 4
// bytes little-endian (layout.go). The encoder beside the decoder.

// pageRecords splits a page's value into its records.
func pageRecords(v []byte) ([][]byte, error) {
	d := &decoder{b: v}
	n := d.uvarint()
	recs := make([][]byte, 0, min(n, pageSize))
	for i := uint64(0); i < n && d.err == nil; i++ {
		var size int
		if b := d.bytes(4); b != nil {
			size = int(binary.LittleEndian.Uint32(b))
		}
		recs = append(recs, d.bytes(size))
	}
	return recs, d.err
}

// appendPage appends page p of n items, pageSize to a page: the record
// count, then each item's record (appended by record) after its length as
// 4 bytes little-endian.
func appendPage(val []byte, p, n int, record func(b []byte, i int) []byte) []byte {
	first, last := p*pageSize, min((p+1)*pageSize, n)
	val = binary.AppendUvarint(val, uint64(last-first))
	for i := first; i < last; i++ {
		at := len(val) // a 4-byte length, filled in once the record is written
		val = record(append(val, 0, 0, 0, 0), i)
		binary.LittleEndian.PutUint32(val[at:], uint32(len(val)-at-4))
	}
	return val
}

// installationPage appends page p of the installation table of pop.
func installationPage(val []byte, pop *engine.Population, res *engine.Result, p int) []byte {
	return appendPage(val, p, len(pop.Installations), func(b []byte, id int) []byte { return appendInstallation(b, pop, res, uint32(id)) })
}
