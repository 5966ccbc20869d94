// Package engine holds the population model of SMETS1 installations and the
// decision rules that resolve it (RULES.md): duplicate GUIDs, duplicate MPxN
// groups and the per-installation steps that follow them.
package engine

import "strconv"

// Cohort is the SMETS1 cohort of an installation.
type Cohort uint8

// Cohorts, in the order FORMAT.md lists them.
const (
	FOC Cohort = iota + 1
	IOC
	MOCMDS
	MOCSecure
)

var cohortNames = [...]string{"", "FOC", "IOC", "MOC_MDS", "MOC_SECURE"}

// String returns the cohort as FORMAT.md spells it.
func (c Cohort) String() string { return cohortNames[c] }

// DeviceType is the type of one device row.
type DeviceType uint8

// Device types.
const (
	CHF DeviceType = iota + 1
	ESME
	GSME
	GPF
	PPMID
	IHD
)

var deviceTypeNames = [...]string{"", "CHF", "ESME", "GSME", "GPF", "PPMID", "IHD"}

// String returns the device type as FORMAT.md spells it.
func (t DeviceType) String() string { return deviceTypeNames[t] }

// IsMeter reports whether the device is an ESME or a GSME.
func (t DeviceType) IsMeter() bool { return t == ESME || t == GSME }

// State is a meter's device_state; StateNone for devices that are not meters.
type State uint8

// Meter states.
const (
	StateNone State = iota
	Active
	Dormant
)

var stateNames = [...]string{"", "active", "dormant"}

// String returns the state as FORMAT.md spells it.
func (s State) String() string { return stateNames[s] }

// Status is a firmware or configuration status. An empty value reads as
// NotRequired.
type Status uint8

// Statuses.
const (
	NotRequired Status = iota
	OK
	Failed
	Unable
)

var statusNames = [...]string{"not_required", "ok", "failed", "unable"}

// String returns the status as FORMAT.md spells it.
func (s Status) String() string { return statusNames[s] }

// YesNo is an optional Y/N column; Unset where the value was empty.
type YesNo uint8

// YesNo values.
const (
	Unset YesNo = iota
	Yes
	No
)

var yesNoNames = [...]string{"", "Y", "N"}

// String returns "Y", "N" or "".
func (y YesNo) String() string { return yesNoNames[y] }

// Device is one device row of an installation, normalised.
type Device struct {
	GUID        uint64
	FwAttempts  uint32
	CfgAttempts uint32
	Type        DeviceType
	State       State
	Fw          Status
	Cfg         Status
	Prepay      YesNo
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
	Name          string // smso + "\x00" + installation_id
	MPAN, MPRN    Key    // zero when absent
	Date          Date
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
func (in *Installation) Keys() []Key {
	ks := make([]Key, 0, 2)
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

// Date is a calendar date as days since 0001-01-01 (proleptic Gregorian).
type Date int32

// MakeDate returns the Date of a valid year, month and day.
func MakeDate(y, m, d int) Date {
	// Days from civil, shifted so that 0001-01-01 is day 0.
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return Date(era*146097 + doe - 306)
}

// Civil returns the year, month and day of the date.
func (d Date) Civil() (y, m, day int) {
	z := int(d) + 306
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, day
}

// Append appends the date as YYYY-MM-DD.
func (d Date) Append(b []byte) []byte {
	y, m, day := d.Civil()
	b = append4(b, y)
	b = append(b, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+day/10), byte('0'+day%10))
	return b
}

// String returns the date as YYYY-MM-DD.
func (d Date) String() string { return string(d.Append(nil)) }

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000%10), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// Key is a normalised MPxN key packed into 64 bits: an MPAN key holds its
// 13-digit core, an MPRN key its digits and their count (leading zeros are
// significant). The zero Key means "absent".
type Key uint64

const (
	keyMPAN  = 1 << 62
	keyMPRN  = 2 << 62
	keyKinds = 3 << 62
)

// MPANKey returns the key of an MPAN core (a number below 10^13).
func MPANKey(core uint64) Key { return Key(keyMPAN | core) }

// MPRNKey returns the key of an MPRN of n digits (6 to 10) with value v.
func MPRNKey(v uint64, n int) Key { return Key(keyMPRN | uint64(n)<<40 | v) }

// IsMPAN reports whether k is an MPAN key.
func (k Key) IsMPAN() bool { return k&keyKinds == keyMPAN }

// IsMPRN reports whether k is an MPRN key.
func (k Key) IsMPRN() bool { return k&keyKinds == keyMPRN }

// Append appends the printed key: "E" and 13 digits, or "G" and the MPRN digits.
func (k Key) Append(b []byte) []byte {
	var n int
	var v uint64
	switch {
	case k.IsMPAN():
		b = append(b, 'E')
		n, v = 13, uint64(k)&(1<<62-1)
	case k.IsMPRN():
		b = append(b, 'G')
		n, v = int(uint64(k)>>40&0xff), uint64(k)&(1<<40-1)
	default:
		return b
	}
	var digits [20]byte
	for i := n - 1; i >= 0; i-- {
		digits[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, digits[:n]...)
}

// String returns the printed key, or "" for the zero Key.
func (k Key) String() string { return string(k.Append(nil)) }

// Less reports whether a sorts before b in the byte order of their printed
// forms, the order FORMAT.md uses for group_id.
func (a Key) Less(b Key) bool {
	var x, y [24]byte
	return string(a.Append(x[:0])) < string(b.Append(y[:0]))
}

// FormatUint appends v in decimal; a helper shared by the writers.
func FormatUint(b []byte, v uint64) []byte { return strconv.AppendUint(b, v, 10) }
