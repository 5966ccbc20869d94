package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
)

// columns are the decisions columns a report reads (FORMAT.md §4).
var columns = []string{"smso", "installation_id", "cohort", "decision", "reason", "clause", "mpan", "mprn", "supplier_id", "notify_supplier"}

// FromDecisions builds a report from a decisions file (FORMAT.md §4), CSV
// or JSON Lines (told by its first byte). guids, when not nil, returns the
// device GUIDs of an installation for the supplier lists. A decision or
// reason that RULES.md does not name is an error naming the file and line:
// a report must not count what it cannot place.
func FromDecisions(r io.Reader, name string, guids func(smso, id string) []string) (*Report, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	first, _ := br.Peek(64)
	first = bytes.TrimLeft(bytes.TrimPrefix(first, []byte("\xef\xbb\xbf")), " \t\r\n")
	read := readCSV
	if len(first) > 0 && first[0] == '{' {
		read = readJSONL
	}
	rep := New()
	err := read(br, name, func(line int, v []string) error {
		row := Row{SMSO: v[0], InstallationID: v[1], Cohort: v[2], Decision: v[3], Reason: v[4], Clause: v[5],
			MPAN: v[6], MPRN: v[7], Supplier: v[8], Notify: v[9]}
		if _, ok := engine.ParseDecision(row.Decision); !ok {
			return fmt.Errorf("%s: line %d: decision %q is not one RULES.md names", name, line, row.Decision)
		}
		if _, ok := engine.ParseReason(row.Reason); !ok {
			return fmt.Errorf("%s: line %d: reason %q is not one RULES.md names", name, line, row.Reason)
		}
		if guids != nil && row.Decision != engine.Migrate.String() {
			row.GUIDs = guids(row.SMSO, row.InstallationID)
		}
		rep.Add(row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// readCSV calls row with the values of columns for each record.
func readCSV(r io.Reader, name string, row func(line int, v []string) error) error {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: reading the header: %w", name, err)
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.TrimSpace(strings.ToLower(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	idx := make([]int, len(columns))
	for i, c := range columns {
		p, ok := cols[c]
		if !ok {
			return fmt.Errorf("%s: line 1: column %q is missing: not a decisions file", name, c)
		}
		idx[i] = p
	}
	v := make([]string, len(columns))
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for i, p := range idx {
			v[i] = rec[p]
		}
		line, _ := cr.FieldPos(0)
		if err := row(line, v); err != nil {
			return err
		}
	}
}

// readJSONL calls row with the values of columns for each line.
func readJSONL(r io.Reader, name string, row func(line int, v []string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	v := make([]string, len(columns))
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal(text, &obj); err != nil {
			return fmt.Errorf("%s: line %d: not a JSON object: %v", name, line, err)
		}
		for i, c := range columns {
			val, ok := obj[c]
			if !ok {
				return fmt.Errorf("%s: line %d: key %q is missing: not a decisions file", name, line, c)
			}
			s, ok := val.(string)
			if !ok {
				return fmt.Errorf("%s: line %d: %q is not a string", name, line, c)
			}
			v[i] = s
		}
		if err := row(line, v); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
