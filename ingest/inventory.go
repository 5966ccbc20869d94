package ingest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// LoadInventory reads a SMETS2+ inventory (FORMATS.md §6: columns
// inventory_id, install_date, mpan and/or mprn, optional communicating)
// and returns its installations sorted by inventory_id, and the rejects
// (file is the index they name). A row with a bad or missing value, or
// neither an MPAN nor an MPRN, is a reject; so is an inventory_id listed
// again, whose first row stands.
func LoadInventory(ctx context.Context, path string, file uint16, opt Options) ([]engine.Smets2, []value.Reject, error) {
	var out []engine.Smets2
	first := map[string]uint32{}
	rejects, err := readTable(ctx, path, file, opt, Inventory, func(v [][]byte, line uint32) string {
		id, mpan, mprn, date, comm := v[0], v[1], v[2], v[3], v[4]
		if value.IsEmptyMPAN(mpan) { // "-": no meter point
			mpan = nil
		}
		var p []string
		fail := func(col string, val []byte, problem string) {
			p = append(p, col+": "+problem+" ("+value.QuoteValue(val)+")")
		}
		s := engine.Smets2{File: file, Line: line}
		switch {
		case len(id) == 0:
			p = append(p, "inventory_id: required value is missing")
		case !validInstallationID(id):
			fail("inventory_id", id, "must be 1-64 printable characters")
		default:
			s.ID = string(id)
		}
		if len(mpan) == 0 && len(mprn) == 0 {
			p = append(p, "mpan, mprn: the row has neither an MPAN nor an MPRN")
		}
		if len(mpan) > 0 {
			k, msg := value.ParseMPAN(mpan)
			if msg != "" {
				fail("mpan", mpan, msg)
			}
			s.MPAN = k
		}
		if len(mprn) > 0 {
			k, msg := value.ParseMPRN(mprn)
			if msg != "" {
				fail("mprn", mprn, msg)
			}
			s.MPRN = k
		}
		if len(date) == 0 {
			p = append(p, "install_date: required value is missing")
		} else if d, msg := value.ParseDate(date); msg != "" {
			fail("install_date", date, msg)
		} else {
			s.Date = d
		}
		if yn, ok := value.ParseYesNo(comm); !ok {
			fail("communicating", comm, "must be Y, N or empty")
		} else {
			s.Communicating = yn == value.Yes
		}
		if len(p) > 0 {
			return strings.Join(p, "; ")
		}
		if l, dup := first[s.ID]; dup {
			return fmt.Sprintf("inventory_id: %q is listed again; line %d stands", s.ID, l)
		}
		first[s.ID] = line
		out = append(out, s)
		return ""
	})
	if err != nil {
		return nil, nil, err
	}
	// Sorted by id, the members' order does not hang on the file's row order.
	slices.SortFunc(out, func(a, b engine.Smets2) int { return strings.Compare(a.ID, b.ID) })
	return out, rejects, nil
}
