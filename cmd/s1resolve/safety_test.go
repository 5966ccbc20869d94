package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/s1resolve/s1resolve/synth"
)

// snapshot returns every entry under dir with its type, size and content
// hash, to compare before and after a refused command.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(&b, "%s %v %d", rel, info.Mode(), info.Size())
		if info.Mode().IsRegular() {
			data, _ := os.ReadFile(p)
			fmt.Fprintf(&b, " %x", data[:min(len(data), 64)])
			fmt.Fprintf(&b, " %d", bytes.Count(data, []byte{'\n'}))
		}
		b.WriteByte('\n')
		return nil
	})
	return b.String()
}

// runBin runs the binary in dir and returns its exit code, stdout and
// stderr.
func runBin(t *testing.T, bin, dir string, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// TestOperatorSlipsAreRefused: each slip of issue "operator safety" on the
// built binary, as root in a folder of inputs: exit status 2, a message
// naming both arguments, and not one byte of the folder changed.
func TestOperatorSlipsAreRefused(t *testing.T) {
	bin, dir := binaryTest(t)
	if _, err := synth.Generate(context.Background(), synth.Config{Dir: filepath.Join(dir, "pop"), Installations: 3000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	os.Symlink("pop/smso_a.csv", filepath.Join(dir, "alias.csv"))
	os.MkdirAll(filepath.Join(dir, "notes"), 0o700)
	os.WriteFile(filepath.Join(dir, "notes", "todo.txt"), []byte("keep me\n"), 0o600)
	// Another program's Badger directory.
	foreign := filepath.Join(dir, "foreign-db")
	db, err := badger.Open(badger.DefaultOptions(foreign).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(txn *badger.Txn) error { return txn.Set([]byte("theirs"), []byte("precious")) })
	db.Close()
	os.WriteFile(filepath.Join(dir, "decisions.csv"), []byte("an earlier run's decisions\n"), 0o600)
	before := snapshot(t, dir)

	a, b, reg := "pop/smso_a.csv", "pop/smso_b.csv", "pop/registration.csv"
	tests := []struct {
		name string
		args []string
		want []string // fragments of stderr: the arguments named
	}{
		{"decisions over an input", []string{"--out", a, a, b}, []string{"--out " + a, "input " + a}},
		{"rejects over an input", []string{"--rejects", b, a, b}, []string{"--rejects " + b, "input " + b}},
		{"summary over an input", []string{"--summary", a, a}, []string{"--summary " + a, "input " + a}},
		{"rejects over the registration file", []string{"--registration", reg, "--rejects", reg, a}, []string{"--rejects " + reg, "--registration " + reg}},
		{"decisions and rejects one file", []string{"--out", "x.csv", "--rejects", "x.csv", a}, []string{"--rejects x.csv", "--out x.csv"}},
		{"decisions and rejects on stdout", []string{"--out", "-", "--rejects", "-", a}, []string{"--rejects -", "--out -"}},
		{"output through a symlink to an input", []string{"--out", "alias.csv", a}, []string{"--out alias.csv", "input " + a}},
		{"the same file twice", []string{a, "alias.csv"}, []string{"input alias.csv", "input " + a}},
		{"the same file twice, spelled apart", []string{a, "./pop/../pop/smso_a.csv"}, []string{"input ./pop/../pop/smso_a.csv", "input " + a}},
		{"standard input twice", []string{"-", "-"}, []string{"input -", "read once"}},
		{"output is a directory", []string{"--out", "pop", a}, []string{"--out pop", "is a directory"}},
		{"output folder missing", []string{"--out", "nowhere/d.csv", a}, []string{"--out nowhere/d.csv", "does not exist"}},
		{"store in a folder of files", []string{"--db", "notes", a}, []string{"--db notes", "not an s1resolve store", "todo.txt"}},
		{"store over another program's Badger", []string{"--db", "foreign-db", a}, []string{"--db foreign-db", "not an s1resolve store"}},
		{"store holding the inputs", []string{"--db", "pop", a}, []string{"--db pop", "not an s1resolve store"}},
		{"report over a folder of files", []string{"--report", "notes", a}, []string{"--report notes", "todo.txt"}},
		{"workers out of range", []string{"--workers", "99999999999", a}, []string{"--workers"}},
		{"workers zero", []string{"--workers", "0", a}, []string{"--workers 0", "1 to 1024"}},
		{"memory not finite", []string{"--max-memory", "Inf", a}, []string{"--max-memory", "Inf"}},
		{"memory unit unknown", []string{"--max-memory", "3XiB", a}, []string{"--max-memory", "3XiB"}},
		{"memory over 1 PiB", []string{"--max-memory", "2PiB", a}, []string{"--max-memory", "more than 1 PiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runBin(t, bin, dir, nil, append([]string{"run", "--quiet"}, tt.args...)...)
			if code != 2 {
				t.Errorf("exit %d, want 2; stderr %q", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not name %q", stderr, w)
				}
			}
			if after := snapshot(t, dir); after != before {
				t.Fatalf("a refused run changed the folder:\n%s\nbecame\n%s", before, after)
			}
		})
	}
	// The foreign store is still readable by its owner, and explain says
	// what it is.
	db, err = badger.Open(badger.DefaultOptions(foreign).WithLogger(nil).WithReadOnly(true))
	if err != nil {
		t.Fatal(err)
	}
	db.View(func(txn *badger.Txn) error {
		if _, err := txn.Get([]byte("theirs")); err != nil {
			t.Errorf("the foreign store lost its key: %v", err)
		}
		return nil
	})
	db.Close()
	code, _, stderr := runBin(t, bin, dir, nil, "explain", "--db", "foreign-db", "E1200023305967")
	if code != 1 || !strings.Contains(stderr, "not an s1resolve store") || strings.Contains(stderr, "run again") {
		t.Errorf("explain of a foreign store: exit %d, %q", code, stderr)
	}
}

// TestOutputsThatAreNotFiles: a device node, a symlink, a process
// substitution and standard input are written or read in place; nothing
// is renamed over a device or a link.
func TestOutputsThatAreNotFiles(t *testing.T) {
	bin, dir := binaryTest(t)
	golden := filepath.Join("..", "..", "testdata", "sample")
	in, _ := filepath.Abs(filepath.Join(golden, "smso_a.csv"))
	want, _ := os.ReadFile(filepath.Join("..", "..", "pipeline", "testdata", "golden", "decisions.csv"))
	inB, _ := filepath.Abs(filepath.Join(golden, "smso_b.csv"))
	args := func(extra ...string) []string { return append(append([]string{"run", "--quiet"}, extra...), in, inB) }

	// A private null device (root can make one; the machine's own /dev is
	// never touched).
	node := filepath.Join(dir, "null")
	if err := syscall.Mknod(node, syscall.S_IFCHR|0o600, 1<<8|3); err == nil {
		if code, _, stderr := runBin(t, bin, dir, nil, args("--out", node, "--rejects", node)...); code != 0 {
			t.Fatalf("--out to a device: exit %d %s", code, stderr)
		}
		if st, err := os.Lstat(node); err != nil || st.Mode()&os.ModeCharDevice == 0 {
			t.Fatalf("the device node was replaced: %v %v", st.Mode(), err)
		}
	} else {
		t.Logf("mknod not allowed (%v): device case skipped", err)
	}

	// A symlink stays a link; its target gets the decisions.
	os.WriteFile(filepath.Join(dir, "target.csv"), []byte("old\n"), 0o600)
	os.Symlink("target.csv", filepath.Join(dir, "link.csv"))
	if code, _, stderr := runBin(t, bin, dir, nil, args("--out", "link.csv", "--rejects", "r.csv")...); code != 0 {
		t.Fatalf("--out to a symlink: exit %d %s", code, stderr)
	}
	if st, _ := os.Lstat(filepath.Join(dir, "link.csv")); st.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the symlink was replaced by a file")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "target.csv")); !bytes.Equal(got, want) {
		t.Fatal("the link's target does not hold the decisions")
	}

	// A process substitution: bash gives /dev/fd/N, a pipe.
	script := fmt.Sprintf("%q run --quiet --out >(gzip > %q) --rejects r2.csv %q %q; s=$?; wait; exit $s", bin, filepath.Join(dir, "d.gz"), in, inB)
	sub := exec.Command("bash", "-c", script)
	sub.Dir = dir // the rejects go into the test's folder, never the source tree
	if out, err := sub.CombinedOutput(); err != nil {
		t.Fatalf("process substitution: %v %s", err, out)
	}
	time.Sleep(200 * time.Millisecond) // the substitution's gzip may finish after bash's wait
	if got := gunzipFile(t, filepath.Join(dir, "d.gz")); !bytes.Equal(got, want) {
		t.Fatalf("decisions through a process substitution differ: %q", got)
	}

	// Standard input, gzip-compressed: "zcat | s1resolve run --out - -".
	code, stdout, stderr := runBin(t, bin, dir, gzipBytes(t, in), "run", "--quiet", "--out", "-", "--rejects", "r3.csv", "-")
	if code != 0 {
		t.Fatalf("standard input: exit %d %s", code, stderr)
	}
	code, fromFile, _ := runBin(t, bin, dir, nil, "run", "--quiet", "--out", "-", "--rejects", "r4.csv", in)
	if code != 0 || stdout != fromFile || !strings.HasPrefix(stdout, "smso,installation_id") {
		t.Fatalf("decisions from standard input differ from the file's:\n%s\n%s", stdout, fromFile)
	}
	rej, _ := os.ReadFile(filepath.Join(dir, "r3.csv"))
	if lines := strings.Split(strings.TrimSpace(string(rej)), "\n"); len(lines) > 1 && !strings.HasPrefix(lines[1], "-,") {
		t.Fatalf("rejects of standard input are not named -: %q", lines[1])
	}
}

func gunzipFile(t *testing.T, p string) []byte {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.ReadFrom(z)
	return b.Bytes()
}

// TestReportFolderReplacedWhole: a reused --report folder keeps no file of
// an earlier run (a supplier must not be told of installations no longer
// its own), and a store reused by --db is rebuilt.
func TestReportFolderReplacedWhole(t *testing.T) {
	bin, dir := binaryTest(t)
	in, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "sample", "smso_a.csv"))
	rep := filepath.Join(dir, "rep")
	run := func() {
		t.Helper()
		if code, _, stderr := runBin(t, bin, dir, nil, "run", "--quiet", "--db", "db", "--report", rep, in); code != 0 {
			t.Fatalf("exit %d %s", code, stderr)
		}
	}
	run()
	stale := filepath.Join(rep, "suppliers", "SUP_GONE.csv")
	os.WriteFile(stale, []byte("smso,installation_id\nX,1\n"), 0o600)
	run()
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a supplier list of an earlier run survived in the reused report folder")
	}
	if _, err := os.Stat(filepath.Join(rep, "report.html")); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("the run left %s", e.Name())
		}
	}
	// The report command follows the same rule.
	code, _, stderr := runBin(t, bin, dir, nil, "report", "--decisions", "decisions.csv", "--out", rep)
	if code != 0 {
		t.Fatalf("report: exit %d %s", code, stderr)
	}
	os.MkdirAll(filepath.Join(dir, "notes"), 0o700)
	os.WriteFile(filepath.Join(dir, "notes", "todo.txt"), nil, 0o600)
	if code, _, stderr := runBin(t, bin, dir, nil, "report", "--decisions", "decisions.csv", "--out", "notes"); code != 2 ||
		!strings.Contains(stderr, "todo.txt") {
		t.Fatalf("report into a folder of files: exit %d %s", code, stderr)
	}
	// gen too: its folder is replaced whole, never written over files.
	if code, _, stderr := runBin(t, bin, dir, nil, "gen", "--out", "notes", "--installations", "10"); code != 2 ||
		!strings.Contains(stderr, "todo.txt") {
		t.Fatalf("gen into a folder of files: exit %d %s", code, stderr)
	}
}

