package engine

import (
	"fmt"
	"strings"
)

// This file declares the consultation's clauses that can be switched
// (RULES.md, "Clauses in force (§8)"), each once with its spelling and the
// consultation's words for it. Adding a clause is a line here, the branch
// of decide.go that reads it, and the reference in the tests
// (docs/ARCHITECTURE.md, "Adding a clause").

// Clause is one of the consultation's TMAD clauses that may or may not be
// in force: §8 says its changes "are capable of going live at separate
// times".
type Clause uint8

// The clauses, in RULES.md's order.
const (
	Clause18_9 Clause = iota
	Clause18_10
	Clause18_11
	Clause18_12
	Clause18_13
	Clause4_1A
	Clause4_1B
	Clause4_1C
	Clause4_26A
	numClauses
)

// clauseInfo is what is said of one clause.
type clauseInfo struct {
	name  string // as RULES.md spells it
	title string // the consultation's words for what it brings in, for the impact tables
}

var clauseTable = [numClauses]clauseInfo{
	Clause18_9:  {"18.9", `Unable to attempt firmware upgrade where GroupID = "AA", "BA" or "CA"`},
	Clause18_10: {"18.10", `Firmware upgrade / configuration failure where GroupID = "CB" (MOC (MDS))`},
	Clause18_11: {"18.11", `Firmware upgrade / configuration failure where GroupID = "AA", "BA" or "CA" (IOC)`},
	Clause18_12: {"18.12", "Data issues"},
	Clause18_13: {"18.13", "Duplicate MPANs and MPRNs"},
	Clause4_1A:  {"4.1A", "Unblocking: Responsible Supplier ceased trading"},
	Clause4_1B:  {"4.1B", "Unblocking: Responsible Supplier not a live user"},
	Clause4_1C:  {"4.1C", "Unblocking: duplicate MPxNs resolved by installation date and communication"},
	Clause4_26A: {"4.26A", "Partial migration for firmware failure (MOC (MDS))"},
}

// fixedClauses are clauses RULES.md names that were in force before the
// consultation: they cannot be switched.
var fixedClauses = []string{"4.26", "5.8B", "5.8C", "5.8D", "5.8E", "5.8F"}

// String returns the clause as RULES.md spells it ("4.26A").
func (c Clause) String() string { return clauseTable[c].name }

// Title returns the consultation's words for what the clause brings in.
func (c Clause) Title() string { return clauseTable[c].title }

// Label is the clause's words and number, as the impact tables print it:
// "Duplicate MPANs and MPRNs (18.13)".
func (c Clause) Label() string { return clauseTable[c].title + " (" + clauseTable[c].name + ")" }

// Clauses returns the nine clauses in RULES.md's order.
func Clauses() []Clause {
	out := make([]Clause, numClauses)
	for i := range out {
		out[i] = Clause(i)
	}
	return out
}

// ParseClause reads a clause spelled as RULES.md does, in any case. A
// clause in force before the consultation (4.26, 5.8B) or one that is not
// the consultation's is an error that says which.
func ParseClause(s string) (Clause, error) {
	for c := range numClauses {
		if strings.EqualFold(s, clauseTable[c].name) {
			return c, nil
		}
	}
	for _, f := range fixedClauses {
		if strings.EqualFold(s, f) {
			return 0, fmt.Errorf("clause %s cannot be switched: it was in force before the consultation", f)
		}
	}
	return 0, fmt.Errorf("%q is not one of the consultation's clauses (%s)", s, AllClauses)
}

// ClauseSet is a set of the nine clauses. Its zero value is the empty set.
type ClauseSet uint16

// AllClauses holds the nine: the default of RULES.md, every step as written.
const AllClauses ClauseSet = 1<<numClauses - 1

// Has reports whether c is in the set.
func (s ClauseSet) Has(c Clause) bool { return s&(1<<c) != 0 }

// With returns the set with c added.
func (s ClauseSet) With(c Clause) ClauseSet { return s | 1<<c }

// Without returns the set with c taken out.
func (s ClauseSet) Without(c Clause) ClauseSet { return s &^ (1 << c) }

// List returns the clauses of the set in RULES.md's order.
func (s ClauseSet) List() []Clause {
	var out []Clause
	for c := range numClauses {
		if s.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

// Names returns the clauses of the set as RULES.md spells them, in its
// order.
func (s ClauseSet) Names() []string {
	out := []string{}
	for _, c := range s.List() {
		out = append(out, c.String())
	}
	return out
}

// String lists the set's clauses separated by spaces, in RULES.md's order;
// "none" for the empty set.
func (s ClauseSet) String() string {
	if s&AllClauses == 0 {
		return "none"
	}
	return strings.Join(s.Names(), " ")
}

// ParseClauseSet reads clause names as ParseClause does; a clause named
// twice is an error.
func ParseClauseSet(names []string) (ClauseSet, error) {
	var s ClauseSet
	for _, n := range names {
		c, err := ParseClause(n)
		if err != nil {
			return 0, err
		}
		if s.Has(c) {
			return 0, fmt.Errorf("clause %s is listed twice", c)
		}
		s = s.With(c)
	}
	return s, nil
}
