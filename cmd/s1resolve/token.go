package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/s1resolve/s1resolve/serve"
)

var tokenCommand = &command{
	name: "token", args: "add|revoke|list [ID|TOKEN]", min: 1, max: 2,
	summary: "add, revoke or list the tokens of serve",
	about: `Manages the tokens file of s1resolve serve --tokens:
  token add --tokens FILE --for dcc|supplier:SUPPLIER_ID
      prints a new token on stdout, once: only its SHA-256 is kept in FILE; give it to its holder now
  token revoke --tokens FILE ID|TOKEN
  token revoke --tokens FILE --for dcc|supplier:SUPPLIER_ID
      removes a token by its id (the first hex digits of its hash, as list and the access log show
      it), by the token itself, or every token of a holder
  token list --tokens FILE
A running serve sees a change within a second.`,
	setup: func(f *flags) action {
		var file, who string
		f.String(&file, "tokens", "FILE", "", "the tokens FILE of s1resolve serve --tokens").Required()
		f.String(&who, "for", "WHOM", "", "whom the token is for: dcc or supplier:SUPPLIER_ID")
		return func(ctx context.Context, e *env) error {
			verb, rest := e.args[0], e.args[1:]
			switch verb {
			case "add":
				if who == "" || len(rest) > 0 {
					return usageError("token add takes --for dcc|supplier:SUPPLIER_ID and no argument")
				}
				if _, err := serve.ParsePrincipal(who); err != nil {
					return usageError("--for: " + err.Error())
				}
				tok, id, err := serve.AddToken(file, who)
				if err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, tok)
				fmt.Fprintf(e.stderr, "token %s for %s added to %s. It is shown this once: give it to its holder now.\n", id, who, file)
			case "revoke":
				if (who == "") == (len(rest) == 0) {
					return usageError("token revoke takes an ID or TOKEN, or --for dcc|supplier:SUPPLIER_ID: one of them")
				}
				id := ""
				if len(rest) == 1 {
					id = rest[0]
				}
				removed, err := serve.RevokeTokens(file, id, who)
				if errors.Is(err, serve.ErrNoToken) {
					return usageError(err.Error())
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "revoked %d token(s) of %s in %s\n", len(removed), removed[0], file)
			case "list":
				if len(rest) > 0 || who != "" {
					return usageError("token list takes only --tokens FILE")
				}
				ps, err := serve.ListTokens(file)
				if err != nil {
					return err
				}
				for _, p := range ps {
					fmt.Fprintf(e.stdout, "%s %s\n", p.ID, p.Name)
				}
			default:
				return usageError(fmt.Sprintf("unknown token action %q: want add, revoke or list", verb))
			}
			return nil
		}
	},
}
