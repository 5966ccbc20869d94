package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/s1resolve/s1resolve/provenance"
)

func versionCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve version\n\nPrints the module version and the VCS revision this binary was built from.")
	}
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		fs.Usage()
		return errUsage
	}
	fmt.Fprintln(stdout, provenance.CurrentBuild())
	return nil
}