// TestSignals: SIGINT stops a run blocked on a FIFO that sends nothing
// more (the input is closed), and one blocked opening a FIFO no one
// writes to.
func TestSignals(t *testing.T) {
	bin, dir := binaryTest(t)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	start := func() (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(bin, "run", "--out", filepath.Join(dir, "d.csv"), "--rejects", filepath.Join(dir, "r.csv"), fifo)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &stderr
	}
	stopped := func(cmd *exec.Cmd) (int, time.Duration) {
		sent := time.Now()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return ee.ExitCode(), time.Since(sent)
			}
			return 0, time.Since(sent)
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Fatal("the run did not stop")
			return 0, 0
		}
	}

	// Blocked reading: a writer that sent a header and a row, then waits.
	cmd, stderr := start()
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("smso,cohort,installation_id,mpan,install_date,device_guid,device_type\n"))
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	code, took := stopped(cmd)
	w.Close()
	if code != 130 || took > 2*time.Second || !strings.Contains(stderr.String(), "interrupted") {
		t.Errorf("SIGINT on a blocked read: exit %d after %v, %q; want 130 within 2 s", code, took, stderr.String())
	}

	// Blocked opening a FIFO no one writes to: the open is cancelled too,
	// so one signal is enough.
	cmd, stderr = start()
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	code, took = stopped(cmd)
	if code != 130 || took > 2*time.Second || !strings.Contains(stderr.String(), "every file is as it was") {
		t.Errorf("SIGINT on a blocked open: exit %d after %v, %q; want 130 within 2 s", code, took, stderr.String())
	}
	for _, name := range []string{"d.csv", "r.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s exists after an interrupted run", name)
		}
	}
}

