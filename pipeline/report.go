package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/provenance"
	"github.com/s1resolve/s1resolve/report"
)

// DefaultReportFolder is where report writes when no folder is given.
const DefaultReportFolder = "report"

// ReportConfig is the reports of a decisions file (`s1resolve report`).
type ReportConfig struct {
	Decisions string // decisions file: CSV, JSON Lines (gzipped or not) or Parquet; "-" is Stdin
	// DB is the store of the run that wrote the decisions, for the device
	// GUIDs of the supplier lists and the page's account of the run; ""
	// for none.
	DB  string
	Out string // the report folder, written whole; "" means DefaultReportFolder
	// Supplier, when set, restricts the report to that Responsible
	// Supplier's installations (report.Report.OnlySupplier): its pack.
	Supplier string
	Stdin    io.Reader
	Names    Names
	// Warn, when set, is told what the report leaves out and why (the
	// device GUIDs without a store).
	Warn func(string)
}

// ErrNotSameRun is wrapped when a decisions file and a store given together
// are not of the same run.
var ErrNotSameRun = errors.New("not the decisions of the run that made the store")

// ErrNoSuchSupplier is wrapped when the supplier asked for has no
// installation in the decisions.
var ErrNoSuchSupplier = errors.New("no installation has this Responsible Supplier")

// Report writes the reports of a decisions file into cfg.Out: summary.csv,
// summary.md, by_smso.csv, report.html and suppliers/. With a store, the
// supplier lists name each installation's device GUIDs and the page what
// produced the run, and the decisions must be the very file the store's
// run wrote (its size and xxhash64, which the store records): a pair that
// does not belong together is refused, and nothing is written. Without
// one, the supplier lists have no device_guids column, and cfg.Warn is
// told so.
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
	rep := report.New()
	if cfg.Supplier != "" {
		rep.OnlySupplier(cfg.Supplier)
	}
	var guids report.GUIDsOf
	var st *index.Store
	if cfg.DB != "" {
		if st, err = index.Open(cfg.DB); err != nil {
			return nil, err
		}
		defer st.Close()
		of := storeGUIDs(st)
		guids = func(smso, id string) ([]string, error) {
			g, ok, err := of(smso, id)
			if err == nil && !ok {
				err = fmt.Errorf("%s %s: %w: installation %s/%s is not in it", cfg.Names.of(ArgStore), cfg.DB, ErrNotSameRun, smso, id)
			}
			return g, err
		}
	}
	// Said once the decisions are read: a file that is not a decisions file
	// is its own error, without this beside it.
	warnNoGUIDs := func() {
		if cfg.DB == "" && cfg.Warn != nil {
			cfg.Warn(fmt.Sprintf("without %s the device GUIDs are not known: the supplier lists leave the device_guids column out "+
				"(give the store of the run that wrote %s to name them)", cfg.Names.of(ArgStore), in.Path))
		}
	}
	r, text, c, err := openText(ctx, in)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := rep.ReadDecisions(ctx, r, in.Path, guids); err != nil {
		return nil, err
	}
	warnNoGUIDs()
	if st != nil {
		if err := sameRun(st, in, text, cfg); err != nil {
			return nil, err
		}
		rs, err := st.RuleSet()
		if err != nil {
			return nil, err
		}
		rep.NotInForce = rs.NotInForce.Names()
	}
	if cfg.Supplier != "" && rep.Total() == 0 {
		return nil, fmt.Errorf("%s %s: %w in %s", cfg.Names.of(ArgReportSupplier), cfg.Supplier, ErrNoSuchSupplier, inputName(in))
	}
	rep.SetProvenance(reportProvenance(in, st, cfg))
	if st != nil {
		a := report.UnknownAccount()
		a.RejectedInstallations, a.Smets2Read = st.Meta.RejectedInstallations, st.Meta.Smets2
		if m := st.Meta.Account; m != nil { // a store of an older build does not say
			a.RejectedRows, a.RejectedReferenceRows, a.Smets2Linked, a.Smets2Rejected = m.RejectedRows, m.RejectedReferenceRows, m.Smets2Linked, m.Smets2Rejected
		}
		rep.SetAccount(a)
	}
	if err := rep.Write(out.Path()); err != nil {
		return nil, fmt.Errorf("writing the reports in %s: %w", out.Arg, err)
	}
	return rep, j.Commit(ctx)
}

// reportProvenance says where the decisions of a report come from: the
// decisions file as read, and with a store what produced its run.
func reportProvenance(in *job.Input, st *index.Store, cfg ReportConfig) report.Provenance {
	pv := report.Provenance{Written: now(), PageBuild: provenance.CurrentBuild()}
	if d, ok := in.Digest(); ok {
		d.Reason = "decisions"
		d.Name = inputName(in)
		pv.Files = append(pv.Files, d)
	}
	if st == nil {
		pv.Notes = append(pv.Notes, fmt.Sprintf("Made from a decisions file alone: when and from which inputs, under which rules and by which build "+
			"its run decided is not known here. Give %s, the store of that run, for the page to say so.", cfg.Names.of(ArgStore)))
		return pv
	}
	m := st.Meta
	pv.Decided, pv.Store = m.Created, cfg.DB
	pv.Files = append(pv.Files, m.Inputs...)
	b := m.Build
	pv.Build = &b
	pv.Rules, pv.RulesTitle = m.Rules, "Rules in force in the run"
	return pv
}

// storeGUIDs returns the device GUIDs of an installation of the store
// st, and whether the store holds it.
func storeGUIDs(st *index.Store) func(smso, id string) ([]string, bool, error) {
	return func(smso, id string) ([]string, bool, error) {
		n, ok, err := st.ByName(smso, id)
		if err != nil || !ok {
			return nil, false, err
		}
		rec, err := st.Installation(n)
		if err != nil {
			return nil, false, err
		}
		return report.DeviceGUIDs(rec.Devices), true, nil
	}
}

// now is the time a page is written: UTC, to the second (RFC 3339).
func now() string { return time.Now().UTC().Format(time.RFC3339) }

// inputName is an input's name as a page shows it.
func inputName(in *job.Input) string {
	if in.IsStdin() {
		return "standard input"
	}
	return in.Path
}

// sameRun refuses a decisions file that is not the one the store's run
// wrote, by their size and xxhash64, or those of the text they hold (a
// gzipped or gunzipped copy).
func sameRun(st *index.Store, in *job.Input, text *textDigest, cfg ReportConfig) error {
	got, ok := decisionsRead(in, text)
	want := st.Meta.Decisions
	switch {
	case !ok:
		return fmt.Errorf("%s: read only in part", in.Path)
	case want == nil:
		return fmt.Errorf("%s %s: %w: the store does not record the decisions of its run (made by an older build); run again with --db",
			cfg.Names.of(ArgStore), cfg.DB, ErrNotSameRun)
	case !provenance.SameFile(*want, got):
		return fmt.Errorf("%s %s: %w: its run wrote %s (%d bytes, xxh64 %s); %s is %d bytes, xxh64 %s",
			cfg.Names.of(ArgStore), cfg.DB, ErrNotSameRun, want.Name, want.Bytes, want.XXH64, in.Path, got.Bytes, got.XXH64)
	}
	return nil
}
