package output

import (
	"io"
	"strconv"

	"github.com/s1resolve/s1resolve/ingest"
)

// RejectsHeader is the header of the rejects CSV (FORMAT.md §5).
const RejectsHeader = "file,line,smso,installation_id,error\n"

// WriteRejects writes rejects, already sorted by file then line; files names
// the inputs in the order given.
func WriteRejects(w io.Writer, files []string, rejects []ingest.Reject) error {
	b := []byte(RejectsHeader)
	for i := range rejects {
		r := &rejects[i]
		b = AppendCSVField(b, files[r.File])
		b = append(b, ',')
		b = strconv.AppendUint(b, uint64(r.Line), 10)
		b = append(b, ',')
		b = AppendCSVField(b, r.SMSO)
		b = append(b, ',')
		b = AppendCSVField(b, r.ID)
		b = append(b, ',')
		b = AppendCSVField(b, r.Error)
		b = append(b, '\n')
		if len(b) > 1<<20 {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	_, err := w.Write(b)
	return err
}
