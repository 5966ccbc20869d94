package index

import (
	"encoding/binary"
	"fmt"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
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
	GroupID      value.Key
	GroupSize    uint32
	Root         uint32
	DupGUID      bool
	Dormant      bool
	// MPANUnregistered and MPRNUnregistered say the installation's MPAN,
	// MPRN is present and missing from the registration data (when
	// Meta.Registration names some).
	MPANUnregistered, MPRNUnregistered bool
	// Facts are what step 2 found in the installation's group (when
	// GroupSize > 1); Meters what step 4 or 5 made of each device (when it
	// decided the installation).
	Facts  engine.GroupFacts
	Meters []engine.MeterState
	// Supplier is the installation's Responsible Supplier, an index into
	// Meta.Suppliers, or -1.
	Supplier int32
	// Smets2 is set, and the fields above are not, for a SMETS2+ member.
	Smets2 *engine.Smets2
}

// Keys returns the record's MPxN keys, SMETS1 or SMETS2+.
func (r *Record) Keys() []value.Key {
	if r.Smets2 != nil {
		return r.Smets2.Keys()
	}
	return r.Installation.Keys()
}

// appendKey appends an MPxN key compactly: 0 for none, else its value
// shifted left by two with the kind in the low bits (1 MPAN, 2 MPRN with
// the digit count folded in).
func appendKey(b []byte, k value.Key) []byte {
	switch {
	case k == 0:
		return append(b, 0)
	case k.IsMPAN():
		return binary.AppendUvarint(b, uint64(k)&(1<<62-1)<<2|1)
	default:
		return binary.AppendUvarint(b, uint64(k)&(1<<62-1)<<2|2)
	}
}

func readKey(d *decoder) value.Key {
	v := d.uvarint()
	switch v & 3 {
	case 1:
		return value.Key(v>>2 | 1<<62)
	case 2:
		return value.Key(v>>2 | 2<<62)
	}
	return 0
}

// Device fields packed in 16 bits: type 3, state 2, fw 2, cfg 2, prepay 2,
// and what step 4 or 5 made of the device 3.
func packDevice(d *engine.Device, m engine.MeterState) uint16 {
	return uint16(d.Type()) | uint16(d.State())<<3 | uint16(d.Fw())<<5 | uint16(d.Cfg())<<7 | uint16(d.Prepay())<<9 | uint16(m)<<11
}

func unpackDevice(v uint16, d *engine.Device) engine.MeterState {
	d.SetType(engine.DeviceType(v & 7))
	d.SetState(engine.State(v >> 3 & 3))
	d.SetFw(engine.Status(v >> 5 & 3))
	d.SetCfg(engine.Status(v >> 7 & 3))
	d.SetPrepay(value.YesNo(v >> 9 & 3))
	return engine.MeterState(v >> 11 & 7)
}

// appendInstallation appends the record of installation id: name, keys,
// date, flags, decision, group and devices. A device's input position is
// its file and its line as a difference from the previous device's line.
func appendInstallation(b []byte, pop *engine.Population, res *engine.Result, id uint32) []byte {
	in := &pop.Installations[id]
	b = binary.AppendUvarint(b, uint64(len(in.Name)))
	b = append(b, in.Name...)
	b = appendKey(b, in.MPAN)
	b = appendKey(b, in.MPRN)
	b = binary.AppendVarint(b, int64(in.Date))
	o := res.Outcomes[id]
	var mpanUnreg, mprnUnreg bool
	if res.Registration {
		mpanUnreg = in.MPAN != 0 && (res.MPANSupplier == nil || res.MPANSupplier[id] < 0)
		mprnUnreg = in.MPRN != 0 && (res.MPRNSupplier == nil || res.MPRNSupplier[id] < 0)
	}
	flags := boolByte(in.Communicating) | boolByte(res.DupGUID[id])<<1 | boolByte(res.Dormant[id])<<2 |
		boolByte(mpanUnreg)<<3 | boolByte(mprnUnreg)<<4
	b = append(b, byte(in.Cohort), flags, byte(o.Decision), byte(o.Reason), byte(o.Step))
	key, size := res.Group(pop, id)
	b = appendKey(b, key)
	b = binary.AppendUvarint(b, uint64(size))
	b = binary.AppendUvarint(b, uint64(res.Root[id]))
	if size > 1 {
		f, _ := res.GroupFacts(res.Root[id])
		b = appendFacts(b, f)
	}
	b = binary.AppendUvarint(b, uint64(res.Supplier(id)+1))
	b = binary.AppendUvarint(b, uint64(in.Count))
	prevLine := int64(0)
	for i := in.First; i < in.First+in.Count; i++ {
		d := &pop.Devices[i]
		b = binary.BigEndian.AppendUint64(b, uint64(d.GUID()))
		m := engine.MeterFine
		if res.Meters != nil {
			m = res.Meters[i]
		}
		b = binary.LittleEndian.AppendUint16(b, packDevice(d, m))
		b = append(b, d.Group[0], d.Group[1])
		b = binary.AppendUvarint(b, uint64(d.FwAttempts))
		b = binary.AppendUvarint(b, uint64(d.CfgAttempts))
		file, line := pop.Positions.At(int(i))
		b = binary.AppendUvarint(b, uint64(file))
		b = binary.AppendVarint(b, int64(line)-prevLine)
		prevLine = int64(line)
	}
	return b
}

