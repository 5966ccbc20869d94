package report

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// FromDecisions builds a report from a decisions CSV (FORMAT.md §4). guids,
// when not nil, returns the device GUIDs of an installation for the
// supplier lists.
func FromDecisions(r io.Reader, name string, guids func(smso, id string) []string) (*Report, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading the header: %w", name, err)
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.TrimSpace(strings.ToLower(h))] = i
	}
	want := []string{"smso", "installation_id", "cohort", "decision", "reason", "clause", "mpan", "mprn", "supplier_id", "notify_supplier"}
	idx := make([]int, len(want))
	for i, c := range want {
		p, ok := cols[c]
		if !ok {
			return nil, fmt.Errorf("%s: line 1: column %q is missing: not a decisions file", name, c)
		}
		idx[i] = p
	}
	rep := New()
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rep, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		v := func(i int) string { return rec[idx[i]] }
		row := Row{SMSO: v(0), InstallationID: v(1), Cohort: v(2), Decision: v(3), Reason: v(4), Clause: v(5),
			MPAN: v(6), MPRN: v(7), Supplier: v(8), Notify: v(9)}
		if guids != nil && row.Decision != "migrate" {
			row.GUIDs = guids(row.SMSO, row.InstallationID)
		}
		rep.Add(row)
	}
}
