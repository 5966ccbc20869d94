package index

import (
	"context"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// benchTable is a resolved population of n installations of four device
// rows each, every fourth installation in a duplicate group of two: the
// shape of an SMSO extract, for the codec benchmarks.
func benchTable(b *testing.B, n int) (*engine.Population, *engine.Result) {
	b.Helper()
	pop := &engine.Population{}
	for i := range n {
		core := []byte("1" + pad11(uint64(i/2+(i%4)*n)))
		core = append(core, value.MPANCheckDigit(core))
		mpan, _ := value.ParseMPAN(core)
		in := engine.Installation{Name: engine.InstallationName("SMSO_A", "INS-"+pad11(uint64(i))), MPAN: mpan,
			MPRN: value.MPRNKey(uint64(i), 10), Date: value.MakeDate(2019, 3, 1+i%28), First: uint32(len(pop.Devices)), Count: 4,
			Cohort: engine.IOC, Communicating: i%3 == 0}
		for d, t := range []engine.DeviceType{engine.CHF, engine.ESME, engine.GSME, engine.IHD} {
			dev := engine.DeviceFields{GUID: value.GUID(uint64(i)*4 + uint64(d) + 1), Type: t}.Device()
			if t.IsMeter() {
				dev.SetState(engine.Dormant)
				dev.SetFw(engine.Failed)
				dev.FwAttempts, dev.Group = 12, [2]byte{'A', 'A'}
			}
			pop.Devices = append(pop.Devices, dev)
		}
		pop.Installations = append(pop.Installations, in)
	}
	rowsInOrder(pop)
	rules := engine.DefaultRules()
	res, err := (&engine.Resolver{Workers: 2, Rules: &rules, GUIDPostings: true}).Resolve(context.Background(), pop)
	if err != nil {
		b.Fatal(err)
	}
	return pop, res
}

func pad11(v uint64) string {
	s := []byte("00000000000")
	for i := len(s) - 1; i >= 0 && v > 0; i-- {
		s[i] = byte('0' + v%10)
		v /= 10
	}
	return string(s)
}

// BenchmarkInstallationPages encodes and decodes the installation table's
// pages (page.go, record.go): records/s and MB/s of the encoded pages.
func BenchmarkInstallationPages(b *testing.B) {
	pop, res := benchTable(b, 100_000)
	pages := (len(pop.Installations) + pageSize - 1) / pageSize
	var encoded [][]byte
	size := 0
	for p := range pages {
		encoded = append(encoded, installationPage(nil, pop, res, p))
		size += len(encoded[p])
	}
	b.Run("encode", func(b *testing.B) {
		b.SetBytes(int64(size))
		var buf []byte
		for b.Loop() {
			for p := range pages {
				buf = installationPage(buf[:0], pop, res, p)
			}
		}
		b.ReportMetric(float64(len(pop.Installations))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(size))
		var r Record
		for b.Loop() {
			id := uint32(0)
			for _, page := range encoded {
				recs, err := pageRecords(page)
				if err != nil {
					b.Fatal(err)
				}
				for _, rec := range recs {
					if err := decodeInstallationInto(rec, id, &r); err != nil {
						b.Fatal(err)
					}
					id++
				}
			}
		}
		b.ReportMetric(float64(len(pop.Installations))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}

// BenchmarkPostings encodes and reads back the GUID posting lists of the
// same table (posting.go): ids/s.
func BenchmarkPostings(b *testing.B) {
	_, res := benchTable(b, 100_000)
	var lists [][]uint32
	for i := 0; i < len(res.GUIDRefs); {
		j := i
		var ids []uint32
		for ; j < len(res.GUIDRefs) && res.GUIDRefs[j].Key() == res.GUIDRefs[i].Key(); j++ {
			ids = append(ids, res.GUIDRefs[j].ID())
		}
		lists = append(lists, ids)
		i = j
	}
	var encoded []byte
	for _, ids := range lists {
		encoded = appendPosting(encoded, ids)
	}
	b.Run("encode", func(b *testing.B) {
		b.SetBytes(int64(len(encoded)))
		var buf []byte
		for b.Loop() {
			buf = buf[:0]
			for _, ids := range lists {
				buf = appendPosting(buf, ids)
			}
		}
		b.ReportMetric(float64(len(res.GUIDRefs))*float64(b.N)/b.Elapsed().Seconds(), "ids/s")
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(encoded)))
		for b.Loop() {
			rest := encoded
			for len(rest) > 0 {
				var err error
				if _, rest, err = readPosting(rest); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(res.GUIDRefs))*float64(b.N)/b.Elapsed().Seconds(), "ids/s")
	})
}
