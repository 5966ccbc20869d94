package output

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// Row is one row of the decisions output (FORMATS.md §4): an installation
// and what the run decided of it. It is built once (RowOf) and every
// writer (CSV, JSON Lines, Parquet), the reader, the reports and the
// comparison of two runs take it; the column table (columns.go) says how
// each field is printed and read.
type Row struct {
	SMSO, InstallationID string
	Cohort               engine.Cohort
	Decision             engine.Decision
	Reason               engine.Reason
	Clause               string // the TMAD clause of the outcome; "" for none
	GroupID              value.Key
	GroupSize            uint32
	MPAN, MPRN           value.Key // zero where absent
	SupplierID           string    // the Responsible Supplier; "" for none
	Notify               bool      // notify_supplier
}

// Name returns the installation's name as engine.InstallationName joins
// it: what two runs' rows are matched by.
func (r *Row) Name() string { return engine.InstallationName(r.SMSO, r.InstallationID) }

// Outcome returns the row's decision and reason.
func (r *Row) Outcome() engine.Outcome {
	return engine.Outcome{Decision: r.Decision, Reason: r.Reason}
}

// SupplierOf returns the Responsible Supplier of an installation and
// whether to notify it (RULES.md, supplier notification); nil means no
// registration data: no supplier, notify.
type SupplierOf func(id uint32) (supplier string, notify bool)

// RowOf returns the row of installation id of a resolved population.
func RowOf(pop *engine.Population, res *engine.Result, id uint32, supplier SupplierOf) Row {
	in := &pop.Installations[id]
	o := res.Outcomes[id]
	key, size := res.Group(pop, id)
	r := Row{SMSO: in.SMSO(), InstallationID: in.ID(), Cohort: in.Cohort, Decision: o.Decision, Reason: o.Reason,
		Clause: o.Clause(in.Cohort), GroupID: key, GroupSize: size, MPAN: in.MPAN, MPRN: in.MPRN, Notify: true}
	if supplier != nil {
		r.SupplierID, r.Notify = supplier(id)
	}
	return r
}

// SimplyMigrating reports whether the installation migrates whole: the
// Responsible Supplier is told of every other (RULES.md, decisions).
func (r *Row) SimplyMigrating() bool { return r.Decision == engine.Migrate }

// MarshalJSON writes the row as a JSON object whose keys are the column
// names, as a line of the JSON Lines decisions (group_size a number): the
// look-up service's field names are the decisions file's.
func (r Row) MarshalJSON() ([]byte, error) {
	b := jsonRow.appendRow(nil, &r)
	return b[:len(b)-1], nil // without the line's end
}

// UnmarshalJSON reads a row as MarshalJSON writes it, through the column
// table (every value checked as the reader of decisions files checks it).
func (r *Row) UnmarshalJSON(data []byte) error {
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil {
		return err
	}
	for _, c := range columns {
		var v string
		switch x := obj[c.name].(type) {
		case string:
			v = x
		case float64:
			v = strconv.FormatFloat(x, 'f', -1, 64)
		}
		if p := c.get(r, v); p != "" {
			return fmt.Errorf("%s: %s (%q)", c.name, p, v)
		}
	}
	return nil
}
