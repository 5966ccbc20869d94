package pipeline

import (
	"context"
	"io"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/job"
)

// RulesConfig is the check of a rules file (`s1resolve rules`).
type RulesConfig struct {
	File  string // the rules file; "" for RULES.md's defaults; "-" is Stdin
	Stdin io.Reader
	Names Names
}

// Rules reads and checks the rules file of cfg, once (a FIFO or standard
// input works), with the line-end rules of every input; without a file it
// returns RULES.md's defaults.
func Rules(ctx context.Context, cfg RulesConfig) (engine.RuleSet, error) {
	if cfg.File == "" {
		return engine.DefaultRules(), nil
	}
	j := job.New(job.Streams{Stdin: cfg.Stdin})
	defer j.Abort()
	in, err := j.Input(cfg.Names.of(ArgRules), cfg.File)
	if err != nil {
		return engine.RuleSet{}, err
	}
	if err := j.Begin(ctx); err != nil {
		return engine.RuleSet{}, err
	}
	return readRules(ctx, in)
}
