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
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/cespare/xxhash/v2"
	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/ingest"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/provenance"
	"github.com/s1resolve/s1resolve/report"
	"github.com/s1resolve/s1resolve/value"
)

// Config is one run.
type Config struct {
	Inputs []string
	// Registration and Suppliers are the optional FORMAT.md §2 and §3
	// files; "" for none.
	Registration string
	Suppliers    string
	// Smets2 is the optional SMETS2+ inventory (FORMAT.md §6); "" for none.
	Smets2 string
	// Rules are the step 5 thresholds and the clauses in force; nil means
	// DefaultRules.
	Rules *engine.RuleSet
	// DuplicatesOnly applies steps 1, 2 and 6 alone: a baseline for
	// benchmarks, not a reading of RULES.md.
	DuplicatesOnly bool
	DB             string // store directory; "" for none (no store is written)
	Out            string // decisions file, "-" for standard output
	Rejects        string
	Summary        string // "" for none
	Report         string // directory for the reports (package report); "" for none
	Format         output.Format
	Workers        int
	Progress       *Progress // may be nil
	Stdout         io.Writer // where "-" writes; nil means os.Stdout
	Stdin          io.Reader // what the input "-" reads; nil means os.Stdin
	// RulesFile is the file Rules came from ("" for none): an input, so
	// no output may overwrite it.
	RulesFile string
	// CPUProfile is where the command writes a CPU profile ("" for none):
	// an output checked with the others; Run does not write it.
	CPUProfile string
	// Warn, when set, is told of anything that is legal but probably a
	// slip (a registration file with no rows), before and during the
	// work; the summary lists the same warnings.
	Warn func(string)
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
	r := &run{cfg: cfg, sum: &output.Summary{Files: cfg.Inputs, PhaseSeconds: map[string]float64{}, Build: provenance.CurrentBuild()}}
	start := time.Now()

	// Check the arguments against one another and open the outputs first:
	// a slip or an unwritable place fails before the work.
	pl, err := cfg.plan()
	if err != nil {
		return nil, err
	}
	if cfg.Suppliers != "" && cfg.Registration == "" {
		r.warn("--suppliers has no effect without --registration: no installation has a Responsible Supplier, so every notify_supplier is Y")
	}
	outs, err := openOutputs(cfg, pl)
	if err != nil {
		return nil, err
	}
	defer outs.abort()
	r.outs = outs

	for _, p := range []struct {
		name string
		do   func(context.Context) error
	}{{"load", r.load}, {"resolve", r.resolve}, {"write", r.write}} {
		cfg.Progress.phase.Store(p.name)
		t := time.Now()
		if err := p.do(ctx); err != nil {
			return nil, err
		}
		r.sum.PhaseSeconds[p.name] = time.Since(t).Seconds()
	}
	if err := r.count(); err != nil {
		return nil, err
	}
	r.sum.Seconds = time.Since(start).Seconds()
	if r.sum.Seconds > 0 {
		r.sum.RowsPerSecond = float64(r.sum.Rows) / r.sum.Seconds
	}
	if outs.report != nil {
		t := time.Now()
		rep := buildReport(r.pop, r.res, r.reg)
		rep.NotInForce = r.rules.NotInForce.Names()
		if err := rep.Write(outs.report.Path()); err != nil {
			return nil, fmt.Errorf("writing the reports in %s: %w", cfg.Report, err)
		}
		r.sum.PhaseSeconds["report"] = time.Since(t).Seconds()
	}
	if cfg.Summary != "" {
		if err := r.sum.WriteJSON(outs.summary); err != nil {
			return nil, fmt.Errorf("writing %s: %w", cfg.Summary, err)
		}
	}
	if err := outs.commit(); err != nil {
		return nil, err
	}
	return r.sum, nil
}

