package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/s1resolve/s1resolve/serve"
)

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg serve.Config
	fs.StringVar(&cfg.DB, "db", "", "the store `DIR` written by s1resolve run --db (required)")
	fs.StringVar(&cfg.Addr, "addr", serve.DefaultAddr, "listen on `HOST:PORT`; beyond loopback only with --tls-cert, --tls-key and --tokens")
	fs.StringVar(&cfg.Tokens, "tokens", "", "the tokens `FILE` (s1resolve token add): every request then needs a token")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "TLS certificate `FILE` (PEM)")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "TLS private key `FILE` (PEM)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: s1resolve serve --db DIR [--addr HOST:PORT] [--tokens FILE] [--tls-cert FILE --tls-key FILE]\n\n"+
			"Serves the store read-only: a web page at / and the JSON API (docs/SERVE.md). Every request is logged on\n"+
			"stderr. SIGHUP re-opens the store and re-reads the tokens file; SIGTERM or SIGINT answers the requests\n"+
			"in flight, then exits.\n\nFlags:")
		fs.PrintDefaults()
	}
	if rest, err := parseInterspersed(fs, args); err != nil {
		return err
	} else if len(rest) > 0 || cfg.DB == "" {
		fs.Usage()
		return errUsage
	}
	cfg.Log = stderr
	return serve.Run(ctx, cfg)
}