// TestSilentSurprisesSaid: each legal-but-surprising input gives a clear
// error or warning instead of a silent change.
func TestSilentSurprisesSaid(t *testing.T) {
	bin, dir := binaryTest(t)
	golden, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "sample"))
	in := filepath.Join(golden, "smso_a.csv")
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o600)
		return p
	}
	u16 := []byte{0xff, 0xfe}
	for _, c := range "smso,cohort\n" {
		u16 = append(u16, byte(c), 0)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"rules file with a BOM", []string{"run", "--quiet", "--out", "d1.csv", "--rejects", "r1.csv", "--rules",
			write("bom.rules", []byte("\ufeffIOC firmware=108 configuration=30 groups=AA,BA,CA\n")), in}, 0, ""},
		{"rules file with no cohort line", []string{"run", "--quiet", "--out", "d2.csv", "--rejects", "r2.csv", "--rules",
			write("empty.rules", []byte("# nothing\n")), in}, 1, "no cohort line"},
		{"registration with no rows", []string{"run", "--quiet", "--out", "d3.csv", "--rejects", "r3.csv", "--registration",
			write("reg.csv", []byte("mpxn,supplier_id\n")), in}, 0, "warning: --registration"},
		{"suppliers without registration", []string{"run", "--quiet", "--out", "d4.csv", "--rejects", "r4.csv", "--suppliers",
			filepath.Join(golden, "suppliers.csv"), in}, 0, "warning: --suppliers has no effect"},
		{"UTF-16 rules file", []string{"run", "--quiet", "--out", "d8.csv", "--rejects", "r8.csv", "--rules",
			write("u16.rules", u16), in}, 1, "u16.rules: line 1: not UTF-8 text: the file is UTF-16"},
		{"UTF-16 input", []string{"run", "--quiet", "--out", "d5.csv", "--rejects", "r5.csv", write("u16.csv", u16)}, 1, "not UTF-8 text"},
		{"an upper-case .GZ name", []string{"run", "--quiet", "--out", "d6.csv", "--rejects", "r6.csv", write("a.CSV.GZ", gzipBytes(t, in))}, 0, ""},
		{"explain of a rejected installation", []string{"explain", "--db", "db", "A/REJ"}, 0, ""},
		{"report of an unknown decision", []string{"report", "--decisions", write("odd.csv",
			[]byte("smso,installation_id,cohort,decision,reason,clause,group_id,group_size,mpan,mprn,supplier_id,notify_supplier\nA,1,FOC,maybe,unique,,E1200023305967,1,E1200023305967,,,Y\n")),
			"--out", "rep1"}, 1, `odd.csv: line 2: column "decision": bad value: not a decision RULES.md names ("maybe")`},
	}
	// A store with a rejected installation for explain.
	rejIn := write("rej.csv", []byte("smso,cohort,installation_id,mpan,install_date,device_guid,device_type,device_state\nA,FOC,REJ,1200023305967,2019-02-30,000D6F0000AB1234,CHF,\n"))
	if code, _, stderr := runBin(t, bin, dir, nil, "run", "--quiet", "--db", "db", "--out", "d0.csv", "--rejects", "r0.csv", rejIn); code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runBin(t, bin, dir, nil, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q (stdout %.300q)", code, stderr, tt.code, tt.stderr, stdout)
			}
			if tt.args[0] == "explain" && !strings.Contains(stdout, "was rejected") {
				t.Fatalf("explain of a rejected installation: %q", stdout)
			}
		})
	}
	// report reads JSON Lines as it reads CSV.
	if code, _, stderr := runBin(t, bin, dir, nil, "run", "--quiet", "--format", "jsonl", "--out", "d.jsonl", "--rejects", "r7.csv", in); code != 0 {
		t.Fatal(stderr)
	}
	if code, _, stderr := runBin(t, bin, dir, nil, "run", "--quiet", "--out", "d.csv", "--rejects", "r8.csv", in); code != 0 {
		t.Fatal(stderr)
	}
	for _, name := range []string{"d.jsonl", "d.csv"} {
		if code, _, stderr := runBin(t, bin, dir, nil, "report", "--decisions", name, "--out", "rep-"+name); code != 0 {
			t.Fatalf("report of %s: exit %d %s", name, code, stderr)
		}
	}
	a, _ := os.ReadFile(filepath.Join(dir, "rep-d.jsonl", "summary.csv"))
	b, _ := os.ReadFile(filepath.Join(dir, "rep-d.csv", "summary.csv"))
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("the report of the JSON Lines decisions differs from the CSV's:\n%s\n%s", a, b)
	}
}