// run is the state of one Run between its phases.
type run struct {
	cfg  Config
	sum  *output.Summary
	outs *outputs

	loaded     *ingest.Result
	pop        *engine.Population
	reg        *engine.Registry // nil without registration or supplier data
	regRejects []value.Reject
	rejects    []value.Reject // all, in output order
	files      []string       // every input, in the order rejects list them
	rules      engine.RuleSet
	res        *engine.Result
}

// load reads the installation files and, beside them, the registration and
// supplier files.
func (r *run) load(ctx context.Context) error {
	cfg := r.cfg
	r.files = append([]string(nil), cfg.Inputs...)
	lg, _ := errgroup.WithContext(ctx)
	read := map[string]provenance.Input{}
	var readMu sync.Mutex
	opt := ingest.Options{Workers: cfg.Workers, Stdin: cfg.Stdin, DropPositions: cfg.DB == "", OnRead: func(path string, n int64, sum uint64) {
		readMu.Lock()
		read[path] = provenance.Input{Name: path, Bytes: n, XXH64: fmt.Sprintf("%016x", sum)}
		readMu.Unlock()
	}}
	defer func() { r.sum.Inputs = r.inputs(read) }()
	if cfg.Registration != "" || cfg.Suppliers != "" {
		r.reg = engine.NewRegistry()
		regFile, supFile := uint16(len(r.files)), uint16(len(r.files))
		if cfg.Registration != "" {
			r.files = append(r.files, cfg.Registration)
			supFile++
		}
		if cfg.Suppliers != "" {
			r.files = append(r.files, cfg.Suppliers)
		}
		lg.Go(func() error {
			if cfg.Registration != "" {
				rj, err := ingest.LoadRegistration(ctx, cfg.Registration, regFile, r.reg, opt)
				if err != nil {
					return err
				}
				if r.reg.Len() == 0 {
					r.warn(fmt.Sprintf("--registration %s holds no accepted row: every installation will be %s/%s or blocked",
						cfg.Registration, engine.Exclude, engine.MPxNNotRegistered))
				}
				r.regRejects = append(r.regRejects, rj...)
			}
			if cfg.Suppliers != "" {
				rj, err := ingest.LoadSuppliers(ctx, cfg.Suppliers, supFile, r.reg, opt)
				if err != nil {
					return err
				}
				r.regRejects = append(r.regRejects, rj...)
			}
			return nil
		})
	}
	var inventory []engine.Smets2
	var invRejects []value.Reject
	if cfg.Smets2 != "" {
		invFile := uint16(len(r.files))
		r.files = append(r.files, cfg.Smets2)
		lg.Go(func() error {
			var err error
			inventory, invRejects, err = ingest.LoadInventory(ctx, cfg.Smets2, invFile, opt)
			return err
		})
	}
	loaded, err := ingest.Load(ctx, cfg.Inputs, opt, &cfg.Progress.Load)
	if werr := lg.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	r.loaded, r.pop = loaded, loaded.Population
	r.pop.Smets2 = inventory
	r.sum.Smets2Read, r.sum.Smets2Rejected = len(inventory), len(invRejects)
	r.rejects = append(append(loaded.Rejects, r.regRejects...), invRejects...)
	return nil
}

// inputs lists the files read, in the order of r.files, then the rules
// file, each with its size and hash.
func (r *run) inputs(read map[string]provenance.Input) []provenance.Input {
	var out []provenance.Input
	role := func(i int) string {
		switch f := r.files[i]; {
		case i < len(r.cfg.Inputs):
			return "installations"
		case f == r.cfg.Registration:
			return "registration"
		case f == r.cfg.Suppliers:
			return "suppliers"
		default:
			return "smets2"
		}
	}
	for i, f := range r.files {
		if in, ok := read[f]; ok {
			in.Reason = role(i)
			out = append(out, in)
		}
	}
	if r.cfg.RulesFile != "" {
		if data, err := os.ReadFile(r.cfg.RulesFile); err == nil {
			out = append(out, provenance.Input{Name: r.cfg.RulesFile, Bytes: int64(len(data)), XXH64: fmt.Sprintf("%016x", xxhash.Sum64(data)), Reason: "rules"})
		}
	}
	return out
}

