package output

import (
	"io"

	"github.com/s1resolve/s1resolve/value"
)

// WriteRejects writes rejects, already sorted by file then line; files names
// the inputs in the order given.
func WriteRejects(w io.Writer, files []string, rejects []value.Reject) error {
	b := []byte(value.RejectsHeader)
	for i := range rejects {
		b = rejects[i].AppendCSV(b, files)
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
