package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/provenance"
	"github.com/s1resolve/s1resolve/report"
)

// DefaultWhatIfFolder is where whatif writes when no folder is given.
const DefaultWhatIfFolder = "whatif"

// WhatIfConfig re-decides a stored population under other step 5
// thresholds or clauses in force (`s1resolve whatif`).
type WhatIfConfig struct {
	DB string // the store of a run
	// RulesFile is the rules file to decide by, read once; Rules, when
	// RulesFile is "", the rules themselves.
	RulesFile string
	Rules     engine.RuleSet
	Out       string // folder for decisions.csv and the comparison, written whole; "" means DefaultWhatIfFolder
	Workers   int    // zero means all cores
	// CPUProfile is where to write a CPU profile of the work ("" for
	// none), with Process's profiler.
	CPUProfile string
	Process    Process
	Stdin      io.Reader
	Names      Names
	rulesIn    *job.Input // the rules file as read, for the page
}

// WhatIf re-decides the population stored in cfg.DB under cfg.Rules,
// without reading the input files again, and writes decisions.csv (the
// bytes `run --rules` would write with the same inputs) and the comparison
// of the stored decisions with these (report.Diff) into cfg.Out, a folder
// written whole.
//
// Every installation is decided again by engine.RuleSet.Decide from the
// facts the store kept (index.Store.FactsOf): its duplicate GUID, its
// group's step 2 facts, its registration, meters and Responsible
// Supplier's status.
func WhatIf(ctx context.Context, cfg WhatIfConfig) (*report.Diff, error) {
	j := job.New(job.Streams{Stdin: cfg.Stdin})
	defer j.Abort()
	rulesIn, err := planRulesAndStore(j, cfg.Names, cfg.RulesFile, cfg.DB)
	if err != nil {
		return nil, err
	}
	profile, err := planProfile(j, cfg.Names, cfg.CPUProfile, cfg.Process)
	if err != nil {
		return nil, err
	}
	defer profile.stop() // before the job's Abort above
	out, err := j.Folder(cfg.Names.of(ArgOut), orDefault(cfg.Out, DefaultWhatIfFolder), whatifFolder)
	if err != nil {
		return nil, err
	}
	if err := j.Begin(ctx); err != nil {
		return nil, err
	}
	if err := profile.start(); err != nil {
		return nil, err
	}
	if rulesIn != nil {
		if cfg.Rules, err = readRules(ctx, rulesIn); err != nil {
			return nil, err
		}
		cfg.rulesIn = rulesIn
	}
	d, err := whatIf(ctx, cfg, out.Path())
	if err != nil {
		return nil, err
	}
	profile.stop()
	return d, j.Commit(ctx)
}

func whatIf(ctx context.Context, cfg WhatIfConfig, dir string) (*report.Diff, error) {
	st, err := index.Open(cfg.DB)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	m := st.Meta
	pop := &engine.Population{Installations: make([]engine.Installation, 0, m.Installations)}
	res := &engine.Result{Outcomes: make([]engine.Outcome, 0, m.Installations), Root: make([]uint32, 0, m.Installations)}
	supplierOf := make([]int32, 0, m.Installations)
	d := report.NewDiff()
	d.WithGUIDs()
	var rules bytes.Buffer
	cfg.Rules.Format(&rules)
	b := m.Build
	pv := report.Provenance{Written: now(), Decided: m.Created, Store: cfg.DB, Files: m.Inputs, Build: &b, PageBuild: provenance.CurrentBuild(),
		Rules: rules.String(), RulesTitle: "Rules tried", Notes: []string{fmt.Sprintf("The earlier decisions are those the store's run made (%s, from the files listed); "+
			"the later are what the rules tried decide of the same installations.", m.Created)}}
	if cfg.rulesIn != nil {
		if p, ok := cfg.rulesIn.Digest(); ok {
			p.Name, p.Reason = inputName(cfg.rulesIn), "rules tried"
			pv.Files = append(slices.Clone(pv.Files), p)
			pv.RulesTitle = "Rules tried (" + cfg.Names.of(ArgRules) + " " + inputName(cfg.rulesIn) + ")"
		}
	}
	d.SetProvenance(pv)
	unchanged := map[engine.Outcome]int{} // counted by outcome, added to d at the end
	var f engine.Facts
	err = st.Scan(ctx, func(r *index.Record) error {
		st.FactsOf(r, &f)
		o := cfg.Rules.Decide(&f, nil)
		in := r.Installation
		in.First, in.Count = 0, 0 // the devices are not kept
		pop.Installations = append(pop.Installations, in)
		res.Outcomes = append(res.Outcomes, o)
		// The groups as the store keeps them: a group's root comes
		// before its other members (ids in order), so its facts are in
		// res.Groups when they read them.
		res.Root = append(res.Root, r.Root)
		if r.GroupSize > 1 && r.Root == r.ID {
			res.Groups = append(res.Groups, engine.GroupFacts{Root: r.ID, Key: r.GroupID, Size: r.GroupSize})
		}
		supplierOf = append(supplierOf, r.Supplier)
		if o.Decision == r.Outcome.Decision && o.Reason == r.Outcome.Reason {
			unchanged[engine.Outcome{Decision: o.Decision, Reason: o.Reason}]++
			return nil
		}
		supplier, _ := st.Supplier(r.Supplier)
		guids := report.DeviceGUIDs(r.Devices)
		d.AddChange(report.Change{SMSO: in.SMSO(), InstallationID: in.ID(), Cohort: in.Cohort.String(), Supplier: supplier,
			From: sideOf(r.Outcome), To: sideOf(o), MPAN: in.MPAN, MPRN: in.MPRN, GUIDs: guids})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for o, n := range unchanged {
		d.AddUnchanged(sideOf(o), n)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	dec := &output.Decisions{Pop: pop, Res: res, Format: output.CSV, Workers: cfg.Workers}
	if m.Registration != "" {
		dec.Supplier = func(id uint32) (string, bool) {
			name, status := st.Supplier(supplierOf[id])
			return name, status.Notified()
		}
	}
	if err := writeFiles(dir, d.Files()); err != nil {
		return nil, err
	}
	out, err := os.OpenFile(filepath.Join(dir, "decisions.csv"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	bw := bufio.NewWriterSize(out, 1<<20)
	if err := output.WriteDecisions(ctx, bw, dec); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return d, out.Close()
}

func sideOf(o engine.Outcome) report.Side {
	return report.Side{Decision: o.Decision.String(), Reason: o.Reason.String()}
}
