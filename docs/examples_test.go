package docs

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The documents whose examples are run. An example is written in Markdown
// as follows (see the end of FORMATS.md for the reader's version):
//
//	<!-- example NAME -->                 starts example NAME; it runs to the
//	                                      next example or heading
//	<!-- example NAME pending: WHY -->    an example not yet true of this build
//	```csv in=FILE [eol=crlf|crcrlf|cr] [bom] [gzip] [escapes]
//	                                      an input file, written before the
//	                                      commands (line ends, a UTF-8 BOM,
//	                                      gzip, \xNN standing for a byte)
//	```sh                                 commands: each line "s1resolve ...",
//	                                      run in the example's folder
//	```text stdout / ```text stderr [exit=N]
//	                                      what the last command printed, and
//	                                      its exit status (else it must be 0)
//	```csv out=FILE [json-ignore=K,K]     a file the commands wrote; a JSON
//	                                      file compared without the top-level
//	                                      keys named (timings, the build)
//
// Fenced blocks outside examples are illustrations and are not run.
var documents = []string{"FORMATS.md", "RULES.md"}

// block is one fenced block of an example.
type block struct {
	line  int               // where the fence opens
	lang  string            // the first word of the info string
	attrs map[string]string // the other words: key=value, or key alone
	body  string            // the lines inside, each ending in \n
}

// example is the blocks of one <!-- example --> section.
type example struct {
	doc, name string
	line      int
	pending   string
	blocks    []block
}

var (
	exampleMark = regexp.MustCompile(`^<!-- example ([a-z0-9][a-z0-9_-]*)(?: pending: (.+?))? -->$`)
	fence       = regexp.MustCompile("^(```+|~~~+)(.*)$")
)

// parse returns the examples of one document, and refuses what would leave
// an example unchecked: a run block outside an example, an unknown
// attribute, an unterminated fence, two examples of one name.
func parse(doc string, data []byte) ([]example, error) {
	var out []example
	var cur *example
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if m := exampleMark.FindStringSubmatch(text); m != nil {
			out = append(out, example{doc: doc, name: m[1], line: line, pending: m[2]})
			cur = &out[len(out)-1]
			continue
		}
		if strings.HasPrefix(text, "<!-- example") {
			return nil, fmt.Errorf("%s:%d: malformed example mark %q", doc, line, text)
		}
		if strings.HasPrefix(text, "#") {
			cur = nil
			continue
		}
		m := fence.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		b := block{line: line, attrs: map[string]string{}}
		words := strings.Fields(m[2])
		if len(words) > 0 {
			b.lang = words[0]
		}
		for _, w := range words[min(1, len(words)):] {
			k, v, _ := strings.Cut(w, "=")
			b.attrs[k] = v
		}
		closed := false
		var body strings.Builder
		for sc.Scan() {
			line++
			if strings.HasPrefix(sc.Text(), m[1]) && strings.TrimSpace(strings.TrimLeft(sc.Text(), m[1][:1])) == "" {
				closed = true
				break
			}
			body.WriteString(sc.Text() + "\n")
		}
		if !closed {
			return nil, fmt.Errorf("%s:%d: fence never closed", doc, b.line)
		}
		b.body = body.String()
		role := b.role()
		if cur == nil {
			if role != "" && role != "sh" {
				return nil, fmt.Errorf("%s:%d: a %s block outside any example", doc, b.line, role)
			}
			continue
		}
		if err := b.check(); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", doc, b.line, err)
		}
		if role != "" {
			cur.blocks = append(cur.blocks, b)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	seen := map[string]int{}
	for _, ex := range out {
		if l, dup := seen[ex.name]; dup {
			return nil, fmt.Errorf("%s:%d: example %s already at line %d", doc, ex.line, ex.name, l)
		}
		seen[ex.name] = ex.line
	}
	return out, nil
}

// role says what a block is to its example: "in", "out", "stdout",
// "stderr", "sh", or "" for an illustration.
func (b block) role() string {
	switch {
	case b.attrs["in"] != "":
		return "in"
	case b.attrs["out"] != "":
		return "out"
	case b.lang == "sh" || b.lang == "console":
		return "sh"
	}
	for _, r := range []string{"stdout", "stderr"} {
		if _, ok := b.attrs[r]; ok {
			return r
		}
	}
	return ""
}

