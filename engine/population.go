package engine

import "github.com/s1resolve/s1resolve/value"

// Device is one device row of an installation, normalised.
type Device struct {
	GUID        value.GUID
	FwAttempts  uint32
	CfgAttempts uint32
	Type        DeviceType
	State       State
	Fw          Status
	Cfg         Status
	Prepay      value.YesNo
	Group       [2]byte // device model group, upper case; zero when absent
}

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
func (in *Installation) Keys() []value.Key {
	ks := make([]value.Key, 0, 2)
	if in.MPAN != 0 {
		ks = append(ks, in.MPAN)
	}
	if in.MPRN != 0 {
		ks = append(ks, in.MPRN)
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
	// RowFile and RowLine give the input position of each device row.
	RowFile []uint16
	RowLine []uint32
	// Files names the input files in the order given.
	Files []string
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
		if devs[i].Type.IsMeter() && devs[i].State == Active {
			return false
		}
	}
	return true
}
