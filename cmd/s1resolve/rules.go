package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/s1resolve/s1resolve/engine"
)

func rulesCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rules", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("rules", "", "rules file to check and print (default: RULES.md's defaults)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve rules [--rules FILE]\n\nPrints the rules in force, in the rules-file form that run --rules reads: the step 5 thresholds\nper cohort and the consultation's clauses in force (a not_in_force line names those that are not).\n\nFlags:")
		fs.PrintDefaults()
	}
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		fs.Usage()
		return errUsage
	}
	rs, err := loadRules(*file)
	if err != nil {
		return err
	}
	return rs.Format(stdout)
}

// loadRules reads a rules file, or returns the defaults for "".
func loadRules(path string) (engine.RuleSet, error) {
	if path == "" {
		return engine.DefaultRules(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return engine.RuleSet{}, err
	}
	defer f.Close()
	return engine.ParseRules(f, path)
}
