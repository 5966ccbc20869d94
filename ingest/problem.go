package ingest

import (
	"errors"
	"fmt"
	"strconv"
)

// The faults of an input file, as named values: every file s1resolve reads
// (FORMATS.md §1, §2, §3, §6 and the decisions files read back) is read by
// the same code, and the same fault gets the same value and the same
// message wherever it is found. A HeaderError stops the run; a RowError is
// a reject (or, for a decisions file read back, an error naming the line).

// ErrHeader is wrapped by every error about a file's header: a file without
// one, or without a required column. Such errors stop the run.
var ErrHeader = errors.New("bad header")

// What can be wrong with a header (HeaderError.Err).
var (
	ErrNoHeader      = errors.New("no header")
	ErrNotText       = errors.New("not UTF-8 text")
	ErrHeaderNotCSV  = errors.New("header is not valid CSV")
	ErrSeparator     = errors.New("not comma-separated")
	ErrControlInName = errors.New("a header name holds a control character")
	ErrColumnTwice   = errors.New("named twice")
	ErrMissingColumn = errors.New("required column is missing")
	ErrNoneOfGroup   = errors.New("none of the columns of a group")
)

// HeaderError says what is wrong with the header of one input file.
type HeaderError struct {
	File   string
	Line   int    // the header's line: 1, or 2 after a sep=, line
	Column string // the column concerned, if any
	Field  int    // the header field concerned (1-based), if any and Column is not said
	Err    error  // what is wrong: one of the ErrNoHeader ... ErrNoneOfGroup values
	Detail string // the message, when Err's own words do not say it all
}

func (e *HeaderError) Error() string {
	line := max(e.Line, 1)
	msg := e.Err.Error()
	if e.Detail != "" {
		msg = e.Detail
	}
	switch {
	case e.Column != "":
		return fmt.Sprintf("%s: line %d: column %q: %s", e.File, line, e.Column, msg)
	case e.Field > 0:
		return fmt.Sprintf("%s: line %d: column %d: %s", e.File, line, e.Field, msg)
	}
	return fmt.Sprintf("%s: line %d: %s", e.File, line, msg)
}

// Unwrap lets errors.Is match ErrHeader and the fault itself.
func (e *HeaderError) Unwrap() []error { return []error{ErrHeader, e.Err} }

// What can be wrong with a row as CSV (RowError.Err).
var (
	ErrBareQuote    = errors.New(`a quote (") inside an unquoted field`)
	ErrAfterQuote   = errors.New("characters after the closing quote of a field")
	ErrUnterminated = errors.New("a quoted field that never ends")
	ErrFieldCount   = errors.New("a different number of fields from the header")
)

// RowError is a row that cannot be read as one: not valid CSV, or a
// different number of fields from the header. FORMATS.md §1: such a row is a
// reject on its own, reported with its line.
type RowError struct {
	File string
	Line int   // the line the row starts on
	Err  error // ErrBareQuote, ErrAfterQuote, ErrUnterminated or ErrFieldCount
	// ErrFieldCount: the row's fields and the header's.
	Fields, HeaderFields int
	// ErrUnterminated: the file's last line, where the field stops. The
	// lines after Line are read into the field, not as rows: the message
	// says so, since nothing else would.
	LastLine int
}

// Problem is the message without file and line: a reject's error.
func (e *RowError) Problem() string {
	switch e.Err {
	case ErrFieldCount:
		return fmt.Sprintf("has %d fields, the header has %d", e.Fields, e.HeaderFields)
	case ErrUnterminated:
		msg := "not valid CSV: " + e.Err.Error() + ": it runs from line " + strconv.Itoa(e.Line) + " to the end of the file"
		switch {
		case e.LastLine == e.Line+1:
			msg += fmt.Sprintf(" (line %d), so line %d is read as part of this row, not as a row of its own", e.LastLine, e.LastLine)
		case e.LastLine > e.Line+1:
			msg += fmt.Sprintf(" (line %d), so lines %d to %d (%d lines) are read as part of this row, not as rows of their own",
				e.LastLine, e.Line+1, e.LastLine, e.LastLine-e.Line)
		}
		return msg
	}
	return "not valid CSV: " + e.Err.Error()
}

func (e *RowError) Error() string { return fmt.Sprintf("%s: line %d: %s", e.File, e.Line, e.Problem()) }

func (e *RowError) Unwrap() error { return e.Err }

// rowFault returns the fault of a record read at line (nil when it is well
// formed and has want fields); rec is the record's bytes.
func rowFault(r *record, rec []byte, line, want int) *RowError {
	switch {
	case r.problem == ErrUnterminated:
		last := line + r.newlines
		if endsLine(rec) {
			last--
		}
		return &RowError{Line: line, Err: r.problem, LastLine: last}
	case r.problem != nil:
		return &RowError{Line: line, Err: r.problem}
	case len(r.fields) != want:
		return &RowError{Line: line, Err: ErrFieldCount, Fields: len(r.fields), HeaderFields: want}
	}
	return nil
}