var knownAttrs = map[string][]string{
	"in":     {"in", "eol", "bom", "gzip", "escapes"},
	"out":    {"out", "json-ignore"},
	"stdout": {"stdout"},
	"stderr": {"stderr", "exit"},
	"sh":     {},
	"":       {},
}

func (b block) check() error {
	allowed := knownAttrs[b.role()]
	for k := range b.attrs {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("attribute %q not understood on a %q block", k, b.role())
		}
	}
	if e, ok := b.attrs["eol"]; ok && e != "crlf" && e != "crcrlf" && e != "cr" {
		return fmt.Errorf("eol=%s: want crlf, crcrlf or cr", e)
	}
	if e, ok := b.attrs["exit"]; ok {
		if _, err := strconv.Atoi(e); err != nil {
			return fmt.Errorf("exit=%s: not a number", e)
		}
	}
	for _, p := range []string{b.attrs["in"], b.attrs["out"]} {
		if p != "" && (filepath.IsAbs(p) || !filepath.IsLocal(p)) {
			return fmt.Errorf("%s: must name a file inside the example's folder", p)
		}
	}
	return nil
}

// load reads and parses every document.
func load(t *testing.T) []example {
	t.Helper()
	var all []example
	for _, doc := range documents {
		data, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		exs, err := parse(doc, data)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, exs...)
	}
	return all
}

// TestExamples runs every example of FORMATS.md and RULES.md through the
// built command and compares the outputs with the documents. An example
// marked pending documents the contract ahead of this build: it is run
// too, skipped while it differs, and an error once it matches, so that the
// mark goes as soon as the feature lands.
func TestExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs it")
	}
	examples := load(t)
	if len(examples) == 0 {
		t.Fatal("no examples found")
	}
	bin := filepath.Join(t.TempDir(), "s1resolve")
	dependOnSources(t)
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/s1resolve").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			problems := ex.run(t, bin)
			switch {
			case ex.pending != "" && len(problems) == 0:
				t.Errorf("%s:%d: example %s is marked pending (%s) but now matches the program: remove the mark",
					ex.doc, ex.line, ex.name, ex.pending)
			case ex.pending != "":
				t.Skipf("%s:%d: pending: %s; differs now: %s", ex.doc, ex.line, ex.pending, firstLine(problems[0]))
			default:
				for _, p := range problems {
					t.Errorf("%s:%d: %s", ex.doc, ex.line, p)
				}
			}
		})
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// run writes the example's inputs into a new folder, runs its commands
// there and returns every difference from the document.
func (ex example) run(t *testing.T, bin string) []string {
	dir := t.TempDir()
	var problems []string
	var last *result
	ran := 0
	for _, b := range ex.blocks {
		switch b.role() {
		case "in":
			if err := writeInput(dir, b); err != nil {
				t.Fatalf("%s:%d: %v", ex.doc, b.line, err)
			}
		case "sh":
			cmds, err := commands(b.body)
			if err != nil {
				t.Fatalf("%s:%d: %v", ex.doc, b.line, err)
			}
			for i, args := range cmds {
				r := runCommand(bin, dir, args)
				// Every command but the last of a block must succeed; the
				// last is checked by the stdout/stderr blocks after it.
				if i < len(cmds)-1 && r.exit != 0 {
					problems = append(problems, fmt.Sprintf("line %d: %s exited %d:\n%s", b.line, strings.Join(args, " "), r.exit, r.stderr))
				}
				last = r
				ran++
			}
			if last != nil && !hasStatusBlock(ex.blocks, b) && last.exit != 0 {
				problems = append(problems, fmt.Sprintf("line %d: %s exited %d:\n%s", b.line, strings.Join(last.args, " "), last.exit, last.stderr))
			}
		case "stdout", "stderr":
			if last == nil {
				t.Fatalf("%s:%d: output before any command", ex.doc, b.line)
			}
			got := last.stdout
			if b.role() == "stderr" {
				got = last.stderr
				want, _ := strconv.Atoi(b.attrs["exit"])
				if last.exit != want {
					problems = append(problems, fmt.Sprintf("line %d: %s exited %d, the document says %d:\n%s", b.line, strings.Join(last.args, " "), last.exit, want, last.stderr))
				}
			}
			if got != b.body {
				problems = append(problems, fmt.Sprintf("line %d: %s of %s differs:\n--- document\n%s--- program\n%s", b.line, b.role(), strings.Join(last.args, " "), b.body, got))
			}
		case "out":
			if p := compareOutput(dir, b); p != "" {
				problems = append(problems, fmt.Sprintf("line %d: %s", b.line, p))
			}
		}
	}
	if ran == 0 {
		t.Fatalf("%s:%d: example %s runs no command", ex.doc, ex.line, ex.name)
	}
	return problems
}

