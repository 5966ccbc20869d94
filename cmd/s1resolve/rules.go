package main

import (
	"context"

	"github.com/s1resolve/s1resolve/pipeline"
)

var rulesCommand = &command{
	name:    "rules",
	summary: "check a rules file and print the rules in force",
	about: `Prints the rules in force, in the rules-file form that run --rules, whatif --rules and
impact --rules read: the step 5 thresholds per cohort and the consultation's clauses in
force (a not_in_force line names those that are not); the defaults of RULES.md, or those of
--rules FILE once checked.`,
	setup: func(f *flags) action {
		var file string
		f.Rules(&file, "the rules FILE to check and print (default: RULES.md's)")
		return func(ctx context.Context, e *env) error {
			rs, err := pipeline.Rules(ctx, pipeline.RulesConfig{File: file, Stdin: e.stdin, Names: e.names})
			if err != nil {
				return err
			}
			return rs.Format(e.stdout)
		}
	},
}
