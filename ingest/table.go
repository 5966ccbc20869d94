package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Need says whether a file of a kind must have a column.
type Need uint8

const (
	// Required: a file without the column is an error for the whole run.
	Required Need = iota
	// Optional: the column may be absent; its values are then empty.
	Optional
	// OneOf: the column may be absent, but a file must have at least one
	// column of its Group.
	OneOf
)

// Column is one column of a kind of file, found by name (FORMATS.md §1:
// case-insensitive, spaces, tabs and CRs around it ignored).
type Column struct {
	Name string // lower case
	Need Need
	// Group names the OneOf group in the words of its error: "the file
	// has neither <Group> column" ("an mpan nor an mprn").
	Group string
}

// Kind describes one kind of file s1resolve reads: its columns. Every kind
// is read by the same header reader (readHeader) and the same record
// rules (csv.go, lineend.go).
type Kind struct {
	Name    string // for messages: "installations", "registration", ...
	Columns []Column
}

// The kinds of input file (FORMATS.md §1, §2, §3, §6). The installations
// file's columns are in the order of header.go's column constants.
var (
	Installations = &Kind{Name: "installations", Columns: []Column{
		{Name: "smso"}, {Name: "cohort"}, {Name: "installation_id"},
		{Name: "mpan", Need: OneOf, Group: mpxnGroup}, {Name: "mprn", Need: OneOf, Group: mpxnGroup},
		{Name: "install_date"}, {Name: "communicating", Need: Optional}, {Name: "device_guid"},
		{Name: "device_type"},
		// Required of ESME and GSME rows, so the column itself is required.
		{Name: "device_state"},
		{Name: "group_id", Need: Optional}, {Name: "fw_status", Need: Optional}, {Name: "fw_attempts", Need: Optional},
		{Name: "config_status", Need: Optional}, {Name: "config_attempts", Need: Optional},
		{Name: "prepay_key", Need: Optional},
	}}
	Registration = &Kind{Name: "registration", Columns: []Column{{Name: "mpxn"}, {Name: "supplier_id"}}}
	Suppliers    = &Kind{Name: "suppliers", Columns: []Column{{Name: "supplier_id"}, {Name: "status"}}}
	Inventory    = &Kind{Name: "SMETS2+ inventory", Columns: []Column{
		{Name: "inventory_id"}, {Name: "mpan", Need: OneOf, Group: mpxnGroup}, {Name: "mprn", Need: OneOf, Group: mpxnGroup},
		{Name: "install_date"}, {Name: "communicating", Need: Optional}}}
)

const mpxnGroup = "an mpan nor an mprn"

// Header is a file's header read against its kind.
type Header struct {
	Kind   *Kind
	Line   int   // the line the header is on: 1, or 2 after a sep=, line
	Fields int   // the number of fields in the header
	Pos    []int // by Kind.Columns index, the column's field (0-based); -1 when absent
}

// Value returns the value of column c of the kind in fields, spaces, tabs
// and CRs around it removed; nil when the file has no such column.
func (h *Header) Value(fields [][]byte, c int) []byte {
	p := h.Pos[c]
	if p < 0 || p >= len(fields) {
		return nil
	}
	return trim(fields[p])
}

// utf8BOM is the byte order mark some tools (Excel) write first.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// sepHint is the first line a spreadsheet writes to name the separator.
const sepHint = "sep="

// errNeedMore: the header is not read whole yet (more input may follow).
var errNeedMore = errors.New("more input needed")

