package output

import (
	"encoding/json"
	"io"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/provenance"
)

// Summary is the account of one run, written with --summary as JSON.
type Summary struct {
	Files                 []string `json:"files"`
	Rows                  int64    `json:"rows"`
	BlankLines            int64    `json:"blank_lines"`
	Bytes                 int64    `json:"bytes"`
	Installations         int      `json:"installations"`
	RejectedInstallations int      `json:"rejected_installations"`
	RejectedRows          int      `json:"rejected_rows"`
	// RejectedReferenceRows counts rejected rows of the registration,
	// supplier and SMETS2+ inventory files, which Rows does not count.
	RejectedReferenceRows int `json:"rejected_reference_rows"`
	RegisteredMPxNs       int `json:"registered_mpxns"`
	// Smets2Read counts the SMETS2+ installations of the inventory
	// accepted, Smets2Linked those in a group with a SMETS1 installation,
	// Smets2Rejected the inventory's rejected rows (also counted in
	// RejectedReferenceRows).
	Smets2Read      int            `json:"smets2_read"`
	Smets2Linked    int            `json:"smets2_linked"`
	Smets2Rejected  int            `json:"smets2_rejected"`
	RowsDecided     int            `json:"rows_decided"`
	Decisions       map[string]int `json:"decisions"`
	Reasons         map[string]int `json:"reasons"`
	DuplicateGroups int            `json:"duplicate_groups"`
	// LargestDuplicateGroups are the ListedGroups largest duplicate
	// groups, then every other of more than LargeGroup installations
	// (LargeGroups), each with its key, size and SMSOs.
	LargestDuplicateGroups []DuplicateGroup   `json:"largest_duplicate_groups,omitempty"`
	PhaseSeconds           map[string]float64 `json:"phase_seconds"`
	Seconds                float64            `json:"seconds"`
	RowsPerSecond          float64            `json:"rows_per_second"`
	// ClausesInForce are the consultation's clauses in force (RULES.md,
	// "Clauses in force"), in its order.
	ClausesInForce []string `json:"clauses_in_force"`
	// Build is the build of s1resolve that made the run.
	Build provenance.Build `json:"build"`
	// Inputs are the files read: name, size and xxhash64 of their bytes.
	Inputs []provenance.Input `json:"inputs,omitempty"`
	// Warnings are what the run found legal but probably a slip.
	Warnings []string `json:"warnings,omitempty"`
}

// Count fills the decision, reason and group counts from a result.
func (s *Summary) Count(res *engine.Result) {
	s.Decisions = map[string]int{}
	s.Reasons = map[string]int{}
	s.Smets2Linked = res.Smets2Linked
	// Counted by (decision, reason) first: words for millions of
	// installations would be millions of strings.
	var counts [256][256]int
	for _, o := range res.Outcomes {
		counts[o.Decision][o.Reason]++
	}
	s.DuplicateGroups = len(res.Groups)
	for d := range counts {
		for r, n := range counts[d] {
			if n > 0 {
				dec, reason := engine.Decision(d), engine.Reason(r)
				s.Decisions[dec.String()] += n
				s.Reasons[dec.String()+"/"+reason.String()] += n
			}
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
