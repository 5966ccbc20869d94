package pipeline

import (
	"io"
	"os"

	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/report"
)

// Arg is a file argument of a command, by its role. Messages name an
// argument by the name its command gives it (Names: the command's flag,
// "--out") or, without one, by its role ("decisions file").
type Arg string

// The file arguments of the commands.
const (
	ArgInstallations Arg = "" // positional: "input FILE"
	ArgRegistration  Arg = "registration file"
	ArgSuppliers     Arg = "suppliers file"
	ArgSmets2        Arg = "SMETS2+ inventory"
	ArgRules         Arg = "rules file"
	ArgStore         Arg = "store"
	ArgDecisions     Arg = "decisions file"
	ArgRejects       Arg = "rejects file"
	ArgSummary       Arg = "summary file"
	ArgReport        Arg = "report folder"
	ArgProfile       Arg = "profile"
	ArgOut           Arg = "output folder" // the folder of diff, whatif, impact
	// ArgReportSupplier is not a file: the one Responsible Supplier a
	// report is restricted to, named in messages as its flag names it.
	ArgReportSupplier Arg = "supplier"
)

// Names maps the file arguments of a Config to what its command calls them
// (its flags); an argument not listed is called by its role.
type Names map[Arg]string

// of returns the name of a.
func (n Names) of(a Arg) string {
	if s, ok := n[a]; ok {
		return s
	}
	return string(a)
}

// The folders commands write whole: what each may hold before it is
// replaced. No two commands' default folders are the same (report,
// diff, whatif, impact), and each refuses a folder holding what it does
// not write, another command's folder included.
var (
	reportFolder = job.FolderKind{Kind: "report", What: "an s1resolve report folder", Owns: report.Owns}
	diffFolder   = job.FolderKind{Kind: "diff", What: "an s1resolve comparison folder", Owns: report.OwnsDiff}
	whatifFolder = job.FolderKind{Kind: "whatif", What: "an s1resolve whatif folder", Owns: report.OwnsWhatIf}
)

// storeFolder is what a store folder may hold (index.Owns of the folder).
func storeFolder(dir string) job.FolderKind {
	return job.FolderKind{What: "an s1resolve store", Owns: index.Owns(dir)}
}

// runFiles are a run's files, planned: each input and output of Config.
type runFiles struct {
	inputs                                 []*job.Input
	registration, suppliers, smets2, rules *job.Input
	store, report                          *job.Folder
	decisions, rejects, summary            *job.Output
	profile                                *cpuProfile
	format                                 output.Format
	gzip                                   bool // the decisions are gzipped (a name ending in .gz)
}

// Check refuses, before any work, a configuration in which a slip would
// destroy a file or change a decision (package job); Run checks the same
// first. The error wraps paths.ErrConflict.
func (cfg Config) Check() error {
	_, err := cfg.plan(job.New(job.Streams{Stdin: os.Stdin, Stdout: io.Discard}))
	return err
}

// plan adds cfg's files to j, in the order their slips are best reported.
func (cfg Config) plan(j *job.Job) (*runFiles, error) {
	f := &runFiles{format: cfg.Format}
	for _, in := range cfg.Inputs {
		x, err := j.Input(cfg.Names.of(ArgInstallations), in)
		if err != nil {
			return nil, err
		}
		f.inputs = append(f.inputs, x)
	}
	for _, in := range []struct {
		arg  Arg
		path string
		to   **job.Input
	}{{ArgRegistration, cfg.Registration, &f.registration}, {ArgSuppliers, cfg.Suppliers, &f.suppliers},
		{ArgSmets2, cfg.Smets2, &f.smets2}, {ArgRules, cfg.RulesFile, &f.rules}} {
		if in.path == "" {
			continue
		}
		x, err := j.Input(cfg.Names.of(in.arg), in.path)
		if err != nil {
			return nil, err
		}
		*in.to = x
	}
	var err error
	if cfg.DB != "" {
		if err := servedRefusal(cfg.Names.of(ArgStore), cfg.DB); err != nil {
			return nil, err
		}
		if f.store, err = j.Folder(cfg.Names.of(ArgStore), cfg.DB, storeFolder(cfg.DB)); err != nil {
			return nil, err
		}
	}
	if cfg.Report != "" {
		if f.report, err = j.Folder(cfg.Names.of(ArgReport), cfg.Report, reportFolder); err != nil {
			return nil, err
		}
	}
	if f.decisions, err = j.Output(cfg.Names.of(ArgDecisions), cfg.Out); err != nil {
		return nil, err
	}
	f.decisions.Last() // its presence under its final name means the run completed
	f.gzip = output.Gzipped(cfg.Out)
	if f.rejects, err = j.Output(cfg.Names.of(ArgRejects), cfg.Rejects); err != nil {
		return nil, err
	}
	if f.profile, err = planProfile(j, cfg.Names, cfg.CPUProfile, cfg.Process); err != nil {
		return nil, err
	}
	if cfg.Summary != "" {
		if f.summary, err = j.Output(cfg.Names.of(ArgSummary), cfg.Summary); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// servedRefusal refuses to replace a store that s1resolve serve is
// serving (index.ServedBy), naming the server: the server would go on
// answering from a store the run has replaced (docs/DECISIONS.md).
func servedRefusal(label, dir string) error {
	if who, served := index.ServedBy(dir); served {
		return &paths.Error{Arg: label + " " + dir, Problem: "the store is being served by " + who +
			": stop the server (or give another --db and serve that) first"}
	}
	return nil
}

// planRulesAndStore plans what whatif and impact read: the rules file, if
// one is given (nil otherwise), and the store.
func planRulesAndStore(j *job.Job, names Names, rulesFile, db string) (*job.Input, error) {
	var rulesIn *job.Input
	if rulesFile != "" {
		var err error
		if rulesIn, err = j.Input(names.of(ArgRules), rulesFile); err != nil {
			return nil, err
		}
	}
	return rulesIn, j.ReadFolder(names.of(ArgStore), db)
}
