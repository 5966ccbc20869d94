package explain

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/value"
)

// This file is what explain says of a key as data: the installations a key
// finds, their duplicate groups, each member's decision and the rule in
// words with its evidence. The text of `s1resolve explain` (explain.go)
// and the JSON of `s1resolve serve` (docs/SERVE.md) both render it, so the
// words have one source. JSON field names are part of the service's
// interface: change them only with the documentation.

// ErrBadKey is wrapped when a key is none of the forms explain takes: an
// MPAN, an MPRN, a GUID, smso/installation_id or a SMETS2+ inventory_id.
var ErrBadKey = errors.New("not a key")

// badKey is a malformed key's error: its message as it is, wrapping
// ErrBadKey.
type badKey string

func (e badKey) Error() string { return string(e) }

func (e badKey) Unwrap() error { return ErrBadKey }

// Explanation is what explain says of one key.
type Explanation struct {
	// Key is the key as asked; What names what it found ("MPAN
	// E1200023305967", "installation S/X", "GUID ... (on 2 device rows:
	// a duplicate GUID)") and Found how many installations it found.
	Key   string `json:"key"`
	What  string `json:"what"`
	Found int    `json:"found"`
	// Rejected is set, and Groups empty, when the key names a rejected
	// installation.
	Rejected *Rejected `json:"rejected,omitempty"`
	// Registration is the registration file of the run, "" when none was
	// given (then members have no registrations).
	Registration string  `json:"registration,omitempty"`
	Groups       []Group `json:"groups"`
}

