package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/s1resolve/s1resolve/synth"
)

// contents returns every file under dir and its content, for "nothing
// changed" checks.
func contents(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = string(b)
		}
		return nil
	})
	return out
}

func sameContents(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestEveryCommandKeepsWhatIsNotItsOwn: each data-loss slip of the commands
// added after run, on the built binary: whatif after run, diff in a folder
// of the operator's files or into a report folder, and a run --db that fails
// at its end.
func TestEveryCommandKeepsWhatIsNotItsOwn(t *testing.T) {
	bin, dir, a, b, must := sampleTest(t)
	os.WriteFile(filepath.Join(dir, "lower.rules"), []byte("MOC_MDS firmware=1 configuration=1 groups=CB\n"), 0o600)
	must("run", "--quiet", "--db", "db", a, b) // ./decisions.csv, ./rejects.csv
	decisions, _ := os.ReadFile(filepath.Join(dir, "decisions.csv"))

	// whatif after run: its decisions go into its own folder.
	must("whatif", "--db", "db", "--rules", "lower.rules")
	if got, _ := os.ReadFile(filepath.Join(dir, "decisions.csv")); !bytes.Equal(got, decisions) {
		t.Fatal("whatif replaced the run's ./decisions.csv")
	}
	if _, err := os.Stat(filepath.Join(dir, "whatif", "decisions.csv")); err != nil {
		t.Fatalf("whatif wrote no whatif/decisions.csv: %v", err)
	}

	// diff in a folder of the operator's own files: they stay.
	os.MkdirAll(filepath.Join(dir, "suppliers"), 0o700)
	os.WriteFile(filepath.Join(dir, "suppliers", "contacts.csv"), []byte("name,phone\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "summary.md"), []byte("my notes\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "old.csv"), decisions, 0o600)
	before := contents(t, dir)
	must("diff", "old.csv", "decisions.csv")
	after := contents(t, dir)
	for name, text := range before {
		if after[name] != text {
			t.Errorf("diff changed %s", name)
		}
	}
	if _, ok := after[filepath.Join("diff", "transitions.csv")]; !ok {
		t.Error("diff wrote no diff/transitions.csv")
	}

	// diff or whatif into a report folder: refused, the report kept whole.
	must("report", "--decisions", "decisions.csv", "--out", "rep")
	rep := contents(t, filepath.Join(dir, "rep"))
	for _, args := range [][]string{{"diff", "--out", "rep", "old.csv", "decisions.csv"}, {"whatif", "--db", "db", "--rules", "lower.rules", "--out", "rep"}} {
		code, _, stderr := runBin(t, bin, dir, nil, args...)
		if code != 2 || !strings.Contains(stderr, "--out rep") || !strings.Contains(stderr, "it is the folder of s1resolve report") {
			t.Errorf("%v into a report folder: exit %d %s", args, code, stderr)
		}
	}
	if !sameContents(rep, contents(t, filepath.Join(dir, "rep"))) {
		t.Error("a refused command changed the report folder")
	}

	// A folder of someone's own files that bear the names a command writes
	// (real SMSO files, real decisions) is not that command's folder.
	os.MkdirAll(filepath.Join(dir, "real"), 0o700)
	os.WriteFile(filepath.Join(dir, "real", "smso_a.csv"), []byte("real data\n"), 0o600)
	os.MkdirAll(filepath.Join(dir, "keep"), 0o700)
	os.WriteFile(filepath.Join(dir, "keep", "decisions.csv"), decisions, 0o600)
	before = contents(t, dir)
	for _, args := range [][]string{{"gen", "--out", "real", "--installations", "5"}, {"whatif", "--db", "db", "--rules", "lower.rules", "--out", "keep"},
		{"run", "--quiet", "--out", "db/x.csv", "--rejects", "r9.csv", a}} {
		code, _, stderr := runBin(t, bin, dir, nil, args...)
		if code != 2 || !strings.Contains(stderr, "s1resolve did not write it") && !strings.Contains(stderr, "an s1resolve store") {
			t.Errorf("%v: exit %d %s", args, code, stderr)
		}
	}
	if !sameContents(before, contents(t, dir)) {
		t.Error("a refused command changed a folder")
	}

	// A run --db whose decisions cannot be written (/dev/full: no space)
	// fails, and the store stays the one that matches the kept decisions.
	if _, err := os.Stat("/dev/full"); err == nil {
		storeBefore := contents(t, filepath.Join(dir, "db"))
		code, _, stderr := runBin(t, bin, dir, nil, "run", "--quiet", "--db", "db", "--out", "/dev/full", "--rejects", "r2.csv", a)
		if code != 1 || !strings.Contains(stderr, "no space") {
			t.Fatalf("run --out /dev/full: exit %d %s", code, stderr)
		}
		if !sameContents(storeBefore, contents(t, filepath.Join(dir, "db"))) {
			t.Fatal("a run that failed at its end replaced the store")
		}
		if _, err := os.Stat(filepath.Join(dir, "r2.csv")); err == nil {
			t.Fatal("a failed run placed its rejects")
		}
		// The kept store still goes with the kept decisions.
		must("report", "--decisions", "decisions.csv", "--db", "db", "--out", "rep2")
	}
}

// TestEveryCommandRefusesWhatDoesNotBelong: a decisions file and a store
// of different runs, a decisions file listing an installation twice or a
// pair RULES.md lacks, a damaged store, an empty file, a key of the wrong
// kind: each an error naming what is wrong, never a panic, never counted.
func TestEveryCommandRefusesWhatDoesNotBelong(t *testing.T) {
	bin, dir := binaryTest(t)
	sample, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "sample"))
	a, b := filepath.Join(sample, "smso_a.csv"), filepath.Join(sample, "smso_b.csv")
	must := func(args ...string) {
		t.Helper()
		if code, _, stderr := runBin(t, bin, dir, nil, args...); code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, stderr)
		}
	}
	must("run", "--quiet", "--db", "dbA", "--out", "A.csv", "--rejects", "rA.csv", a)
	must("run", "--quiet", "--db", "dbB", "--out", "B.csv", "--rejects", "rB.csv", a, b)
	must("report", "--decisions", "A.csv", "--db", "dbA", "--out", "repA")
	decisionsA, _ := os.ReadFile(filepath.Join(dir, "A.csv"))
	lines := strings.SplitAfter(string(decisionsA), "\n")
	write := func(name, text string) string {
		os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600)
		return name
	}
	twice := write("twice.csv", string(decisionsA)+lines[1])
	pair := write("pair.csv", lines[0]+strings.Replace(lines[1], ",unique,", ",duplicate_guid,", 1))
	empty := write("empty.csv", "")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"decisions and store of two runs", []string{"report", "--decisions", "A.csv", "--db", "dbB", "--out", "rep1"}, "not the decisions of the run that made the store"},
		{"an installation twice (report)", []string{"report", "--decisions", twice, "--out", "rep2"}, "is listed again"},
		{"an installation twice (diff)", []string{"diff", "--out", "cmp1", twice, "A.csv"}, "is listed again"},
		{"a pair RULES.md lacks", []string{"report", "--decisions", pair, "--out", "rep3"}, "RULES.md gives no such decision and reason together: migrate/duplicate_guid"},
		{"an empty file", []string{"report", "--decisions", empty, "--out", "rep4"}, "empty.csv: the file is empty"},
		{"E and ten digits is not an MPRN", []string{"explain", "--db", "dbA", "E3365498706"}, "is not an MPAN"},
	} {
		code, _, stderr := runBin(t, bin, dir, nil, c.args...)
		if code != 1 || !strings.Contains(stderr, c.want) || strings.Contains(stderr, "goroutine") {
			t.Errorf("%s: exit %d %s; want 1 and %q", c.name, code, stderr, c.want)
		}
		if out := c.args[len(c.args)-1]; strings.HasPrefix(out, "rep") {
			if _, err := os.Stat(filepath.Join(dir, out)); err == nil {
				t.Errorf("%s: %s was written", c.name, out)
			}
		}
	}

	// A file compared with itself: nothing changed.
	code, _, stderr := runBin(t, bin, dir, nil, "diff", "--out", "self", "A.csv", "A.csv")
	if code != 0 || !strings.Contains(stderr, "0 installations changed") {
		t.Errorf("diff of a file with itself: exit %d %s", code, stderr)
	}

	// A few flipped bits in the installation table: refused naming the
	// file and the page, by every command that reads the store.
	pages := filepath.Join(dir, "dbB", "installations.pages")
	data, _ := os.ReadFile(pages)
	data[len(data)/3] ^= 0x24
	os.WriteFile(pages, data, 0o600)
	for _, args := range [][]string{
		{"whatif", "--db", "dbB", "--rules", write("r.rules", "none\n"), "--out", "wi"},
		{"explain", "--db", "dbB", "A/a-1"},
		{"report", "--decisions", "B.csv", "--db", "dbB", "--out", "rep5"},
	} {
		code, _, stderr := runBin(t, bin, dir, nil, args...)
		if code != 1 || !strings.Contains(stderr, "installations.pages: page ") || !strings.Contains(stderr, "damaged") ||
			strings.Contains(stderr, "goroutine") {
			t.Errorf("%v on a damaged store: exit %d %s", args[0], code, stderr)
		}
	}
}