// resolve applies RULES.md; step 3 only when registration data is given.
func (r *run) resolve(ctx context.Context) error {
	r.rules = engine.DefaultRules()
	if r.cfg.Rules != nil {
		r.rules = *r.cfg.Rules
	}
	r.sum.ClausesInForce = r.rules.InForce().Names()
	resolver := &engine.Resolver{Workers: r.cfg.Workers, Rules: &r.rules, Registry: r.reg, Registration: r.cfg.Registration != ""}
	if r.cfg.DuplicatesOnly {
		resolver.Rules = nil
	}
	var err error
	r.res, err = resolver.Resolve(ctx, r.pop)
	return err
}

// write writes the store and the decisions and rejects, concurrently.
func (r *run) write(ctx context.Context) error {
	cfg := r.cfg
	r.sum.RowsDecided = len(r.pop.Devices)
	var storeTime, outputsTime time.Duration // each set by its own goroutine
	g, gctx := errgroup.WithContext(ctx)
	if cfg.DB != "" { // without --db no store is written: nothing would read it
		rejectsPath := cfg.Rejects
		if abs, err := filepath.Abs(rejectsPath); err == nil && rejectsPath != "-" {
			rejectsPath = abs
		}
		x := index.Extras{Rules: r.rules, Registration: cfg.Registration, Rejected: r.rejectedInstallations(), Rejects: rejectsPath, Files: r.files,
			Inputs: r.sum.Inputs, Build: r.sum.Build}
		// Without a report nothing after the installation table reads the
		// devices: the outputs and the summary work from installations.
		// Their memory goes back to the system at once: Badger's tables,
		// mapped files, come next and count in the run's memory too.
		//
		// Badger then decodes every batch of posting lists it is given into
		// fresh values (400 MB at 5M) that are garbage at once: a collection
		// every 10% of heap growth hands their pages back to the next batch
		// instead of faulting in new ones (-80K page faults at 5M, for a few
		// short collections). The setting is the process's: it is put back
		// when the outputs are written.
		var restoreGC func() // set by TableWritten; called after g.Wait
		defer func() {
			if restoreGC != nil {
				restoreGC()
			}
		}()
		if r.outs.report == nil {
			x.TableWritten = func() {
				r.pop.Devices, r.pop.RowFile, r.pop.RowLine = nil, nil, nil
				debug.FreeOSMemory()
				prev := debug.SetGCPercent(10)
				restoreGC = func() { debug.SetGCPercent(prev) }
			}
		}
		if cfg.Registration != "" {
			x.Registry = r.reg
		}
		if err := r.checkSpace(cfg.DB, x.Registry); err != nil {
			return err
		}
		g.Go(func() error {
			t := time.Now()
			err := index.Write(gctx, cfg.DB, r.pop, r.res, x, cfg.Workers)
			storeTime = time.Since(t)
			return err
		})
	}
	g.Go(func() error {
		t := time.Now()
		d := &output.Decisions{Pop: r.pop, Res: r.res, Format: cfg.Format, Workers: cfg.Workers}
		if r.reg != nil {
			d.Supplier = func(id uint32) (string, bool) { return r.reg.SupplierName(r.res.Supplier(id)) }
		}
		if err := output.WriteDecisions(gctx, r.outs.decisions, d); err != nil {
			return fmt.Errorf("writing %s: %w", cfg.Out, err)
		}
		if err := output.WriteRejects(r.outs.rejects, r.files, r.rejects); err != nil {
			return fmt.Errorf("writing %s: %w", cfg.Rejects, err)
		}
		outputsTime = time.Since(t)
		return nil
	})
	if err := g.Wait(); err != nil {
		return err
	}
	if cfg.DB != "" {
		r.sum.PhaseSeconds["store"] = storeTime.Seconds()
	}
	r.sum.PhaseSeconds["outputs"] = outputsTime.Seconds()
	return nil
}