// readHeader is the one header reader: it reads the start of file path
// (data, atEOF: whether data holds the rest of the file) as a file of kind
// k: an optional BOM, an optional `sep=,` line, then the header record.
// It returns the header, the number of bytes read and the line the first
// row starts on; errNeedMore when data ends before the header does; a
// *HeaderError for a header the run cannot go on with.
func readHeader(path string, data []byte, atEOF bool, k *Kind) (*Header, int, int, error) {
	needMore := func(prefix, b []byte) bool { return !atEOF && len(b) < len(prefix) && bytes.HasPrefix(prefix, b) }
	if needMore(utf8BOM, data) {
		return nil, 0, 0, errNeedMore
	}
	body := bytes.TrimPrefix(data, utf8BOM)
	for bytes.HasPrefix(body, utf8BOM) { // a tool that added its own before another's
		body = body[len(utf8BOM):]
	}
	if len(body) == 0 {
		return nil, 0, 0, &HeaderError{File: path, Line: 1, Err: ErrNoHeader, Detail: "the file is empty: no header"}
	}
	line := 1
	if needMore([]byte(sepHint), body) {
		return nil, 0, 0, errNeedMore
	}
	if bytes.HasPrefix(body, []byte(sepHint)) {
		end, next, blanks, ok := lineEnd(body, atEOF)
		if !ok {
			return nil, 0, 0, errNeedMore
		}
		sep := body[len(sepHint):end]
		if string(sep) != "," {
			if r, size := utf8.DecodeRune(sep); size == len(sep) && size > 0 && r != utf8.RuneError {
				return nil, 0, 0, &HeaderError{File: path, Line: 1, Err: ErrSeparator,
					Detail: fmt.Sprintf("the first line %s says the file is %s-separated; s1resolve reads comma-separated files",
						strconv.Quote(string(body[:end])), separatorName(r))}
			}
		} else {
			// FORMATS.md §1: skipped, and counted as a line. Empty lines
			// after it that end in lone CRs are left to be read as lines,
			// as they are when they end in LFs.
			next -= blanks
			if next == len(body) && atEOF {
				return nil, 0, 0, &HeaderError{File: path, Line: 2, Err: ErrNoHeader, Detail: "no header after the sep=, line"}
			}
			body = body[next:]
			line++
		}
	}
	n, ok := recordLen(body, atEOF)
	if !ok {
		return nil, 0, 0, errNeedMore
	}
	rec := body[:n]
	if err := checkText(path, line, rec); err != nil {
		return nil, 0, 0, err
	}
	var r record
	parseRecord(rec, true, &r, true)
	if r.blank() {
		return nil, 0, 0, &HeaderError{File: path, Line: line, Err: ErrNoHeader,
			Detail: "the first line is empty: the header (the column names) must be the first line"}
	}
	if r.problem != nil {
		return nil, 0, 0, &HeaderError{File: path, Line: line, Err: ErrHeaderNotCSV,
			Detail: ErrHeaderNotCSV.Error() + ": " + r.problem.Error()}
	}
	h, err := matchColumns(path, line, r.fields, k)
	if err != nil {
		return nil, 0, 0, err
	}
	// Empty lines after the header that end in lone CRs are rows' lines
	// (blank ones), as they are when they end in LFs.
	n -= r.blanks
	return h, len(data) - len(body) + n, line + r.newlines - r.blanks, nil
}

