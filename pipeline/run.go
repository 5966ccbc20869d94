// Package pipeline runs the whole job: load the installation files, resolve
// them, persist the store and write decisions, rejects and summary.
package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/ingest"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/report"
)

// Config is one run.
type Config struct {
	Inputs []string
	// Registration and Suppliers are the optional FORMAT.md §2 and §3
	// files; "" for none.
	Registration string
	Suppliers    string
	// Rules configures steps 3 to 5; nil means DefaultRules.
	Rules *engine.RuleSet
	// DuplicatesOnly applies steps 1, 2 and 6 alone: a baseline for
	// benchmarks, not a reading of RULES.md.
	DuplicatesOnly bool
	DB             string // store directory; "" means a temporary one, removed at the end
	Out            string // decisions file, "-" for standard output
	Rejects        string
	Summary        string // "" for none
	Report         string // directory for the reports (package report); "" for none
	Format         output.Format
	Workers        int
	Progress       *Progress // may be nil
	Stdout         io.Writer // where "-" writes; nil means os.Stdout
}

// Progress tells an observer which phase a run is in and how far its load got.
type Progress struct {
	Load  ingest.Progress
	phase atomicString
}

// Phase returns the current phase name.
func (p *Progress) Phase() string { return p.phase.Load() }

// Run does the job described by cfg and returns its summary. On error no
// output exists under its final name.
func Run(ctx context.Context, cfg Config) (*output.Summary, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.Progress == nil {
		cfg.Progress = &Progress{}
	}
	sum := &output.Summary{Files: cfg.Inputs, PhaseSeconds: map[string]float64{}}
	start := time.Now()
	phase := func(name string) func() {
		cfg.Progress.phase.Store(name)
		t := time.Now()
		return func() { sum.PhaseSeconds[name] = time.Since(t).Seconds() }
	}

	// Open the outputs first: an unwritable place fails before the work.
	outs, err := openOutputs(cfg)
	if err != nil {
		return nil, err
	}
	defer outs.abort()

	done := phase("load")
	var reg *engine.Registry
	var regRejects []ingest.Reject
	files := append([]string(nil), cfg.Inputs...) // every input, in the order rejects are listed
	lg, _ := errgroup.WithContext(ctx)
	if cfg.Registration != "" || cfg.Suppliers != "" {
		reg = engine.NewRegistry()
		regFile, supFile := uint16(len(files)), uint16(len(files))
		if cfg.Registration != "" {
			files = append(files, cfg.Registration)
			supFile++
		}
		if cfg.Suppliers != "" {
			files = append(files, cfg.Suppliers)
		}
		lg.Go(func() error {
			if cfg.Registration != "" {
				r, err := ingest.LoadRegistration(cfg.Registration, regFile, reg)
				if err != nil {
					return err
				}
				regRejects = append(regRejects, r...)
			}
			if cfg.Suppliers != "" {
				r, err := ingest.LoadSuppliers(cfg.Suppliers, supFile, reg)
				if err != nil {
					return err
				}
				regRejects = append(regRejects, r...)
			}
			return nil
		})
	}
	loaded, err := ingest.Load(ctx, cfg.Inputs, ingest.Options{Workers: cfg.Workers}, &cfg.Progress.Load)
	if werr := lg.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		return nil, err
	}
	done()
	pop := loaded.Population
	rejects := append(loaded.Rejects, regRejects...)

	done = phase("resolve")
	rules := engine.DefaultRules()
	if cfg.Rules != nil {
		rules = *cfg.Rules
	}
	// Step 3 applies only when registration data is given.
	resolver := &engine.Resolver{Workers: cfg.Workers, Rules: rules.Rules(cfg.Registration != ""), Registry: reg}
	if cfg.DuplicatesOnly {
		resolver.Rules = nil
	}
	res, err := resolver.Resolve(ctx, pop)
	if err != nil {
		return nil, err
	}
	done()

	done = phase("write")
	dbDir := cfg.DB
	if dbDir == "" {
		dbDir, err = os.MkdirTemp("", "s1resolve-db-*")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dbDir)
	}
	// Badger dies of SIGBUS when its disk fills, so check for room first,
	// counting the outputs when they share the store's filesystem.
	var outBytes uint64
	if sameDevice(dbDir, filepath.Dir(cfg.Out)) && cfg.Out != "-" {
		outBytes = uint64(len(pop.Installations))*140 + uint64(len(rejects))*200
	}
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating store %s: %w", dbDir, err)
	}
	storeReg := reg
	if cfg.Registration == "" {
		storeReg = nil
	}
	if err := index.CheckSpace(dbDir, pop, storeReg, outBytes); err != nil {
		return nil, err
	}
	var storeTime, outputsTime time.Duration // each set by its own goroutine
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		t := time.Now()
		x := index.Extras{Rules: rules, Registration: cfg.Registration}
		if cfg.Registration != "" {
			x.Registry = reg
		}
		err := index.Write(gctx, dbDir, pop, res, x, cfg.Workers)
		storeTime = time.Since(t)
		return err
	})
	g.Go(func() error {
		t := time.Now()
		d := &output.Decisions{Pop: pop, Res: res, Format: cfg.Format, Workers: cfg.Workers}
		if reg != nil {
			d.Supplier = func(id uint32) (string, bool) { return reg.SupplierName(res.Supplier(id)) }
		}
		if err := output.WriteDecisions(gctx, outs.decisions, d); err != nil {
			return fmt.Errorf("writing %s: %w", cfg.Out, err)
		}
		if err := output.WriteRejects(outs.rejects, files, rejects); err != nil {
			return fmt.Errorf("writing %s: %w", cfg.Rejects, err)
		}
		outputsTime = time.Since(t)
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sum.PhaseSeconds["store"], sum.PhaseSeconds["outputs"] = storeTime.Seconds(), outputsTime.Seconds()
	st := loaded.Stats
	sum.Rows, sum.BlankLines, sum.Bytes = st.Rows, st.BlankLines, st.Bytes
	sum.Installations, sum.RejectedInstallations, sum.RejectedRows = st.Installations, st.RejectedInstallations, st.RejectedRows
	sum.RejectedReferenceRows = len(regRejects)
	if reg != nil {
		sum.RegisteredMPxNs = reg.Len()
	}
	sum.RowsDecided = len(pop.Devices)
	sum.Count(res)
	if int64(sum.RowsDecided+sum.RejectedRows) != sum.Rows {
		return nil, fmt.Errorf("internal error: %d rows read but %d decided and %d rejected", sum.Rows, sum.RowsDecided, sum.RejectedRows)
	}
	done()
	sum.Seconds = time.Since(start).Seconds()
	if sum.Seconds > 0 {
		sum.RowsPerSecond = float64(sum.Rows) / sum.Seconds
	}
	if cfg.Report != "" {
		t := time.Now()
		if err := buildReport(pop, res, reg).Write(cfg.Report); err != nil {
			return nil, fmt.Errorf("writing the reports in %s: %w", cfg.Report, err)
		}
		sum.PhaseSeconds["report"] = time.Since(t).Seconds()
	}
	if cfg.Summary != "" {
		if err := sum.WriteJSON(outs.summary); err != nil {
			return nil, fmt.Errorf("writing %s: %w", cfg.Summary, err)
		}
	}
	if err := outs.commit(); err != nil {
		return nil, err
	}
	return sum, nil
}

type outputs struct {
	decisions, rejects, summary *output.File
	all                         []*output.File
}

func openOutputs(cfg Config) (*outputs, error) {
	o := &outputs{}
	for _, x := range []struct {
		path string
		f    **output.File
	}{{cfg.Out, &o.decisions}, {cfg.Rejects, &o.rejects}, {cfg.Summary, &o.summary}} {
		if x.path == "" {
			continue
		}
		f, err := output.Create(x.path, cfg.Stdout)
		if err != nil {
			o.abort()
			return nil, err
		}
		*x.f = f
		o.all = append(o.all, f)
	}
	if o.decisions == nil || o.rejects == nil {
		o.abort()
		return nil, fmt.Errorf("decisions and rejects outputs are required")
	}
	return o, nil
}

// commit renames every output into place; decisions last, so that a
// decisions file under its final name means the run completed.
func (o *outputs) commit() error {
	for i := len(o.all) - 1; i >= 0; i-- {
		if err := o.all[i].Commit(); err != nil {
			return err
		}
	}
	return nil
}

func (o *outputs) abort() {
	for _, f := range o.all {
		f.Abort()
	}
}

// buildReport feeds every decision to a report, with the device GUIDs of
// the installations that go on the suppliers' lists.
func buildReport(pop *engine.Population, res *engine.Result, reg *engine.Registry) *report.Report {
	rep := report.New()
	for id := range pop.Installations {
		in := &pop.Installations[id]
		o := res.Outcomes[id]
		supplier, notify := reg.SupplierName(res.Supplier(uint32(id)))
		row := report.Row{SMSO: in.SMSO(), InstallationID: in.ID(), Cohort: in.Cohort.String(),
			Decision: o.Decision.String(), Reason: o.Reason.String(), Clause: o.Clause(in.Cohort),
			MPAN: in.MPAN.String(), MPRN: in.MPRN.String(), Supplier: supplier, Notify: "Y"}
		if !notify {
			row.Notify = "N"
		}
		if o.Decision != engine.Migrate {
			for _, d := range pop.DevicesOf(uint32(id)) {
				row.GUIDs = append(row.GUIDs, string(ingest.AppendGUID(nil, d.GUID)))
			}
		}
		rep.Add(row)
	}
	return rep
}

// sameDevice reports whether two paths are on one filesystem.
func sameDevice(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA != nil || errB != nil {
		return false
	}
	da, okA := sa.Sys().(*syscall.Stat_t)
	db, okB := sb.Sys().(*syscall.Stat_t)
	return okA && okB && da.Dev == db.Dev
}
