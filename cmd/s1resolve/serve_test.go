package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTokenAndServeCommands: token add prints a token once and keeps its
// hash; list names it; revoke removes it; serve refuses an address beyond
// loopback without TLS and tokens before any work (exit 2).
func TestTokenAndServeCommands(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tokens")
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := dispatch(context.Background(), args, &out, &errb)
		return code, out.String(), errb.String()
	}
	code, tok, msg := run("token", "add", "--tokens", file, "--for", "supplier:SUP1")
	tok = strings.TrimSpace(tok)
	if code != 0 || !strings.HasPrefix(tok, "s1r_") || !strings.Contains(msg, "shown this once") {
		t.Fatalf("token add: %d %q %q", code, tok, msg)
	}
	if b, _ := os.ReadFile(file); strings.Contains(string(b), tok) {
		t.Fatal("the tokens file holds the token")
	}
	code, list, _ := run("token", "list", "--tokens", file)
	fields := strings.Fields(list)
	if code != 0 || len(fields) != 2 || fields[1] != "supplier:SUP1" {
		t.Fatalf("token list: %d %q", code, list)
	}
	if code, _, msg := run("token", "add", "--tokens", file, "--for", "someone"); code != 2 || !strings.Contains(msg, "not a principal") {
		t.Errorf("token add for someone: %d %q", code, msg)
	}
	if code, _, msg := run("token", "revoke", "--tokens", file, fields[0]); code != 0 || !strings.Contains(msg, "revoked 1 token(s) of supplier:SUP1") {
		t.Errorf("token revoke: %d %q", code, msg)
	}
	if code, _, _ := run("token", "revoke", "--tokens", file, fields[0]); code != 2 {
		t.Errorf("revoking it again: %d", code)
	}
	if code, _, _ := run("token"); code != 2 {
		t.Errorf("token without a verb: %d", code)
	}
	code, _, msg = run("serve", "--db", t.TempDir(), "--addr", "0.0.0.0:8080")
	if code != 2 || !strings.Contains(msg, "not a loopback address") || !strings.Contains(msg, "refused before any work") {
		t.Errorf("serve beyond loopback: %d %q", code, msg)
	}
	if code, _, msg := run("serve"); code != 2 || !strings.Contains(msg, "--db is required") {
		t.Errorf("serve without --db: %d %q", code, msg)
	}
}
