package ingest

import (
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// instFields are the installation-level columns of one row, normalised.
type instFields struct {
	MPAN, MPRN value.Key
	Date       value.Date
	Cohort     engine.Cohort
	Comm       bool
}

// row is one parsed device row.
type row struct {
	smso, id []byte // trimmed, as read
	inst     instFields
	dev      engine.Device
	problems []string

	// The installation-level values of the previous row, which the rows
	// of one installation usually repeat byte for byte.
	idCache     cached[bool]
	mpanCache   cached[value.Key]
	mprnCache   cached[value.Key]
	dateCache   cached[value.Date]
	cohortCache cached[engine.Cohort]
}

// cached remembers the parse of one raw value.
type cached[T any] struct {
	raw     []byte
	val     T
	problem string
	valid   bool
}

// get returns the parse of v, reusing the last one when v is the same.
func (c *cached[T]) get(v []byte, parse func([]byte) (T, string)) (T, string) {
	if c.valid && string(v) == string(c.raw) {
		return c.val, c.problem
	}
	c.val, c.problem = parse(v)
	c.raw = append(c.raw[:0], v...)
	c.valid = true
	return c.val, c.problem
}

func checkInstallationID(b []byte) (bool, string) {
	if !validInstallationID(b) {
		return false, "must be 1-64 printable characters"
	}
	return true, ""
}

func (r *row) fail(c column, v []byte, problem string) {
	r.problems = append(r.problems, columnNames[c]+": "+problem+" ("+value.QuoteValue(v)+")")
}

func (r *row) missing(c column) {
	r.problems = append(r.problems, columnNames[c]+": required value is missing")
}

// problem returns the row's problems as one message.
func (r *row) problem() string { return strings.Join(r.problems, "; ") }

// parseRow fills r from the fields of one well-formed record.
func (h *header) parseRow(fields [][]byte, r *row) {
	r.problems = r.problems[:0]
	r.dev = engine.Device{}
	r.inst = instFields{}

	r.smso = h.field(fields, colSMSO)
	switch {
	case len(r.smso) == 0:
		r.missing(colSMSO)
	case !validSMSO(r.smso):
		r.fail(colSMSO, r.smso, "must be 1-32 characters of A-Z a-z 0-9 _ -")
	}
	r.id = h.field(fields, colInstallationID)
	switch {
	case len(r.id) == 0:
		r.missing(colInstallationID)
	default:
		if _, p := r.idCache.get(r.id, checkInstallationID); p != "" {
			r.fail(colInstallationID, r.id, p)
		}
	}
	if v := h.field(fields, colCohort); len(v) > 0 && r.cohortCache.valid && string(v) == string(r.cohortCache.raw) {
		r.inst.Cohort = r.cohortCache.val // the rows of one installation repeat it
	} else {
		r.inst.Cohort = word(r, v, colCohort, engine.ParseCohort, "unknown cohort")
		if r.inst.Cohort != 0 {
			r.cohortCache = cached[engine.Cohort]{raw: append(r.cohortCache.raw[:0], v...), val: r.inst.Cohort, valid: true}
		}
	}
	mpan, mprn := h.field(fields, colMPAN), h.field(fields, colMPRN)
	if len(mpan) > 0 && value.IsEmptyMPAN(mpan) { // "-": no meter point
		mpan = nil
	}
	if len(mpan) == 0 && len(mprn) == 0 {
		r.problems = append(r.problems, "mpan, mprn: the row has neither an MPAN nor an MPRN")
	}
	if len(mpan) > 0 {
		k, p := r.mpanCache.get(mpan, value.ParseMPAN)
		if p != "" {
			r.fail(colMPAN, mpan, p)
		}
		r.inst.MPAN = k
	}
	if len(mprn) > 0 {
		k, p := r.mprnCache.get(mprn, value.ParseMPRN)
		if p != "" {
			r.fail(colMPRN, mprn, p)
		}
		r.inst.MPRN = k
	}
	if v := h.field(fields, colInstallDate); len(v) == 0 {
		r.missing(colInstallDate)
	} else if d, p := r.dateCache.get(v, value.ParseDate); p != "" {
		r.fail(colInstallDate, v, p)
	} else {
		r.inst.Date = d
	}
	r.inst.Comm = r.yesNo(h.field(fields, colCommunicating), colCommunicating) == value.Yes
	if v := h.field(fields, colDeviceGUID); len(v) == 0 {
		r.missing(colDeviceGUID)
	} else if g, p := value.ParseGUID(v); p != "" {
		r.fail(colDeviceGUID, v, p)
	} else {
		r.dev.SetGUID(g)
	}
	r.dev.SetType(word(r, h.field(fields, colDeviceType), colDeviceType, engine.ParseDeviceType, "unknown device type"))
	if r.dev.Type().IsMeter() {
		if v := h.field(fields, colDeviceState); len(v) == 0 {
			r.problems = append(r.problems, "device_state: required for an ESME or GSME")
		} else {
			r.dev.SetState(word(r, v, colDeviceState, engine.ParseState, "must be active or dormant"))
		}
	}
	if v := h.field(fields, colGroupID); len(v) > 0 {
		if !validGroup(v) {
			r.fail(colGroupID, v, "must be two letters")
		} else {
			r.dev.Group = [2]byte{upper(v[0]), upper(v[1])}
		}
	}
	r.dev.SetFw(r.status(h.field(fields, colFwStatus), colFwStatus, engine.FirmwareStatuses))
	r.dev.SetCfg(r.status(h.field(fields, colConfigStatus), colConfigStatus, engine.ConfigStatuses))
	r.dev.FwAttempts = r.attempts(h.field(fields, colFwAttempts), colFwAttempts)
	r.dev.CfgAttempts = r.attempts(h.field(fields, colConfigAttempts), colConfigAttempts)
	r.dev.SetPrepay(r.yesNo(h.field(fields, colPrepayKey), colPrepayKey))
}

// word reads a required column of listed words (FORMATS.md: matched without
// regard to case): missing or another word is a problem of the row, and
// the zero value is returned.
func word[T any](r *row, v []byte, c column, parse func([]byte) (T, bool), problem string) T {
	var zero T
	if len(v) == 0 {
		r.missing(c)
		return zero
	}
	w, ok := parse(v)
	if !ok {
		r.fail(c, v, problem)
		return zero
	}
	return w
}

// yesNo reads an optional Y/N column.
func (r *row) yesNo(v []byte, c column) value.YesNo {
	yn, ok := value.ParseYesNo(v)
	if !ok {
		r.fail(c, v, "must be Y, N or empty")
	}
	return yn
}

func (r *row) status(v []byte, c column, words []string) engine.Status {
	s, ok := engine.ParseStatus(v, words)
	if !ok {
		r.fail(c, v, "must be one of "+strings.Join(words, ", ")+" or empty")
	}
	return s
}

func (r *row) attempts(v []byte, c column) uint32 {
	n, p := value.ParseAttempts(v)
	if p != "" {
		r.fail(c, v, p)
	}
	return n
}

// diff returns the installation-level columns on which a and b disagree, as
// "column a-value / b-value" phrases.
func diffInst(a, b instFields) []string {
	var out []string
	if a.Cohort != b.Cohort {
		out = append(out, "cohort "+a.Cohort.String()+" vs "+b.Cohort.String())
	}
	if a.MPAN != b.MPAN {
		out = append(out, "mpan "+orNone(a.MPAN.String())+" vs "+orNone(b.MPAN.String()))
	}
	if a.MPRN != b.MPRN {
		out = append(out, "mprn "+orNone(a.MPRN.String())+" vs "+orNone(b.MPRN.String()))
	}
	if a.Date != b.Date {
		out = append(out, "install_date "+a.Date.String()+" vs "+b.Date.String())
	}
	if a.Comm != b.Comm {
		out = append(out, "communicating "+value.YN(a.Comm)+" vs "+value.YN(b.Comm))
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}
