// Package pipeline runs the whole job: load the installation files, resolve
// them, persist the store and write decisions, rejects and summary.
package pipeline

import (
	"bytes"
	"compress/gzip"
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
	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/provenance"
	"github.com/s1resolve/s1resolve/report"
	"github.com/s1resolve/s1resolve/value"
)

// Config is one run.
type Config struct {
	Inputs []string
	// Registration and Suppliers are the optional FORMATS.md §2 and §3
	// files; "" for none.
	Registration string
	Suppliers    string
	// Smets2 is the optional SMETS2+ inventory (FORMATS.md §6); "" for none.
	Smets2 string
	// RulesFile is the rules file (thresholds and clauses in force), read
	// once; "" for none. Rules, when RulesFile is "", configures steps 3 to
	// 5 instead; nil for both means DefaultRules.
	RulesFile string
	Rules     *engine.RuleSet
	// DuplicatesOnly applies steps 1, 2 and 6 alone: a baseline for
	// benchmarks, not a reading of RULES.md.
	DuplicatesOnly bool
	DB             string // store directory; "" for none (no store is written)
	Out            string // decisions file, "-" for standard output; a name ending in .gz is gzipped
	Rejects        string
	Summary        string // "" for none
	Report         string // directory for the reports (package report); "" for none
	// ReportSupplier, when set, restricts the reports to that Responsible
	// Supplier's installations (report.Report.OnlySupplier): its pack.
	ReportSupplier string
	Format         output.Format
	Workers        int
	Progress       *Progress // may be nil
	// Stdin and Stdout are what "-" reads and writes; nil refuses "-".
	Stdin  io.Reader
	Stdout io.Writer
	// Names are what the command calls each file argument, for messages.
	Names Names
	// CPUProfile is where the command writes a CPU profile ("" for none):
	// checked with the other outputs; Run does not write it.
	CPUProfile string
	// Process is what the run may ask of the process (memory settings);
	// the zero value asks nothing.
	Process Process
	// Warn, when set, is told of anything that is legal but probably a
	// slip (a registration file with no rows), before and during the
	// work; the summary lists the same warnings.
	Warn func(string)
}

// Process is what a run may ask of the process it runs in: settings that
// belong to the process, not to the run, decided by the command and passed
// down. A nil field does nothing.
type Process struct {
	// ReturnMemory hands the memory the collector freed back to the
	// system (debug.FreeOSMemory).
	ReturnMemory func()
	// SetGCPercent sets the collector's target and returns the previous
	// one (debug.SetGCPercent).
	SetGCPercent func(int) int
	// StartCPUProfile and StopCPUProfile profile the process into a
	// command's --cpuprofile output (pprof.StartCPUProfile,
	// pprof.StopCPUProfile); without them no profile is written.
	StartCPUProfile func(io.Writer) error
	StopCPUProfile  func()
}

// Progress tells an observer which phase a run is in and how far its load got.
type Progress struct {
	Load  ingest.Progress
	phase atomicString
}

// Phase returns the current phase name.
func (p *Progress) Phase() string { return p.phase.Load() }

// Run does the job described by cfg and returns its summary. Its files are
// planned before any work and committed as one unit (package job): on error
// or cancellation every file, the store included, is as it was.
func Run(ctx context.Context, cfg Config) (*output.Summary, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.Progress == nil {
		cfg.Progress = &Progress{}
	}
	r := &run{cfg: cfg, sum: &output.Summary{Files: cfg.Inputs, PhaseSeconds: map[string]float64{}, Build: provenance.CurrentBuild()}}
	start := time.Now()

	// Check the arguments against one another and create the outputs
	// first: a slip or an unwritable place fails before the work.
	j := job.New(job.Streams{Stdin: cfg.Stdin, Stdout: cfg.Stdout})
	defer j.Abort()
	files, err := cfg.plan(j)
	if err != nil {
		return nil, err
	}
	r.in = files
	defer files.profile.stop() // before the job's Abort above
	if cfg.Suppliers != "" && cfg.Registration == "" {
		r.warn(fmt.Sprintf("%s has no effect without %s: no installation has a Responsible Supplier, so every notify_supplier is Y",
			cfg.Names.of(ArgSuppliers), cfg.Names.of(ArgRegistration)))
	}
	if err := j.Begin(ctx); err != nil {
		return nil, err
	}
	if err := files.profile.start(); err != nil {
		return nil, err
	}

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
	if files.report != nil {
		t := time.Now()
		rep := r.report(start)
		rep.NotInForce = r.rules.NotInForce.Names()
		if err := rep.Write(files.report.Path()); err != nil {
			return nil, fmt.Errorf("writing the reports in %s: %w", cfg.Report, err)
		}
		r.sum.PhaseSeconds["report"] = time.Since(t).Seconds()
	}
	if files.summary != nil {
		if err := r.sum.WriteJSON(files.summary.Writer()); err != nil {
			return nil, fmt.Errorf("writing %s: %w", cfg.Summary, err)
		}
	}
	cfg.Progress.phase.Store("commit")
	files.profile.stop()
	if err := j.Commit(ctx); err != nil {
		return nil, err
	}
	return r.sum, nil
}