// TestDecisionsNamesFollowTheFormat: the default decisions file is named
// for its format, a name ending in .gz is gzipped, and a suffix naming
// another format than --format is refused.
func TestDecisionsNamesFollowTheFormat(t *testing.T) {
	bin, dir := binaryTest(t)
	a, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "sample", "smso_a.csv"))
	if code, _, stderr := runBin(t, bin, dir, nil, "run", "--quiet", "--format", "parquet", a); code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	if pq, err := os.ReadFile(filepath.Join(dir, "decisions.parquet")); err != nil || !bytes.HasPrefix(pq, []byte("PAR1")) {
		t.Fatalf("--format parquet wrote no decisions.parquet: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "decisions.csv")); err == nil {
		t.Fatal("--format parquet wrote decisions.csv")
	}
	if code, _, stderr := runBin(t, bin, dir, nil, "run", "--quiet", "--out", "d.csv.gz", "--rejects", "r2.csv", a); code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	f, _ := os.Open(filepath.Join(dir, "d.csv.gz"))
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("--out d.csv.gz is not gzip: %v", err)
	}
	if text, _ := io.ReadAll(z); !bytes.HasPrefix(text, []byte("smso,installation_id,")) {
		t.Fatalf("--out d.csv.gz holds %.40q", text)
	}
	f.Close()
	if code, _, _ := runBin(t, bin, dir, nil, "run", "--quiet", "--out", "d.jsonl", "--rejects", "r3.csv", a); code != 0 {
		t.Fatal("--out d.jsonl")
	}
	if j, _ := os.ReadFile(filepath.Join(dir, "d.jsonl")); !bytes.HasPrefix(j, []byte(`{"smso":`)) {
		t.Fatalf("--out d.jsonl without --format holds %.40q", j)
	}
	for _, args := range [][]string{{"--format", "csv", "--out", "x.parquet"}, {"--format", "parquet", "--out", "x.csv"}, {"--out", "x.parquet.gz"}} {
		code, _, stderr := runBin(t, bin, dir, nil, append(append([]string{"run", "--quiet"}, args...), a)...)
		if code != 2 || !strings.Contains(stderr, "--out x.") {
			t.Errorf("%v: exit %d %s", args, code, stderr)
		}
	}
}

