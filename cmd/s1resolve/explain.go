package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/s1resolve/s1resolve/index"
)

func explainCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "store directory written by `s1resolve run --db` (required)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve explain --db DIR KEY\n\nKEY is an MPAN, an MPRN, a device GUID or smso/installation_id. Prints the\ninstallations it finds, their duplicate group and the rule that decided each.\n\nFlags:")
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if *db == "" || len(rest) != 1 {
		fs.Usage()
		return errUsage
	}
	st, err := index.Open(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	return index.Explain(stdout, st, rest[0])
}
