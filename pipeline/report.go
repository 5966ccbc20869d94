package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/report"
)

// DefaultReportFolder is where report writes when no folder is given.
const DefaultReportFolder = "report"

// ReportConfig is the reports of a decisions file (`s1resolve report`).
type ReportConfig struct {
	Decisions string // decisions file: CSV, JSON Lines (gzipped or not) or Parquet; "-" is Stdin
	// DB is the store of the run that wrote the decisions, for the device
	// GUIDs of the supplier lists; "" for none.
	DB    string
	Out   string // the report folder, written whole; "" means DefaultReportFolder
	Stdin io.Reader
	Names Names
}

// ErrNotSameRun is wrapped when a decisions file and a store given together
// are not of the same run.
var ErrNotSameRun = errors.New("not the decisions of the run that made the store")

// Report writes the reports of a decisions file into cfg.Out: summary.csv,
// summary.md, by_smso.csv, report.html and suppliers/. With a store, the
// supplier lists name each installation's device GUIDs, and the decisions
// must be the very file the store's run wrote (its size and xxhash64, which
// the store records): a pair that does not belong together is refused, and
// nothing is written.
func Report(ctx context.Context, cfg ReportConfig) (*report.Report, error) {
	j := job.New(job.Streams{Stdin: cfg.Stdin})
	defer j.Abort()
	in, err := j.Input(cfg.Names.of(ArgDecisions), cfg.Decisions)
	if err != nil {
		return nil, err
	}
	if cfg.DB != "" {
		if err := j.ReadFolder(cfg.Names.of(ArgStore), cfg.DB); err != nil {
			return nil, err
		}
	}
	out, err := j.Folder(cfg.Names.of(ArgReport), orDefault(cfg.Out, DefaultReportFolder), reportFolder)
	if err != nil {
		return nil, err
	}
	if err := j.Begin(ctx); err != nil {
		return nil, err
	}
	var guids report.GUIDsOf
	var st *index.Store
	if cfg.DB != "" {
		if st, err = index.Open(cfg.DB); err != nil {
			return nil, err
		}
		defer st.Close()
		guids = func(smso, id string) ([]string, error) {
			n, ok, err := st.ByName(smso, id)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("%s %s: %w: installation %s/%s is not in it", cfg.Names.of(ArgStore), cfg.DB, ErrNotSameRun, smso, id)
			}
			rec, err := st.Installation(n)
			if err != nil {
				return nil, err
			}
			out := make([]string, len(rec.Devices))
			for i, d := range rec.Devices {
				out[i] = d.GUID.String()
			}
			return out, nil
		}
	}
	r, err := in.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	rep, err := report.FromDecisions(ctx, r, in.Path, guids)
	if err != nil {
		return nil, err
	}
	if st != nil {
		if err := sameRun(st, in, cfg); err != nil {
			return nil, err
		}
		rs, err := st.RuleSet()
		if err != nil {
			return nil, err
		}
		rep.NotInForce = rs.NotInForce.Names()
	}
	if err := rep.Write(out.Path()); err != nil {
		return nil, fmt.Errorf("writing the reports in %s: %w", out.Arg, err)
	}
	return rep, j.Commit(ctx)
}

// sameRun refuses a decisions file that is not the one the store's run
// wrote, by their size and xxhash64.
func sameRun(st *index.Store, in *job.Input, cfg ReportConfig) error {
	got, ok := in.Digest()
	want := st.Meta.Decisions
	switch {
	case !ok:
		return fmt.Errorf("%s: read only in part", in.Path)
	case want == nil:
		return fmt.Errorf("%s %s: %w: the store does not record the decisions of its run (made by an older build); run again with --db",
			cfg.Names.of(ArgStore), cfg.DB, ErrNotSameRun)
	case want.Bytes != got.Bytes || want.XXH64 != got.XXH64:
		return fmt.Errorf("%s %s: %w: its run wrote %s (%d bytes, xxh64 %s); %s is %d bytes, xxh64 %s",
			cfg.Names.of(ArgStore), cfg.DB, ErrNotSameRun, want.Name, want.Bytes, want.XXH64, in.Path, got.Bytes, got.XXH64)
	}
	return nil
}
