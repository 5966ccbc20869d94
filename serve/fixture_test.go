package serve

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/pipeline"
	"github.com/s1resolve/s1resolve/synth"
)

// fixture is one generated population, run once for the package's tests:
// its store, decisions file and report (with the supplier lists).
type fixture struct {
	dir, db, decisions, report string
	rows                       []printedRow // the decisions file's rows, in order
	byName                     map[string]printedRow
}

var (
	fixtureOnce sync.Once
	theFixture  *fixture
	fixtureErr  error
	fixtureRoot string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureRoot != "" {
		os.RemoveAll(fixtureRoot)
	}
	os.Exit(code)
}

// population returns the package's generated population, run with a store
// and a report: 2,000 installations of 3 SMSOs, registration and supplier
// data, a SMETS2+ inventory and some bad rows.
func population(t testing.TB) *fixture {
	t.Helper()
	fixtureOnce.Do(func() {
		fixtureRoot, fixtureErr = os.MkdirTemp("", "s1resolve-serve-test-*")
		if fixtureErr != nil {
			return
		}
		f := &fixture{dir: fixtureRoot}
		st, err := synth.Generate(context.Background(), synth.Config{Dir: filepath.Join(f.dir, "in"), Installations: 2000, Seed: 7,
			SMSOs: 3, Bad: 0.01, Smets2Rate: 0.08})
		if err != nil {
			fixtureErr = err
			return
		}
		f.db, f.decisions, f.report = filepath.Join(f.dir, "db"), filepath.Join(f.dir, "decisions.csv"), filepath.Join(f.dir, "report")
		cfg := pipeline.Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, Smets2: st.Smets2,
			DB: f.db, Out: f.decisions, Rejects: filepath.Join(f.dir, "rejects.csv"), Report: f.report}
		if _, err := pipeline.Run(context.Background(), cfg); err != nil {
			fixtureErr = err
			return
		}
		f.byName = map[string]printedRow{}
		f.rows, fixtureErr = readPrinted(f.decisions)
		for _, r := range f.rows {
			f.byName[r[output.ColSMSO]+"/"+r[output.ColInstallationID]] = r
		}
		theFixture = f
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return theFixture
}

// testServer serves the fixture's store (or cfg.DB) on 127.0.0.1 with the
// service's own HTTP limits; it is closed at the end of the test.
func testServer(t *testing.T, cfg Config) (*Server, *httptest.Server, *syncBuffer) {
	t.Helper()
	if cfg.DB == "" {
		cfg.DB = population(t).db
	}
	logs := &syncBuffer{}
	cfg.Log = logs
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(s.Handler())
	own := s.httpServer()
	hs.Config.ReadHeaderTimeout, hs.Config.ReadTimeout, hs.Config.MaxHeaderBytes = own.ReadHeaderTimeout, own.ReadTimeout, own.MaxHeaderBytes
	hs.Config.ErrorLog = own.ErrorLog
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	return s, hs, logs
}

// syncBuffer is a log written by many requests at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// get asks path with token ("" none) and returns the status and body.
func get(t testing.TB, base, path, token string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

// getJSON asks path and decodes a 200 answer into v.
func getJSON(t testing.TB, base, path, token string, v any) {
	t.Helper()
	code, b, _ := get(t, base, path, token)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, code, b)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, b)
	}
}

// rowFields returns a JSON row's values by the decisions columns' names.
func rowFields(t testing.TB, row any) map[string]string {
	t.Helper()
	b, _ := json.Marshal(row)
	var m map[string]any
	json.Unmarshal(b, &m)
	out := map[string]string{}
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[k] = v
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return out
}

// printedRow is a decisions row as the file prints it, column by column.
type printedRow [output.NumColumns]string

// readPrinted reads a decisions CSV with encoding/csv: the tests compare
// the service with the file as any CSV reader reads it.
func readPrinted(path string) ([]printedRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	if strings.Join(recs[0], ",") != strings.Join(output.ColumnNames(), ",") {
		return nil, fmt.Errorf("%s: header %v", path, recs[0])
	}
	var out []printedRow
	for _, r := range recs[1:] {
		var p printedRow
		copy(p[:], r)
		out = append(out, p)
	}
	return out, nil
}