// run is the state of one Run between its phases.
type run struct {
	cfg Config
	sum *output.Summary
	in  *runFiles

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
	// Each file is read once, by ingest; what it read is the job's record
	// of the input (provenance).
	byPath := map[string]*job.Input{}
	for _, in := range append(r.in.inputs, r.in.registration, r.in.suppliers, r.in.smets2) {
		if in != nil {
			byPath[in.Path] = in
		}
	}
	opt := ingest.Options{Workers: cfg.Workers, Stdin: cfg.Stdin, DropPositions: cfg.DB == "", ReturnMemory: cfg.Process.ReturnMemory,
		OnRead: func(path string, n int64, sum uint64) {
			if in := byPath[path]; in != nil {
				in.Record(n, sum)
			}
		}}
	defer func() { r.sum.Inputs = r.inputs() }()
	if r.in.rules != nil {
		rs, err := readRules(ctx, r.in.rules)
		if err != nil {
			return err
		}
		r.cfg.Rules = &rs
	}
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
					r.warn(fmt.Sprintf("%s %s holds no accepted row: every installation will be %s/%s or blocked",
						cfg.Names.of(ArgRegistration), cfg.Registration, engine.Exclude, engine.MPxNNotRegistered))
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
// file, each with its size and hash as the job recorded them.
func (r *run) inputs() []provenance.Input {
	var out []provenance.Input
	add := func(in *job.Input, role string) {
		if in == nil {
			return
		}
		if p, ok := in.Digest(); ok {
			p.Reason = role
			out = append(out, p)
		}
	}
	for _, in := range r.in.inputs {
		add(in, "installations")
	}
	add(r.in.registration, "registration")
	add(r.in.suppliers, "suppliers")
	add(r.in.smets2, "smets2")
	add(r.in.rules, "rules")
	return out
}

// readRules reads and parses a rules file, once.
func readRules(ctx context.Context, in *job.Input) (engine.RuleSet, error) {
	data, err := in.ReadAll(ctx)
	if err != nil {
		return engine.RuleSet{}, err
	}
	if err := ingest.CheckText(in.Path, data); err != nil {
		return engine.RuleSet{}, err
	}
	return engine.ParseRules(ingest.LineEnds(bytes.NewReader(data)), in.Path)
}

// resolve applies RULES.md; step 3 only when registration data is given.
func (r *run) resolve(ctx context.Context) error {
	r.rules = engine.DefaultRules()
	if r.cfg.Rules != nil {
		r.rules = *r.cfg.Rules
	}
	r.sum.ClausesInForce = r.rules.InForce().Names()
	resolver := &engine.Resolver{Workers: r.cfg.Workers, Rules: &r.rules, Registry: r.reg, Registration: r.cfg.Registration != "",
		GUIDPostings: r.cfg.DB != ""}
	if r.cfg.DB != "" {
		resolver.ReturnMemory = r.cfg.Process.ReturnMemory
	}
	if r.cfg.DuplicatesOnly {
		resolver.Rules = nil
	}
	var err error
	r.res, err = resolver.Resolve(ctx, r.pop)
	// The resolver's working tables (the GUIDs' sort buffer, the MPxNs')
	// are garbage now: their memory goes back before the store's table is
	// written beside the result. Without a store only the outputs follow,
	// which need little: the memory would be handed back for nothing.
	if r.cfg.DB != "" && r.cfg.Process.ReturnMemory != nil {
		r.cfg.Process.ReturnMemory()
	}
	return err
}

// write writes the store and the decisions and rejects, concurrently. The
// store's description is written last, with the digest of the decisions
// written beside it, so that a store is tied to its decisions (report --db
// refuses a pair that does not belong together).
func (r *run) write(ctx context.Context) error {
	cfg := r.cfg
	r.sum.RowsDecided = len(r.pop.Devices)
	var storeTime, outputsTime time.Duration // each set by its own goroutine
	g, gctx := errgroup.WithContext(ctx)
	decisionsDone := make(chan struct{}) // closed once the decisions are written whole
	decisionsText := newTextDigest()     // of the text gzipped, with --out *.gz
	if r.in.store != nil {               // without --db no store is written: nothing would read it
		dir := r.in.store.Path()
		rejectsPath := cfg.Rejects
		if abs, err := filepath.Abs(rejectsPath); err == nil && rejectsPath != "-" {
			rejectsPath = abs
		}
		x := index.Extras{Rules: r.rules, Registration: cfg.Registration, Rejected: r.rejectedInstallations(), Rejects: rejectsPath, Files: r.files,
			Account: r.account(), Inputs: r.sum.Inputs, Build: r.sum.Build, ConsumeGUIDRefs: true}
		x.Decisions = func(ctx context.Context) (provenance.Input, error) {
			select {
			case <-decisionsDone:
				w := r.in.decisions.Written()
				if w.Text, _ = decisionsText.Digest(); w.Text == nil {
					w.Text = &provenance.Digest{Bytes: w.Bytes, XXH64: w.XXH64} // not gzip: the text is the bytes
				}
				return w, nil
			case <-ctx.Done():
				return provenance.Input{}, ctx.Err()
			}
		}
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
		if r.in.report == nil {
			proc := cfg.Process
			x.TableWritten = func() {
				r.pop.Devices, r.pop.Positions = nil, nil
				if proc.ReturnMemory != nil {
					proc.ReturnMemory()
				}
				if proc.SetGCPercent != nil {
					prev := proc.SetGCPercent(10)
					restoreGC = func() { proc.SetGCPercent(prev) }
				}
			}
		}
		if cfg.Registration != "" {
			x.Registry = r.reg
		}
		if err := r.checkSpace(dir, x.Registry); err != nil {
			return err
		}
		g.Go(func() error {
			t := time.Now()
			err := index.Write(gctx, dir, r.pop, r.res, x, cfg.Workers)
			storeTime = time.Since(t)
			if err != nil {
				return fmt.Errorf("writing the store %s: %w", cfg.DB, err)
			}
			return nil
		})
	}
	g.Go(func() error {
		t := time.Now()
		d := &output.Decisions{Pop: r.pop, Res: r.res, Format: r.in.format, Workers: cfg.Workers}
		if r.reg != nil {
			d.Supplier = func(id uint32) (string, bool) { return r.reg.SupplierName(r.res.Supplier(id)) }
		}
		if err := writeMaybeGzipped(r.in.decisions.Writer(), r.in.gzip, decisionsText, func(w io.Writer) error {
			return output.WriteDecisions(gctx, w, d)
		}); err != nil {
			return fmt.Errorf("writing %s: %w", cfg.Out, err)
		}
		close(decisionsDone)
		if err := output.WriteRejects(r.in.rejects.Writer(), r.files, r.rejects); err != nil {
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

// writeMaybeGzipped calls write with w, or with a gzip writer onto w when
// gz is set, closed once write returns; text then hashes what is gzipped.
func writeMaybeGzipped(w io.Writer, gz bool, text *textDigest, write func(io.Writer) error) error {
	if !gz {
		return write(w)
	}
	z := gzip.NewWriter(w)
	if err := write(text.writer(z)); err != nil {
		return err
	}
	return z.Close()
}

// checkSpace refuses a store whose disk is too small: Badger dies of
// SIGBUS when its disk fills. The outputs count when they share the disk.
func (r *run) checkSpace(dbDir string, reg *engine.Registry) error {
	if err := index.Claim(dbDir); err != nil {
		return err
	}
	var outBytes uint64
	if !r.in.decisions.IsStream() && sameDevice(dbDir, filepath.Dir(r.cfg.Out)) {
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
	sum.RejectedReferenceRows = r.account().RejectedReferenceRows
	if r.reg != nil {
		sum.RegisteredMPxNs = r.reg.Len()
	}
	sum.Count(r.res)
	if int64(sum.RowsDecided+sum.RejectedRows) != sum.Rows {
		return fmt.Errorf("internal error: %d rows read but %d decided and %d rejected", sum.Rows, sum.RowsDecided, sum.RejectedRows)
	}
	sum.LargestDuplicateGroups = output.LargeGroups(r.pop, r.res, output.ListedGroups, output.LargeGroup)
	r.warnLargeGroups(sum.LargestDuplicateGroups)
	return nil
}

// account returns what the run set aside and linked, as its summary
// counts it; the store keeps it for the reports made from it later.
func (r *run) account() *index.Account {
	return &index.Account{RejectedRows: r.loaded.Stats.RejectedRows, RejectedReferenceRows: len(r.regRejects) + r.sum.Smets2Rejected,
		Smets2Linked: r.res.Smets2Linked, Smets2Rejected: r.sum.Smets2Rejected}
}

// maxGroupWarnings is how many large duplicate groups a run names in its
// warnings; the summary lists them all.
const maxGroupWarnings = 10

// warnLargeGroups warns of every duplicate group of more than
// output.LargeGroup installations (a placeholder MPxN links unrelated
// installations so), naming its key, size and SMSOs: the first
// maxGroupWarnings one by one, the rest in one line.
func (r *run) warnLargeGroups(groups []output.DuplicateGroup) {
	warned := 0
	for i := range groups {
		if groups[i].Installations <= output.LargeGroup {
			continue
		}
		if warned++; warned <= maxGroupWarnings {
			r.warn(groups[i].Warning(r.cfg.DB))
		}
	}
	if warned > maxGroupWarnings {
		r.warn(fmt.Sprintf("%s more duplicate groups of more than %d installations: the summary's largest_duplicate_groups lists them",
			value.Thousands(warned-maxGroupWarnings), output.LargeGroup))
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

// report returns the reports of the run begun at start: every decision,
// with the device GUIDs of the installations that go on the suppliers'
// lists, the run's account and where it comes from.
func (r *run) report(start time.Time) *report.Report {
	rep := report.New()
	if r.cfg.ReportSupplier != "" {
		rep.OnlySupplier(r.cfg.ReportSupplier)
	}
	var supplier output.SupplierOf
	if r.reg != nil {
		supplier = func(id uint32) (string, bool) { return r.reg.SupplierName(r.res.Supplier(id)) }
	}
	for id := range r.pop.Installations {
		row := report.Row{Row: output.RowOf(r.pop, r.res, uint32(id), supplier)}
		if !row.SimplyMigrating() {
			row.GUIDs = report.DeviceGUIDs(r.pop.DevicesOf(uint32(id)))
		}
		rep.Add(row)
	}
	if s, only := rep.Supplier(); only && rep.Total() == 0 {
		r.warn(fmt.Sprintf("%s %s: %v: its report is empty", r.cfg.Names.of(ArgReportSupplier), s, ErrNoSuchSupplier))
	}
	rep.SetAccount(report.AccountOf(r.sum))
	var rules bytes.Buffer
	r.rules.Format(&rules)
	title := "Rules in force (RULES.md's defaults)"
	if r.cfg.RulesFile != "" {
		title = "Rules in force (" + r.cfg.Names.of(ArgRules) + " " + r.cfg.RulesFile + ")"
	} else if r.cfg.Rules != nil {
		title = "Rules in force"
	}
	when := start.UTC().Format(time.RFC3339)
	b := r.sum.Build
	rep.SetProvenance(report.Provenance{Written: when, Decided: when, Files: r.sum.Inputs, Store: r.cfg.DB,
		Rules: rules.String(), RulesTitle: title, Build: &b, PageBuild: b})
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