// appendFacts appends a group's step 2 facts: a flags byte (tied, any
// active, winner, the communicator is SMETS2+), then the latest member, the
// count of communicating members, the first of them and the first Active
// member.
func appendFacts(b []byte, f engine.GroupFacts) []byte {
	b = append(b, boolByte(f.Tied)|boolByte(f.AnyActive)<<1|boolByte(f.Winner)<<2|boolByte(f.CommunicatorSmets2)<<3)
	for _, v := range []uint32{f.Latest, f.Communicating, f.Communicator, f.Active} {
		b = binary.AppendUvarint(b, uint64(v))
	}
	return b
}

func readFacts(d *decoder, root uint32) engine.GroupFacts {
	f := engine.GroupFacts{Root: root}
	if fl := d.bytes(1); fl != nil {
		f.Tied, f.AnyActive, f.Winner, f.CommunicatorSmets2 = fl[0]&1 != 0, fl[0]&2 != 0, fl[0]&4 != 0, fl[0]&8 != 0
	}
	f.Latest, f.Communicating = uint32(d.uvarint()), uint32(d.uvarint())
	f.Communicator, f.Active = uint32(d.uvarint()), uint32(d.uvarint())
	return f
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

func (d *decoder) uvarint() uint64 { return readVarint(d, binary.Uvarint) }

func (d *decoder) varint() int64 { return readVarint(d, binary.Varint) }

// readVarint reads one number with read (binary.Uvarint or Varint).
func readVarint[T uint64 | int64](d *decoder, read func([]byte) (T, int)) T {
	if d.err != nil {
		return 0
	}
	v, n := read(d.b)
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
	r := &Record{}
	if err := decodeInstallationInto(b, id, r); err != nil {
		return nil, err
	}
	return r, nil
}

// recordName returns the name of an encoded installation record, its
// first field.
func recordName(b []byte) string {
	d := &decoder{b: b}
	return string(d.bytes(int(d.uvarint())))
}

// decodeInstallationInto decodes into r, reusing its slices.
func decodeInstallationInto(b []byte, id uint32, r *Record) error {
	d := &decoder{b: b}
	*r = Record{ID: id, Devices: r.Devices[:0], RowFile: r.RowFile[:0], RowLine: r.RowLine[:0], Meters: r.Meters[:0]}
	in := &r.Installation
	in.Name = string(d.bytes(int(d.uvarint())))
	in.MPAN = readKey(d)
	in.MPRN = readKey(d)
	in.Date = value.Date(d.varint())
	if f := d.bytes(5); f != nil {
		in.Cohort = engine.Cohort(f[0])
		in.Communicating, r.DupGUID, r.Dormant = f[1]&1 != 0, f[1]&2 != 0, f[1]&4 != 0
		r.MPANUnregistered, r.MPRNUnregistered = f[1]&8 != 0, f[1]&16 != 0
		r.Outcome = engine.Outcome{Decision: engine.Decision(f[2]), Reason: engine.Reason(f[3]), Step: engine.Step(f[4])}
	}
	r.GroupID = readKey(d)
	r.GroupSize = uint32(d.uvarint())
	r.Root = uint32(d.uvarint())
	if r.GroupSize > 1 {
		r.Facts = readFacts(d, r.Root)
		r.Facts.Key, r.Facts.Size = r.GroupID, r.GroupSize
	}
	r.Supplier = int32(d.uvarint()) - 1
	n := d.uvarint()
	line := int64(0)
	for i := uint64(0); i < n && d.err == nil; i++ {
		var dev engine.Device
		if g := d.bytes(8); g != nil {
			dev.SetGUID(value.GUID(binary.BigEndian.Uint64(g)))
		}
		if f := d.bytes(4); f != nil {
			r.Meters = append(r.Meters, unpackDevice(binary.LittleEndian.Uint16(f), &dev))
			dev.Group = [2]byte{f[2], f[3]}
		}
		dev.FwAttempts = uint32(d.uvarint())
		dev.CfgAttempts = uint32(d.uvarint())
		r.Devices = append(r.Devices, dev)
		r.RowFile = append(r.RowFile, uint16(d.uvarint()))
		line += d.varint()
		r.RowLine = append(r.RowLine, uint32(line))
	}
	if d.err != nil {
		return d.err
	}
	in.Count = uint32(len(r.Devices))
	return r.check()
}

// decodeFacts decodes what the rules read of an installation record into f
// (reusing f.Devices and, for a group of two or more, g), skipping what
// they do not read: the name, keys, date and row positions. statuses are
// the suppliers' statuses by index; registration says registration data
// was given.
func decodeFacts(b []byte, id uint32, f *engine.Facts, g *engine.GroupFacts, statuses []engine.SupplierStatus, registration bool) error {
	d := &decoder{b: b}
	d.bytes(int(d.uvarint())) // name
	readKey(d)
	readKey(d)
	d.varint() // date
	*f = engine.Facts{ID: id, Devices: f.Devices[:0], Registration: registration}
	if fl := d.bytes(5); fl != nil {
		f.Cohort = engine.Cohort(fl[0])
		f.DupGUID, f.Dormant = fl[1]&2 != 0, fl[1]&4 != 0
		f.MPANUnregistered, f.MPRNUnregistered = fl[1]&8 != 0, fl[1]&16 != 0
	}
	key := readKey(d) // group id
	size := d.uvarint()
	root := uint32(d.uvarint())
	if size > 1 {
		*g = readFacts(d, root)
		g.Key, g.Size = key, uint32(size)
		f.Group = g
	}
	if s := int(d.uvarint()) - 1; s >= 0 {
		if s >= len(statuses) {
			return fmt.Errorf("%w: installation %d: supplier %d out of range", ErrFormat, id, s)
		}
		f.Supplier = statuses[s]
	}
	n := d.uvarint()
	for i := uint64(0); i < n && d.err == nil; i++ {
		var dev engine.Device
		if gb := d.bytes(8); gb != nil {
			dev.SetGUID(value.GUID(binary.BigEndian.Uint64(gb)))
		}
		if fb := d.bytes(4); fb != nil {
			unpackDevice(binary.LittleEndian.Uint16(fb), &dev)
			dev.Group = [2]byte{fb[2], fb[3]}
		}
		dev.FwAttempts = uint32(d.uvarint())
		dev.CfgAttempts = uint32(d.uvarint())
		d.uvarint() // file
		d.varint()  // line
		if !dev.Type().Valid() || !dev.State().Valid() || !dev.Fw().Valid() || !dev.Cfg().Valid() || dev.Prepay() > 2 {
			return fmt.Errorf("%w: installation %d: device %d out of range", ErrFormat, id, i)
		}
		f.Devices = append(f.Devices, dev)
	}
	if d.err == nil && !f.Cohort.Valid() {
		return fmt.Errorf("%w: installation %d: cohort %d", ErrFormat, id, f.Cohort)
	}
	return d.err
}
