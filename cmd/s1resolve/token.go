package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/s1resolve/s1resolve/serve"
)

const tokenUsage = `Usage:
  s1resolve token add --tokens FILE --for dcc|supplier:SUPPLIER_ID
  s1resolve token revoke --tokens FILE ID|TOKEN
  s1resolve token revoke --tokens FILE --for dcc|supplier:SUPPLIER_ID
  s1resolve token list --tokens FILE

add prints a new token on stdout, once: only its SHA-256 is kept in FILE. Give it to its holder now.
revoke removes a token by its id (the first hex digits of its hash, as list and the access log show
it), by the token itself, or every token of a holder. A running serve sees the change within a second.`

func tokenCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "revoke" && args[0] != "list") {
		fmt.Fprintln(stderr, tokenUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return flag.ErrHelp
		}
		return errUsage
	}
	verb := args[0]
	fs := flag.NewFlagSet("token "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("tokens", "", "the tokens `FILE` of s1resolve serve --tokens (required)")
	who := fs.String("for", "", "whom the token is for: `dcc` or supplier:SUPPLIER_ID")
	fs.Usage = func() {
		fmt.Fprintln(stderr, tokenUsage+"\n\nFlags:")
		fs.PrintDefaults()
	}
	rest, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	if *file == "" {
		fs.Usage()
		return errUsage
	}
	switch verb {
	case "add":
		if *who == "" || len(rest) > 0 {
			fs.Usage()
			return errUsage
		}
		if _, err := serve.ParsePrincipal(*who); err != nil {
			return usageError("--for: " + err.Error())
		}
		tok, id, err := serve.AddToken(*file, *who)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, tok)
		fmt.Fprintf(stderr, "token %s for %s added to %s. It is shown this once: give it to its holder now.\n", id, *who, *file)
	case "revoke":
		if (*who == "") == (len(rest) == 0) || len(rest) > 1 {
			fs.Usage()
			return errUsage
		}
		id := ""
		if len(rest) == 1 {
			id = rest[0]
		}
		removed, err := serve.RevokeTokens(*file, id, *who)
		if errors.Is(err, serve.ErrNoToken) {
			return usageError(err.Error())
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "revoked %d token(s) of %s in %s\n", len(removed), removed[0], *file)
	case "list":
		if len(rest) > 0 || *who != "" {
			fs.Usage()
			return errUsage
		}
		ps, err := serve.ListTokens(*file)
		if err != nil {
			return err
		}
		for _, p := range ps {
			fmt.Fprintf(stdout, "%s %s\n", p.ID, p.Name)
		}
	}
	return nil
}