// TestEveryCommandStopsWhenAsked: SIGTERM stops diff and report reading a
// FIFO whose writer sends nothing more, and a run whose output FIFO is not
// read, within about a second, exit 130, every file as it was; a rules
// file that is a FIFO is read once.
func TestEveryCommandStopsWhenAsked(t *testing.T) {
	bin, dir := binaryTest(t)
	sample, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "sample"))
	a := filepath.Join(sample, "smso_a.csv")
	if code, _, stderr := runBin(t, bin, dir, nil, "run", "--quiet", a); code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	decisions, _ := os.ReadFile(filepath.Join(dir, "decisions.csv"))
	mkfifo := func(name string) string {
		p := filepath.Join(dir, name)
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	stopped := func(t *testing.T, cmd *exec.Cmd, stderr *bytes.Buffer) {
		t.Helper()
		time.Sleep(400 * time.Millisecond)
		sent := time.Now()
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 130 || time.Since(sent) > 2*time.Second {
				t.Errorf("%v: %v after %v: %s", cmd.Args[1:3], err, time.Since(sent), stderr)
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("%v did not stop", cmd.Args[1:3])
		}
	}
	start := func(args ...string) (*exec.Cmd, *bytes.Buffer) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &stderr
	}
	// A writer that sends half a file and waits.
	feed := func(fifo string) *os.File {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(decisions[:len(decisions)/2])
		return w
	}
	before := contents(t, dir)

	t.Run("diff", func(t *testing.T) {
		fifo := mkfifo("slow1")
		cmd, stderr := start("diff", "--out", "cmp", fifo, "decisions.csv")
		w := feed(fifo)
		defer w.Close()
		stopped(t, cmd, stderr)
	})
	t.Run("report", func(t *testing.T) {
		fifo := mkfifo("slow2")
		cmd, stderr := start("report", "--decisions", fifo, "--out", "rep")
		w := feed(fifo)
		defer w.Close()
		stopped(t, cmd, stderr)
	})
	t.Run("run to an output FIFO nobody reads", func(t *testing.T) {
		st, err := synth.Generate(context.Background(), synth.Config{Dir: t.TempDir(), Installations: 20000, Seed: 2})
		if err != nil {
			t.Fatal(err)
		}
		fifo := mkfifo("out3")
		cmd, stderr := start(append([]string{"run", "--quiet", "--out", fifo, "--rejects", "r3.csv"}, st.Files...)...)
		r, err := os.Open(fifo) // opened, never read: the run's writes block
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		stopped(t, cmd, stderr)
	})
	t.Run("run waiting for an input FIFO nobody writes", func(t *testing.T) {
		for i, flag := range []string{"", "--registration", "--smets2"} {
			fifo := mkfifo(fmt.Sprintf("nowriter%d", i))
			args := []string{"run", "--quiet", "--out", "d5.csv", "--rejects", "r5.csv"}
			if flag == "" {
				args = append(args, fifo)
			} else {
				args = append(args, flag, fifo, a)
			}
			cmd, stderr := start(args...)
			stopped(t, cmd, stderr)
			os.Remove(fifo)
		}
	})
	for _, f := range []string{"slow1", "slow2", "out3"} {
		os.Remove(filepath.Join(dir, f))
	}
	if after := contents(t, dir); !sameContents(before, after) {
		t.Errorf("an interrupted command changed the folder: %d files before, %d after", len(before), len(after))
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, ".*partial*")); len(entries) > 0 {
		t.Errorf("an interrupted command left %v", entries)
	}

	t.Run("rules from a FIFO", func(t *testing.T) {
		fifo := mkfifo("rules")
		go func() {
			if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
				w.Write([]byte("MOC_MDS firmware=15 configuration=10 groups=CB\n"))
				w.Close()
			}
		}()
		done := make(chan struct{})
		var code int
		var stderr string
		go func() {
			code, _, stderr = runBin(t, bin, dir, nil, "run", "--quiet", "--rules", fifo, "--out", "d4.csv", "--rejects", "r4.csv", a)
			close(done)
		}()
		select {
		case <-done:
			if code != 0 {
				t.Fatalf("run --rules FIFO: exit %d %s", code, stderr)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("run --rules FIFO never ended")
		}
	})
}

