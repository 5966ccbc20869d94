package serve

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/paths"
	"github.com/s1resolve/s1resolve/pipeline"
)

// TestRefusals: an address beyond loopback without TLS and tokens, TLS
// half given; malformed keys, parameters and cursors; other methods,
// bodies, oversized URLs and headers; each answered with the status a
// client expects and a JSON message.
func TestRefusals(t *testing.T) {
	f := population(t)
	cert, key := selfSigned(t)
	tokens := filepath.Join(t.TempDir(), "tokens")
	os.WriteFile(tokens, nil, 0o600)
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{DB: f.db, Addr: "0.0.0.0:8080"}, "is not a loopback address"},
		{Config{DB: f.db, Addr: ":8080"}, "is not a loopback address"},
		{Config{DB: f.db, Addr: "10.1.2.3:8443", Tokens: tokens}, "needs --tls-cert"},
		{Config{DB: f.db, Addr: "10.1.2.3:8443", TLSCert: cert, TLSKey: key}, "--tokens"},
		{Config{DB: f.db, Addr: "127.0.0.1:8443", TLSCert: cert}, "give both"},
		{Config{DB: f.db, Addr: "no-port"}, "is not HOST:PORT"},
	} {
		err := Run(context.Background(), c.cfg)
		if !errors.Is(err, paths.ErrConflict) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want a refusal saying %q", c.cfg, err, c.want)
		}
	}
	for _, ok := range []string{"127.0.0.1:0", "localhost:0", "[::1]:0", "127.9.9.9:0"} {
		if err := (Config{DB: f.db, Addr: ok}).Check(); err != nil {
			t.Errorf("%s refused: %v", ok, err)
		}
	}
	if err := (Config{DB: f.db, Addr: "10.1.2.3:8443", TLSCert: cert, TLSKey: key, Tokens: tokens}).Check(); err != nil {
		t.Errorf("beyond loopback with TLS and tokens: %v", err)
	}

	_, hs, _ := testServer(t, Config{})
	for path, want := range map[string]int{
		"/api/explain?key=a%01b":                        400, // a control character: no key of any form
		"/api/explain?key=" + strings.Repeat("x", 65):   400, // longer than any id
		"/api/explain":                                  400,
		"/api/explain?key=junk!":                        404, // could be an installation_id or inventory_id
		"/api/explain?key=12345":                        404,
		"/api/explain?key=00-11":                        404,
		"/api/explain?key=1200023305968":                404, // a wrong check digit, or an id
		"/api/explain?key=S/NO-SUCH":                    404,
		"/api/explain?key=E1234567890":                  404, // E and ten digits: no MPAN, and matches nothing
		"/api/explain?key=E1200023305968":               404, // an MPAN's form with a wrong check digit
		"/api/explain?key=1200023305967":                404,
		"/api/explain?key=S/X&limit=-1":                 400,
		"/api/explain?key=S/X&limit=0":                  400,
		"/api/installations?limit=0":                    400,
		"/api/installations?limit=1001":                 400,
		"/api/installations?decision=maybe":             400,
		"/api/installations?reason=whim":                400,
		"/api/installations?cursor=garbage":             400,
		"/api/installations?cursor=AAAAAAAAAAAAAAAA":    400,
		"/api/installations?supplier=NO-SUCH":           404,
		"/api/suppliers/NO-SUCH/installations.csv":      404,
		"/api/nothing":                                  404,
		"/" + strings.Repeat("a", maxURLBytes):          414,
		"/api/explain?key=" + strings.Repeat("1", 5000): 414,
	} {
		code, body, h := get(t, hs.URL, path, "")
		if code != want || h.Get("Content-Type") != "application/json; charset=utf-8" || !strings.Contains(string(body), fmt.Sprintf(`"status":%d`, want)) {
			t.Errorf("%.60s: %d %s, want %d in JSON", path, code, body, want)
		}
	}
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		req, _ := http.NewRequest(method, hs.URL+"/api/summary", strings.NewReader("x"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s: %d", method, resp.StatusCode)
		}
	}
	req, _ := http.NewRequest("GET", hs.URL+"/api/summary", strings.NewReader(strings.Repeat("x", 1<<20)))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("a GET with a body: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	req, _ = http.NewRequest("GET", hs.URL+"/api/summary", nil)
	req.Header.Set("X-Padding", strings.Repeat("x", 2*maxHeaderBytes))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("oversized headers: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	// Every answer, page or API, carries the headers that keep the page safe.
	for _, path := range []string{"/", "/app.js", "/api/summary", "/api/explain?key=junk!"} {
		_, _, h := get(t, hs.URL, path, "")
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || h.Get("X-Content-Type-Options") != "nosniff" ||
			h.Get("X-Frame-Options") != "DENY" || h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", path, h)
		}
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key.
func selfSigned(t *testing.T) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "s1resolve test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(k)
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, key
}

// running is a Run in a goroutine.
type running struct {
	addr   string
	cancel context.CancelFunc
	done   chan error
	logs   *syncBuffer
}

func startRun(t *testing.T, cfg Config) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan error, 1), logs: &syncBuffer{}}
	ready := make(chan string, 1)
	cfg.Addr, cfg.Log, cfg.Ready = "127.0.0.1:0", r.logs, func(a string) { ready <- a }
	go func() { r.done <- Run(ctx, cfg) }()
	select {
	case r.addr = <-ready:
	case err := <-r.done:
		t.Fatalf("Run: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("the service did not start")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(20 * time.Second):
			t.Error("the service did not stop")
		}
	})
	return r
}

