package ingest

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// LoadRegistration reads registration data (FORMAT.md §2: columns mpxn and
// supplier_id) into reg. file is the index the returned rejects name. A
// row with an invalid MPxN or no supplier is a reject; so is an MPxN listed
// again, whose first row stands.
func LoadRegistration(ctx context.Context, path string, file uint16, reg *engine.Registry, opt Options) ([]value.Reject, error) {
	rejects, err := readTable(ctx, path, file, opt, required("mpxn", "supplier_id"), func(v [][]byte, line uint32) string {
		mpxn, supplier := v[0], v[1]
		var p []string
		k, msg := value.ParseMPxN(mpxn)
		if msg != "" {
			p = append(p, "mpxn: "+msg+" ("+value.QuoteValue(mpxn)+")")
		}
		if len(supplier) == 0 {
			p = append(p, "supplier_id: required value is missing")
		}
		if len(p) > 0 {
			return strings.Join(p, "; ")
		}
		reg.Add(k, string(supplier), line)
		return ""
	})
	if err != nil {
		return nil, err
	}
	for _, d := range reg.Seal(runtime.NumCPU()) {
		rejects = append(rejects, value.Reject{File: file, Line: d.Line,
			Error: fmt.Sprintf("mpxn: %s is listed again; line %d stands", d.Key, d.FirstLine)})
	}
	sort.SliceStable(rejects, func(i, j int) bool { return rejects[i].Line < rejects[j].Line })
	return rejects, nil
}

// LoadSuppliers reads supplier statuses (FORMAT.md §3: columns supplier_id
// and status) into reg. A supplier listed again is a reject; its first row
// stands.
func LoadSuppliers(ctx context.Context, path string, file uint16, reg *engine.Registry, opt Options) ([]value.Reject, error) {
	first := map[string]uint32{}
	return readTable(ctx, path, file, opt, required("supplier_id", "status"), func(v [][]byte, line uint32) string {
		id, status := string(v[0]), v[1]
		var p []string
		if id == "" {
			p = append(p, "supplier_id: required value is missing")
		}
		s := value.LookupWord(status, engine.SupplierStatuses)
		if s < 0 {
			p = append(p, "status: must be live, ceased_trading or not_live_user ("+value.QuoteValue(status)+")")
		}
		if len(p) > 0 {
			return strings.Join(p, "; ")
		}
		if l, dup := first[id]; dup {
			return fmt.Sprintf("supplier_id: %q is listed again; line %d stands", id, l)
		}
		first[id] = line
		reg.SetStatus(id, engine.SupplierStatus(s))
		return ""
	})
}

// tableColumn is a column readTable looks for. An optional one may be
// absent (its values are then empty), but of the columns sharing a oneOf
// group at least one must be there.
type tableColumn struct {
	name     string
	optional bool
	oneOf    string
}

func required(names ...string) []tableColumn {
	cols := make([]tableColumn, len(names))
	for i, n := range names {
		cols[i] = tableColumn{name: n}
	}
	return cols
}

// readTable reads a small CSV file with the named columns (found by name,
// in any order and case; others ignored) and calls row with their trimmed
// values for each row (nil for an absent optional column); a non-empty
// result rejects the row.
func readTable(ctx context.Context, path string, file uint16, opt Options, cols []tableColumn, row func(v [][]byte, line uint32) string) ([]value.Reject, error) {
	in, err := openInput(ctx, path, opt.Stdin)
	if err != nil {
		return nil, err
	}
	defer in.stop()
	data, err := io.ReadAll(in.r)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	in.done(path, opt)
	data = stripBOM(data)
	if len(data) == 0 {
		return nil, &HeaderError{File: path, Problem: "the file is empty: no header"}
	}
	var rec record
	n, _ := parseRecord(data, true, &rec)
	if err := checkText(path, data[:n]); err != nil {
		return nil, err
	}
	if rec.problem != "" {
		return nil, &HeaderError{File: path, Problem: "header is not valid CSV: " + rec.problem}
	}
	pos := make([]int, len(cols))
	groups := map[string][]string{} // oneOf group ("an mpan nor an mprn") -> the names of its columns present
	for i, c := range cols {
		pos[i] = -1
		for j, f := range rec.fields {
			if strings.EqualFold(string(trim(f)), c.name) {
				if pos[i] >= 0 {
					return nil, &HeaderError{File: path, Column: c.name, Problem: "named twice"}
				}
				pos[i] = j
			}
		}
		if c.oneOf != "" {
			if _, ok := groups[c.oneOf]; !ok {
				groups[c.oneOf] = nil
			}
			if pos[i] >= 0 {
				groups[c.oneOf] = append(groups[c.oneOf], c.name)
			}
		}
		if pos[i] < 0 && !c.optional {
			return nil, &HeaderError{File: path, Column: c.name, Problem: "required column is missing"}
		}
	}
	for _, c := range cols {
		if c.oneOf != "" && len(groups[c.oneOf]) == 0 { // as §1: "neither an mpan nor an mprn column"
			return nil, &HeaderError{File: path, Column: c.name, Problem: "the file has neither " + c.oneOf + " column"}
		}
	}
	fields := len(rec.fields)
	line := uint32(1 + rec.newlines)
	data = data[n:]
	var rejects []value.Reject
	vals := make([][]byte, len(cols))
	for len(data) > 0 {
		n, _ := parseRecord(data, true, &rec)
		data = data[n:]
		start := line
		line += uint32(rec.newlines)
		if len(rec.fields) == 1 && len(rec.fields[0]) == 0 && rec.problem == "" {
			continue // blank line
		}
		var msg string
		switch {
		case rec.problem != "":
			msg = "not valid CSV: " + rec.problem
		case len(rec.fields) != fields:
			msg = fmt.Sprintf("has %d fields, the header has %d", len(rec.fields), fields)
		default:
			for i, p := range pos {
				vals[i] = nil
				if p >= 0 {
					vals[i] = trim(rec.fields[p])
				}
			}
			msg = row(vals, start)
		}
		if msg != "" {
			rejects = append(rejects, value.Reject{File: file, Line: start, Error: msg})
		}
	}
	return rejects, nil
}
