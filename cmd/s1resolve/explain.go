package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/s1resolve/s1resolve/explain"
	"github.com/s1resolve/s1resolve/index"
)

func explainCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "", "the store `DIR` written by s1resolve run --db (required)")
	limit := fs.Int("limit", 20, "list at most `N` members of a group in full (a larger group is summarised first); 0: all")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve explain --db DIR [--limit N] KEY\n\nKEY is an MPAN, an MPRN, a device GUID or smso/installation_id. Prints the\ninstallations it finds, their duplicate group and the rule that decided each.\n\nFlags:")
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
	if err := checkRange(fs, "limit", *limit, 0, 1<<30); err != nil {
		return err
	}
	st, err := index.Open(*db)
	if err != nil {
		return err
	}
	defer st.Close()
	return explain.Explain(stdout, st, rest[0], *limit)
}
