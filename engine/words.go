package engine

import "github.com/s1resolve/s1resolve/value"

// Cohort is the SMETS1 cohort of an installation.
type Cohort uint8

// Cohorts, in the order FORMATS.md lists them.
const (
	FOC Cohort = iota + 1
	IOC
	MOCMDS
	MOCSecure
)

var cohortNames = []string{"FOC", "IOC", "MOC_MDS", "MOC_SECURE"}

// String returns the cohort as FORMATS.md spells it.
func (c Cohort) String() string { return nameOf(cohortNames, int(c)-1) }

// ParseCohort reads a cohort in any case; ok is false for another word.
func ParseCohort(b []byte) (Cohort, bool) { return parseWord[Cohort](b, cohortNames) }

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

var deviceTypeNames = []string{"CHF", "ESME", "GSME", "GPF", "PPMID", "IHD"}

// String returns the device type as FORMATS.md spells it.
func (t DeviceType) String() string { return nameOf(deviceTypeNames, int(t)-1) }

// ParseDeviceType reads a device type in any case.
func ParseDeviceType(b []byte) (DeviceType, bool) { return parseWord[DeviceType](b, deviceTypeNames) }

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

var stateNames = []string{"active", "dormant"}

// String returns the state as FORMATS.md spells it.
func (s State) String() string { return nameOf(stateNames, int(s)-1) }

// ParseState reads active or dormant in any case.
func ParseState(b []byte) (State, bool) { return parseWord[State](b, stateNames) }

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

// FirmwareStatuses and ConfigStatuses are the words fw_status and
// config_status accept (configuration has no "unable").
var (
	FirmwareStatuses = []string{"not_required", "ok", "failed", "unable"}
	ConfigStatuses   = FirmwareStatuses[:3]
)

// String returns the status as FORMATS.md spells it.
func (s Status) String() string { return nameOf(FirmwareStatuses, int(s)) }

// ParseStatus reads one of words (FirmwareStatuses or ConfigStatuses) in
// any case; empty is NotRequired.
func ParseStatus(b []byte, words []string) (s Status, ok bool) {
	if len(b) == 0 {
		return NotRequired, true
	}
	i := value.LookupWord(b, words)
	return Status(max(i, 0)), i >= 0
}

// parseWord returns the enum value of b among names (the first name is
// value 1), matched without regard to case, or 0 and false.
func parseWord[T ~uint8](b []byte, names []string) (T, bool) {
	i := value.LookupWord(b, names)
	return T(i + 1), i >= 0
}

// nameOf returns names[i], or "" out of range (the zero values).
func nameOf(names []string, i int) string {
	if i < 0 || i >= len(names) {
		return ""
	}
	return names[i]
}
