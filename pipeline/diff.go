package pipeline

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/report"
)

// DiffConfig is a comparison of two decisions files (`s1resolve diff`).
type DiffConfig struct {
	Old, New string // decisions files: CSV, JSON Lines or Parquet, told by the name
	Out      string // folder the comparison is written into; "" means "."
}

// Diff compares two runs' decisions and writes transitions.csv,
// changes.csv, summary.md, report.html and suppliers/ into cfg.Out, all
// committed as one unit; it refuses, before reading, an output that is an
// input.
func Diff(ctx context.Context, cfg DiffConfig) (*report.Diff, error) {
	var p paths.Plan
	if err := p.Input("", cfg.Old); err != nil {
		return nil, err
	}
	if err := p.Input("", cfg.New); err != nil {
		return nil, err
	}
	outs, err := planDiffOutputs(&p, cfg.Out)
	if err != nil {
		return nil, err
	}
	d, err := report.CompareFiles(cfg.Old, cfg.New)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return d, outs.write(d.Files(), nil)
}

// diffOutputs are the files of a comparison, resolved: named files in the
// folder, and the suppliers/ folder written whole.
type diffOutputs struct {
	files     map[string]paths.Target
	suppliers paths.Folder
}

// planDiffOutputs resolves the comparison's files in dir, and extra named
// files beside them.
func planDiffOutputs(p *paths.Plan, dir string, extra ...string) (*diffOutputs, error) {
	if dir == "" {
		dir = "."
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, &paths.Error{Arg: "--out " + dir, Problem: "is not an existing folder"}
	}
	o := &diffOutputs{files: map[string]paths.Target{}}
	for _, name := range append(extra, report.DiffFiles...) {
		t, err := p.Output("--out", filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		o.files[name] = t
	}
	f, err := p.Folder("--out", filepath.Join(dir, "suppliers"), "a folder of supplier lists", supplierLists)
	if err != nil {
		return nil, err
	}
	o.suppliers = f
	return o, nil
}

// supplierLists accepts what a comparison writes in suppliers/.
func supplierLists(rel string, d fs.DirEntry) bool {
	return !d.IsDir() && !strings.Contains(rel, string(filepath.Separator)) && strings.HasSuffix(rel, ".csv")
}

// write writes files (names as in report.Diff.Files, "suppliers/x.csv"
// into the suppliers folder) and then decisions, when not nil, as the
// file "decisions.csv"; all are placed together, decisions last.
func (o *diffOutputs) write(files map[string][]byte, decisions func(io.Writer) error) error {
	dir, err := output.CreateDir(o.suppliers)
	if err != nil {
		return err
	}
	items := []output.Pending{dir}
	abort := func() {
		for _, it := range items {
			if a, ok := it.(interface{ Abort() }); ok {
				a.Abort()
			}
		}
	}
	for name, data := range files {
		if rest, ok := strings.CutPrefix(name, "suppliers"+string(filepath.Separator)); ok {
			if err := os.WriteFile(filepath.Join(dir.Path(), rest), data, 0o600); err != nil {
				abort()
				return err
			}
		}
	}
	for _, name := range report.DiffFiles {
		f, err := output.CreateTarget(o.files[name], nil)
		if err != nil {
			abort()
			return err
		}
		items = append(items, f)
		if _, err := f.Write(files[name]); err != nil {
			abort()
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	if decisions != nil {
		f, err := output.CreateTarget(o.files["decisions.csv"], nil)
		if err != nil {
			abort()
			return err
		}
		items = append(items, f)
		if err := decisions(f); err != nil {
			abort()
			return err
		}
	}
	return output.Commit(items...)
}
