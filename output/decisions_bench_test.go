package output

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// benchPopulation returns n resolved installations, one device each, every
// tenth sharing an MPAN with the next.
func benchPopulation(b testing.TB, n int) (*engine.Population, *engine.Result) {
	b.Helper()
	pop := &engine.Population{}
	for i := 0; i < n; i++ {
		core := validCore(uint64(100000000000 + i - i%10/9))
		pop.Installations = append(pop.Installations, engine.Installation{
			Name: engine.InstallationName(fmt.Sprintf("SMSO_%c", 'A'+i%3), fmt.Sprintf("INS-%08d", i)),
			MPAN: value.MPANKey(core), MPRN: value.MPRNKey(uint64(i), 10), Date: value.MakeDate(2019, 1+i%12, 1+i%28),
			First: uint32(i), Count: 1, Cohort: engine.Cohort(1 + i%4), Communicating: i%2 == 0})
		pop.Devices = append(pop.Devices, engine.DeviceFields{GUID: value.GUID(i), Type: engine.ESME, State: engine.Dormant}.Device())
	}
	res, err := (&engine.Resolver{Workers: 2, GUIDPostings: true}).Resolve(context.Background(), pop)
	if err != nil {
		b.Fatal(err)
	}
	return pop, res
}

// BenchmarkWriteDecisions measures the decisions writers; MB/s is of the
// output written.
func BenchmarkWriteDecisions(b *testing.B) {
	pop, res := benchPopulation(b, 200_000)
	for _, f := range []struct {
		name   string
		format Format
	}{{"csv", CSV}, {"jsonl", JSONL}, {"parquet", Parquet}} {
		b.Run(f.name, func(b *testing.B) {
			d := &Decisions{Pop: pop, Res: res, Format: f.format, Workers: 1,
				Supplier: func(uint32) (string, bool) { return "SUP01", true }}
			var size countingWriter
			if err := WriteDecisions(context.Background(), &size, d); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := WriteDecisions(context.Background(), io.Discard, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// validCore returns the 13-digit MPAN core of the 12 digits p: p and its
// check digit.
func validCore(p uint64) uint64 {
	digits := []byte(fmt.Sprintf("%012d", p))
	return p*10 + uint64(value.MPANCheckDigit(digits)-'0')
}
