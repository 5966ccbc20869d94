package output

import (
	"strconv"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// The columns of the decisions output (FORMATS.md §4), in order. The table
// below is the one place they are described: it drives the CSV header and
// rows, the JSON Lines keys and values, the Parquet schema and rows, and
// the reader of all three (read.go). A new column is one constant and one
// line of the table (and a field of Row).
const (
	ColSMSO = iota
	ColInstallationID
	ColCohort
	ColDecision
	ColReason
	ColClause
	ColGroupID
	ColGroupSize
	ColMPAN
	ColMPRN
	ColSupplierID
	ColNotifySupplier
	NumColumns
)

// kind says how a column's value is written.
type kind uint8

const (
	word   kind = iota // a listed word or a key: never needs quoting; a JSON string; Parquet: a string, null when empty
	text               // free text: quoted in CSV as needed, escaped in JSON; Parquet as word
	number             // a whole number: a JSON number; Parquet: a required 64-bit integer
)

// column is one column: its name, how its value is printed and how it is
// read back.
type column struct {
	name string
	kind kind
	// text returns the value of a text column; put appends the printed
	// value of the others.
	text func(r *Row) string
	put  func(b []byte, r *Row) []byte
	// get sets the column's field of r from a value as printed; it returns
	// what is wrong with v, or "".
	get func(r *Row, v string) string
}

var columns = [NumColumns]column{
	ColSMSO: {name: "smso", kind: text, text: func(r *Row) string { return r.SMSO },
		get: func(r *Row, v string) string { r.SMSO = v; return required(v) }},
	ColInstallationID: {name: "installation_id", kind: text, text: func(r *Row) string { return r.InstallationID },
		get: func(r *Row, v string) string { r.InstallationID = v; return required(v) }},
	ColCohort: {name: "cohort", kind: word, put: func(b []byte, r *Row) []byte { return append(b, r.Cohort.String()...) },
		get: func(r *Row, v string) string {
			var ok bool
			r.Cohort, ok = engine.ParseCohort([]byte(v))
			return unless(ok, "not a cohort of FORMATS.md")
		}},
	ColDecision: {name: "decision", kind: word, put: func(b []byte, r *Row) []byte { return append(b, r.Decision.String()...) },
		get: func(r *Row, v string) string {
			var ok bool
			r.Decision, ok = engine.ParseDecision(v)
			return unless(ok, "not a decision RULES.md names")
		}},
	ColReason: {name: "reason", kind: word, put: func(b []byte, r *Row) []byte { return append(b, r.Reason.String()...) },
		get: func(r *Row, v string) string {
			var ok bool
			r.Reason, ok = engine.ParseReason(v)
			return unless(ok, "not a reason RULES.md names")
		}},
	ColClause: {name: "clause", kind: word, put: func(b []byte, r *Row) []byte { return append(b, r.Clause...) },
		get: func(r *Row, v string) string { r.Clause = v; return "" }},
	ColGroupID: {name: "group_id", kind: word, put: func(b []byte, r *Row) []byte { return r.GroupID.Append(b) },
		get: func(r *Row, v string) (p string) { r.GroupID, p = value.ParsePrintedKey(v); return p }},
	ColGroupSize: {name: "group_size", kind: number, put: func(b []byte, r *Row) []byte { return strconv.AppendUint(b, uint64(r.GroupSize), 10) },
		get: func(r *Row, v string) string {
			n, err := strconv.ParseUint(v, 10, 32)
			r.GroupSize = uint32(n)
			return unless(err == nil && n > 0, "not a whole number of members (1 or more)")
		}},
	ColMPAN: {name: "mpan", kind: word, put: func(b []byte, r *Row) []byte { return r.MPAN.Append(b) },
		get: func(r *Row, v string) (p string) { r.MPAN, p = value.ParsePrintedKey(v); return p }},
	ColMPRN: {name: "mprn", kind: word, put: func(b []byte, r *Row) []byte { return r.MPRN.Append(b) },
		get: func(r *Row, v string) (p string) { r.MPRN, p = value.ParsePrintedKey(v); return p }},
	ColSupplierID: {name: "supplier_id", kind: text, text: func(r *Row) string { return r.SupplierID },
		get: func(r *Row, v string) string { r.SupplierID = v; return "" }},
	ColNotifySupplier: {name: "notify_supplier", kind: word, put: func(b []byte, r *Row) []byte { return append(b, value.YN(r.Notify)...) },
		get: func(r *Row, v string) string {
			yn, ok := value.ParseYesNo([]byte(v))
			r.Notify = yn == value.Yes
			return unless(ok && yn != value.Unset, "must be Y or N")
		}},
}

func required(v string) string { return unless(v != "", "required value is missing") }

// unless returns problem when ok is false, else "".
func unless(ok bool, problem string) string {
	if ok {
		return ""
	}
	return problem
}

// ColumnNames returns the column names in order.
func ColumnNames() []string {
	names := make([]string, NumColumns)
	for i, c := range columns {
		names[i] = c.name
	}
	return names
}

// DecisionsHeader is the header line of the decisions CSV.
var DecisionsHeader = strings.Join(ColumnNames(), ",") + "\n"

// rowFormat is an encoding of the rows as text: what goes before each
// column's value (separator, JSON key, opening quote) and after the last,
// derived from the columns table.
type rowFormat struct {
	json bool
	pre  [NumColumns]string
	end  string
}

func newRowFormat(json bool) *rowFormat {
	f := &rowFormat{json: json}
	for i, c := range columns {
		switch {
		case !json && i > 0:
			f.pre[i] = ","
		case json:
			sep := "{"
			if i > 0 {
				sep = ","
				if columns[i-1].kind == word {
					sep = `",`
				}
			}
			f.pre[i] = sep + `"` + c.name + `":`
			if c.kind == word {
				f.pre[i] += `"`
			}
		}
	}
	f.end = "\n"
	if json {
		f.end = "}\n"
		if columns[NumColumns-1].kind == word {
			f.end = `"}` + "\n"
		}
	}
	return f
}

var csvRow, jsonRow = newRowFormat(false), newRowFormat(true)

// appendRow appends the row r: the values of the columns, in order.
func (f *rowFormat) appendRow(b []byte, r *Row) []byte {
	for i := range columns {
		c := &columns[i]
		switch {
		case f.json:
			b = append(b, f.pre[i]...)
		case i > 0:
			b = append(b, ',') // one byte, not a copy
		}
		switch {
		case c.kind != text:
			b = c.put(b, r)
		case f.json:
			b = value.AppendJSONString(b, c.text(r))
		default:
			b = value.AppendCSVField(b, c.text(r))
		}
	}
	return append(b, f.end...)
}
