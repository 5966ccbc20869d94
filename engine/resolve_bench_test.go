package engine

import (
	"testing"

	"github.com/s1resolve/s1resolve/value"
)

// BenchmarkDuplicateGUIDs finds the duplicate GUIDs of 1M installations
// of four device rows each, on two workers, an eighth of the GUIDs at a
// time (markDuplicateGUIDsByPart): eight passes over 80 MB of devices.
func BenchmarkDuplicateGUIDs(b *testing.B) {
	p := &Population{}
	for i := range 1 << 20 {
		p.Installations = append(p.Installations, Installation{First: uint32(len(p.Devices)), Count: 4})
		for d := range 4 {
			p.Devices = append(p.Devices, DeviceFields{GUID: value.GUID(uint64(i)*4 + uint64(d) + 1)}.Device())
		}
	}
	dup := make([]bool, len(p.Installations))
	b.ResetTimer()
	for range b.N {
		markDuplicateGUIDsByPart(p, dup, 2, nil)
	}
	b.ReportMetric(float64(len(p.Devices))*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
}
