package index

import (
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// TestRecordRoundTrip encodes an installation with every field set to
// something unusual and decodes it again.
func TestRecordRoundTrip(t *testing.T) {
	pop := &engine.Population{
		Installations: []engine.Installation{{Name: "SMSO_1\x00inst, \"odd\" ü", MPAN: value.MPANKey(9912345678906),
			MPRN: value.MPRNKey(123456, 10), Date: value.MakeDate(1999, 12, 31), Count: 3, Cohort: engine.MOCSecure, Communicating: true}},
		Devices: []engine.Device{
			engine.DeviceFields{GUID: ^value.GUID(0), Type: engine.GSME, State: engine.Active, Fw: engine.Unable, Cfg: engine.Failed, Prepay: value.No, Group: [2]byte{'C', 'B'}, FwAttempts: 999999999, CfgAttempts: 7}.Device(),
			engine.DeviceFields{GUID: 1, Type: engine.IHD}.Device(),
			engine.DeviceFields{GUID: 0x000D6F0000AB1234, Type: engine.ESME, State: engine.Dormant, Fw: engine.OK, Prepay: value.Yes}.Device(),
		},
		Positions: engine.PositionsOf([]uint16{2, 0, 65535}, []uint32{5, 1<<30 - 1, 2}),
	}
	res := &engine.Result{Outcomes: []engine.Outcome{{Decision: engine.Blocked, Reason: engine.DuplicateMPxNActive, Step: engine.Step2a}},
		Groups: []engine.GroupFacts{{Root: 0, Key: value.MPRNKey(123456, 10), Size: 70000}}, Root: []uint32{0}, DupGUID: []bool{true}, Dormant: []bool{false}}
	b := appendInstallation(nil, pop, res, 0)
	r, err := decodeInstallation(b, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Installation != pop.Installations[0] {
		t.Errorf("installation %+v, want %+v", r.Installation, pop.Installations[0])
	}
	for i := range pop.Devices {
		file, line := pop.Positions.At(i)
		if r.Devices[i] != pop.Devices[i] || r.RowFile[i] != file || r.RowLine[i] != line {
			t.Errorf("device %d: %+v %d:%d, want %+v %d:%d", i, r.Devices[i], r.RowFile[i], r.RowLine[i], pop.Devices[i], file, line)
		}
	}
	if r.Outcome != res.Outcomes[0] || r.GroupID != value.MPRNKey(123456, 10) || r.GroupSize != 70000 || !r.DupGUID || r.Dormant {
		t.Errorf("result fields %+v", r)
	}
	if _, err := decodeInstallation(b[:len(b)-1], 0); err == nil {
		t.Error("a truncated record decoded")
	}
}

func TestPostingRoundTrip(t *testing.T) {
	for _, ids := range [][]uint32{nil, {0}, {3, 9, 1 << 31}, {1, 2, 3, 4, 5, 6, 100, 1 << 20}} {
		b := appendPosting(nil, ids)
		got, rest, err := readPosting(append(b, 0xAA))
		if err != nil || len(rest) != 1 || len(got) != len(ids) {
			t.Fatalf("%v: got %v rest %v err %v", ids, got, rest, err)
		}
		for i := range ids {
			if got[i] != ids[i] {
				t.Fatalf("%v: got %v", ids, got)
			}
		}
	}
}
