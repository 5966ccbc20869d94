package main

import (
	"context"

	"github.com/s1resolve/s1resolve/job"
	"github.com/s1resolve/s1resolve/serve"
)

var serveCommand = &command{
	name:    "serve",
	summary: "serve a store: a web page and a JSON API, each supplier seeing only its own",
	about: `Serves the store read-only: a web page at / and the JSON API (docs/SERVE.md). Every
request is logged on stderr. SIGHUP re-opens the store and re-reads the tokens file;
SIGTERM or SIGINT answers the requests in flight, then exits. Beyond loopback only with
TLS and a tokens file.`,
	setup: func(f *flags) action {
		var cfg serve.Config
		f.DB(&cfg.DB, "the store DIR written by s1resolve run --db").Required()
		f.String(&cfg.Addr, "addr", "HOST:PORT", serve.DefaultAddr, "listen on HOST:PORT; beyond loopback only with --tls-cert, --tls-key and --tokens")
		f.String(&cfg.Tokens, "tokens", "FILE", "", "the tokens FILE (s1resolve token add): every request then needs a token")
		f.String(&cfg.TLSCert, "tls-cert", "FILE", "", "TLS certificate FILE (PEM)")
		f.String(&cfg.TLSKey, "tls-key", "FILE", "", "TLS private key FILE (PEM)")
		return func(ctx context.Context, e *env) error {
			j := job.New(job.Streams{})
			defer j.Abort()
			if err := j.ReadFolder("--db", cfg.DB); err != nil {
				return err
			}
			// Served files are read again on SIGHUP: they are planned as
			// inputs (present, readable, none inside an output), read by
			// serve. One PEM file may hold both certificate and key.
			for _, in := range []struct{ label, path string }{{"--tokens", cfg.Tokens}, {"--tls-cert", cfg.TLSCert}, {"--tls-key", cfg.TLSKey}} {
				if in.path == "" {
					continue
				}
				if _, err := j.SameInput(in.label, in.path); err != nil {
					return err
				}
			}
			cfg.Log = e.stderr
			e.proc.setGCPercent(serve.GCPercent)
			return serve.Run(ctx, cfg)
		}
	},
}
