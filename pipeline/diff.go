package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/provenance"
	"github.com/s1resolve/s1resolve/report"
)

// DefaultDiffFolder is where diff writes when no folder is given: a folder
// of its own, so that it never meets another command's outputs.
const DefaultDiffFolder = "diff"

// DiffConfig is a comparison of two decisions files (`s1resolve diff`).
type DiffConfig struct {
	Old, New string // decisions files: CSV, JSON Lines (gzipped or not) or Parquet; "-" is Stdin
	Out      string // folder the comparison is written into, whole; "" means DefaultDiffFolder
	// DB is the store of the run that wrote Old or New, for the device
	// GUIDs of the supplier lists; "" for none.
	DB    string
	Stdin io.Reader
	Names Names
}

// Diff compares two runs' decisions and writes transitions.csv,
// changes.csv, summary.md, report.html and suppliers/ into cfg.Out, a
// folder written whole (job.Folder), all committed as one unit. Each file
// is read once; the same file given twice is compared with itself (no
// change). With a store, which must be of the run that wrote one of the
// two files (ErrNotSameRun), the supplier lists name the device GUIDs of
// the installations it holds.
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
	if cfg.DB != "" {
		if err := j.ReadFolder(cfg.Names.of(ArgStore), cfg.DB); err != nil {
			return nil, err
		}
	}
	out, err := j.Folder(cfg.Names.of(ArgOut), orDefault(cfg.Out, DefaultDiffFolder), diffFolder)
	if err != nil {
		return nil, err
	}
	if err := j.Begin(ctx); err != nil {
		return nil, err
	}
	var st *index.Store
	if cfg.DB != "" {
		if st, err = index.Open(cfg.DB); err != nil {
			return nil, err
		}
		defer st.Close()
	}
	c := report.NewComparison()
	var read []provenance.Input // what each file read was
	if oldIn == newIn {
		// One file, read once: each row is its own earlier and later self.
		var rows []output.Row
		got, err := readDecisions(ctx, oldIn, func(r *output.Row) { rows = append(rows, *r) })
		if err != nil {
			return nil, err
		}
		read = append(read, got)
		for i := range rows {
			c.Old(&rows[i])
		}
		for i := range rows {
			c.New(&rows[i])
		}
	} else {
		for _, f := range []struct {
			in *job.Input
			fn func(*output.Row)
		}{{oldIn, c.Old}, {newIn, c.New}} {
			got, err := readDecisions(ctx, f.in, f.fn)
			if err != nil {
				return nil, err
			}
			read = append(read, got)
		}
	}
	d := c.Diff()
	pv := report.Provenance{Written: now(), PageBuild: provenance.CurrentBuild()}
	for _, f := range []struct {
		in *job.Input
		as string
	}{{oldIn, "earlier decisions"}, {newIn, "later decisions"}} {
		if p, ok := f.in.Digest(); ok {
			p.Name, p.Reason = inputName(f.in), f.as
			pv.Files = append(pv.Files, p)
		}
	}
	if st != nil {
		if err := storeOfEither(st, cfg, read, oldIn, newIn); err != nil {
			return nil, err
		}
		if err := d.FillGUIDs(storeGUIDs(st)); err != nil {
			return nil, err
		}
		pv.Store = cfg.DB
		pv.Notes = append(pv.Notes, fmt.Sprintf("The device GUIDs of the supplier lists are those of the store's run (made %s); an installation it did not have has none.", st.Meta.Created))
	}
	d.SetProvenance(pv)
	if err := writeFiles(out.Path(), d.Files()); err != nil {
		return nil, err
	}
	return d, j.Commit(ctx)
}

// storeOfEither refuses a store that is not of the run that wrote either
// decisions file compared (read: what each was, as readDecisions returns
// it), by their size and xxhash64, or those of the text they hold.
func storeOfEither(st *index.Store, cfg DiffConfig, read []provenance.Input, ins ...*job.Input) error {
	want := st.Meta.Decisions
	if want == nil {
		return fmt.Errorf("%s %s: %w: the store does not record the decisions of its run (made by an older build); run again with --db",
			cfg.Names.of(ArgStore), cfg.DB, ErrNotSameRun)
	}
	for _, got := range read {
		if provenance.SameFile(*want, got) {
			return nil
		}
	}
	var names []string
	for _, in := range ins {
		names = append(names, inputName(in))
	}
	return fmt.Errorf("%s %s: %w: its run wrote %s (%d bytes, xxh64 %s), which is neither %s",
		cfg.Names.of(ArgStore), cfg.DB, ErrNotSameRun, want.Name, want.Bytes, want.XXH64, strings.Join(names, " nor "))
}

// readDecisions reads a decisions file once (output.ReadDecisions), calls
// fn with each row, and returns what was read (bytes and text digests).
func readDecisions(ctx context.Context, in *job.Input, fn func(*output.Row)) (provenance.Input, error) {
	r, text, c, err := openText(ctx, in)
	if err != nil {
		return provenance.Input{}, err
	}
	defer c.Close()
	name := in.Path
	if in.IsStdin() {
		name = "standard input"
	}
	if err := output.ReadDecisions(ctx, r, name, func(_ int, row *output.Row) error { fn(row); return nil }); err != nil {
		return provenance.Input{}, err
	}
	got, _ := decisionsRead(in, text)
	return got, nil
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