// Rejected is a rejected installation: how many rows it had, the rejects
// file that lists them, and the first (file, line, error).
type Rejected struct {
	Rows    int    `json:"rows"`
	Rejects string `json:"rejects"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Error   string `json:"error"`
}

// Group is one duplicate group (a group of one for an installation that
// shares no MPxN).
type Group struct {
	// GroupID is the group_id of the decisions output ("" when withheld
	// from a supplier: it is another member's MPxN).
	GroupID string `json:"group_id"`
	Size    int    `json:"size"`
	// Smets2 counts the SMETS2+ members.
	Smets2 int `json:"smets2"`
	// Heading is the sentence that describes the group.
	Heading string `json:"heading"`
	// ByDecision and BySMSO count the members of a group larger than the
	// limit, by "decision / reason" and by SMSO, labels in byte order.
	ByDecision []Count `json:"by_decision,omitempty"`
	BySMSO     []Count `json:"by_smso,omitempty"`
	// Members are those shown: the installations the key found first,
	// then the others in id order, at most the limit; More counts the rest.
	Members []Member `json:"members"`
	More    int      `json:"more"`
	// MPxNs are the MPANs and MPRNs of the members shown, each with the
	// members (indexes into Members) that hold it: the links of the group.
	MPxNs []Link `json:"mpxns"`
}

// Count is one line of a large group's counts.
type Count struct {
	Label string `json:"label"`
	N     int    `json:"n"`
}

// Link is one MPxN and the members that hold it. MPxN is "" when it is
// withheld (held by other suppliers' members only).
type Link struct {
	MPxN    string `json:"mpxn"`
	Members []int  `json:"members"`
}

// Member is one member of a group: a SMETS1 installation (Row set) or a
// SMETS2+ installation (Smets2 true). A member hidden from a supplier
// (Visible false) says only that it exists, whether it is SMETS2+, and
// its decision.
type Member struct {
	// Index is the member's place in the group as shown (asked first);
	// Label names it ("S/X", a SMETS2+ inventory_id, or "member 3" when
	// hidden).
	Index    int    `json:"index"`
	Label    string `json:"label"`
	Visible  bool   `json:"visible"`
	Asked    bool   `json:"asked"`
	Smets2   bool   `json:"smets2"`
	Decision string `json:"decision,omitempty"`
	// Key is what explain takes to find this member ("" when hidden).
	Key string `json:"key,omitempty"`
	// Row is the member's row of the decisions output (SMETS1, visible).
	Row           *Row   `json:"row,omitempty"`
	Step          string `json:"step,omitempty"`
	InstallDate   string `json:"install_date,omitempty"`
	Communicating string `json:"communicating,omitempty"`
	// MPAN and MPRN as printed (also in Row for SMETS1).
	MPAN string `json:"mpan,omitempty"`
	MPRN string `json:"mprn,omitempty"`
	// File and Line are where a SMETS2+ member was read.
	File          string         `json:"file,omitempty"`
	Line          int            `json:"line,omitempty"`
	Registrations []Registration `json:"registrations,omitempty"`
	Devices       []Device       `json:"devices,omitempty"`
	// Why says in words which rule decided the installation and on what
	// evidence.
	Why string `json:"why,omitempty"`
}

// Row is an installation's row of the decisions output (FORMATS.md §4):
// output.Row, whose JSON keys are the decisions file's column names.
type Row = output.Row

// Registration is what the registration data says of one MPxN. Shown to a
// supplier (Options.Visible set), an MPxN of its installation registered to
// another supplier says only that (Withheld): not who, nor its status or
// line.
type Registration struct {
	MPxN       string `json:"mpxn"`
	Registered bool   `json:"registered"`
	Supplier   string `json:"supplier,omitempty"`
	Status     string `json:"status,omitempty"`
	Line       int    `json:"line,omitempty"`
	Withheld   bool   `json:"withheld,omitempty"`
}

// Device is one device row of an installation.
type Device struct {
	Type  string `json:"type"`
	GUID  string `json:"guid"`
	Meter bool   `json:"meter"`
	State string `json:"state,omitempty"`
	Group string `json:"group,omitempty"`
	File  string `json:"file"`
	Line  int    `json:"line"`
}

// Options shape an explanation.
type Options struct {
	// Limit bounds the members shown in full of a group (0: all); a
	// larger group is counted by decision and SMSO first.
	Limit int
	// Visible, when set, tells which installations the reader may see
	// (a supplier: its own). The key finds only those; other members of
	// their groups are shown by existence and decision, their MPxNs,
	// GUIDs and names withheld; a key that finds none answers as a key
	// that matches nothing.
	Visible func(*index.Record) bool
}

// RowOf returns the decisions row of installation record r.
func RowOf(s *index.Store, r *index.Record) Row {
	in := &r.Installation
	supplier, notify := "", true
	if i := int(r.Supplier); i >= 0 && i < len(s.Meta.Suppliers) {
		supplier = s.Meta.Suppliers[i]
		if i < len(s.Meta.SupplierStatus) && s.Meta.SupplierStatus[i] != engine.Live.String() {
			notify = false
		}
	}
	return Row{SMSO: in.SMSO(), InstallationID: in.ID(), Cohort: in.Cohort, Decision: r.Outcome.Decision,
		Reason: r.Outcome.Reason, Clause: r.Outcome.Clause(in.Cohort), GroupID: r.GroupID, GroupSize: r.GroupSize,
		MPAN: in.MPAN, MPRN: in.MPRN, SupplierID: supplier, Notify: notify}
}

// Build explains key from the store.
func Build(s *index.Store, key string, opt Options) (*Explanation, error) {
	l, err := find(s, key, opt.Visible)
	if err != nil {
		return nil, err
	}
	x := &Explanation{Key: key, What: l.what + l.note, Registration: s.Meta.Registration}
	ids := l.ids
	if opt.Visible != nil && len(ids) > 0 {
		x.What = l.what
		recs, err := s.Installations(ids)
		if err != nil {
			return nil, err
		}
		ids = nil
		for _, r := range recs {
			if opt.Visible(r) {
				ids = append(ids, r.ID)
			}
		}
	}
	if len(ids) == 0 {
		if smso, id, ok := strings.Cut(strings.TrimSpace(key), "/"); ok && opt.Visible == nil {
			rj, found, err := s.RejectedByName(smso, id)
			if err != nil {
				return nil, err
			}
			if found {
				where := "the rejects output of the run"
				if s.Meta.Rejects != "" {
					where = s.Meta.Rejects
				}
				x.Rejected = &Rejected{Rows: int(rj.Rows), Rejects: where, File: fileName(s, rj.File), Line: int(rj.Line), Error: rj.Error}
				return x, nil
			}
		}
		return nil, l.absent
	}
	x.Found = len(ids)
	done := map[uint32]bool{}
	for _, id := range ids {
		if done[id] {
			continue
		}
		group, err := s.Group(id)
		if err != nil {
			return nil, err
		}
		for _, r := range group {
			done[r.ID] = true
		}
		g, err := buildGroup(s, group, ids, opt)
		if err != nil {
			return nil, err
		}
		x.Groups = append(x.Groups, g)
	}
	return x, nil
}

// lookup is what a key found: the ids, what the key is, a note on it, and
// the error a key of its form answers when it matches nothing.
type lookup struct {
	ids        []uint32
	what, note string
	absent     error
}

// find resolves a key to installation ids. A key no installation_id could
// be (empty, over 64 characters, a control character) is an error wrapping
// ErrBadKey; any other key that matches nothing one wrapping ErrNotFound,
// saying why it is no MPAN, MPRN or GUID; an installation_id without its
// SMSO also wraps ErrAmbiguous, naming the keys that hold it among the
// installations visible (nil: all).
func find(s *index.Store, key string, visible func(*index.Record) bool) (lookup, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return lookup{}, badKey("the key is empty: give an MPAN, MPRN, GUID, smso/installation_id or SMETS2+ inventory_id")
	}
	if smso, id, ok := strings.Cut(key, "/"); ok {
		l := lookup{what: "installation " + key}
		l.absent = fmt.Errorf("%w %s", ErrNotFound, l.what)
		n, found, err := s.ByName(smso, id)
		if found {
			l.ids = []uint32{n}
		}
		return l, err
	}
	if g, p := value.ParseGUID([]byte(key)); p == "" {
		ids, rows, err := s.ByGUID(g)
		l := lookup{ids: ids, what: "GUID " + g.String()}
		l.absent = fmt.Errorf("%w %s", ErrNotFound, l.what)
		if rows > 1 {
			l.note = fmt.Sprintf(" (on %d device rows: a duplicate GUID)", rows)
		}
		return l, err
	}
	// A printed key says its kind by its first letter (E1200023305967,
	// G3365498706); a bare number is told by its length in characters, as
	// the registration file's MPxNs are (FORMATS.md §2).
	var k value.Key
	var p string
	switch bare := key[1:]; {
	case key[0] == 'E' || key[0] == 'e':
		k, p = value.ParseMPAN([]byte(bare))
	case key[0] == 'G' || key[0] == 'g':
		k, p = value.ParseMPRN([]byte(bare))
	default:
		k, p = value.ParseMPxN([]byte(key))
	}
	smets2 := lookup{what: "SMETS2+ installation " + key}
	if p != "" {
		if why, ok := guidLike(key); ok {
			p = why // the GUID's fault says more than the MPxN's
		}
		// Any printable text of 1 to 64 characters could be an
		// installation_id or an inventory_id: such a key that matches
		// nothing is not found, not malformed.
		absent := fmt.Errorf("%w %q: it is no MPAN, MPRN or GUID (%s), and no installation_id or SMETS2+ inventory_id of this store", ErrNotFound, key, p)
		switch {
		case kindDigits(key):
			// E or G and digits only is meant as an MPAN or MPRN.
			meant := "MPRN"
			if key[0] == 'E' || key[0] == 'e' {
				meant = "MPAN"
			}
			absent = fmt.Errorf("%w %q: it is not an %s: %s", ErrNotFound, key, meant, p)
		case !plausibleID(key):
			absent = badKey(fmt.Sprintf("%q is not an MPAN, MPRN, GUID, smso/installation_id, installation_id or SMETS2+ inventory_id: %s", key, p))
		}
		smets2.absent = absent
		id, ok, err := s.BySmets2ID(key)
		if err != nil || ok {
			smets2.ids = []uint32{id}
			return smets2, err
		}
		if names, err := holders(s, key, visible); err != nil || len(names) > 0 {
			return lookup{}, holdersError(key, names, err)
		}
		return lookup{}, absent
	}
	kind := "MPAN"
	if k.IsMPRN() {
		kind = "MPRN"
	}
	l := lookup{what: kind + " " + k.String()}
	l.absent = fmt.Errorf("%w %s", ErrNotFound, l.what)
	ids, err := s.ByMPxN(k)
	if err != nil {
		return l, err
	}
	if len(ids) == 0 {
		if id, ok, err := s.BySmets2ID(key); err != nil || ok {
			smets2.ids, smets2.absent = []uint32{id}, l.absent
			return smets2, err
		}
		if names, err := holders(s, key, visible); err != nil || len(names) > 0 {
			return lookup{}, holdersError(key, names, err)
		}
	}
	l.ids = ids
	return l, nil
}

// kindDigits reports whether key is E or G followed by digits only: a
// printed MPAN or MPRN, if a malformed one.
func kindDigits(key string) bool {
	if len(key) < 2 || !strings.ContainsRune("EeGg", rune(key[0])) {
		return false
	}
	for _, c := range key[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// guidLike reports whether key is meant as a GUID, and says what is
// wrong with it: pairs of letters or digits separated by - or :, or 12 hex
// digits or more with a letter among them.
func guidLike(key string) (string, bool) {
	isHex := func(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' }
	groups := strings.FieldsFunc(key, func(r rune) bool { return r == '-' || r == ':' })
	digits := 0
	if len(groups) > 1 {
		for _, g := range groups {
			if len(g) != 2 || !isAlnum(g[0]) || !isAlnum(g[1]) {
				return "", false
			}
		}
		digits = 2 * len(groups)
	} else {
		letter := false
		for i := 0; i < len(key); i++ {
			if !isHex(key[i]) {
				return "", false
			}
			letter = letter || key[i] > '9'
		}
		if !letter || len(key) < 12 {
			return "", false
		}
		digits = len(key)
	}
	if digits != 16 {
		return fmt.Sprintf("a GUID is 16 hex digits, optionally in pairs separated by - or :; this has %d", digits), true
	}
	_, p := value.ParseGUID([]byte(key))
	return "as a GUID: " + p, true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'z'
}

// plausibleID reports whether key could be an installation_id or a SMETS2+
// inventory_id: 1 to 64 printable characters (FORMATS.md §1, §6).
func plausibleID(key string) bool {
	if !utf8.ValidString(key) || utf8.RuneCountInString(key) > 64 {
		return false
	}
	for _, r := range key {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return key != ""
}

// ErrAmbiguous is wrapped when a key is an installation_id without its
// SMSO: the error names the smso/installation_id keys that hold it.
var ErrAmbiguous = errors.New("an installation_id names an installation with its SMSO")

// holders returns the smso/installation_id of every installation visible
// (nil: all) whose installation_id is id, in name order.
func holders(s *index.Store, id string, visible func(*index.Record) bool) ([]string, error) {
	var out []string
	err := s.Scan(context.Background(), func(r *index.Record) error {
		if r.Installation.ID() == id && (visible == nil || visible(r)) {
			out = append(out, r.Installation.SMSO()+"/"+id)
		}
		return nil
	})
	return out, err
}

func holdersError(key string, names []string, err error) error {
	if err != nil {
		return err
	}
	listed := names[:min(len(names), holdersNamed)]
	more := ""
	if len(names) > len(listed) {
		more = fmt.Sprintf(" and %d more", len(names)-len(listed))
	}
	return fmt.Errorf("%w %q alone: %w: it is the installation_id of %s%s; explain %s", ErrNotFound, key, ErrAmbiguous, strings.Join(listed, ", "), more, names[0])
}

// holdersNamed is how many holders of an installation_id an error names;
// it counts the rest.
const holdersNamed = 10

// buildGroup explains each member of group, the installations the key
// found (asked) first.
func buildGroup(s *index.Store, group []*index.Record, asked []uint32, opt Options) (Group, error) {
	first := group[0]
	visible := func(r *index.Record) bool { return opt.Visible == nil || opt.Visible(r) }
	g := Group{GroupID: first.GroupID.String(), Size: len(group)}
	for _, r := range group {
		if r.Smets2 != nil {
			g.Smets2++
		}
	}
	if opt.Visible != nil && !heldByVisible(group, first.GroupID, visible) {
		g.GroupID = ""
	}
	id := g.GroupID
	if id == "" {
		id = "(its id, another member's MPxN, withheld)"
	}
	switch {
	case g.Smets2 == len(group):
		g.Heading = fmt.Sprintf("SMETS2+ installations only (%d): a group without a SMETS1 installation decides nothing", len(group))
	case len(group) == 1:
		g.Heading = fmt.Sprintf("no duplicate: the installation shares no MPAN or MPRN with another (group %s)", id)
	case g.Smets2 > 0:
		g.Heading = fmt.Sprintf("duplicate group %s: %d members, %d of them SMETS2+, share MPANs/MPRNs (directly or through one another)",
			id, len(group), g.Smets2)
	default:
		g.Heading = fmt.Sprintf("duplicate group %s: %d installations share MPANs/MPRNs (directly or through one another)",
			id, len(group))
	}
	isAsked := make(map[uint32]bool, len(asked))
	for _, id := range asked {
		isAsked[id] = true
	}
	order := make([]*index.Record, 0, len(group))
	for _, r := range group {
		if isAsked[r.ID] {
			order = append(order, r)
		}
	}
	for _, r := range group {
		if !isAsked[r.ID] {
			order = append(order, r)
		}
	}
	shown := order
	if opt.Limit > 0 && len(group) > opt.Limit {
		g.ByDecision, g.BySMSO = summarise(group, opt.Visible != nil)
		shown = order[:opt.Limit]
	}
	g.More = len(group) - len(shown)
	view, labels := newScopedView(group, order, visible)
	for i, r := range shown {
		m, err := buildMember(s, r, view, i, isAsked[r.ID], visible(r), labels, group, opt.Visible)
		if err != nil {
			return g, err
		}
		if m.Row != nil {
			m.Row.GroupID, _ = value.ParsePrintedKey(g.GroupID) // "" where the group's key is withheld
		}
		g.Members = append(g.Members, m)
	}
	g.MPxNs = links(shown, visible)
	return g, nil
}

// heldByVisible reports whether a visible member holds key k.
func heldByVisible(group []*index.Record, k value.Key, visible func(*index.Record) bool) bool {
	for _, r := range group {
		if visible(r) && slices.Contains(r.Keys(), k) {
			return true
		}
	}
	return false
}

// summarise counts a large group's members by decision and reason and by
// SMSO; scoped to a supplier, by decision only.
func summarise(group []*index.Record, scoped bool) (byOutcome, bySMSO []Count) {
	outcomes, smsos := map[string]int{}, map[string]int{}
	for _, r := range group {
		if r.Smets2 != nil {
			outcomes["SMETS2+ (no decision)"]++
			smsos["SMETS2+"]++
			continue
		}
		label := r.Outcome.Decision.String()
		if !scoped {
			label += " / " + r.Outcome.Reason.String()
		}
		outcomes[label]++
		smsos[r.Installation.SMSO()]++
	}
	counts := func(m map[string]int) []Count {
		var out []Count
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, Count{k, m[k]})
		}
		return out
	}
	if scoped {
		return counts(outcomes), nil
	}
	return counts(outcomes), counts(smsos)
}

// links returns the MPxNs of the members shown, in the order the members
// hold them, each with its holders.
func links(shown []*index.Record, visible func(*index.Record) bool) []Link {
	at := map[value.Key]int{}
	var out []Link
	shownBy := map[value.Key]bool{}
	for i, r := range shown {
		for _, k := range r.Keys() {
			j, ok := at[k]
			if !ok {
				j = len(out)
				at[k] = j
				out = append(out, Link{MPxN: k.String()})
			}
			out[j].Members = append(out[j].Members, i)
			if visible(r) {
				shownBy[k] = true
			}
		}
	}
	for k, j := range at {
		if !shownBy[k] {
			out[j].MPxN = ""
		}
	}
	return out
}

// placeholder stands for a hidden member's name in the sentences until it
// is replaced by the member's label: control characters no name holds.
func placeholder(i int) string { return "\x01" + strconv.Itoa(i) + "\x01" }

// newScopedView returns the group as the sentences read it: hidden
// members under placeholder names, and the replacer that puts their
// labels ("member 3") in their place.
func newScopedView(group, order []*index.Record, visible func(*index.Record) bool) (*groupView, *strings.Replacer) {
	pos := make(map[uint32]int, len(order))
	for i, r := range order {
		pos[r.ID] = i
	}
	named := make([]*index.Record, len(group))
	var pairs []string
	for i, r := range group {
		named[i] = r
		if visible(r) {
			continue
		}
		c := *r
		ph := placeholder(pos[r.ID])
		label := memberLabel(pos[r.ID])
		if c.Smets2 != nil {
			m := *c.Smets2
			m.ID = ph
			c.Smets2 = &m
		} else {
			c.Installation.Name = engine.InstallationName(ph, "")
			pairs = append(pairs, ph+"/", label)
		}
		pairs = append(pairs, ph, label)
		named[i] = &c
	}
	return newGroupView(named), strings.NewReplacer(pairs...)
}

func memberLabel(i int) string { return fmt.Sprintf("member %d", i+1) }

// buildMember describes one member: its columns, registration, devices
// with their rows, decision and why.
func buildMember(s *index.Store, r *index.Record, g *groupView, i int, asked, visible bool, labels *strings.Replacer,
	group []*index.Record, scope func(*index.Record) bool) (Member, error) {
	m := Member{Index: i, Asked: asked, Visible: visible, Smets2: r.Smets2 != nil, Label: memberLabel(i)}
	if r.Smets2 == nil {
		m.Decision = r.Outcome.Decision.String()
	}
	if !visible {
		return m, nil
	}
	if sm := r.Smets2; sm != nil {
		m.Label, m.Key = sm.ID, sm.ID
		m.InstallDate, m.Communicating = sm.Date.String(), value.YN(sm.Communicating)
		m.MPAN, m.MPRN = sm.MPAN.String(), sm.MPRN.String()
		m.File, m.Line = fileName(s, sm.File), int(sm.Line)
		return m, nil
	}
	in := &r.Installation
	row := RowOf(s, r)
	m.Row = &row
	m.Label = in.SMSO() + "/" + in.ID()
	m.Key = m.Label
	m.Step = r.Outcome.Step.String()
	m.InstallDate, m.Communicating = in.Date.String(), value.YN(in.Communicating)
	m.MPAN, m.MPRN = in.MPAN.String(), in.MPRN.String()
	if s.Meta.Registration != "" {
		for _, k := range in.Keys() {
			reg, ok, err := s.Registered(k)
			if err != nil {
				return m, err
			}
			x := Registration{MPxN: k.String(), Registered: ok, Supplier: reg.Supplier, Status: reg.Status, Line: int(reg.Line)}
			if scope != nil && ok && reg.Supplier != row.SupplierID {
				x = Registration{MPxN: x.MPxN, Registered: true, Withheld: true}
			}
			m.Registrations = append(m.Registrations, x)
		}
	}
	for j, d := range r.Devices {
		dev := Device{Type: d.Type().String(), GUID: d.GUID().String(), Meter: d.Type().IsMeter(), Group: d.GroupString(),
			File: fileName(s, r.RowFile[j]), Line: int(r.RowLine[j])}
		if dev.Meter {
			dev.State = d.State().String()
		}
		m.Devices = append(m.Devices, dev)
	}
	why, err := reasonFor(s, r, g)
	if err != nil {
		return m, err
	}
	m.Why = labels.Replace(why)
	if scope != nil {
		if m.Why, err = withhold(s, r, group, scope, m.Why); err != nil {
			return m, err
		}
	}
	return m, nil
}
