package output

import (
	"strconv"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// The columns of the decisions output (FORMAT.md §4), in order. This table
// is the one place they are listed: it drives the CSV header and rows, the
// JSON Lines keys and values, and the reader (read.go).
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

// row is what a decisions row is made of: one installation and what the
// run decided of it.
type row struct {
	in       *engine.Installation
	out      engine.Outcome
	groupID  value.Key
	size     uint32
	supplier string
	notify   bool
}

// kind says how a column's value is written.
type kind uint8

const (
	word   kind = iota // a listed word or a key: never needs quoting; a JSON string
	text               // free text: quoted in CSV as needed, escaped in JSON
	number             // a JSON number
)

// columns names each column and its kind; rowFormat.appendRow gives the
// values, in this order.
var columns = [NumColumns]struct {
	name string
	kind kind
}{
	ColSMSO:           {"smso", text},
	ColInstallationID: {"installation_id", text},
	ColCohort:         {"cohort", word},
	ColDecision:       {"decision", word},
	ColReason:         {"reason", word},
	ColClause:         {"clause", word},
	ColGroupID:        {"group_id", word},
	ColGroupSize:      {"group_size", number},
	ColMPAN:           {"mpan", word},
	ColMPRN:           {"mprn", word},
	ColSupplierID:     {"supplier_id", text},
	ColNotifySupplier: {"notify_supplier", word},
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

// rowFormat is an encoding of the rows: what goes before each column's
// value (separator, JSON key, opening quote) and after the last, derived
// from the columns table.
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

// begin appends what goes before the value of col: a comma in CSV (one
// byte, not a copy), the key in JSON.
func (f *rowFormat) begin(b []byte, col int) []byte {
	if f.json {
		return append(b, f.pre[col]...)
	}
	if col > 0 {
		return append(b, ',')
	}
	return b
}

// text appends a free-text value.
func (f *rowFormat) text(b []byte, col int, v string) []byte {
	b = f.begin(b, col)
	if f.json {
		return value.AppendJSONString(b, v)
	}
	return value.AppendCSVField(b, v)
}

// appendRow appends the row r: the values of the columns, in order.
func (f *rowFormat) appendRow(b []byte, r row) []byte {
	in, o := r.in, r.out
	b = f.text(b, ColSMSO, in.SMSO())
	b = f.text(b, ColInstallationID, in.ID())
	b = append(f.begin(b, ColCohort), in.Cohort.String()...)
	b = append(f.begin(b, ColDecision), o.Decision.String()...)
	b = append(f.begin(b, ColReason), o.Reason.String()...)
	b = append(f.begin(b, ColClause), o.Clause(in.Cohort)...)
	b = r.groupID.Append(f.begin(b, ColGroupID))
	b = strconv.AppendUint(f.begin(b, ColGroupSize), uint64(r.size), 10)
	b = in.MPAN.Append(f.begin(b, ColMPAN))
	b = in.MPRN.Append(f.begin(b, ColMPRN))
	b = f.text(b, ColSupplierID, r.supplier)
	b = append(f.begin(b, ColNotifySupplier), value.YN(r.notify)...)
	return append(b, f.end...)
}

// Row is one decisions row as read back: every value as printed.
type Row [NumColumns]string
