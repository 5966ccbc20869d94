package report

import (
	"context"
	"io"

	"github.com/s1resolve/s1resolve/output"
)

// GUIDsOf returns the device GUIDs of installation smso/id (from a store),
// for the supplier lists.
type GUIDsOf func(smso, id string) ([]string, error)

// FromDecisions builds a report from a decisions file (output.ReadDecisions:
// CSV, JSON Lines or Parquet, every row checked). guids, when not nil, gives
// the device GUIDs of each installation on a supplier list; its error stops
// the report. Without it the supplier lists have no device_guids column
// (WithoutGUIDs). name is used in errors.
func FromDecisions(ctx context.Context, r io.Reader, name string, guids GUIDsOf) (*Report, error) {
	rep := New()
	if err := rep.ReadDecisions(ctx, r, name, guids); err != nil {
		return nil, err
	}
	return rep, nil
}

// ReadDecisions adds every row of a decisions file to the report, as
// FromDecisions does: a report restricted to one supplier (OnlySupplier)
// asks guids only of that supplier's installations.
func (rep *Report) ReadDecisions(ctx context.Context, r io.Reader, name string, guids GUIDsOf) error {
	if guids == nil {
		rep.WithoutGUIDs()
	}
	return output.ReadDecisions(ctx, r, name, func(line int, v *output.Row) error {
		row := Row{Row: *v}
		if guids != nil && !row.SimplyMigrating() && (!rep.onlySupplier || row.SupplierID == rep.supplier) {
			g, err := guids(row.SMSO, row.InstallationID)
			if err != nil {
				return err
			}
			row.GUIDs = g
		}
		rep.Add(row)
		return nil
	})
}
