package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/report"
)

// DefaultDiffFolder is where diff writes when no folder is given: a folder
// of its own, so that it never meets another command's outputs.
const DefaultDiffFolder = "diff"

// DiffConfig is a comparison of two decisions files (`s1resolve diff`).
type DiffConfig struct {
	Old, New string // decisions files: CSV, JSON Lines (gzipped or not) or Parquet; "-" is Stdin
	Out      string // folder the comparison is written into, whole; "" means DefaultDiffFolder
	Stdin    io.Reader
	Names    Names
}

// Diff compares two runs' decisions and writes transitions.csv,
// changes.csv, summary.md, report.html and suppliers/ into cfg.Out, a
// folder written whole (job.Folder), all committed as one unit. Each file
// is read once; the same file given twice is compared with itself (no
// change).
func Diff(ctx context.Context, cfg DiffConfig) (*report.Diff, error) {
	j := job.New(job.Streams{Stdin: cfg.Stdin})
	defer j.Abort()
	oldIn, err := j.SameInput(cfg.Names.of(ArgInstallations), cfg.Old)
	if err != nil {
		return nil, err
	}
	newIn, err := j.SameInput(cfg.Names.of(ArgInstallations), cfg.New)
	if err != nil {
		return nil, err
	}
	out, err := j.Folder(cfg.Names.of(ArgOut), orDefault(cfg.Out, DefaultDiffFolder), diffFolder)
	if err != nil {
		return nil, err
	}
	if err := j.Begin(ctx); err != nil {
		return nil, err
	}
	c := report.NewComparison()
	if oldIn == newIn {
		// One file, read once: each row is its own earlier and later self.
		var rows []output.Row
		if err := readDecisions(ctx, oldIn, func(r *output.Row) { rows = append(rows, *r) }); err != nil {
			return nil, err
		}
		for i := range rows {
			c.Old(&rows[i])
		}
		for i := range rows {
			c.New(&rows[i])
		}
	} else {
		if err := readDecisions(ctx, oldIn, c.Old); err != nil {
			return nil, err
		}
		if err := readDecisions(ctx, newIn, c.New); err != nil {
			return nil, err
		}
	}
	d := c.Diff()
	if err := writeFiles(out.Path(), d.Files()); err != nil {
		return nil, err
	}
	return d, j.Commit(ctx)
}

// readDecisions reads a decisions file once (output.ReadDecisions) and
// calls fn with each row.
func readDecisions(ctx context.Context, in *job.Input, fn func(*output.Row)) error {
	r, err := in.Open(ctx)
	if err != nil {
		return err
	}
	defer r.Close()
	name := in.Path
	if in.IsStdin() {
		name = "standard input"
	}
	return output.ReadDecisions(ctx, r, name, func(_ int, row *output.Row) error { fn(row); return nil })
}

// writeFiles writes files (names relative to dir, suppliers/x.csv among
// them) into dir, a folder being written whole.
func writeFiles(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(filepath.Join(dir, "suppliers"), 0o700); err != nil {
		return err
	}
	for name, data := range files {
		if strings.Contains(name, "..") {
			return fmt.Errorf("internal error: output name %q", name)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