func gzipBytes(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write(raw)
	z.Close()
	return b.Bytes()
}

// TestUsageNamesValues: every command's help lists each of its flags as
// "--name VALUE" (a value named in capitals, never Go's "string" or "int"),
// developer flags only with S1RESOLVE_DEBUG set, and s1resolve help lists
// every command.
func TestUsageNamesValues(t *testing.T) {
	var top bytes.Buffer
	dispatch(context.Background(), []string{"help"}, &top, &top)
	var unknown bytes.Buffer
	if code := dispatch(context.Background(), []string{"help", "nosuch"}, &unknown, &unknown); code != 2 || !strings.Contains(unknown.String(), `unknown command "nosuch"`) {
		t.Errorf("help nosuch: exit %d, %.60q", code, unknown.String())
	}
	for _, debug := range []bool{false, true} {
		if debug {
			t.Setenv(debugEnv, "1")
		}
		for _, c := range commands {
			if !strings.Contains(top.String(), "s1resolve "+c.name+" ") {
				t.Errorf("s1resolve help does not list %s", c.name)
			}
			var out, errb bytes.Buffer
			if code := dispatch(context.Background(), []string{c.name, "--help"}, &out, &errb); code != 0 {
				t.Errorf("%s --help: exit %d", c.name, code)
			}
			help := errb.String()
			if !strings.HasPrefix(help, "Usage: s1resolve "+c.name) {
				t.Errorf("%s --help starts %.40q", c.name, help)
			}
			var viaHelp bytes.Buffer
			if code := dispatch(context.Background(), []string{"help", c.name}, &viaHelp, &viaHelp); code != 0 || viaHelp.String() != help {
				t.Errorf("help %s: exit %d, %.60q; want %s --help", c.name, code, viaHelp.String(), c.name)
			}
			f := &flags{fs: flag.NewFlagSet(c.name, flag.ContinueOnError)}
			c.setup(f)
			for _, s := range f.specs {
				line := "--" + s.name
				if s.value != "" {
					line += " " + s.value
				}
				listed := strings.Contains(help, "  "+line+" ")
				if listed == (s.developer && !debug) {
					t.Errorf("%s --help (debug %v): %q listed %v", c.name, debug, line, listed)
				}
				if s.value != "" && s.value != strings.ToUpper(s.value) {
					t.Errorf("%s: --%s names its value %q", c.name, s.name, s.value)
				}
			}
			for _, bad := range []string{" string ", " int ", " float ", " -db ", " value "} {
				if strings.Contains(help, bad) {
					t.Errorf("%s --help holds %q:\n%s", c.name, bad, help)
				}
			}
		}
	}
}

