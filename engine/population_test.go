package engine

import (
	"testing"
	"unsafe"

	"github.com/s1resolve/s1resolve/value"
)

// TestDevicePacking: every value a device's columns can hold, and every
// value a store's 2-bit and 3-bit fields can decode to, comes back as it
// went in, beside its neighbours; and a device row stays 20 bytes.
func TestDevicePacking(t *testing.T) {
	if n := unsafe.Sizeof(Device{}); n != 20 {
		t.Errorf("a Device takes %d bytes, want 20", n)
	}
	guids := []value.GUID{0, 1, 1<<32 - 1, 1 << 32, 0x0123456789ABCDEF, ^value.GUID(0)}
	for typ := DeviceType(0); typ < 8; typ++ {
		for st := State(0); st < 4; st++ {
			for fw := Status(0); fw < 4; fw++ {
				for cfg := Status(0); cfg < 4; cfg++ {
					for pp := value.YesNo(0); pp < 4; pp++ {
						f := DeviceFields{GUID: guids[int(typ+DeviceType(st)+DeviceType(fw))%len(guids)], FwAttempts: 999_999_999,
							CfgAttempts: uint32(cfg) * 7, Type: typ, State: st, Fw: fw, Cfg: cfg, Prepay: pp, Group: [2]byte{'C', 'B'}}
						d := f.Device()
						if got := d.Fields(); got != f {
							t.Fatalf("%+v packed and unpacked is %+v", f, got)
						}
						// Setting one column leaves the others.
						d.SetState(st ^ 1)
						if got := d.Fields(); got.State != st^1 || got.Type != typ || got.Fw != fw || got.Cfg != cfg || got.Prepay != pp {
							t.Fatalf("%+v with state %d is %+v", f, st^1, got)
						}
					}
				}
			}
		}
	}
}
