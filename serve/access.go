package serve

import (
	"context"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/time/rate"
)

// Request limits: a request is a GET of a URL; anything larger is refused
// before it is read.
const (
	// maxHeaderBytes is http.Server.MaxHeaderBytes: net/http reads 4 KiB
	// more than it before refusing (431), so the headers a request may
	// send are at most 16 KiB.
	maxHeaderBytes = 16<<10 - 4096
	maxURLBytes    = 4 << 10
)

// tokenWatch is the tokens file as last read. A request looks at the file
// at most once a second and re-reads it when it changed, so a revoked
// token is refused within a second; a file that no longer reads keeps the
// tokens read before, and the log says why.
type tokenWatch struct {
	path    string
	set     atomic.Pointer[tokenSet]
	checked atomic.Int64 // unix nanoseconds of the last look
	mu      sync.Mutex
	stamp   fileStamp
	log     *log.Logger
}

type fileStamp struct {
	size    int64
	modTime time.Time
	ino     uint64
}

func stampOf(fi os.FileInfo) fileStamp {
	st := fileStamp{size: fi.Size(), modTime: fi.ModTime()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ino = sys.Ino
	}
	return st
}

func watchTokens(path string, l *log.Logger) (*tokenWatch, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	ts, err := readTokens(path)
	if err != nil {
		return nil, err
	}
	tw := &tokenWatch{path: path, log: l, stamp: stampOf(fi)}
	tw.set.Store(&ts)
	tw.checked.Store(time.Now().UnixNano())
	return tw, nil
}

// current returns the tokens, re-read if the file changed.
func (tw *tokenWatch) current() tokenSet {
	if last := tw.checked.Load(); time.Now().UnixNano()-last > int64(time.Second) && tw.mu.TryLock() {
		tw.checked.Store(time.Now().UnixNano())
		if fi, err := os.Stat(tw.path); err != nil || stampOf(fi) != tw.stamp {
			tw.reloadLocked()
		}
		tw.mu.Unlock()
	}
	return *tw.set.Load()
}

func (tw *tokenWatch) reload() {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.reloadLocked()
}

func (tw *tokenWatch) reloadLocked() {
	fi, err := os.Stat(tw.path)
	var ts tokenSet
	if err == nil {
		ts, err = readTokens(tw.path)
	}
	if err != nil {
		tw.log.Printf("%s tokens file: %v; the tokens read before stay in force", now(), err)
		return
	}
	tw.stamp = stampOf(fi)
	tw.set.Store(&ts)
}

// limiters are the per-token rate limiters.
type limiters struct {
	mu    sync.Mutex
	rate  rate.Limit
	burst int
	by    map[string]*rate.Limiter
}

func newLimiters(r float64, burst int) *limiters {
	return &limiters{rate: rate.Limit(r), burst: burst, by: map[string]*rate.Limiter{}}
}

func (l *limiters) allow(id string) bool {
	l.mu.Lock()
	lim := l.by[id]
	if lim == nil {
		lim = rate.NewLimiter(l.rate, l.burst)
		l.by[id] = lim
	}
	l.mu.Unlock()
	return lim.Allow()
}

type principalKey struct{}

// principalOf returns the principal a request was authenticated as.
func principalOf(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// bearer returns the token of an Authorization: Bearer header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

// recorder remembers the status and size of a response for the log.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// securityHeaders are sent with every response: the page runs only its
// own script and style, loads nothing from elsewhere, is framed by no one;
// no response is sniffed as another type or cached.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
	"X-Content-Type-Options":       "nosniff",
	"X-Frame-Options":              "DENY",
	"Referrer-Policy":              "no-referrer",
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Resource-Policy": "same-origin",
	"Permissions-Policy":           "camera=(), microphone=(), geolocation=(), payment=()",
	"Cache-Control":                "no-store",
}

// wrap is every request's way in: the access log line, the security
// headers, the limits of size and method, the token and its rate, the
// time limit. public paths (the page's own files) need no token.
func (s *Server) wrap(mux http.Handler, public map[string]bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		who := "-"
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Printf("%s panic serving %s: %v", now(), r.URL.EscapedPath(), v)
				if rec.status == 0 {
					writeError(rec, http.StatusInternalServerError, "internal error")
				}
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			s.log.Printf("%s %s %s %s %d %s", start.UTC().Format(time.RFC3339Nano), who, r.Method, r.URL.EscapedPath(), status,
				time.Since(start).Round(time.Microsecond))
		}()
		h := w.Header()
		for k, v := range securityHeaders {
			h.Set(k, v)
		}
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		switch {
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			h.Set("Allow", "GET, HEAD")
			writeError(rec, http.StatusMethodNotAllowed, "only GET and HEAD are served: the service is read-only")
			return
		case len(r.RequestURI) > maxURLBytes:
			writeError(rec, http.StatusRequestURITooLong, "the URL is longer than "+strconv.Itoa(maxURLBytes)+" bytes")
			return
		case r.ContentLength != 0:
			writeError(rec, http.StatusRequestEntityTooLarge, "a request has no body here")
			return
		}
		p := Principal{Name: "local"}
		if s.tokens != nil && !public[r.URL.Path] {
			tok, ok := bearer(r)
			if ok {
				p, ok = s.tokens.current().lookup(tok)
			}
			if !ok {
				h.Set("WWW-Authenticate", `Bearer realm="s1resolve"`)
				writeError(rec, http.StatusUnauthorized, "a valid token is required: send Authorization: Bearer TOKEN")
				return
			}
			who = p.Name + "#" + p.ID
			if !s.limits.allow(p.ID) {
				h.Set("Retry-After", "1")
				writeError(rec, http.StatusTooManyRequests, "too many requests for this token: slow down")
				return
			}
		} else if s.tokens == nil {
			who = p.Name
		}
		ctx := context.WithValue(r.Context(), principalKey{}, p)
		mux.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// inFlight, when set (by tests), is called as each API request begins:
// it holds requests in flight.
var inFlight atomic.Pointer[func(*http.Request)]

// timed bounds a handler's time: its context ends, and its writes fail,
// after d.
func timed(d time.Duration, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
		if hook := inFlight.Load(); hook != nil {
			(*hook)(r)
		}
		h(w, r.WithContext(ctx))
	}
}