// hasStatusBlock reports whether a stderr block follows the sh block b
// before the next sh block: then that block says the exit status.
func hasStatusBlock(blocks []block, b block) bool {
	after := false
	for _, x := range blocks {
		switch {
		case x.line == b.line:
			after = true
		case after && x.role() == "sh":
			return false
		case after && x.role() == "stderr":
			return true
		}
	}
	return false
}

// commands splits a sh block into argument lists. Only s1resolve is run,
// and only plain words: no quoting, pipes or redirections, which would
// need a shell and would make the example depend on it.
func commands(body string) ([][]string, error) {
	var out [][]string
	for _, l := range strings.Split(body, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if strings.ContainsAny(l, "'\"|<>;&$`\\*?") {
			return nil, fmt.Errorf("command %q needs a shell: examples use plain words", l)
		}
		args := strings.Fields(l)
		if args[0] != "s1resolve" {
			return nil, fmt.Errorf("command %q: examples run s1resolve only", l)
		}
		out = append(out, args)
	}
	return out, nil
}

type result struct {
	args           []string
	stdout, stderr string
	exit           int
}

func runCommand(bin, dir string, args []string) *result {
	cmd := exec.Command(bin, args[1:]...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := &result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.exit = exit.ExitCode()
	case err != nil:
		r.exit, r.stderr = -1, err.Error()
	}
	return r
}

var escapedByte = regexp.MustCompile(`\\x[0-9A-Fa-f]{2}`)

// writeInput writes an in= block as the attributes say.
func writeInput(dir string, b block) error {
	data := []byte(b.body)
	if _, ok := b.attrs["escapes"]; ok {
		data = escapedByte.ReplaceAllFunc(data, func(m []byte) []byte {
			n, _ := strconv.ParseUint(string(m[2:]), 16, 8)
			return []byte{byte(n)}
		})
	}
	switch b.attrs["eol"] {
	case "crlf":
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	case "crcrlf":
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\r\n"))
	case "cr":
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r"))
	}
	if _, ok := b.attrs["bom"]; ok {
		data = append([]byte("\ufeff"), data...)
	}
	if _, ok := b.attrs["gzip"]; ok {
		var z bytes.Buffer
		w := gzip.NewWriter(&z)
		w.Write(data)
		if err := w.Close(); err != nil {
			return err
		}
		data = z.Bytes()
	}
	path := filepath.Join(dir, b.attrs["in"])
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

// compareOutput compares an out= block with the file the commands wrote;
// "" when they agree.
func compareOutput(dir string, b block) string {
	name := b.attrs["out"]
	got, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return fmt.Sprintf("%s: %v", name, err)
	}
	if ignore, ok := b.attrs["json-ignore"]; ok {
		var g, w map[string]any
		if err := json.Unmarshal(got, &g); err != nil {
			return fmt.Sprintf("%s: the program wrote no JSON object: %v", name, err)
		}
		if err := json.Unmarshal([]byte(b.body), &w); err != nil {
			return fmt.Sprintf("%s: the document shows no JSON object: %v", name, err)
		}
		for _, k := range strings.Split(ignore, ",") {
			if _, ok := w[k]; !ok {
				return fmt.Sprintf("%s: json-ignore names %q, which the document does not show", name, k)
			}
			delete(g, k)
			delete(w, k)
		}
		if !reflect.DeepEqual(g, w) {
			return fmt.Sprintf("%s differs (keys %s aside):\n--- document\n%s--- program\n%s", name, ignore, b.body, got)
		}
		return ""
	}
	if string(got) != b.body {
		return fmt.Sprintf("%s differs:\n--- document\n%s--- program\n%s", name, b.body, got)
	}
	return ""
}

