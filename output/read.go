package output

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"

	"github.com/s1resolve/s1resolve/ingest"
)

// ReadError is a decisions file that cannot be read as one: the file, the
// line (the row number in a Parquet file; 0 for the file as a whole), the
// column where one is at fault, and what is wrong.
type ReadError struct {
	File   string
	Line   int
	Column string
	Err    error
}

func (e *ReadError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %q", e.Column)
	}
	return b.String() + ": " + e.Err.Error()
}

func (e *ReadError) Unwrap() error { return e.Err }

// Problems a decisions file can have; a ReadError wraps one of them.
var (
	ErrNotDecisions = errors.New("not a decisions file")
	ErrEmpty        = errors.New("the file is empty: no header")
	ErrBadValue     = errors.New("bad value")
	ErrBadOutcome   = errors.New("RULES.md gives no such decision and reason together")
	ErrListedTwice  = errors.New("installation listed twice")
)

// ReadDecisions reads a decisions file (FORMATS.md §4) written by run,
// whatif or another tool: CSV or JSON Lines (gzipped or not) or Parquet,
// told by its content, whatever its name. Columns are found by name (in any
// order; unknown ones ignored). Every row is checked the same way whatever
// the encoding: each value as the column table reads it, the decision and
// reason a pair RULES.md gives, and no installation listed twice. fn is
// called with each row and its line (its row number in Parquet); the row is
// reused. name is used in errors (*ReadError). Cancelling ctx stops the
// reading.
func ReadDecisions(ctx context.Context, r io.Reader, name string, fn func(line int, row *Row) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	magic, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		z, err := ingest.Gunzip(br)
		if err != nil {
			return &ReadError{File: name, Err: err}
		}
		br = bufio.NewReaderSize(z, 1<<16)
	case string(magic) == "PAR1":
		// Parquet is read from its end: the whole file, read once.
		data, err := io.ReadAll(br)
		if err != nil {
			return err
		}
		return readParquet(ctx, data, name, checked(name, fn))
	}
	first, err := br.Peek(64)
	if len(first) == 0 {
		if err != nil && err != io.EOF {
			return err
		}
		return &ReadError{File: name, Err: ErrEmpty}
	}
	first = bytes.TrimLeft(bytes.TrimPrefix(first, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(first) > 0 && first[0] == '{' {
		return readJSONL(ctx, bufio.NewReaderSize(ingest.LineEnds(br), 1<<16), name, checked(name, fn))
	}
	return readCSV(ctx, br, name, checked(name, fn))
}

// rowFunc receives a row read: its line and its values by column (as
// printed; nil where the file has no such value).
type rowFunc func(line int, values *[NumColumns]string) error

// checked returns the rowFunc that reads each row's values through the
// column table, checks it, and passes it to fn.
func checked(name string, fn func(line int, row *Row) error) rowFunc {
	var row Row
	seen := map[uint64]int{} // xxhash64 of each installation's name -> its line
	return func(line int, values *[NumColumns]string) error {
		for i := range columns {
			if p := columns[i].get(&row, values[i]); p != "" {
				return &ReadError{File: name, Line: line, Column: columns[i].name,
					Err: fmt.Errorf("%w: %s (%s)", ErrBadValue, p, strconv.Quote(values[i]))}
			}
		}
		if !row.Outcome().Valid() {
			return &ReadError{File: name, Line: line, Err: fmt.Errorf("%w: %s/%s", ErrBadOutcome, row.Decision, row.Reason)}
		}
		if !row.Outcome().ClauseFits(row.Cohort, row.Clause) {
			return &ReadError{File: name, Line: line, Column: "clause", Err: fmt.Errorf("%w: RULES.md gives %s/%s of cohort %s no clause %s",
				ErrBadValue, row.Decision, row.Reason, row.Cohort, strconv.Quote(row.Clause))}
		}
		h := xxhash.Sum64String(row.Name())
		if at, dup := seen[h]; dup {
			return &ReadError{File: name, Line: line, Err: fmt.Errorf("%w: %s/%s is listed again (line %d)", ErrListedTwice, row.SMSO, row.InstallationID, at)}
		}
		seen[h] = line
		return fn(line, &row)
	}
}

// headerPositions maps each column to its field in a header; an absent
// column is an error naming it.
func headerPositions(name string, header []string) ([NumColumns]int, error) {
	at := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := at[h]; !dup {
			at[h] = i
		}
	}
	var pos [NumColumns]int
	for i, c := range columns {
		p, ok := at[c.name]
		if !ok {
			return pos, &ReadError{File: name, Line: 1, Column: c.name, Err: fmt.Errorf("is missing: %w", ErrNotDecisions)}
		}
		pos[i] = p
	}
	return pos, nil
}

