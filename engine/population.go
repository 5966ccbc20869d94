package engine

import "github.com/s1resolve/s1resolve/value"

// Device is one device row of an installation, normalised: 20 bytes, its
// columns packed. A run holds one per row (21 M at 5M installations, in
// the parsed rows and again in Population.Devices), so four bytes a row
// is 80 MB at each place. The GUID is kept as two 32-bit words so that
// nothing in the row needs 8-byte alignment, and the five small columns
// share two bytes.
//
// Read it through its methods; make one from its columns with
// DeviceFields.Device, or set them one by one (SetGUID, SetType, ...) as
// the parser does. The setters keep what the columns' types hold: a
// DeviceType below 16, the other words below 4.
type Device struct {
	guid        [2]uint32 // the GUID: high word, low word
	FwAttempts  uint32
	CfgAttempts uint32
	kind        uint8   // Type | State<<4
	status      uint8   // Fw | Cfg<<2 | Prepay<<4
	Group       [2]byte // device model group, upper case; zero when absent
}

// DeviceFields are a Device's columns one by one: the literal form of a
// device (tests, decoders), packed by Device.
type DeviceFields struct {
	GUID        value.GUID
	FwAttempts  uint32
	CfgAttempts uint32
	Type        DeviceType
	State       State
	Fw          Status
	Cfg         Status
	Prepay      value.YesNo
	Group       [2]byte
}

// Device packs f.
func (f DeviceFields) Device() Device {
	d := Device{FwAttempts: f.FwAttempts, CfgAttempts: f.CfgAttempts, Group: f.Group}
	d.SetGUID(f.GUID)
	d.SetType(f.Type)
	d.SetState(f.State)
	d.SetFw(f.Fw)
	d.SetCfg(f.Cfg)
	d.SetPrepay(f.Prepay)
	return d
}

// Fields unpacks d.
func (d *Device) Fields() DeviceFields {
	return DeviceFields{GUID: d.GUID(), FwAttempts: d.FwAttempts, CfgAttempts: d.CfgAttempts, Type: d.Type(), State: d.State(),
		Fw: d.Fw(), Cfg: d.Cfg(), Prepay: d.Prepay(), Group: d.Group}
}

// GUID returns the device's GUID.
func (d *Device) GUID() value.GUID { return value.GUID(d.guid[0])<<32 | value.GUID(d.guid[1]) }

// Type returns the device type.
func (d *Device) Type() DeviceType { return DeviceType(d.kind & 15) }

// State returns a meter's device_state (StateNone for other devices).
func (d *Device) State() State { return State(d.kind >> 4 & 3) }

// Fw returns the fw_status.
func (d *Device) Fw() Status { return Status(d.status & 3) }

// Cfg returns the config_status.
func (d *Device) Cfg() Status { return Status(d.status >> 2 & 3) }

// Prepay returns the prepay_key column.
func (d *Device) Prepay() value.YesNo { return value.YesNo(d.status >> 4 & 3) }

// SetGUID sets the GUID.
func (d *Device) SetGUID(g value.GUID) { d.guid = [2]uint32{uint32(g >> 32), uint32(g)} }

// SetType sets the device type (t < 16).
func (d *Device) SetType(t DeviceType) { d.kind = d.kind&^15 | uint8(t)&15 }

// SetState sets the device_state (s < 4).
func (d *Device) SetState(s State) { d.kind = d.kind&^(3<<4) | (uint8(s)&3)<<4 }

// SetFw sets the fw_status (s < 4).
func (d *Device) SetFw(s Status) { d.status = d.status&^3 | uint8(s)&3 }

// SetCfg sets the config_status (s < 4).
func (d *Device) SetCfg(s Status) { d.status = d.status&^(3<<2) | (uint8(s)&3)<<2 }

// SetPrepay sets the prepay_key column (p < 4).
func (d *Device) SetPrepay(p value.YesNo) { d.status = d.status&^(3<<4) | (uint8(p)&3)<<4 }

