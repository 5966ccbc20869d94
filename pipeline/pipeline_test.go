package pipeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/ingest"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/synth"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func runOnce(t *testing.T, inputs []string, workers int, format output.Format, db string) (dec, rej []byte) {
	t.Helper()
	dir := t.TempDir()
	cfg := Config{Inputs: inputs, Out: filepath.Join(dir, "d"), Rejects: filepath.Join(dir, "r"), Workers: workers, Format: format, DB: db}
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	dec, _ = os.ReadFile(cfg.Out)
	rej, _ = os.ReadFile(cfg.Rejects)
	return dec, rej
}

func generate(t *testing.T, n int, bad float64) []string {
	t.Helper()
	st, err := synth.Generate(context.Background(), synth.Config{Dir: t.TempDir(), Installations: n, Seed: 7, SMSOs: 3, Bad: bad})
	if err != nil {
		t.Fatal(err)
	}
	return st.Files
}

// shuffled writes copies of files with their data rows in random order.
func shuffled(t *testing.T, files []string) []string {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	var out []string
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(data), "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		body := lines[1:]
		rng.Shuffle(len(body), func(a, b int) { body[a], body[b] = body[b], body[a] })
		p := filepath.Join(dir, strconv.Itoa(i)+filepath.Base(f))
		if err := os.WriteFile(p, []byte(lines[0]+strings.Join(body, "")), 0o600); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// TestDeterministic: worker counts and row order do not change the bytes.
func TestDeterministic(t *testing.T) {
	files := generate(t, 20000, 0.01)
	d1, r1 := runOnce(t, files, 1, output.CSV, "")
	d4, r4 := runOnce(t, files, 4, output.CSV, "")
	if !bytes.Equal(d1, d4) || !bytes.Equal(r1, r4) {
		t.Fatal("1 and 4 workers give different outputs")
	}
	ds, rs := runOnce(t, shuffled(t, files), 3, output.CSV, "")
	if !bytes.Equal(d1, ds) {
		t.Fatal("shuffled input gives different decisions")
	}
	if bytes.Count(r1, []byte{'\n'}) != bytes.Count(rs, []byte{'\n'}) {
		t.Fatal("shuffled input gives a different number of rejects")
	}
}

// TestAgainstReference checks every decision of a generated population
// against a plainly written reading of RULES.md steps 1, 2 and 6, and that
// every input row is accounted for.
func TestAgainstReference(t *testing.T) {
	files := generate(t, 30000, 0.005)
	dec, rej := runOnce(t, files, 2, output.CSV, "")
	loaded, err := ingest.Load(context.Background(), files, ingest.Options{Workers: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pop := loaded.Population
	want := reference(pop)
	rows := readCSV(t, dec)
	if rows[0][0] != "smso" || len(rows)-1 != len(pop.Installations) {
		t.Fatalf("%d decisions for %d installations", len(rows)-1, len(pop.Installations))
	}
	kinds := map[string]int{}
	for i, r := range rows[1:] {
		w := want[i]
		if r[3] != w.d || r[4] != w.r || r[6] != w.gid || r[7] != strconv.Itoa(w.size) {
			t.Fatalf("%s/%s: got %v, reference %+v", r[0], r[1], r, w)
		}
		kinds[r[4]]++
	}
	for _, k := range []string{"duplicate_guid", "duplicate_mpxn_active", "no_wan", "duplicate_mpxn", "duplicate_resolved", "unique"} {
		if kinds[k] == 0 {
			t.Errorf("the generated population exercised no %s", k)
		}
	}
	rejRows := readCSV(t, rej)[1:]
	var inputRows int
	for _, f := range files {
		data, _ := os.ReadFile(f)
		inputRows += bytes.Count(data, []byte{'\n'}) - 1
	}
	if len(pop.Devices)+len(rejRows) != inputRows {
		t.Fatalf("%d decided rows + %d rejects != %d input rows", len(pop.Devices), len(rejRows), inputRows)
	}
	if len(rejRows) == 0 {
		t.Fatal("no rejects from a population with bad rows")
	}
}

type refDecision struct {
	d, r, gid string
	size      int
}

// reference decides pop with maps and a breadth-first search, the slow
// obvious way.
func reference(pop *engine.Population) []refDecision {
	guidRows := map[uint64]int{}
	for _, d := range pop.Devices {
		guidRows[d.GUID]++
	}
	byKey := map[engine.Key][]int{}
	for i, in := range pop.Installations {
		for _, k := range in.Keys() {
			byKey[k] = append(byKey[k], i)
		}
	}
	out := make([]refDecision, len(pop.Installations))
	seen := make([]bool, len(pop.Installations))
	for start := range pop.Installations {
		if seen[start] {
			continue
		}
		group := []int{start}
		seen[start] = true
		for q := 0; q < len(group); q++ {
			for _, k := range pop.Installations[group[q]].Keys() {
				for _, o := range byKey[k] {
					if !seen[o] {
						seen[o] = true
						group = append(group, o)
					}
				}
			}
		}
		gid := ""
		active, comm, commIdx, latest, latestDate, ties := false, 0, -1, -1, engine.Date(-1), 0
		for _, m := range group {
			in := pop.Installations[m]
			for _, k := range in.Keys() {
				if s := k.String(); gid == "" || s < gid {
					gid = s
				}
			}
			if !engine.DormantOnly(pop.DevicesOf(uint32(m))) {
				active = true
			}
			if in.Communicating {
				comm++
				commIdx = m
			}
			if in.Date > latestDate {
				latest, latestDate, ties = m, in.Date, 1
			} else if in.Date == latestDate {
				ties++
			}
		}
		for _, m := range group {
			r := refDecision{gid: gid, size: len(group)}
			dupGUID := false
			for _, d := range pop.DevicesOf(uint32(m)) {
				if guidRows[d.GUID] > 1 {
					dupGUID = true
				}
			}
			dormant := engine.DormantOnly(pop.DevicesOf(uint32(m)))
			switch {
			case dupGUID && dormant:
				r.d, r.r = "exclude", "duplicate_guid"
			case dupGUID:
				r.d, r.r = "blocked", "duplicate_guid"
			case len(group) == 1:
				r.d, r.r = "migrate", "unique"
			case active:
				r.d, r.r = "blocked", "duplicate_mpxn_active"
			case comm == 0:
				r.d, r.r = "exclude", "no_wan"
			case comm == 1 && ties == 1 && commIdx == latest && m == latest:
				r.d, r.r = "migrate", "duplicate_resolved"
			default:
				r.d, r.r = "exclude", "duplicate_mpxn"
			}
			out[m] = r
		}
	}
	return out
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestGolden runs the hand-written sample in testdata and compares with the
// golden outputs; TestAgainstReference derives the same rules independently.
func TestGolden(t *testing.T) {
	in := filepath.Join("..", "testdata", "golden")
	inputs := []string{filepath.Join(in, "smso_a.csv"), filepath.Join(in, "smso_b.csv")}
	for _, f := range []struct {
		format output.Format
		name   string
	}{{output.CSV, "decisions.csv"}, {output.JSONL, "decisions.jsonl"}} {
		dec, rej := runOnce(t, inputs, 2, f.format, "")
		rej = bytes.ReplaceAll(rej, []byte(in+string(filepath.Separator)), nil)
		for name, got := range map[string][]byte{f.name: dec, "rejects.csv": rej} {
			path := filepath.Join(in, name)
			if *update {
				os.WriteFile(path, got, 0o644)
				continue
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file:\n%s", name, got)
			}
		}
	}
}

// TestStoreRoundTrip keeps a store and reads decisions and postings back.
func TestStoreRoundTrip(t *testing.T) {
	files := generate(t, 5000, 0)
	db := filepath.Join(t.TempDir(), "db")
	dec, _ := runOnce(t, files, 2, output.CSV, db)
	st, err := index.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows := readCSV(t, dec)[1:]
	if st.Meta.Installations != len(rows) {
		t.Fatalf("store has %d installations, decisions %d", st.Meta.Installations, len(rows))
	}
	for i := 0; i < len(rows); i += 97 {
		r := rows[i]
		id, ok, err := st.ByName(r[0], r[1])
		if err != nil || !ok || int(id) != i {
			t.Fatalf("ByName(%s/%s) = %d %v %v, want %d", r[0], r[1], id, ok, err, i)
		}
		rec, err := st.Installation(id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Outcome.Decision.String() != r[3] || rec.Outcome.Reason.String() != r[4] || rec.GroupID.String() != r[6] {
			t.Fatalf("record %+v does not match decision row %v", rec.Outcome, r)
		}
		group, err := st.Group(id)
		if err != nil || strconv.Itoa(len(group)) != r[7] {
			t.Fatalf("group of %s has %d members, group_size %s (%v)", r[1], len(group), r[7], err)
		}
		if r[8] != "" {
			k, _ := ingest.ParseMPAN([]byte(r[8][1:]))
			ids, _ := st.ByMPxN(k)
			if !containsID(ids, id) {
				t.Fatalf("MPAN posting %v lacks %d", ids, id)
			}
		}
		for _, d := range rec.Devices {
			ids, rows, err := st.ByGUID(d.GUID)
			if err != nil || !containsID(ids, id) || rows < 1 {
				t.Fatalf("GUID posting %v (%d rows) lacks %d: %v", ids, rows, id, err)
			}
		}
	}
	var sb strings.Builder
	if err := index.Explain(&sb, st, rows[0][0]+"/"+rows[0][1]); err != nil || !strings.Contains(sb.String(), "decision: "+rows[0][3]) {
		t.Fatalf("explain: %v\n%s", err, sb.String())
	}
}

func containsID(ids []uint32, id uint32) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