// matchColumns finds the columns of kind k in the header's fields.
func matchColumns(path string, line int, fields [][]byte, k *Kind) (*Header, error) {
	fail := func(field int, column string, err error, detail string) error {
		return &HeaderError{File: path, Line: line, Field: field, Column: column, Err: err, Detail: detail}
	}
	// A header of one field holding another separator: the file is not
	// comma-separated (FORMATS.md §1), and "column missing" would mislead.
	if len(fields) == 1 {
		f := trim(fields[0])
		semi, tabs := bytes.Count(f, []byte{';'}), bytes.Count(f, []byte{'\t'})
		if semi > 0 || tabs > 0 {
			what := fmt.Sprintf("%d ';'", semi)
			sep := ';'
			if tabs > semi {
				what, sep = fmt.Sprintf("%d tabs", tabs), '\t'
				if tabs == 1 {
					what = "1 tab"
				}
			}
			return nil, fail(0, "", ErrSeparator, fmt.Sprintf("the header is one field holding %s: this file looks %s-separated; s1resolve reads comma-separated files",
				what, separatorName(sep)))
		}
	}
	h := &Header{Kind: k, Line: line, Fields: len(fields), Pos: make([]int, len(k.Columns))}
	for i := range h.Pos {
		h.Pos[i] = -1
	}
	for i, f := range fields {
		name := trim(f)
		if c := controlIn(name); c >= 0 {
			return nil, fail(i+1, "", ErrControlInName, fmt.Sprintf("the header name %s holds a control character (%s): a header name is text, with only spaces, tabs and CRs around it ignored",
				strconv.Quote(string(name)), strconv.QuoteRune(c)))
		}
		for c, col := range k.Columns {
			if !equalFoldASCII(name, col.Name) {
				continue
			}
			if h.Pos[c] >= 0 {
				return nil, fail(0, col.Name, ErrColumnTwice, fmt.Sprintf("named twice (fields %d and %d)", h.Pos[c]+1, i+1))
			}
			h.Pos[c] = i
		}
	}
	groups := map[string]bool{} // OneOf group -> one of its columns is there
	for c, col := range k.Columns {
		switch col.Need {
		case Required:
			if h.Pos[c] < 0 {
				return nil, fail(0, col.Name, ErrMissingColumn, "")
			}
		case OneOf:
			groups[col.Group] = groups[col.Group] || h.Pos[c] >= 0
		}
	}
	for _, col := range k.Columns {
		if col.Need == OneOf && !groups[col.Group] {
			return nil, fail(0, col.Name, ErrNoneOfGroup, "the file has neither "+col.Group+" column")
		}
	}
	return h, nil
}

// separatorName returns the word for a separator: "semicolon-separated".
func separatorName(r rune) string {
	switch r {
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	case '|':
		return "pipe"
	case ' ':
		return "space"
	}
	return strconv.QuoteRune(r)
}

// controlIn returns the first control character in name (valid UTF-8), or
// -1.
func controlIn(name []byte) rune {
	for len(name) > 0 {
		r, size := utf8.DecodeRune(name)
		if unicode.IsControl(r) {
			return r
		}
		name = name[size:]
	}
	return -1
}

// equalFoldASCII reports whether b equals name (lower case) but for the
// case of ASCII letters.
func equalFoldASCII(b []byte, name string) bool {
	if len(b) != len(name) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

// checkText refuses a header that is not UTF-8 text (UTF-16, a binary
// file, NUL bytes): the columns cannot be read, and saying "required
// column is missing" would mislead. A NUL or two among text are control
// characters in a name (matchColumns says which column).
func checkText(path string, line int, header []byte) error {
	fail := func(detail string) error {
		return &HeaderError{File: path, Line: line, Err: ErrNotText, Detail: ErrNotText.Error() + ": " + detail + "; save it as UTF-8 CSV"}
	}
	switch {
	case bytes.HasPrefix(header, []byte{0xff, 0xfe}), bytes.HasPrefix(header, []byte{0xfe, 0xff}):
		return fail("the file is UTF-16")
	case bytes.Count(header, []byte{0}) > len(header)/8:
		return fail("the header holds NUL bytes (UTF-16 or a binary file?)")
	case !utf8.Valid(header):
		return fail("the header holds bytes that are not UTF-8")
	}
	return nil
}

// trim removes the spaces, tabs and CRs around a value (FORMATS.md §1).
func trim(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// CheckText refuses a small text file (a rules file) that is not UTF-8
// text, as every input's header is refused: UTF-16, NUL bytes, bytes that
// are not UTF-8. The error wraps ErrNotText and names the file.
func CheckText(path string, data []byte) error {
	err := checkText(path, 1, data)
	if he, ok := err.(*HeaderError); ok {
		he.Detail = strings.Replace(he.Detail, "the header holds", "the file holds", 1)
		he.Detail = strings.Replace(he.Detail, "save it as UTF-8 CSV", "save it as UTF-8 text", 1)
	}
	return err
}