// TestTimeCommands: diff, whatif and report of Parquet on the binary, and
// the path rules for them: an output over an input is refused, and a
// reused folder keeps no supplier list of an earlier comparison.
func TestTimeCommands(t *testing.T) {
	bin, dir, a, b, must := sampleTest(t)
	must("run", "--quiet", "--db", "db", "--out", "old.csv", "--rejects", "r1.csv", a)
	must("run", "--quiet", "--format", "parquet", "--out", "new.parquet", "--rejects", "r2.csv", a, b)
	must("diff", "--out", "cmp", "old.csv", "old.csv") // an earlier comparison in cmp
	os.WriteFile(filepath.Join(dir, "cmp", "suppliers", "OLD.csv"), []byte("x\n"), 0o600)
	if out := must("diff", "--out", "cmp", "old.csv", "new.parquet"); !strings.Contains(out, "installations changed") {
		t.Fatalf("diff said %q", out)
	}
	tr, _ := os.ReadFile(filepath.Join(dir, "cmp", "transitions.csv"))
	if !strings.Contains(string(tr), "absent,,blocked,duplicate_mpxn_active") {
		t.Fatalf("transitions.csv lacks the installations new in the later run:\n%s", tr)
	}
	if _, err := os.Stat(filepath.Join(dir, "cmp", "suppliers", "OLD.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("a supplier list of an earlier comparison survived")
	}
	if code, _, stderr := runBin(t, bin, dir, nil, "diff", "--out", "cmp", "cmp/changes.csv", "new.parquet"); code != 2 ||
		!strings.Contains(stderr, "cmp/changes.csv") {
		t.Fatalf("diff over its own input: exit %d %s", code, stderr)
	}
	os.WriteFile(filepath.Join(dir, "low.rules"), []byte("MOC_MDS firmware=1 configuration=1 groups=CB\n"), 0o600)
	os.Mkdir(filepath.Join(dir, "wi"), 0o700)
	must("whatif", "--db", "db", "--rules", "low.rules", "--out", "wi")
	must("run", "--quiet", "--rules", "low.rules", "--out", "rules.csv", "--rejects", "r3.csv", a)
	got, _ := os.ReadFile(filepath.Join(dir, "wi", "decisions.csv"))
	want, _ := os.ReadFile(filepath.Join(dir, "rules.csv"))
	if !bytes.Equal(got, want) {
		t.Fatal("whatif decisions differ from run --rules")
	}
	if code, _, stderr := runBin(t, bin, dir, nil, "whatif", "--db", "db", "--rules", "low.rules", "--out", "db"); code != 2 ||
		!strings.Contains(stderr, "--out db") {
		t.Fatalf("whatif into its store: exit %d %s", code, stderr)
	}
	// report reads Parquet as it reads CSV.
	must("run", "--quiet", "--out", "new.csv", "--rejects", "r4.csv", a, b)
	must("report", "--decisions", "new.parquet", "--out", "rep-parquet")
	must("report", "--decisions", "new.csv", "--out", "rep-csv")
	x, _ := os.ReadFile(filepath.Join(dir, "rep-parquet", "summary.csv"))
	y, _ := os.ReadFile(filepath.Join(dir, "rep-csv", "summary.csv"))
	if len(x) == 0 || !bytes.Equal(x, y) {
		t.Fatalf("the report of the Parquet decisions differs from the CSV's")
	}
	if out := must("info", "--db", "db"); !strings.Contains(out, "xxh64") || !strings.Contains(out, "smso_a.csv") {
		t.Fatalf("info: %s", out)
	}
}

// A second signal exits at once, except during a commit, which it lets
// finish.
func TestSecondSignal(t *testing.T) {
	for _, committing := range []bool{false, true} {
		sigs := make(chan os.Signal, 2)
		cancelled, exited := false, -1
		var stderr bytes.Buffer
		sigs <- os.Interrupt
		sigs <- syscall.SIGTERM
		onSignals(sigs, func() { cancelled = true }, func() bool { return committing }, &stderr, func(code int) { exited = code })
		want, wantExit := "exiting at once", 130
		if committing {
			want, wantExit = "finishing the commit first", -1
		}
		if !cancelled || exited != wantExit || !strings.Contains(stderr.String(), want) {
			t.Errorf("committing %v: cancelled %v, exit %d, %q; want exit %d and %q", committing, cancelled, exited, stderr.String(), wantExit, want)
		}
	}
}
