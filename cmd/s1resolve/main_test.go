package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommandExitCodesAndMessages(t *testing.T) {
	dir := t.TempDir()
	noGUID := filepath.Join(dir, "no_guid.csv")
	os.WriteFile(noGUID, []byte("smso,cohort,installation_id,mpan,install_date,device_type,device_state\n"), 0o600)
	good := filepath.Join("..", "..", "testdata", "sample", "smso_a.csv")
	badRules := filepath.Join(dir, "bad.rules")
	os.WriteFile(badRules, []byte("# x\nXOC firmware=1\n"), 0o600)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
		stdout string
	}{
		{"no command", nil, 2, "Usage", ""},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command", ""},
		{"run without files", []string{"run"}, 2, "Usage: s1resolve run", ""},
		{"missing column names file and column", []string{"run", "--out", filepath.Join(dir, "d.csv"), "--rejects", filepath.Join(dir, "r.csv"), noGUID},
			1, `no_guid.csv: line 1: column "device_guid": required column is missing`, ""},
		{"decisions to stdout", []string{"run", "--quiet", "--out", "-", "--rejects", filepath.Join(dir, "r2.csv"), good},
			0, "", "smso,installation_id,cohort,decision"},
		{"jsonl to stdout", []string{"run", "--quiet", "--format", "jsonl", "--out", "-", "--rejects", filepath.Join(dir, "r3.csv"), good},
			0, "", `{"smso":"A"`},
		{"bad format", []string{"run", "--format", "xml", good}, 2, "unknown format", ""},
		{"rules prints the defaults", []string{"rules"}, 0, "", "# s1resolve rules"},
		{"--version", []string{"--version"}, 0, "", "s1resolve "},
		{"version", []string{"version"}, 0, "", "s1resolve "},
		{"parquet to stdout", []string{"run", "--quiet", "--format", "parquet", "--out", "-", "--rejects", filepath.Join(dir, "r4.csv"), good},
			0, "", "PAR1"},
		{"bad rules file names file and line", []string{"run", "--rules", badRules, good}, 1, "bad.rules: line 2: unknown cohort", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := dispatch(context.Background(), tt.args, &out, &errb)
			if code != tt.code || !strings.Contains(errb.String(), tt.stderr) || !strings.HasPrefix(out.String(), tt.stdout) {
				t.Fatalf("exit %d, stderr %q, stdout %.80q; want %d, %q, %q", code, errb.String(), out.String(), tt.code, tt.stderr, tt.stdout)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "d.csv")); !os.IsNotExist(err) {
		t.Error("a failed run left a decisions file")
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"3GiB": 3 << 30, "2500MiB": 2500 << 20, "800MB": 800e6, "1024": 1024, "0": 0, "1.5GiB": 3 << 29,
		"1PiB": 1 << 50, "1024TiB": 1 << 50, "1TB": 1e12, "2t": 2 << 40} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "-1", "2PiB", "1025TiB"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}
