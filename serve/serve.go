// Package serve is `s1resolve serve`: the store of a run behind a JSON API
// and a web page, for the Responsible Suppliers and DCC's service desk
// (docs/SERVE.md). It reads a complete store (package index) and never
// writes it; it answers explain's question in explain's words (package
// explain), and a supplier's list in the report's format (package report).
//
// Access: on a loopback address without a tokens file, anyone on the
// machine sees everything. With a tokens file (tokens.go) every request
// but the page's own files needs a token, and a supplier's token sees only
// the installations whose supplier_id is its own: anything else answers
// as a key that does not exist. Beyond loopback, TLS and a tokens file are
// required.
//
// Signals: SIGHUP re-opens the store and re-reads the tokens file (a store
// that cannot be opened leaves the old one served, and the log says why);
// cancelling Run's context (SIGTERM, SIGINT) stops accepting requests and
// returns once those in flight are answered.
package serve

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cespare/xxhash/v2"

	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/paths"
)

// DefaultAddr is where the service listens unless told otherwise: this
// machine only.
const DefaultAddr = "127.0.0.1:8080"

// GCPercent is the collector's target the service runs with
// (debug.SetGCPercent, set by the command): its live heap is small (some
// MiB) and every answer allocates, so at the default of 100 it collects
// hundreds of times a second under load. At 400, 64 clients on a 1M store
// (BenchmarkServeLoad, docs/PERFORMANCE.md) see a p99 of 20-22 ms rather
// than 30 and 35% more answers a second, for a heap some five times the
// live one at its peak (800 was no better).
const GCPercent = 400

// Config is what `s1resolve serve` is given.
type Config struct {
	// DB is the store directory written by `s1resolve run --db`.
	DB string
	// Addr is host:port to listen on (DefaultAddr when ""; port 0 picks
	// one). An address that is not loopback needs TLS and Tokens.
	Addr string
	// Tokens is the tokens file; "" serves without tokens (loopback only).
	Tokens string
	// TLSCert and TLSKey are PEM files; both or neither.
	TLSCert, TLSKey string
	// Log receives the access log (a line per request) and the service's
	// messages; nil is os.Stderr.
	Log io.Writer
	// Rate is the requests per second allowed to one token, with Burst
	// more at once (defaults 50 and 100).
	Rate  float64
	Burst int
	// RequestTimeout bounds one API request (default 30 s), CSVTimeout one
	// supplier list (default 10 min), ShutdownTimeout the wait for the
	// requests in flight at shutdown (default 60 s).
	RequestTimeout, CSVTimeout, ShutdownTimeout time.Duration
	// Ready, when set, is called with the address listened on, once the
	// service answers.
	Ready func(addr string)
}

func (c *Config) defaults() {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.Log == nil {
		c.Log = os.Stderr
	}
	if c.Rate <= 0 {
		c.Rate = 50
	}
	if c.Burst <= 0 {
		c.Burst = 100
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 30 * time.Second
	}
	if c.CSVTimeout <= 0 {
		c.CSVTimeout = 10 * time.Minute
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 60 * time.Second
	}
}

// Check refuses, before anything is opened, an address beyond loopback
// without TLS and a tokens file, and TLS half given. The error wraps
// paths.ErrConflict.
func (c Config) Check() error {
	c.defaults()
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return &paths.Error{Arg: "--tls-cert/--tls-key", Problem: "give both, or neither"}
	}
	host, _, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return &paths.Error{Arg: "--addr " + c.Addr, Problem: "is not HOST:PORT"}
	}
	if !isLoopback(host) && (c.TLSCert == "" || c.Tokens == "") {
		return &paths.Error{Arg: "--addr " + c.Addr, Problem: "is not a loopback address: serving beyond this machine needs " +
			"--tls-cert, --tls-key and --tokens (installations locate premises; each supplier may see only its own)"}
	}
	return nil
}

