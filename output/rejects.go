package output

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/s1resolve/s1resolve/engine"
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

// Summary is the account of one run, written with --summary as JSON.
type Summary struct {
	Files                 []string `json:"files"`
	Rows                  int64    `json:"rows"`
	BlankLines            int64    `json:"blank_lines"`
	Bytes                 int64    `json:"bytes"`
	Installations         int      `json:"installations"`
	RejectedInstallations int      `json:"rejected_installations"`
	RejectedRows          int      `json:"rejected_rows"`
	// RejectedReferenceRows counts rejected rows of the registration and
	// supplier files, which Rows does not count.
	RejectedReferenceRows int                `json:"rejected_reference_rows"`
	RegisteredMPxNs       int                `json:"registered_mpxns"`
	RowsDecided           int                `json:"rows_decided"`
	Decisions             map[string]int     `json:"decisions"`
	Reasons               map[string]int     `json:"reasons"`
	DuplicateGroups       int                `json:"duplicate_groups"`
	PhaseSeconds          map[string]float64 `json:"phase_seconds"`
	Seconds               float64            `json:"seconds"`
	RowsPerSecond         float64            `json:"rows_per_second"`
}

// Count fills the decision, reason and group counts from a result.
func (s *Summary) Count(res *engine.Result) {
	s.Decisions = map[string]int{}
	s.Reasons = map[string]int{}
	for id, o := range res.Outcomes {
		s.Decisions[o.Decision.String()]++
		s.Reasons[o.Decision.String()+"/"+o.Reason.String()]++
		if res.GroupSize[id] > 1 && res.Root[id] == uint32(id) {
			s.DuplicateGroups++
		}
	}
}

// WriteJSON writes the summary as indented JSON (keys sorted, so the bytes
// depend only on the values).
func (s *Summary) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