// checkSpace refuses a store whose disk is too small: Badger dies of
// SIGBUS when its disk fills. The outputs count when they share the disk.
func (r *run) checkSpace(dbDir string, reg *engine.Registry) error {
	if err := index.Claim(dbDir); err != nil {
		return err
	}
	var outBytes uint64
	if r.cfg.Out != "-" && sameDevice(dbDir, filepath.Dir(r.cfg.Out)) {
		outBytes = uint64(len(r.pop.Installations))*140 + uint64(len(r.rejects))*200
	}
	return index.CheckSpace(dbDir, r.pop, reg, outBytes)
}

// count fills the summary and checks that every row read was decided or
// rejected.
func (r *run) count() error {
	sum, st := r.sum, r.loaded.Stats
	sum.Rows, sum.BlankLines, sum.Bytes = st.Rows, st.BlankLines, st.Bytes
	sum.Installations, sum.RejectedInstallations, sum.RejectedRows = st.Installations, st.RejectedInstallations, st.RejectedRows
	sum.RejectedReferenceRows = len(r.regRejects) + sum.Smets2Rejected
	if r.reg != nil {
		sum.RegisteredMPxNs = r.reg.Len()
	}
	sum.Count(r.res)
	if int64(sum.RowsDecided+sum.RejectedRows) != sum.Rows {
		return fmt.Errorf("internal error: %d rows read but %d decided and %d rejected", sum.Rows, sum.RowsDecided, sum.RejectedRows)
	}
	return nil
}

// outputs are the run's files, committed as one unit.
type outputs struct {
	decisions, rejects, summary *output.File
	report                      *output.Dir
}

func openOutputs(cfg Config, pl *plan) (*outputs, error) {
	o := &outputs{}
	for _, x := range []struct {
		t *paths.Target
		f **output.File
	}{{&pl.out, &o.decisions}, {&pl.rejects, &o.rejects}, {pl.summary, &o.summary}} {
		if x.t == nil {
			continue
		}
		f, err := output.CreateTarget(*x.t, cfg.Stdout)
		if err != nil {
			o.abort()
			return nil, err
		}
		*x.f = f
	}
	if pl.report != nil {
		d, err := output.CreateDir(*pl.report)
		if err != nil {
			o.abort()
			return nil, err
		}
		o.report = d
	}
	return o, nil
}

// commit places every output; decisions last, so that a decisions file
// under its final name means the run completed. If one cannot be placed,
// those already placed are put back as they were.
func (o *outputs) commit() error {
	var items []output.Pending
	if o.report != nil {
		items = append(items, o.report)
	}
	if o.summary != nil {
		items = append(items, o.summary)
	}
	return output.Commit(append(items, o.rejects, o.decisions)...)
}

func (o *outputs) abort() {
	for _, f := range []*output.File{o.decisions, o.rejects, o.summary} {
		if f != nil {
			f.Abort()
		}
	}
	if o.report != nil {
		o.report.Abort()
	}
}

// rejectedInstallations lists each rejected installation of the
// installation files with the first of its rows in the rejects, for the
// store.
func (r *run) rejectedInstallations() []index.Rejected {
	var out []index.Rejected
	at := map[string]int{}
	for i := range r.rejects {
		rj := &r.rejects[i]
		if int(rj.File) >= len(r.cfg.Inputs) || rj.SMSO == "" || rj.ID == "" {
			continue
		}
		name := engine.InstallationName(rj.SMSO, rj.ID)
		if j, ok := at[name]; ok {
			out[j].Rows++
			continue
		}
		at[name] = len(out)
		out = append(out, index.Rejected{Name: name, File: rj.File, Line: rj.Line, Rows: 1, Error: rj.Error})
	}
	return out
}

func (r *run) warn(msg string) {
	r.sum.Warnings = append(r.sum.Warnings, msg)
	if r.cfg.Warn != nil {
		r.cfg.Warn(msg)
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
				row.GUIDs = append(row.GUIDs, string(d.GUID.Append(nil)))
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
