package serve

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestTokensFile: add prints a token of 256 random bits once and keeps
// only its hash (mode 0600); the file names each token's holder; revoke
// removes by id, by token or by holder, refusing an id too short or
// ambiguous; concurrent adds lose none; a malformed line is an error
// naming the file and line.
func TestTokensFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens")
	tok, id, err := AddToken(file, "supplier:SUP 1")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, tokenPrefix))
	if !strings.HasPrefix(tok, tokenPrefix) || err != nil || len(raw) != 32 {
		t.Fatalf("token %q: %d random bytes, %v", tok, len(raw), err)
	}
	b, _ := os.ReadFile(file)
	h := sha256.Sum256([]byte(tok))
	if strings.Contains(string(b), tok) || strings.Contains(string(b), tok[4:]) || string(b) != hex.EncodeToString(h[:])+" supplier:SUP 1\n" {
		t.Fatalf("tokens file: %q", b)
	}
	if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	if !strings.HasPrefix(hex.EncodeToString(h[:]), id) || len(id) != 12 {
		t.Errorf("id %q", id)
	}
	var wg sync.WaitGroup
	toks := make([]string, 20)
	for i := range toks {
		wg.Go(func() {
			var err error
			if toks[i], _, err = AddToken(file, "dcc"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	ts, err := readTokens(file)
	if err != nil || len(ts) != 21 {
		t.Fatalf("%d tokens after 21 adds: %v", len(ts), err)
	}
	seen := map[string]bool{tok: true}
	for _, x := range toks {
		if seen[x] {
			t.Fatal("a token was made twice")
		}
		seen[x] = true
		if p, ok := ts.lookup(x); !ok || p.Name != "dcc" {
			t.Errorf("lookup of a dcc token: %+v %v", p, ok)
		}
	}
	if p, ok := ts.lookup(tok); !ok || p.Supplier != "SUP 1" || !p.IsSupplier() {
		t.Errorf("lookup: %+v %v", p, ok)
	}
	if _, ok := ts.lookup(tok + "x"); ok {
		t.Error("a wrong token was accepted")
	}
	for _, bad := range []string{"abc", "1"} {
		if _, err := RevokeTokens(file, bad, ""); err == nil {
			t.Errorf("revoke %q: no error", bad)
		}
	}
	if _, err := RevokeTokens(file, "ffffffffffff", ""); !errors.Is(err, ErrNoToken) {
		t.Errorf("revoke of no token: %v", err)
	}
	if got, err := RevokeTokens(file, id, ""); err != nil || len(got) != 1 || got[0] != "supplier:SUP 1" {
		t.Fatalf("revoke by id: %v %v", got, err)
	}
	if got, err := RevokeTokens(file, toks[0], ""); err != nil || len(got) != 1 {
		t.Fatalf("revoke by token: %v %v", got, err)
	}
	if got, err := RevokeTokens(file, "", "dcc"); err != nil || len(got) != 19 {
		t.Fatalf("revoke by holder: %v %v", got, err)
	}
	if ts, _ := readTokens(file); len(ts) != 0 {
		t.Errorf("%d tokens left", len(ts))
	}
	for _, p := range []string{"supplier:", "nobody", "supplier: X", "supplier:a\tb"} {
		if _, _, err := AddToken(file, p); err == nil {
			t.Errorf("principal %q accepted", p)
		}
	}
	os.WriteFile(file, []byte("# comment\n\n"+strings.Repeat("a", 64)+" dcc\nnothex dcc\n"), 0o600)
	if _, err := readTokens(file); err == nil || !strings.Contains(err.Error(), file+" line 4") {
		t.Errorf("malformed line: %v", err)
	}
}
