package ingest

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

// columnNames are the names of the columns, from Installations.
var columnNames = func() (names [numColumns]string) {
	for c := range names {
		names[c] = Installations.Columns[c].Name
	}
	return names
}()

// header maps the known columns of one installations file to field
// positions.
type header struct {
	pos    [numColumns]int
	fields int // number of fields in the header
}

// newHeader returns the installations header h (read as Installations).
func newHeader(h *Header) *header {
	out := &header{fields: h.Fields}
	copy(out.pos[:], h.Pos)
	return out
}

// field returns the trimmed value of column c, or nil when the file lacks it.
func (h *header) field(fields [][]byte, c column) []byte {
	p := h.pos[c]
	if p < 0 || p >= len(fields) {
		return nil
	}
	return trim(fields[p])
}