// isLoopback reports whether host names this machine only.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Server is the service over one store, reloadable.
type Server struct {
	cfg     Config
	cur     atomic.Pointer[state]
	tokens  *tokenWatch
	limits  *limiters
	log     *log.Logger
	handler http.Handler
	who     string // what the served marker says
	closing sync.WaitGroup
	mu      sync.Mutex // one reload at a time
}

// New opens the store and the tokens file of cfg. The caller serves
// Handler and calls Close when done.
func New(cfg Config) (*Server, error) {
	cfg.defaults()
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: log.New(cfg.Log, "", 0), limits: newLimiters(cfg.Rate, cfg.Burst)}
	if cfg.Tokens != "" {
		tw, err := watchTokens(cfg.Tokens, s.log)
		if err != nil {
			return nil, err
		}
		s.tokens = tw
	}
	st, err := openState(cfg.DB)
	if err != nil {
		return nil, err
	}
	s.cur.Store(st)
	s.handler = s.routes()
	return s, nil
}

// Handler returns the service's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// mark marks the current store as served by who. A store the server
// cannot mark (read-only media, another user's folder) is served all the
// same: a run could not replace it either; the log says so.
func (s *Server) mark(who string) error {
	s.who = who
	release, err := index.MarkServed(s.cfg.DB, who)
	if err != nil {
		s.log.Printf("%s %v: serving it unmarked (run --db on it is not refused by this server)", now(), err)
		return nil
	}
	s.cur.Load().release = release
	return nil
}

// Reload re-opens the store and re-reads the tokens file. If the store
// cannot be opened the old one stays served and the error says why.
func (s *Server) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens != nil {
		s.tokens.reload()
	}
	st, err := openState(s.cfg.DB)
	if err != nil {
		s.log.Printf("%s reload: %v; still serving the store opened %s", now(), err, s.cur.Load().opened.Format(time.RFC3339))
		return err
	}
	if s.who != "" {
		if st.release, err = index.MarkServed(s.cfg.DB, s.who); err != nil {
			st.release = nil
			s.log.Printf("%s reload: %v: serving it unmarked", now(), err)
		}
	}
	old := s.cur.Swap(st)
	s.closing.Add(1)
	go func() {
		defer s.closing.Done()
		old.close() // once the requests reading it are answered
	}()
	s.log.Printf("%s reloaded store %s: %d installations, written %s", now(), s.cfg.DB, st.store.Meta.Installations, st.store.Meta.Created)
	return nil
}

// Close closes the store; call it once no request is being answered.
func (s *Server) Close() {
	s.closing.Wait()
	s.cur.Load().close()
}

// Run serves cfg until ctx is cancelled, then stops accepting requests,
// waits for those in flight (at most ShutdownTimeout) and returns. SIGHUP
// reloads the store and the tokens file.
func Run(ctx context.Context, cfg Config) error {
	cfg.defaults()
	if err := cfg.Check(); err != nil {
		return err
	}
	var tlsCfg *tls.Config
	if cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	s, err := New(cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
		scheme = "https"
	}
	url := scheme + "://" + listenedOn(cfg.Addr, ln.Addr())
	if err := s.mark(fmt.Sprintf("pid %d, s1resolve serve on %s", os.Getpid(), url)); err != nil {
		ln.Close()
		return err
	}
	srv := s.httpServer()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	st := s.cur.Load().store
	access := "anyone on this machine sees everything (no tokens file)"
	if cfg.Tokens != "" {
		access = "tokens from " + cfg.Tokens
	}
	s.log.Printf("%s serving store %s (%d installations, written %s) on %s; %s", now(), cfg.DB, st.Meta.Installations, st.Meta.Created, url, access)
	if cfg.Ready != nil {
		cfg.Ready(ln.Addr().String())
	}
	for {
		select {
		case <-hup:
			s.Reload()
		case err := <-served:
			return err
		case <-ctx.Done():
			s.log.Printf("%s stopping: answering the requests in flight", now())
			sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
			err := srv.Shutdown(sctx)
			cancel()
			<-served
			if err != nil {
				srv.Close()
				return fmt.Errorf("stopping: %w", err)
			}
			s.log.Printf("%s stopped", now())
			return nil
		}
	}
}

