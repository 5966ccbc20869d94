package report

import (
	"fmt"
	"io"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/output"
)

// FromDecisionsFile builds a report from the decisions file at path
// (output.ReadDecisionsFile: CSV, JSON Lines or Parquet, "-" standard
// input), as FromDecisions does.
func FromDecisionsFile(path string, guids func(smso, id string) []string) (*Report, error) {
	rep := New()
	err := output.ReadDecisionsFile(path, func(line int, v *output.Row) error { return rep.addRow(path, line, v, guids) })
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// FromDecisions builds a report from a decisions file (output.ReadDecisions:
// CSV or JSON Lines). guids, when not nil, returns the device GUIDs of an
// installation for the supplier lists. A decision or reason that RULES.md
// does not name is an error naming the file and line: a report must not
// count what it cannot place.
func FromDecisions(r io.Reader, name string, guids func(smso, id string) []string) (*Report, error) {
	rep := New()
	err := output.ReadDecisions(r, name, func(line int, v *output.Row) error { return rep.addRow(name, line, v, guids) })
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// addRow adds one decisions row, refusing words RULES.md does not name.
func (rep *Report) addRow(name string, line int, v *output.Row, guids func(smso, id string) []string) error {
	row := Row{SMSO: v[output.ColSMSO], InstallationID: v[output.ColInstallationID], Cohort: v[output.ColCohort],
		Decision: v[output.ColDecision], Reason: v[output.ColReason], Clause: v[output.ColClause],
		MPAN: v[output.ColMPAN], MPRN: v[output.ColMPRN], Supplier: v[output.ColSupplierID], Notify: v[output.ColNotifySupplier]}
	if _, ok := engine.ParseDecision(row.Decision); !ok {
		return fmt.Errorf("%s: line %d: decision %q is not one RULES.md names", name, line, row.Decision)
	}
	if _, ok := engine.ParseReason(row.Reason); !ok {
		return fmt.Errorf("%s: line %d: reason %q is not one RULES.md names", name, line, row.Reason)
	}
	if guids != nil && row.Decision != engine.Migrate.String() {
		row.GUIDs = guids(row.SMSO, row.InstallationID)
	}
	rep.Add(row)
	return nil
}
