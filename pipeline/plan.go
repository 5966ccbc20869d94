package pipeline

import (
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/report"
)

// plan is a run's files, resolved and checked against one another before
// any work (package paths): no output over an input or another output, no
// input read twice, the store and report folders only where nothing else
// would be lost.
type plan struct {
	out, rejects paths.Target
	summary      *paths.Target
	report       *paths.Folder
}

// Check refuses, before any work, a configuration in which a slip would
// destroy a file or change a decision (see package paths); Run checks the
// same first. The error wraps paths.ErrConflict.
func (cfg Config) Check() error {
	_, err := cfg.plan()
	return err
}

// plan resolves cfg's files; a refusal wraps paths.ErrConflict and names
// the arguments by run's flags.
func (cfg Config) plan() (*plan, error) {
	var p paths.Plan
	for _, in := range cfg.Inputs {
		if err := p.Input("", in); err != nil {
			return nil, err
		}
	}
	for _, in := range []struct{ flag, path string }{
		{"--registration", cfg.Registration}, {"--suppliers", cfg.Suppliers}, {"--smets2", cfg.Smets2}, {"--rules", cfg.RulesFile}} {
		if in.path != "" {
			if err := p.Input(in.flag, in.path); err != nil {
				return nil, err
			}
		}
	}
	if cfg.DB != "" {
		if _, err := p.Store("--db", cfg.DB, "an s1resolve store", index.Owns(cfg.DB)); err != nil {
			return nil, err
		}
		// A served store is read while the run would rewrite it in place:
		// refused, naming the server (docs/DECISIONS.md).
		if who, served := index.ServedBy(cfg.DB); served {
			return nil, &paths.Error{Arg: "--db " + cfg.DB, Problem: "the store is being served by " + who +
				": stop the server (or give another --db and serve that) first"}
		}
	}
	pl := &plan{}
	if cfg.Report != "" {
		f, err := p.Folder("--report", cfg.Report, "an s1resolve report folder", report.Owns)
		if err != nil {
			return nil, err
		}
		pl.report = &f
	}
	var err error
	if pl.out, err = p.Output("--out", cfg.Out); err != nil {
		return nil, err
	}
	if pl.rejects, err = p.Output("--rejects", cfg.Rejects); err != nil {
		return nil, err
	}
	if cfg.CPUProfile != "" {
		if _, err := p.Output("--cpuprofile", cfg.CPUProfile); err != nil {
			return nil, err
		}
	}
	if cfg.Summary != "" {
		t, err := p.Output("--summary", cfg.Summary)
		if err != nil {
			return nil, err
		}
		pl.summary = &t
	}
	return pl, nil
}
