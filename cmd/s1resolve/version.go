package main

import (
	"context"
	"fmt"

	"github.com/s1resolve/s1resolve/provenance"
)

var versionCommand = &command{
	name:    "version",
	summary: "print the version and VCS revision (also --version)",
	about:   `Prints the module version and the VCS revision this binary was built from.`,
	setup: func(f *flags) action {
		return func(ctx context.Context, e *env) error {
			fmt.Fprintln(e.stdout, provenance.CurrentBuild())
			return nil
		}
	},
}
