package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// ErrHeader is wrapped by every error about a file's header: a file without
// one, or without a required column. Such errors stop the run.
var ErrHeader = errors.New("bad header")

// HeaderError says what is wrong with the header of one input file.
type HeaderError struct {
	File    string
	Column  string // the column concerned, if any
	Problem string
}

func (e *HeaderError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("%s: line 1: column %q: %s", e.File, e.Column, e.Problem)
	}
	return fmt.Sprintf("%s: line 1: %s", e.File, e.Problem)
}

// Unwrap lets errors.Is match ErrHeader.
func (e *HeaderError) Unwrap() error { return ErrHeader }

// Column positions of one file; -1 where the file has no such column.
type column int

const (
	colSMSO column = iota
	colCohort
	colInstallationID
	colMPAN
	colMPRN
	colInstallDate
	colCommunicating
	colDeviceGUID
	colDeviceType
	colDeviceState
	colGroupID
	colFwStatus
	colFwAttempts
	colConfigStatus
	colConfigAttempts
	colPrepayKey
	numColumns
)

var columnNames = [numColumns]string{"smso", "cohort", "installation_id", "mpan", "mprn", "install_date",
	"communicating", "device_guid", "device_type", "device_state", "group_id", "fw_status", "fw_attempts",
	"config_status", "config_attempts", "prepay_key"}

// requiredColumns must be in every installations file. device_state is
// required of ESME and GSME rows, so the column itself is required.
var requiredColumns = []column{colSMSO, colCohort, colInstallationID, colInstallDate, colDeviceGUID,
	colDeviceType, colDeviceState}

// header maps the known columns of one file to field positions.
type header struct {
	pos    [numColumns]int
	fields int // number of fields in the header
}

// utf8BOM is the byte order mark some tools (Excel) write first.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// parseHeader reads the header record of file name.
func parseHeader(name string, fields [][]byte, problem string) (*header, error) {
	if problem != "" {
		return nil, &HeaderError{File: name, Problem: "header is not valid CSV: " + problem}
	}
	h := &header{fields: len(fields)}
	for i := range h.pos {
		h.pos[i] = -1
	}
	for i, f := range fields {
		n := strings.ToLower(string(trim(f)))
		for c, cn := range columnNames {
			if n != cn {
				continue
			}
			if h.pos[c] >= 0 {
				return nil, &HeaderError{File: name, Column: cn, Problem: fmt.Sprintf("named twice (fields %d and %d)", h.pos[c]+1, i+1)}
			}
			h.pos[c] = i
		}
	}
	for _, c := range requiredColumns {
		if h.pos[c] < 0 {
			return nil, &HeaderError{File: name, Column: columnNames[c], Problem: "required column is missing"}
		}
	}
	if h.pos[colMPAN] < 0 && h.pos[colMPRN] < 0 {
		return nil, &HeaderError{File: name, Column: "mpan", Problem: "the file has neither an mpan nor an mprn column"}
	}
	return h, nil
}

// field returns the trimmed value of column c, or nil when the file lacks it.
func (h *header) field(fields [][]byte, c column) []byte {
	p := h.pos[c]
	if p < 0 || p >= len(fields) {
		return nil
	}
	return trim(fields[p])
}

func stripBOM(b []byte) []byte { return bytes.TrimPrefix(b, utf8BOM) }