// decisionsKind is the decisions file as package ingest reads it: the
// columns of the column table, each required.
var decisionsKind = func() *ingest.Kind {
	k := &ingest.Kind{Name: "decisions"}
	for _, c := range columns {
		k.Columns = append(k.Columns, ingest.Column{Name: c.name, Need: ingest.Required})
	}
	return k
}()

// readCSV reads a decisions CSV by the rules every input of s1resolve
// follows (ingest.Reader: line ends, BOM, sep=, line, quoting, blank lines,
// values trimmed); a header without a column, or a row that is not valid
// CSV or has another number of fields, is an error naming file and line.
func readCSV(ctx context.Context, r io.Reader, name string, fn rowFunc) error {
	rd, err := ingest.NewReader(r, name, decisionsKind)
	if err != nil {
		if errors.Is(err, ingest.ErrHeader) {
			return fmt.Errorf("%w (%w)", err, ErrNotDecisions)
		}
		return &ReadError{File: name, Line: 1, Err: fmt.Errorf("reading the header: %w", err)}
	}
	var values [NumColumns]string
	var text []byte
	for n := 0; rd.Next(); n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if f := rd.Fault(); f != nil {
			return f
		}
		// One string per row, which the values slice.
		text = text[:0]
		var ends [NumColumns]int
		for i := range values {
			text = append(text, rd.Value(i)...)
			ends[i] = len(text)
		}
		all, start := string(text), 0
		for i := range values {
			values[i] = all[start:ends[i]]
			start = ends[i]
		}
		if err := fn(rd.Line(), &values); err != nil {
			return err
		}
	}
	if err := rd.Err(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return &ReadError{File: name, Err: err}
	}
	return nil
}

func readJSONL(ctx context.Context, br *bufio.Reader, name string, fn rowFunc) error {
	var values [NumColumns]string
	var buf []byte
	for line := 1; ; line++ {
		if line%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// A line of any length: ReadSlice returns it in parts when it
		// outgrows the buffer.
		buf = buf[:0]
		var err error
		for {
			var part []byte
			part, err = br.ReadSlice('\n')
			buf = append(buf, part...)
			if !errors.Is(err, bufio.ErrBufferFull) {
				break
			}
		}
		if err != nil && err != io.EOF {
			return &ReadError{File: name, Line: line, Err: err}
		}
		text := bytes.TrimSpace(buf)
		if line == 1 {
			text = bytes.TrimSpace(bytes.TrimPrefix(text, []byte("\xef\xbb\xbf")))
		}
		if len(text) > 0 {
			obj, jerr := jsonObject(text)
			if jerr != nil {
				return &ReadError{File: name, Line: line, Err: fmt.Errorf("not a JSON object of values: %v", jerr)}
			}
			for i, c := range columns {
				v, present := obj[c.name]
				switch v := v.(type) {
				case string:
					if c.kind == number {
						return &ReadError{File: name, Line: line, Column: c.name, Err: fmt.Errorf("%w: a string, want a number", ErrBadValue)}
					}
					values[i] = v
				case float64:
					if c.kind != number {
						return &ReadError{File: name, Line: line, Column: c.name, Err: fmt.Errorf("%w: a number, want a string", ErrBadValue)}
					}
					values[i] = strconv.FormatFloat(v, 'f', -1, 64)
				case nil:
					if !present {
						return &ReadError{File: name, Line: line, Column: c.name, Err: fmt.Errorf("key is missing: %w", ErrNotDecisions)}
					}
					values[i] = "" // null: no value, as Parquet's nulls
				default:
					return &ReadError{File: name, Line: line, Column: c.name, Err: fmt.Errorf("%w: neither a string nor a number", ErrBadValue)}
				}
			}
			if err := fn(line, &values); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// jsonObject reads a JSON object of scalar values, refusing a key given
// twice (which a map would silently keep the last of).
func jsonObject(text []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("it does not start with {")
	}
	obj := map[string]any{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := t.(string)
		if _, dup := obj[key]; dup {
			return nil, fmt.Errorf("key %q is given twice", key)
		}
		v, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch x := v.(type) {
		case json.Delim:
			return nil, fmt.Errorf("key %q holds an object or array, not a value", key)
		case json.Number:
			f, err := x.Float64()
			if err != nil {
				return nil, err
			}
			obj[key] = f
		default:
			obj[key] = x
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return nil, errors.New("it does not end with }")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("text after the object")
	}
	return obj, nil
}