// TestExampleMarkup checks the reader of the examples on a small document:
// that it finds what it must run, and refuses what would go unchecked.
func TestExampleMarkup(t *testing.T) {
	good := "# T\n\n<!-- example one -->\n```csv in=a.csv eol=crlf\nx\n```\n\n```sh\ns1resolve rules\n```\n" +
		"```text stdout\ny\n```\n```csv out=d.csv\nz\n```\n## Next\n```csv\nillustration\n```\n" +
		"<!-- example two pending: not yet -->\n```sh\ns1resolve version\n```\n"
	exs, err := parse("t.md", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(exs) != 2 || exs[0].name != "one" || len(exs[0].blocks) != 4 || exs[1].pending != "not yet" {
		t.Fatalf("parsed %+v", exs)
	}
	if b := exs[0].blocks[0]; b.role() != "in" || b.body != "x\n" || b.attrs["eol"] != "crlf" {
		t.Errorf("input block %+v", b)
	}
	for name, doc := range map[string]string{
		"output outside an example": "```csv out=d.csv\nz\n```\n",
		"unknown attribute":         "<!-- example a -->\n```csv in=a.csv eol=lf\nx\n```\n",
		"unterminated fence":        "<!-- example a -->\n```csv in=a.csv\nx\n",
		"name used twice":           "<!-- example a -->\n<!-- example a -->\n",
		"path outside the folder":   "<!-- example a -->\n```csv in=../a.csv\nx\n```\n",
		"malformed mark":            "<!-- example A B -->\n",
	} {
		if _, err := parse("t.md", []byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := commands("s1resolve run a.csv | head\n"); err == nil {
		t.Error("a pipe was accepted")
	}
	if _, err := commands("cat a.csv\n"); err == nil {
		t.Error("a command other than s1resolve was accepted")
	}
}

// TestLinks checks every link of the documents in this folder: a relative
// link names a file of the repository, so that a clone holds all the
// documentation refers to, and a link to a heading (#anchor, FILE.md#anchor)
// finds it.
func TestLinks(t *testing.T) {
	link := regexp.MustCompile(`\]\(([^)#\s]*)(?:#([^)\s]*))?\)`)
	mds, _ := filepath.Glob("*.md")
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]map[string]bool{}
	for _, md := range mds {
		data, err := os.ReadFile(md)
		if err != nil {
			t.Fatal(err)
		}
		anchors[md] = headingAnchors(string(data))
	}
	for _, md := range mds {
		data, _ := os.ReadFile(md)
		for _, m := range link.FindAllStringSubmatch(outsideFences(string(data)), -1) {
			target, anchor := m[1], m[2]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if target == "" {
				target = md
			}
			abs, err := filepath.Abs(target)
			if err != nil {
				t.Fatal(err)
			}
			if rel, err := filepath.Rel(root, abs); err != nil || !filepath.IsLocal(rel) {
				t.Errorf("%s: link %s leaves the repository", md, m[0])
				continue
			}
			if _, err := os.Stat(abs); err != nil {
				t.Errorf("%s: link %s: %v", md, m[0], err)
				continue
			}
			if anchor != "" && strings.HasSuffix(target, ".md") && !anchors[filepath.Clean(target)][anchor] {
				t.Errorf("%s: link %s: %s has no heading with that anchor", md, m[0], target)
			}
		}
	}
}

// outsideFences returns the text with fenced blocks blanked out.
func outsideFences(text string) string {
	var b strings.Builder
	in := ""
	for _, l := range strings.SplitAfter(text, "\n") {
		if m := fence.FindStringSubmatch(strings.TrimRight(l, "\n")); m != nil {
			switch {
			case in == "":
				in = m[1]
			case strings.HasPrefix(m[1], in) && strings.TrimSpace(m[2]) == "":
				in = ""
			}
			b.WriteString("\n")
			continue
		}
		if in != "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString(l)
	}
	return b.String()
}

// headingAnchors returns the anchors a Markdown renderer gives the
// headings of text, as GitHub makes them: lower case, punctuation dropped,
// spaces turned into hyphens, and -1, -2, ... after a repeated one.
func headingAnchors(text string) map[string]bool {
	out := map[string]bool{}
	for _, l := range strings.Split(outsideFences(text), "\n") {
		if !strings.HasPrefix(l, "#") {
			continue
		}
		title := strings.TrimSpace(strings.TrimLeft(l, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(title) {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		a := b.String()
		for i := 1; out[a]; i++ {
			a = fmt.Sprintf("%s-%d", b.String(), i)
		}
		out[a] = true
	}
	return out
}

// dependOnSources reads every Go source of the module: the command is
// built by "go build" in another process, whose reads the test cache does
// not see, so without this a change to the program would leave an earlier
// "ok" of this test cached.
func dependOnSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != ".." && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod" || d.Name() == "go.sum") {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
