package explain

import (
	"fmt"
	"slices"
	"strings"

	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/value"
)

// withheld replaces, in a supplier's view, the row of another supplier's
// installation that holds the same GUID.
const withheld = "an installation of another supplier"

// withhold returns why as a supplier may read it: the rows of other
// installations holding r's duplicate GUIDs (guidEvidence names them)
// replaced by words that name no one. Then, whatever the sentences said,
// it checks that no name, MPxN or GUID of an installation the supplier may
// not see is left; if one is, only the rule's words are given, without
// the evidence.
func withhold(s *index.Store, r *index.Record, group []*index.Record, visible func(*index.Record) bool, why string) (string, error) {
	var forbidden []string
	hide := func(h *index.Record) {
		if h.Smets2 != nil {
			forbidden = append(forbidden, h.Smets2.ID)
		} else {
			forbidden = append(forbidden, h.Installation.SMSO()+"/"+h.Installation.ID())
		}
		for _, k := range h.Keys() {
			if !slices.Contains(r.Keys(), k) {
				forbidden = append(forbidden, k.String())
			}
		}
		for _, d := range h.Devices {
			if !holds(r, d.GUID()) {
				forbidden = append(forbidden, d.GUID().String())
			}
		}
	}
	for _, h := range group {
		if !visible(h) {
			hide(h)
		}
	}
	seen := map[value.GUID]bool{}
	for _, d := range r.Devices {
		if seen[d.GUID()] {
			continue
		}
		seen[d.GUID()] = true
		ids, rows, err := s.ByGUID(d.GUID())
		if err != nil {
			return "", err
		}
		if rows < 2 {
			continue
		}
		holders, err := s.Installations(ids)
		if err != nil {
			return "", err
		}
		for _, h := range holders {
			if visible(h) {
				continue
			}
			hide(h)
			for i, hd := range h.Devices {
				if hd.GUID() == d.GUID() {
					why = strings.ReplaceAll(why, fmt.Sprintf("%s/%s (%s line %d)", h.Installation.SMSO(), h.Installation.ID(),
						fileName(s, h.RowFile[i]), h.RowLine[i]), withheld)
				}
			}
		}
	}
	for _, f := range forbidden {
		if f != "" && strings.Contains(why, f) {
			return r.Outcome.Reason.Why() + " (the evidence names installations of other suppliers and is withheld).", nil
		}
	}
	return why, nil
}

func holds(r *index.Record, g value.GUID) bool {
	for _, d := range r.Devices {
		if d.GUID() == g {
			return true
		}
	}
	return false
}