// TestInterruptAtAnyMoment: SIGINT at moments spread over a run --db that
// replaces an earlier run's outputs and store: the run exits 130 and either
// every file is as it was, or (the signal came once the commit had begun)
// it says so and every output is the new run's, the store with its
// decisions.
func TestInterruptAtAnyMoment(t *testing.T) {
	bin, dir := binaryTest(t)
	old, err := synth.Generate(context.Background(), synth.Config{Dir: filepath.Join(dir, "old"), Installations: 2000, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	st, err := synth.Generate(context.Background(), synth.Config{Dir: filepath.Join(dir, "new"), Installations: 60000, Seed: 6})
	if err != nil {
		t.Fatal(err)
	}
	args := func(files []string) []string {
		return append([]string{"run", "--quiet", "--db", "db", "--out", "d.csv", "--rejects", "r.csv"}, files...)
	}
	begin := time.Now()
	if code, _, stderr := runBin(t, bin, dir, nil, args(st.Files)...); code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	whole := time.Since(begin)
	newDecisions, _ := os.ReadFile(filepath.Join(dir, "d.csv"))
	for i := 1; i <= 6; i++ {
		if code, _, stderr := runBin(t, bin, dir, nil, args(old.Files)...); code != 0 {
			t.Fatalf("exit %d %s", code, stderr)
		}
		before := contents(t, dir)
		cmd := exec.Command(bin, args(st.Files)...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(whole * time.Duration(i) / 6)
		cmd.Process.Signal(os.Interrupt)
		err := cmd.Wait()
		var ee *exec.ExitError
		code := 0
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		after := contents(t, dir)
		switch {
		case code == 0: // finished before the signal, or the signal came during the commit, which was finished
			if got, _ := os.ReadFile(filepath.Join(dir, "d.csv")); !bytes.Equal(got, newDecisions) {
				t.Fatalf("SIGINT at %d/6: exit 0 but the decisions are not the new run's: %s", i, stderr.String())
			}
		case code != 130:
			t.Fatalf("SIGINT at %d/6: exit %d %s", i, code, stderr.String())
		default:
			if !sameContents(before, after) {
				t.Fatalf("SIGINT at %d/6: exit 130 but the files changed: %s", i, stderr.String())
			}
		}
		if code, _, stderr := runBin(t, bin, dir, nil, "report", "--decisions", "d.csv", "--db", "db", "--out", "rep"); code != 0 {
			t.Fatalf("SIGINT at %d/6: the store and the decisions are not of one run: %s", i, stderr)
		}
		os.RemoveAll(filepath.Join(dir, "rep"))
		if left, _ := filepath.Glob(filepath.Join(dir, ".*partial*")); len(left) > 0 {
			t.Fatalf("SIGINT at %d/6 left %v", i, left)
		}
	}
}

// TestReportsOfTheSample: on testdata/sample, the run's summary and report
// speak in thousands-grouped numbers and name where the page comes from;
// report without --db says on stderr that the device GUIDs are left out;
// --supplier writes one supplier's pack and needs --report with run.
func TestReportsOfTheSample(t *testing.T) {
	sample, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "sample"))
	dir := t.TempDir()
	in := func(name string) string { return filepath.Join(sample, name) }
	at := func(name string) string { return filepath.Join(dir, name) }
	ctx := context.Background()
	var out, errb bytes.Buffer
	if code := dispatch(ctx, []string{"run", "--registration", in("registration.csv"), "--suppliers", in("suppliers.csv"), "--smets2", in("smets2.csv"),
		"--db", at("db"), "--out", at("d.csv"), "--rejects", at("r.csv"), "--report", at("report"), in("smso_a.csv"), in("smso_b.csv")}, &out, &errb); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, errb.String())
	}
	for _, want := range []string{"installations:", "reports:   " + at("report")} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("run's summary lacks %q:\n%s", want, errb.String())
		}
	}
	page, _ := os.ReadFile(at("report/report.html"))
	for _, want := range []string{`id="provenance"`, "smso_a.csv", "registration.csv", "Rules in force (RULES.md&#39;s defaults)"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("report.html lacks %q", want)
		}
	}

	errb.Reset()
	if code := dispatch(ctx, []string{"report", "--decisions", at("d.csv"), "--out", at("plain")}, &out, &errb); code != 0 {
		t.Fatalf("report: exit %d\n%s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "warning: without --db the device GUIDs are not known: the supplier lists leave the device_guids column out") {
		t.Errorf("report without --db said:\n%s", errb.String())
	}
	list, _ := os.ReadFile(at("plain/suppliers/SUPA.csv"))
	if !strings.HasPrefix(string(list), "smso,installation_id,cohort,decision,reason,clause,mpan,mprn,notify_supplier\n") {
		t.Errorf("SUPA.csv without --db:\n%s", list)
	}

	errb.Reset()
	if code := dispatch(ctx, []string{"report", "--decisions", at("d.csv"), "--db", at("db"), "--supplier", "SUPA", "--out", at("supa")}, &out, &errb); code != 0 {
		t.Fatalf("report --supplier: exit %d\n%s", code, errb.String())
	}
	entries, _ := os.ReadDir(at("supa/suppliers"))
	if len(entries) != 1 || entries[0].Name() != "SUPA.csv" || !strings.Contains(errb.String(), "of Responsible Supplier SUPA") || strings.Contains(errb.String(), "warning") {
		t.Errorf("report --supplier SUPA wrote %v and said %s", entries, errb.String())
	}
	errb.Reset()
	if code := dispatch(ctx, []string{"report", "--decisions", at("d.csv"), "--supplier", "NOBODY", "--out", at("nobody")}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "--supplier NOBODY: no installation has this Responsible Supplier") {
		t.Errorf("report --supplier NOBODY: exit %d %s", code, errb.String())
	}
	errb.Reset()
	if code := dispatch(ctx, []string{"run", "--supplier", "SUPA", in("smso_a.csv")}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "give --report DIR too") {
		t.Errorf("run --supplier without --report: exit %d %s", code, errb.String())
	}
}