// httpServer returns the HTTP server of the service, with its limits: 5 s
// for the headers, 10 s for the whole request, maxHeaderBytes of headers.
// Each handler bounds its own answer's time (timed).
func (s *Server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          s.log,
	}
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// state is one opened store and what the service keeps of it in memory:
// per installation its supplier and outcome (8 bytes), for the lists and
// counts, so a page of a filtered list reads only the records it shows.
type state struct {
	mu       sync.RWMutex // read-held by each request using the store
	closed   bool
	store    *index.Store
	opened   time.Time
	release  func() // the served marker
	rows     []rowInfo
	supplier map[string]int32 // supplier id -> index in Meta.Suppliers
	// counts tallies the installations by supplier index (-1: none) and
	// category.
	counts map[int32]map[category]int
	// id tells this store from others, for cursors.
	id uint64
}

type rowInfo struct {
	supplier                 int32
	decision, reason, cohort uint8
}

type category struct{ decision, reason, cohort uint8 }

// openState opens the store in dir and reads every installation once.
func openState(dir string) (*state, error) {
	st, err := index.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := st.KeepPageNames(); err != nil {
		st.Close()
		return nil, fmt.Errorf("reading store %s: %w", dir, err)
	}
	s := &state{store: st, opened: time.Now(), rows: make([]rowInfo, 0, st.Meta.Installations),
		supplier: make(map[string]int32, len(st.Meta.Suppliers)), counts: map[int32]map[category]int{}}
	for i, name := range st.Meta.Suppliers {
		s.supplier[name] = int32(i)
	}
	err = st.Scan(context.Background(), func(r *index.Record) error {
		ri := rowInfo{supplier: r.Supplier, decision: uint8(r.Outcome.Decision), reason: uint8(r.Outcome.Reason), cohort: uint8(r.Installation.Cohort)}
		s.rows = append(s.rows, ri)
		c := s.counts[ri.supplier]
		if c == nil {
			c = map[category]int{}
			s.counts[ri.supplier] = c
		}
		c[category{ri.decision, ri.reason, ri.cohort}]++
		return nil
	})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("reading store %s: %w", dir, err)
	}
	m := st.Meta
	s.id = xxhash.Sum64String(fmt.Sprint(m.Created, m.Installations, m.Devices, m.Smets2, m.Inputs))
	return s, nil
}

// acquire returns the current state, read-locked: the store stays open
// until release.
func (s *Server) acquire() *state {
	for {
		st := s.cur.Load()
		st.mu.RLock()
		if !st.closed {
			return st
		}
		st.mu.RUnlock() // replaced and closed meanwhile: take the new one
	}
}

func (st *state) releaseRead() { st.mu.RUnlock() }

// close waits for the requests reading the store, then closes it and
// drops its served marker.
func (st *state) close() {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return
	}
	st.closed = true
	st.store.Close()
	if st.release != nil {
		st.release()
	}
}

// supplierIndex returns the index of supplier id, -1 for "" (no
// supplier), and false when the store has no such supplier.
func (st *state) supplierIndex(id string) (int32, bool) {
	if id == "" {
		return -1, true
	}
	i, ok := st.supplier[id]
	return i, ok
}

// listenedOn is the address to tell users: the one bound, but for a
// wildcard host (0.0.0.0, ::, none), which is named as given (the socket
// would say [::] for 0.0.0.0), with the port bound.
func listenedOn(given string, bound net.Addr) string {
	host, _, err := net.SplitHostPort(given)
	tcp, ok := bound.(*net.TCPAddr)
	if err != nil || !ok {
		return bound.String()
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		return bound.String()
	}
	if host == "" {
		host = "0.0.0.0"
	}
	return net.JoinHostPort(host, strconv.Itoa(tcp.Port)) + " (every address of this machine)"
}
