package ingest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

// LoadRegistration reads registration data (FORMATS.md §2: columns mpxn and
// supplier_id) into reg. file is the index the returned rejects name. A
// row with an invalid MPxN or no supplier is a reject; so is an MPxN listed
// again, whose first row stands.
func LoadRegistration(ctx context.Context, path string, file uint16, reg *engine.Registry, opt Options) ([]value.Reject, error) {
	rejects, err := readTable(ctx, path, file, opt, Registration, func(v [][]byte, line uint32) string {
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

// LoadSuppliers reads supplier statuses (FORMATS.md §3: columns supplier_id
// and status) into reg. A supplier listed again is a reject; its first row
// stands.
func LoadSuppliers(ctx context.Context, path string, file uint16, reg *engine.Registry, opt Options) ([]value.Reject, error) {
	first := map[string]uint32{}
	return readTable(ctx, path, file, opt, Suppliers, func(v [][]byte, line uint32) string {
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

// readTable reads a small CSV file of kind k with Reader and calls row
// with the trimmed values of k's columns for each row (nil for an absent
// column); a non-empty result rejects the row. A row that is not valid CSV,
// or has a different number of fields from the header, is a reject.
func readTable(ctx context.Context, path string, file uint16, opt Options, k *Kind, row func(v [][]byte, line uint32) string) ([]value.Reject, error) {
	in, err := openInput(ctx, path, opt.Stdin)
	if err != nil {
		return nil, err
	}
	defer in.stop()
	readErr := func(err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	rd, err := NewReader(in.r, path, k)
	if err != nil {
		if errors.Is(err, ErrHeader) {
			return nil, err
		}
		return nil, readErr(err)
	}
	var rejects []value.Reject
	vals := make([][]byte, len(k.Columns))
	for rd.Next() {
		line := uint32(rd.Line())
		if f := rd.Fault(); f != nil {
			rejects = append(rejects, value.Reject{File: file, Line: line, Error: f.Problem()})
			continue
		}
		for i := range vals {
			vals[i] = rd.Value(i)
		}
		if msg := row(vals, line); msg != "" {
			rejects = append(rejects, value.Reject{File: file, Line: line, Error: msg})
		}
	}
	if err := rd.Err(); err != nil {
		return nil, readErr(err)
	}
	in.done(path, opt)
	return rejects, nil
}