// GroupString returns the device's group_id, or "" when it has none.
func (d *Device) GroupString() string {
	if d.Group[0] == 0 {
		return ""
	}
	return string(d.Group[:])
}

// Installation is one valid installation: the pair (smso, installation_id) and
// its installation-level columns. Its devices are Population.Devices[First:First+Count].
type Installation struct {
	Name          string    // smso + "\x00" + installation_id
	MPAN, MPRN    value.Key // zero when absent
	Date          value.Date
	First         uint32
	Count         uint32
	Cohort        Cohort
	Communicating bool
}

// SMSO returns the installation's SMSO identifier.
func (in *Installation) SMSO() string {
	for i := 0; i < len(in.Name); i++ {
		if in.Name[i] == 0 {
			return in.Name[:i]
		}
	}
	return in.Name
}

// ID returns the SMSO's own installation reference.
func (in *Installation) ID() string {
	for i := 0; i < len(in.Name); i++ {
		if in.Name[i] == 0 {
			return in.Name[i+1:]
		}
	}
	return ""
}

// Keys returns the installation's MPxN keys that are present.
func (in *Installation) Keys() []value.Key { return presentKeys(in.MPAN, in.MPRN) }

// presentKeys returns those of the keys that are not zero.
func presentKeys(keys ...value.Key) []value.Key {
	ks := make([]value.Key, 0, len(keys))
	for _, k := range keys {
		if k != 0 {
			ks = append(ks, k)
		}
	}
	return ks
}

// InstallationName joins an SMSO and an installation reference into the
// Installation.Name form.
func InstallationName(smso, id string) string { return smso + "\x00" + id }

// Population is a loaded, validated set of installations, sorted by smso then
// installation_id (byte order); an installation's index in Installations is its
// stable id.
type Population struct {
	Installations []Installation
	Devices       []Device
	// Positions gives the input position of each device row (nil when the
	// loader was told they are not needed).
	Positions *Positions
	// Files names the input files in the order given.
	Files []string
	// Smets2 is the SMETS2+ inventory (FORMATS.md §6), sorted by ID. Its
	// installations are members of the duplicate groups they join, as
	// member n+i (n the number of Installations), but get no decision.
	Smets2 []Smets2
}

// Smets2 is one SMETS2+ installation of the inventory: DCC already serves
// the meter point. It is never Active or Mixed and holds no GUID; its
// install date and communicating flag count in step 2 like any member's.
type Smets2 struct {
	ID            string // inventory_id
	MPAN, MPRN    value.Key
	Date          value.Date
	Communicating bool
	File          uint16 // where it was read: index in the run's files
	Line          uint32
}

// Keys returns the SMETS2+ installation's MPxN keys that are present.
func (s *Smets2) Keys() []value.Key { return presentKeys(s.MPAN, s.MPRN) }

// Members returns the number of members, SMETS1 and SMETS2+.
func (p *Population) Members() int { return len(p.Installations) + len(p.Smets2) }

// member returns what step 2 reads of member m: its install date, whether
// it communicates, and whether it is a SMETS2+ installation.
func (p *Population) member(m uint32) (date value.Date, comm, smets2 bool) {
	if n := uint32(len(p.Installations)); m >= n {
		s := &p.Smets2[m-n]
		return s.Date, s.Communicating, true
	}
	in := &p.Installations[m]
	return in.Date, in.Communicating, false
}

// DevicesOf returns the devices of installation id.
func (p *Population) DevicesOf(id uint32) []Device {
	in := &p.Installations[id]
	return p.Devices[in.First : in.First+in.Count]
}

// DormantOnly reports whether every meter of the installation is dormant (an
// installation without meters counts as dormant-only).
func DormantOnly(devs []Device) bool {
	for i := range devs {
		if devs[i].Type().IsMeter() && devs[i].State() == Active {
			return false
		}
	}
	return true
}
