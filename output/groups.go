package output

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// DuplicateGroup is one duplicate MPxN group as the summary and the reports
// list it. A real duplicate group has two or three members; one of
// thousands is most likely a placeholder MPAN or MPRN (0000000000000 passes
// the check digit) shared by unrelated installations, which step 2 then
// decides as one group. Nothing is decided differently: the group is named
// so that an operator sees it.
type DuplicateGroup struct {
	// Key is the group's group_id: its smallest MPAN or MPRN.
	Key string `json:"key"`
	// Installations is its group_size: every member, SMETS2+ ones included.
	Installations int `json:"installations"`
	// SMSOs counts its SMETS1 installations by SMSO.
	SMSOs map[string]int `json:"smsos"`
	// Smets2 counts its SMETS2+ members (FORMAT.md §6).
	Smets2 int `json:"smets2,omitempty"`
}

// The groups the summary and the reports name.
const (
	// ListedGroups is how many of the largest duplicate groups the summary
	// and the reports list.
	ListedGroups = 10
	// LargeGroup is the size beyond which a run warns of a group.
	LargeGroup = 20
)

// Members says who the group's members are: "SMSO_A 800, SMSO_B 400,
// SMETS2+ 3", SMSOs in byte order, numbers grouped in thousands.
func (g *DuplicateGroup) Members() string {
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(g.SMSOs)) {
		parts = append(parts, s+" "+value.Thousands(g.SMSOs[s]))
	}
	if g.Smets2 > 0 {
		parts = append(parts, "SMETS2+ "+value.Thousands(g.Smets2))
	}
	return strings.Join(parts, ", ")
}

// Warning is what a run says of a group of more than LargeGroup
// installations; store is the run's store, "" for none.
func (g *DuplicateGroup) Warning(store string) string {
	see := "its decisions file lists them (group_id " + g.Key + ")"
	if store != "" {
		see = "s1resolve explain --db " + store + " " + g.Key + " shows it"
	}
	return fmt.Sprintf("duplicate group %s links %s installations (%s): a real duplicate group has two or three; "+
		"a placeholder MPAN or MPRN shared by unrelated installations links them so, and step 2 decides them as one group (%s)",
		g.Key, value.Thousands(g.Installations), g.Members(), see)
}

// CompareGroups orders groups largest first, then by key in byte order:
// the order they are listed in.
func CompareGroups(a, b DuplicateGroup) int {
	return cmp.Or(cmp.Compare(b.Installations, a.Installations), cmp.Compare(a.Key, b.Key))
}

// LargeGroups returns the duplicate groups (two or more members) of a
// resolved population that are among the n largest or have more than over
// members, in CompareGroups order: the n largest first, then any other of
// more than over members.
func LargeGroups(pop *engine.Population, res *engine.Result, n, over int) []DuplicateGroup {
	cands := res.Groups // every group of two or more, by root
	if len(cands) == 0 {
		return nil
	}
	// The n-th largest size: every group of that size or larger, or of
	// more than over members, is a candidate; ties are broken by key.
	sizes := make([]uint32, len(cands))
	for i, c := range cands {
		sizes[i] = c.Size
	}
	slices.SortFunc(sizes, func(a, b uint32) int { return cmp.Compare(b, a) })
	least := ^uint32(0)
	if n > 0 {
		least = sizes[min(n, len(sizes))-1]
	}
	var out []DuplicateGroup
	at := map[uint32]int{}
	for _, c := range cands {
		if c.Size >= least || int(c.Size) > over {
			at[c.Root] = len(out)
			out = append(out, DuplicateGroup{Key: c.Key.String(), Installations: int(c.Size), SMSOs: map[string]int{}})
		}
	}
	for id, root := range res.Root { // an installation's root is in at only if its group is
		if i, ok := at[root]; ok {
			out[i].SMSOs[pop.Installations[id].SMSO()]++
		}
	}
	for i := range out {
		g := &out[i]
		g.Smets2 = g.Installations
		for _, k := range g.SMSOs {
			g.Smets2 -= k
		}
	}
	return TrimGroups(out, n, over)
}

// TrimGroups sorts groups in CompareGroups order and keeps the n largest
// and any other of more than over members.
func TrimGroups(groups []DuplicateGroup, n, over int) []DuplicateGroup {
	slices.SortFunc(groups, CompareGroups)
	keep := groups[:0]
	for i, g := range groups {
		if i < n || g.Installations > over {
			keep = append(keep, g)
		}
	}
	return keep
}
