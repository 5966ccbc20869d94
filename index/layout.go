// Package index persists a resolved population in a Badger store: the
// installation table (with each installation's decision) and the posting
// lists that map MPxN keys, GUIDs and (smso, installation_id) names to
// installation ids. It bulk-loads with Badger's StreamWriter and reads back
// for `s1resolve explain`.
//
// The directory holds Badger's files and two markers: S1RESOLVE-STORE,
// written before anything else (a run writes only into a new or empty
// directory or one bearing it), and S1RESOLVE-COMPLETE, written last.
//
// Installation ids are the installations' places in (smso,
// installation_id) order, so the table finds a name by binary search: it
// needs no name index.
//
// The installation table is the file installations.pages beside them
// (pagefile.go): pages of pageSize installations, each a count, then the
// records after their lengths as 4 bytes little-endian, and a page offset
// table at the end. A record (appendInstallation) keeps every fact the
// rules read, so that the population can be decided again under other
// thresholds or clauses without the inputs (engine.Facts):
//
//	name                     length, then smso "\x00" installation_id
//	MPAN, MPRN               appendKey each: 0 for none, else the key << 2 | kind
//	install_date             signed varint, days
//	5 bytes                  cohort; flags (1 communicating, 2 duplicate GUID, 4 dormant-only,
//	                         8 MPAN unregistered, 16 MPRN unregistered); decision, reason, step
//	group_id, group_size     appendKey; count of members
//	root                     the group's smallest member id
//	step 2 facts             only when group_size > 1: flags (1 tied, 2 any Active, 4 2c winner,
//	                         8 the communicator is SMETS2+), latest, communicating count,
//	                         communicator, first Active member
//	supplier + 1             Responsible Supplier's index in Meta.Suppliers (0: none); its
//	                         status is Meta.SupplierStatus at that index
//	devices                  count, then each: GUID (8 bytes BE), 2 bytes LE (type 3 bits, state 2,
//	                         fw 2, config 2, prepay 2, what step 4 or 5 made of it 3), group_id
//	                         (2 bytes), fw attempts, config attempts, file, line (signed
//	                         difference from the previous device's)
//
// Badger keys, format version 5 (all integers unsigned varints unless stated):
//
//	"\x00meta"         JSON Meta
//	'x' bucket(BE16)   entries: fingerprint(BE16), posting; bucket = top 16 bits of mix(key),
//	                   fingerprint the 16 bits below them; entries in fingerprint order, one per
//	                   fingerprint (stores written before 2026-12-01 may hold several: read alike)
//	'g' bucket(BE16)   entries: fingerprint(BE16), posting; as 'x', of mix(guid)
//	'r' bucket(BE16)   registration: mix(key) low 48 bits (BE), supplier index, line
//	'j' bucket(BE16)   rejected installations: name, file, line, rows, error; bucket = xxhash(name) & 0xffff
//	's' page(BE32)     SMETS2+ members (id Installations+i), paged as the installations: each record inventory_id,
//	                   MPAN, MPRN, date, communicating, file, line
//	'k' bucket(BE16)   entries: inventory_id, member id; bucket = xxhash(inventory_id) & 0xffff
//
// mix is engine.Mix, a bijection, so a mixed key identifies its key.
//
// Each kind of entry has its encoder beside its decoder in one file:
// record.go the installation record, page.go the framing of a page of
// records, pagefile.go the installation table's file, posting.go 'x' and
// 'g', registration.go 'r', rejected.go 'j', smets2.go 's' and 'k'.
// write.go builds the store from them, store.go answers the look-ups.
//
// A bucket and fingerprint name one key in 2^32: the keys that share them
// share an entry, whose posting holds the installations of them all, and a
// lookup takes the postings of every entry with its fingerprint (at 5M installations, one
// other key in 200 lookups) and keeps the installations whose records hold
// the key, which the reader loads anyway. Storing 32 bits of the key rather
// than 48 and no row count (the records give it) halves the posting
// lists, the largest part of what Badger maps and syncs.
//
// A posting is a count n then, for n <= inlineMax, the n ids as deltas, else
// the length and bytes of a serialised roaring bitmap. Installation ids are
// dense and stable: the position of the installation in (smso,
// installation_id) byte order.
package index

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/provenance"
)

// FormatVersion is the version of the store layout this package writes and
// reads.
const FormatVersion = 5

// ErrFormat is wrapped by errors about a store this package cannot read.
var ErrFormat = errors.New("not a store of this format version")

// ErrIncomplete is wrapped when a store directory was not written to the
// end.
var ErrIncomplete = errors.New("incomplete store")

const (
	pageSize   = 256
	bucketBits = 16
	inlineMax  = 4
)

var metaKey = []byte("\x00meta")

