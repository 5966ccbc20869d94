package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"runtime"
	"slices"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/provenance"
	"github.com/s1resolve/s1resolve/report"
)

// DefaultImpactFolder is where impact writes when no folder is given.
const DefaultImpactFolder = "impact"

// ImpactConfig computes the impact of the clauses in force on a stored
// population (`s1resolve impact`).
type ImpactConfig struct {
	DB string // the store of a run
	// RulesFile is the rules file to compare from, read once; "" for the
	// store's own rules (or Rules, when not nil).
	RulesFile string
	Rules     *engine.RuleSet
	Out       string // folder written whole: impact.csv, impact.md, report.html; "" means DefaultImpactFolder
	Workers   int    // zero means all cores
	Stdin     io.Reader
	Names     Names
}

// impactFolder is what an impact folder may hold before it is replaced.
var impactFolder = job.FolderKind{Kind: "impact", What: "an s1resolve impact folder", Owns: report.ImpactOwns}

// Impact decides the population stored in cfg.DB once under the rules in
// force S (the rules file's, else the store's), once under S without each
// of its clauses and once under none of the nine, in one pass over the
// stored facts on cfg.Workers goroutines (index.Store.ScanFacts,
// engine.RuleSet.DecideEach), and writes the comparison (RULES.md, "Impact
// of the clauses"; FORMATS.md §7) into the folder cfg.Out, written whole.
func Impact(ctx context.Context, cfg ImpactConfig) (*report.Impact, error) {
	j := job.New(job.Streams{Stdin: cfg.Stdin})
	defer j.Abort()
	rulesIn, err := planRulesAndStore(j, cfg.Names, cfg.RulesFile, cfg.DB)
	if err != nil {
		return nil, err
	}
	folder, err := j.Folder(cfg.Names.of(ArgOut), orDefault(cfg.Out, DefaultImpactFolder), impactFolder)
	if err != nil {
		return nil, err
	}
	if err := j.Begin(ctx); err != nil {
		return nil, err
	}
	st, err := index.Open(cfg.DB)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	rs, err := st.RuleSet()
	if err != nil {
		return nil, err
	}
	if cfg.Rules != nil {
		rs = *cfg.Rules
	}
	if rulesIn != nil {
		if rs, err = readRules(ctx, rulesIn); err != nil {
			return nil, err
		}
	}
	im, err := impactOf(ctx, st, rs, cfg.Workers)
	if err != nil {
		return nil, err
	}
	m := st.Meta
	var rules bytes.Buffer
	rs.Format(&rules)
	pv := report.Provenance{Written: now(), Decided: m.Created, Store: cfg.DB, Files: m.Inputs, Build: &m.Build, PageBuild: provenance.CurrentBuild(),
		Rules: rules.String(), RulesTitle: "Rules compared from (the store's)"}
	if rulesIn != nil {
		if p, ok := rulesIn.Digest(); ok {
			p.Name, p.Reason = inputName(rulesIn), "rules compared from"
			pv.Files = append(slices.Clone(pv.Files), p)
			pv.RulesTitle = "Rules compared from (" + cfg.Names.of(ArgRules) + " " + inputName(rulesIn) + ")"
		}
	}
	im.SetProvenance(pv)
	if err := im.Write(folder.Path()); err != nil {
		return nil, fmt.Errorf("writing the impact in %s: %w", folder.Arg, err)
	}
	return im, j.Commit(ctx)
}

// impactKey is a change counted by a worker: the comparison, the cohort
// and the two outcomes.
type impactKey struct {
	comparison    uint8
	cohort        engine.Cohort
	with, without engine.Outcome
}

// impactOf decides every stored installation under each of the impact's
// clause sets and counts the changes.
func impactOf(ctx context.Context, st *index.Store, rs engine.RuleSet, workers int) (*report.Impact, error) {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	im := report.NewImpact(rs.InForce(), st.Meta.Installations)
	sets := im.Comparisons()
	counts := make([]map[impactKey]int, workers)
	outs := make([][]engine.Outcome, workers)
	for w := range workers {
		counts[w], outs[w] = map[impactKey]int{}, make([]engine.Outcome, len(sets))
	}
	err := st.ScanFacts(ctx, workers, func(w int, f *engine.Facts) error {
		out := outs[w]
		rs.DecideEach(f, sets, out)
		for i := 1; i < len(out); i++ {
			if out[i].Decision != out[0].Decision || out[i].Reason != out[0].Reason {
				counts[w][impactKey{uint8(i), f.Cohort, stepless(out[0]), stepless(out[i])}]++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		for k, n := range c {
			im.Add(int(k.comparison), k.cohort, k.with, k.without, n)
		}
	}
	return im, nil
}

// stepless is the (decision, reason) of an outcome, which is what the
// impact compares.
func stepless(o engine.Outcome) engine.Outcome {
	return engine.Outcome{Decision: o.Decision, Reason: o.Reason}
}
