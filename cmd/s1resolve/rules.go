package main

import (
	"bytes"
	"context"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/job"
)

var rulesCommand = &command{
	name:    "rules",
	summary: "check a rules file and print the rules in force",
	about: `Prints the rules in force (the step 5 thresholds per cohort), in the rules-file form
that run --rules, whatif --rules and impact --rules read: the defaults of RULES.md, or
those of --rules FILE once checked.`,
	setup: func(f *flags) action {
		var file string
		f.Rules(&file, "the rules FILE to check and print (default: RULES.md's)")
		return func(ctx context.Context, e *env) error {
			rs := engine.DefaultRules()
			if file != "" {
				j := job.New(job.Streams{Stdin: e.stdin})
				defer j.Abort()
				in, err := j.Input("--rules", file)
				if err != nil {
					return err
				}
				data, err := in.ReadAll(ctx)
				if err != nil {
					return err
				}
				if rs, err = engine.ParseRules(bytes.NewReader(data), file); err != nil {
					return err
				}
			}
			return rs.Format(e.stdout)
		}
	},
}