// TestGracefulShutdown: when Run's context ends (SIGTERM), the requests
// already begun are answered in full before Run returns; new connections
// are refused; the served marker is gone.
func TestGracefulShutdown(t *testing.T) {
	f := population(t)
	r := startRun(t, Config{DB: f.db})
	if who, served := index.ServedBy(f.db); !served || !strings.Contains(who, r.addr) || !strings.Contains(who, fmt.Sprint(os.Getpid())) {
		t.Fatalf("ServedBy = %q, %v", who, served)
	}
	// Requests in flight: their handlers begun, held until released.
	release := make(chan struct{})
	begun := make(chan struct{}, 4)
	hold := func(*http.Request) {
		begun <- struct{}{}
		<-release
	}
	inFlight.Store(&hold)
	defer inFlight.Store(nil)
	key := f.rows[0][0] + "/" + f.rows[0][1]
	type answer struct {
		code int
		body string
		err  error
	}
	answers := make(chan answer, 4)
	for range 4 {
		go func() {
			resp, err := http.Get("http://" + r.addr + "/api/explain?key=" + key)
			if err != nil {
				answers <- answer{err: err}
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			answers <- answer{resp.StatusCode, string(b), err}
		}()
	}
	for range 4 {
		<-begun
	}
	r.cancel()
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-r.done:
		t.Fatalf("Run returned with requests in flight: %v", err)
	default:
	}
	if c, err := net.DialTimeout("tcp", r.addr, time.Second); err == nil {
		c.Close()
		t.Error("a new connection was accepted after shutdown began")
	}
	close(release)
	for i := range 4 {
		a := <-answers
		if a.err != nil || a.code != http.StatusOK || !strings.Contains(a.body, `"found":1`) || !strings.HasSuffix(a.body, "}\n") {
			t.Errorf("request %d in flight: %d %v %.200s", i, a.code, a.err, a.body)
		}
	}
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return once the requests were answered")
	}
	r.done <- nil // for the cleanup
	if who, served := index.ServedBy(f.db); served {
		t.Errorf("still marked served by %q", who)
	}
	if !strings.Contains(r.logs.String(), "stopped") {
		t.Errorf("log: %s", r.logs.String())
	}
}

// TestReload: SIGHUP re-opens the store. A store that cannot be opened
// leaves the old one served and the log says why; a new store renamed
// into place is served from then on, and the served marker follows it.
func TestReload(t *testing.T) {
	f := population(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	db := filepath.Join(dir, "db")
	write := func(n int, db string) {
		var b strings.Builder
		b.WriteString("smso,cohort,installation_id,mpan,install_date,communicating,device_guid,device_type,device_state\n")
		for i := range n {
			fmt.Fprintf(&b, "S,FOC,I%03d,,2019-01-01,Y,%016X,ESME,dormant\n", i, i+1)
		}
		os.WriteFile(in, []byte(strings.ReplaceAll(b.String(), ",,", ",1200023305967,")), 0o600)
		if _, err := pipeline.Run(context.Background(), pipeline.Config{Inputs: []string{in}, DB: db,
			Out: filepath.Join(dir, "d.csv"), Rejects: filepath.Join(dir, "r.csv")}); err != nil {
			t.Fatal(err)
		}
	}
	write(3, db)
	_ = f
	r := startRun(t, Config{DB: db})
	base := "http://" + r.addr
	count := func() int {
		var s summaryBody
		getJSON(t, base, "/api/summary", "", &s)
		return s.Installations
	}
	if n := count(); n != 3 {
		t.Fatalf("%d installations", n)
	}
	hup := func() {
		before := strings.Count(r.logs.String(), "reload")
		syscall.Kill(os.Getpid(), syscall.SIGHUP)
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(r.logs.String(), "reload") == before {
			if time.Now().After(deadline) {
				t.Fatal("no reload after SIGHUP")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// Incomplete: the old store stays served.
	complete := filepath.Join(db, "S1RESOLVE-COMPLETE")
	os.Rename(complete, complete+".away")
	hup()
	if !strings.Contains(r.logs.String(), "holds a store its run did not finish") || !strings.Contains(r.logs.String(), "still serving") {
		t.Errorf("log: %s", r.logs.String())
	}
	if n := count(); n != 3 {
		t.Fatalf("after a failed reload: %d installations", n)
	}
	os.Rename(complete+".away", complete)
	// A new store renamed into place.
	write(5, filepath.Join(dir, "db2"))
	if err := os.Rename(db, filepath.Join(dir, "db-old")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "db2"), db); err != nil {
		t.Fatal(err)
	}
	hup()
	if n := count(); n != 5 {
		t.Fatalf("after the new store was renamed in: %d installations\n%s", n, r.logs.String())
	}
	if _, served := index.ServedBy(db); !served {
		t.Error("the new store is not marked served")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, served := index.ServedBy(filepath.Join(dir, "db-old")); !served {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the old store is still marked served")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestListenedOn: a wildcard host is told as given (the socket names
// 0.0.0.0 as [::]), with the port bound; any other address as bound.
func TestListenedOn(t *testing.T) {
	bound := &net.TCPAddr{IP: net.IPv6unspecified, Port: 8443}
	for given, want := range map[string]string{
		"0.0.0.0:0":      "0.0.0.0:8443 (every address of this machine)",
		":8443":          "0.0.0.0:8443 (every address of this machine)",
		"[::]:8443":      "[::]:8443 (every address of this machine)",
		"127.0.0.1:8443": "[::]:8443",
	} {
		if got := listenedOn(given, bound); got != want {
			t.Errorf("listenedOn(%q) = %q; want %q", given, got, want)
		}
	}
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	if got := listenedOn("localhost:8080", local); got != "127.0.0.1:8080" {
		t.Errorf("a host name: %q; want the address bound", got)
	}
}