// The first byte of every other Badger key: what the key holds (the
// drawing above). Each entry's encoder and decoder are side by side in the
// file named for it.
const (
	prefixMPxN         = 'x' // posting.go
	prefixGUID         = 'g' // posting.go
	prefixRegistration = 'r' // registration.go
	prefixRejected     = 'j' // rejected.go
	prefixSmets2Page   = 's' // smets2.go
	prefixSmets2Name   = 'k' // smets2.go
)

// Meta describes a store.
type Meta struct {
	Format        int      `json:"format"`
	Installations int      `json:"installations"`
	Devices       int      `json:"devices"`
	Files         []string `json:"files"`
	// Registration is the registration file, "" when none was given;
	// Suppliers and SupplierStatus list the suppliers by index.
	Registration   string   `json:"registration,omitempty"`
	Suppliers      []string `json:"suppliers,omitempty"`
	SupplierStatus []string `json:"supplier_status,omitempty"`
	// Rules is the rules file text in force (step 5 thresholds and
	// clauses), Thresholds the thresholds by cohort name and
	// ClausesInForce the consultation's clauses in force, as the engine
	// applied them.
	Rules          string                       `json:"rules"`
	Thresholds     map[string]engine.Thresholds `json:"thresholds,omitempty"`
	ClausesInForce []string                     `json:"clauses_in_force"`
	// Inputs are the files the run read (name, size, xxhash64), Build the
	// s1resolve that wrote the store, Created when (UTC, RFC 3339).
	Inputs  []provenance.Input `json:"inputs,omitempty"`
	Build   provenance.Build   `json:"build"`
	Created string             `json:"created"`
	// Smets2 counts the SMETS2+ members (FORMATS.md §6), ids Installations
	// to Installations+Smets2-1 in the postings.
	Smets2 int `json:"smets2,omitempty"`
	// Rejects is the rejects output of the run ("" if unknown), and
	// RejectedInstallations how many installations it rejected.
	Rejects               string `json:"rejects,omitempty"`
	RejectedInstallations int    `json:"rejected_installations"`
	// Decisions is the decisions output the run wrote beside the store:
	// its name, size and xxhash64, so that a decisions file given with the
	// store can be checked to be the run's own.
	Decisions *provenance.Input `json:"decisions,omitempty"`
	// Account is what else the run set aside and linked, as its summary
	// counts it (FORMATS.md, "Run summary"), so that reports made later from
	// the store can say it; nil in a store written before it was kept.
	Account *Account `json:"account,omitempty"`
}

// Account counts what a run set aside beside its rejected installations
// (Meta.RejectedInstallations) and the SMETS2+ members (Meta.Smets2):
// rows, not installations.
type Account struct {
	RejectedRows          int `json:"rejected_rows"`           // installation file rows rejected
	RejectedReferenceRows int `json:"rejected_reference_rows"` // registration, supplier and inventory rows rejected
	Smets2Linked          int `json:"smets2_linked"`           // SMETS2+ members in a group with a SMETS1 installation
	Smets2Rejected        int `json:"smets2_rejected"`         // inventory rows rejected (also in RejectedReferenceRows)
}

// Extras are what a store keeps beside the population: the registration
// data (nil for none) and the rules in force.
type Extras struct {
	Registry     *engine.Registry
	Registration string
	Rules        engine.RuleSet
	// Rejected lists the rejected installations, Rejects names the
	// rejects output that lists their rows.
	Rejected []Rejected
	Rejects  string
	// Account, when set, is kept as Meta.Account.
	Account *Account
	// Inputs and Build describe what produced the store (Meta).
	Inputs []provenance.Input
	Build  provenance.Build
	// Files names every file of the run by index (installation files,
	// then registration, suppliers, inventory), as rejects and SMETS2+
	// members refer to them; nil means the population's.
	Files []string
	// Decisions, when set, returns the decisions output the run wrote (its
	// digest), waiting for it: the store's description is written last.
	Decisions func(context.Context) (provenance.Input, error)
	// TableWritten, when set, is called once the installation table is
	// written and before the posting lists are: from then on the store
	// reads neither pop.Devices nor pop.Positions, and the caller may drop
	// them (at 5M installations 500 MB that the posting lists' tables
	// would otherwise sit beside).
	TableWritten func()
	// ConsumeGUIDRefs hands res.GUIDRefs back to the system as they are
	// written (engine.Result.GUIDRefsDone), and leaves them nil: for a
	// caller that writes one store of a result (at 5M installations 160
	// MiB that would otherwise sit beside Badger's tables to the end).
	ConsumeGUIDRefs bool
}

func encodeMeta(m Meta) []byte {
	b, _ := json.Marshal(m)
	return b
}
