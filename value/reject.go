package value

import "strconv"

// Reject is one rejected input row (FORMATS.md §5): its file (an index into
// the run's inputs, in the order given), the line on which it starts, its
// installation where it could be read, and what was wrong.
type Reject struct {
	File  uint16
	Line  uint32
	SMSO  string
	ID    string
	Error string
}

// RejectsHeader is the header of the rejects CSV.
const RejectsHeader = "file,line,smso,installation_id,error\n"

// AppendCSV appends the reject as a row of the rejects CSV; files names the
// inputs by index.
func (r *Reject) AppendCSV(b []byte, files []string) []byte {
	b = AppendCSVField(b, files[r.File])
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(r.Line), 10)
	b = append(b, ',')
	b = AppendCSVField(b, r.SMSO)
	b = append(b, ',')
	b = AppendCSVField(b, r.ID)
	b = append(b, ',')
	b = AppendCSVField(b, r.Error)
	return append(b, '\n')
}

// QuoteValue quotes a value for a message, cut to 40 bytes.
func QuoteValue(v []byte) string {
	if len(v) > 40 {
		return strconv.Quote(string(v[:40])) + "..."
	}
	return strconv.Quote(string(v))
}