// TestCPUProfile: the developer flag --cpuprofile writes its profile, a
// gzipped protocol buffer, beside the work of run and whatif: the profile,
// begun before the command plans its outputs, is not taken for another
// command's output being written.
func TestCPUProfile(t *testing.T) {
	sample, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "sample"))
	dir := t.TempDir()
	at := func(name string) string { return filepath.Join(dir, name) }
	ctx := context.Background()
	os.WriteFile(at("lower.rules"), []byte("MOC_MDS firmware=1 configuration=1 groups=CB\n"), 0o600)
	for _, args := range [][]string{
		{"run", "--db", at("db"), "--out", at("d.csv"), "--rejects", at("r.csv"), "--cpuprofile", at("run.prof"),
			filepath.Join(sample, "smso_a.csv"), filepath.Join(sample, "smso_b.csv")},
		{"whatif", "--db", at("db"), "--rules", at("lower.rules"), "--out", at("whatif"), "--cpuprofile", at("whatif.prof")},
	} {
		var out, errb bytes.Buffer
		if code := dispatch(ctx, args, &out, &errb); code != 0 {
			t.Fatalf("%s: exit %d\n%s", args[0], code, errb.String())
		}
		b, err := os.ReadFile(at(args[0] + ".prof"))
		if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Fatalf("%s: the profile is not a gzipped profile (%d bytes, %v)", args[0], len(b), err)
		}
	}
}
