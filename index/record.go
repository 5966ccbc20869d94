package index

import (
	"encoding/binary"
	"fmt"

	"github.com/s1resolve/s1resolve/engine"
)

// Record is one installation as the store holds it: its columns, devices,
// decision and group.
type Record struct {
	ID           uint32
	Installation engine.Installation
	Devices      []engine.Device
	RowFile      []uint16
	RowLine      []uint32
	Outcome      engine.Outcome
	GroupID      engine.Key
	GroupSize    uint32
	Root         uint32
	DupGUID      bool
	Dormant      bool
}

func appendInstallation(b []byte, pop *engine.Population, res *engine.Result, id uint32) []byte {
	in := &pop.Installations[id]
	b = binary.AppendUvarint(b, uint64(len(in.Name)))
	b = append(b, in.Name...)
	b = binary.AppendUvarint(b, uint64(in.MPAN))
	b = binary.AppendUvarint(b, uint64(in.MPRN))
	b = binary.AppendVarint(b, int64(in.Date))
	comm := byte(0)
	if in.Communicating {
		comm = 1
	}
	o := res.Outcomes[id]
	b = append(b, byte(in.Cohort), comm, byte(o.Decision), byte(o.Reason), byte(o.Step),
		boolByte(res.DupGUID[id]), boolByte(res.Dormant[id]))
	b = binary.AppendUvarint(b, uint64(res.GroupID[id]))
	b = binary.AppendUvarint(b, uint64(res.GroupSize[id]))
	b = binary.AppendUvarint(b, uint64(res.Root[id]))
	b = binary.AppendUvarint(b, uint64(in.Count))
	for i := in.First; i < in.First+in.Count; i++ {
		d := &pop.Devices[i]
		b = binary.BigEndian.AppendUint64(b, d.GUID)
		b = append(b, byte(d.Type), byte(d.State), byte(d.Fw), byte(d.Cfg), byte(d.Prepay), d.Group[0], d.Group[1])
		b = binary.AppendUvarint(b, uint64(d.FwAttempts))
		b = binary.AppendUvarint(b, uint64(d.CfgAttempts))
		b = binary.AppendUvarint(b, uint64(pop.RowFile[i]))
		b = binary.AppendUvarint(b, uint64(pop.RowLine[i]))
	}
	return b
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// decoder reads the fields of a record, remembering the first error.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("%w: truncated record", ErrFormat)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = fmt.Errorf("%w: truncated record", ErrFormat)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.err = fmt.Errorf("%w: truncated record", ErrFormat)
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func decodeInstallation(b []byte, id uint32) (*Record, error) {
	d := &decoder{b: b}
	r := &Record{ID: id}
	in := &r.Installation
	in.Name = string(d.bytes(int(d.uvarint())))
	in.MPAN = engine.Key(d.uvarint())
	in.MPRN = engine.Key(d.uvarint())
	in.Date = engine.Date(d.varint())
	f := d.bytes(7)
	if f != nil {
		in.Cohort, in.Communicating = engine.Cohort(f[0]), f[1] == 1
		r.Outcome = engine.Outcome{Decision: engine.Decision(f[2]), Reason: engine.Reason(f[3]), Step: engine.Step(f[4])}
		r.DupGUID, r.Dormant = f[5] == 1, f[6] == 1
	}
	r.GroupID = engine.Key(d.uvarint())
	r.GroupSize = uint32(d.uvarint())
	r.Root = uint32(d.uvarint())
	n := d.uvarint()
	for i := uint64(0); i < n && d.err == nil; i++ {
		var dev engine.Device
		if g := d.bytes(8); g != nil {
			dev.GUID = binary.BigEndian.Uint64(g)
		}
		if f := d.bytes(7); f != nil {
			dev.Type, dev.State, dev.Fw, dev.Cfg = engine.DeviceType(f[0]), engine.State(f[1]), engine.Status(f[2]), engine.Status(f[3])
			dev.Prepay, dev.Group = engine.YesNo(f[4]), [2]byte{f[5], f[6]}
		}
		dev.FwAttempts = uint32(d.uvarint())
		dev.CfgAttempts = uint32(d.uvarint())
		r.Devices = append(r.Devices, dev)
		r.RowFile = append(r.RowFile, uint16(d.uvarint()))
		r.RowLine = append(r.RowLine, uint32(d.uvarint()))
	}
	if d.err != nil {
		return nil, d.err
	}
	in.Count = uint32(len(r.Devices))
	return r, nil
}
