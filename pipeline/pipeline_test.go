package pipeline

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/explain"
	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/ingest"
	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/synth"
	"github.com/s1resolve/s1resolve/value"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func runOnce(t *testing.T, inputs []string, workers int, format output.Format, db string) (dec, rej []byte) {
	t.Helper()
	return runWith(t, Config{Inputs: inputs, Workers: workers, Format: format, DB: db})
}

func runWith(t *testing.T, cfg Config) (dec, rej []byte) {
	t.Helper()
	dir := t.TempDir()
	cfg.Out, cfg.Rejects = filepath.Join(dir, "d"), filepath.Join(dir, "r")
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	dec, _ = os.ReadFile(cfg.Out)
	rej, _ = os.ReadFile(cfg.Rejects)
	return dec, rej
}

func generate(t *testing.T, n int, bad float64) []string {
	return generateAll(t, n, bad).Files
}

func generateAll(t *testing.T, n int, bad float64) *synth.Stats {
	t.Helper()
	st, err := synth.Generate(context.Background(), synth.Config{Dir: t.TempDir(), Installations: n, Seed: 7, SMSOs: 3, Bad: bad, Smets2Rate: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// readTree returns the files under dir by their slash-separated path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
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
	// With a SMETS2+ inventory: the same bytes for any worker count and
	// any order of the inventory's and the installation files' rows. (No
	// bad rows here: of two rows with one inventory_id the first stands,
	// which makes row order matter, as FORMATS.md §6 says.)
	// The reports too, the suppliers' lists with their device GUIDs
	// among them (report.html names the input files by their hash, which
	// the shuffled copies change, and is left out).
	st := generateAll(t, 20000, 0)
	var want []byte
	var wantReport map[string][]byte
	for i, c := range []struct {
		files   []string
		smets2  string
		workers int
	}{{st.Files, st.Smets2, 1}, {st.Files, st.Smets2, 4}, {shuffled(t, st.Files), shuffled(t, []string{st.Smets2})[0], 3}} {
		reportDir := t.TempDir()
		dec, _ := runWith(t, Config{Inputs: c.files, Smets2: c.smets2, Workers: c.workers,
			Registration: st.Registration, Suppliers: st.Suppliers, Report: reportDir})
		rep := readTree(t, reportDir)
		delete(rep, "report.html")
		if i == 0 {
			want, wantReport = dec, rep
			continue
		}
		if !bytes.Equal(dec, want) {
			t.Fatalf("case %d: decisions with an inventory differ", i)
		}
		if len(rep) != len(wantReport) {
			t.Fatalf("case %d: %d report files, want %d", i, len(rep), len(wantReport))
		}
		for name, b := range wantReport {
			if !bytes.Equal(rep[name], b) {
				t.Fatalf("case %d: report file %s differs", i, name)
			}
		}
	}
	multi := 0 // supplier list lines naming two GUIDs or more, whose order row order could change
	for name, b := range wantReport {
		if !strings.HasPrefix(name, "suppliers/") {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Split(line, ","); strings.Contains(f[len(f)-1], " ") {
				multi++
			}
		}
	}
	if multi == 0 {
		t.Fatal("no supplier list names two GUIDs for an installation: the test shows nothing")
	}
	if !bytes.Contains(want, []byte("smets2_replaced")) {
		t.Fatal("the inventory replaced no installation")
	}
}

// TestAgainstReference checks every decision of a generated population
// against a plainly written reading of RULES.md steps 1, 2 and 6, and that
// every input row is accounted for.
func TestAgainstReference(t *testing.T) {
	st := generateAll(t, 40000, 0.005)
	files := st.Files
	reportDir := t.TempDir()
	dec, rej := runWith(t, Config{Inputs: files, Registration: st.Registration, Suppliers: st.Suppliers, Smets2: st.Smets2, Workers: 2, Report: reportDir})
	loaded, err := ingest.Load(context.Background(), files, ingest.Options{Workers: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := engine.NewRegistry()
	regRejects, err := ingest.LoadRegistration(context.Background(), st.Registration, 0, reg, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	supRejects, err := ingest.LoadSuppliers(context.Background(), st.Suppliers, 0, reg, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	inventory, invRejects, err := ingest.LoadInventory(context.Background(), st.Smets2, 0, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pop := loaded.Population
	pop.Smets2 = inventory
	want := reference(pop, reg, nil)
	rows := readCSV(t, dec)
	if rows[0][0] != "smso" || len(rows)-1 != len(pop.Installations) {
		t.Fatalf("%d decisions for %d installations", len(rows)-1, len(pop.Installations))
	}
	kinds := map[string]int{}
	for i, r := range rows[1:] {
		w := want[i]
		if r[3] != w.d || r[4] != w.r || r[5] != w.clause || r[6] != w.gid || r[7] != strconv.Itoa(w.size) ||
			r[10] != w.supplier || r[11] != w.notify {
			t.Fatalf("%s/%s: got %v, reference %+v", r[0], r[1], r, w)
		}
		kinds[r[4]]++
		kinds["notify="+r[11]]++
	}
	for _, k := range []string{"duplicate_guid", "duplicate_mpxn_active", "no_wan", "duplicate_mpxn", "smets2_replaced", "duplicate_resolved", "unique",
		"mpxn_not_registered", "no_prepayment_key", "fw_unable", "fw_config_failure", "gas_failure_partial", "fw_retry",
		"fw_no_exclusion_category", "notify=N", "notify=Y"} {
		if kinds[k] == 0 {
			t.Errorf("the generated population exercised no %s", k)
		}
	}
	checkReports(t, reportDir, rows[1:])
	rejRows := readCSV(t, rej)[1:]
	var inputRows int
	for _, f := range files {
		data, _ := os.ReadFile(f)
		inputRows += bytes.Count(data, []byte{'\n'}) - 1
	}
	refRejects := len(regRejects) + len(supRejects) + len(invRejects)
	if len(pop.Devices)+len(rejRows)-refRejects != inputRows {
		t.Fatalf("%d decided rows + %d rejects - %d registration/supplier rejects != %d input rows",
			len(pop.Devices), len(rejRows), refRejects, inputRows)
	}
	if refRejects == 0 || len(invRejects) == 0 {
		t.Fatal("no registration, supplier or inventory rejects from a population with bad rows")
	}
	// Every inventory row is used or rejected (FORMATS.md §5).
	invData, _ := os.ReadFile(st.Smets2)
	if rows := bytes.Count(invData, []byte{'\n'}) - 1; len(inventory)+len(invRejects) != rows {
		t.Fatalf("%d inventory rows read, %d rejected, of %d", len(inventory), len(invRejects), rows)
	}
	if len(rejRows) == 0 {
		t.Fatal("no rejects from a population with bad rows")
	}
}

// TestClausesAgainstReference checks every decision of a generated
// population (registration, suppliers, SMETS2+ inventory) against the
// reference reading of RULES.md with each clause not in force alone, none
// in force, and random sets, and that each clause changes something.
func TestClausesAgainstReference(t *testing.T) {
	st := generateAll(t, 20000, 0)
	pop, reg := loadReference(t, st)
	base, _ := runWith(t, Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, Smets2: st.Smets2, Workers: 2})
	var sets []engine.ClauseSet
	for _, c := range engine.Clauses() {
		sets = append(sets, engine.AllClauses.Without(c))
	}
	sets = append(sets, 0)
	rng := rand.New(rand.NewPCG(5, 6))
	for range 4 {
		sets = append(sets, engine.ClauseSet(rng.IntN(int(engine.AllClauses)+1)))
	}
	for _, in := range sets {
		t.Run("in force "+in.String(), func(t *testing.T) {
			rules := engine.DefaultRules()
			rules.NotInForce = engine.AllClauses &^ in
			off := notInForce{}
			for _, c := range rules.NotInForce.Names() {
				off[c] = true
			}
			dec, _ := runWith(t, Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, Smets2: st.Smets2, Workers: 2, Rules: &rules})
			checkReference(t, dec, reference(pop, reg, off))
			if bytes.Equal(dec, base) {
				t.Errorf("taking out %s changed no decision: the population does not exercise it", rules.NotInForce)
			}
		})
	}
}

// loadReference loads a generated population with its registration,
// suppliers and SMETS2+ inventory, for the reference.
func loadReference(t *testing.T, st *synth.Stats) (*engine.Population, *engine.Registry) {
	t.Helper()
	ctx := context.Background()
	loaded, err := ingest.Load(ctx, st.Files, ingest.Options{Workers: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	reg := engine.NewRegistry()
	if _, err := ingest.LoadRegistration(ctx, st.Registration, 0, reg, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.LoadSuppliers(ctx, st.Suppliers, 0, reg, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	if loaded.Population.Smets2, _, err = ingest.LoadInventory(ctx, st.Smets2, 0, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	return loaded.Population, reg
}

// checkReference compares a decisions CSV with the reference's decisions.
func checkReference(t *testing.T, dec []byte, want []refDecision) {
	t.Helper()
	rows := readCSV(t, dec)[1:]
	if len(rows) != len(want) {
		t.Fatalf("%d decisions, reference %d", len(rows), len(want))
	}
	for i, r := range rows {
		w := want[i]
		if r[3] != w.d || r[4] != w.r || r[5] != w.clause || r[6] != w.gid || r[7] != strconv.Itoa(w.size) ||
			r[10] != w.supplier || r[11] != w.notify {
			t.Fatalf("%s/%s: got %v, reference %+v", r[0], r[1], r, w)
		}
	}
}

type refDecision struct {
	d, r, clause, gid string
	size              int
	supplier, notify  string
}

// notInForce names the consultation's clauses that are not in force
// ("18.13", "4.1A", ...); nil or empty: all nine are.
type notInForce map[string]bool

// reference decides pop with maps and a breadth-first search, the slow
// obvious way, reading RULES.md step by step, with the clauses off not in
// force ("Clauses in force").
func reference(pop *engine.Population, reg *engine.Registry, off notInForce) []refDecision {
	guidRows := map[value.GUID]int{}
	for _, d := range pop.Devices {
		guidRows[d.GUID()]++
	}
	// Members: installation i is i, SMETS2+ installation j is n+j.
	n := len(pop.Installations)
	keysOf := func(m int) []value.Key {
		if m >= n {
			return pop.Smets2[m-n].Keys()
		}
		return pop.Installations[m].Keys()
	}
	byKey := map[value.Key][]int{}
	for m := 0; m < n+len(pop.Smets2); m++ {
		for _, k := range keysOf(m) {
			byKey[k] = append(byKey[k], m)
		}
	}
	dormantOnly := func(m int) bool {
		for _, d := range pop.DevicesOf(uint32(m)) {
			if (d.Type() == engine.ESME || d.Type() == engine.GSME) && d.State() == engine.Active {
				return false
			}
		}
		return true
	}
	out := make([]refDecision, n)
	seen := make([]bool, n+len(pop.Smets2))
	for start := range pop.Installations { // a group of SMETS2+ members alone decides nothing
		if seen[start] {
			continue
		}
		group := []int{start}
		seen[start] = true
		for q := 0; q < len(group); q++ {
			for _, k := range keysOf(group[q]) {
				for _, o := range byKey[k] {
					if !seen[o] {
						seen[o] = true
						group = append(group, o)
					}
				}
			}
		}
		gid := ""
		active, comm, commIdx, latest, latestDate, ties := false, 0, -1, -1, value.Date(-1), 0
		for _, m := range group {
			for _, k := range keysOf(m) {
				if s := k.String(); gid == "" || s < gid {
					gid = s
				}
			}
			date, communicating := value.Date(0), false
			if m >= n { // SMETS2+: never Active, its date and flag count
				date, communicating = pop.Smets2[m-n].Date, pop.Smets2[m-n].Communicating
			} else {
				date, communicating = pop.Installations[m].Date, pop.Installations[m].Communicating
				if !dormantOnly(m) {
					active = true
				}
			}
			if communicating {
				comm++
				commIdx = m
			}
			if date > latestDate {
				latest, latestDate, ties = m, date, 1
			} else if date == latestDate {
				ties++
			}
		}
		for _, m := range group {
			if m >= n {
				continue // SMETS2+ members get no decision
			}
			r := refDecision{gid: gid, size: len(group), notify: "Y"}
			in := pop.Installations[m]
			status := engine.Live
			for _, k := range []value.Key{in.MPAN, in.MPRN} {
				if reg == nil {
					break
				}
				if s, ok := reg.Supplier(k); k != 0 && ok && r.supplier == "" {
					r.supplier, status = s, reg.Status(s)
					if status == engine.CeasedTrading || status == engine.NotLiveUser {
						r.notify = "N"
					}
				}
			}
			dupGUID := false
			for _, d := range pop.DevicesOf(uint32(m)) {
				if guidRows[d.GUID()] > 1 {
					dupGUID = true
				}
			}
			dormant := dormantOnly(m)
			winner := false
			switch {
			case dupGUID && dormant && !off["18.12"]:
				r.d, r.r, r.clause = "exclude", "duplicate_guid", "18.12"
			case dupGUID:
				r.d, r.r = "blocked", "duplicate_guid"
			case len(group) == 1:
			case off["4.1C"] && active: // step 2 resolves nothing
				r.d, r.r = "blocked", "duplicate_mpxn_active"
			case off["4.1C"]:
				r.d, r.r = "blocked", "duplicate_mpxn"
			case active:
				r.d, r.r, r.clause = "blocked", "duplicate_mpxn_active", "4.1C"
			case comm == 0:
				r.d, r.r, r.clause = "exclude", "no_wan", "4.1C"
			case comm == 1 && ties == 1 && commIdx == latest && latest >= n:
				r.d, r.r, r.clause = "exclude", "smets2_replaced", "18.13"
			case comm == 1 && ties == 1 && commIdx == latest && m == latest:
				winner = true
			default:
				r.d, r.r, r.clause = "exclude", "duplicate_mpxn", "18.13"
			}
			if r.clause == "18.13" && off["18.13"] {
				r.d, r.clause = "blocked", ""
			}
			if r.d == "" {
				r.d, r.r, r.clause = laterSteps(pop, m, reg, dormant, off)
			}
			if r.d == "" && winner {
				r.d, r.r, r.clause = "migrate", "duplicate_resolved", "4.1C"
			} else if r.d == "" {
				r.d, r.r, r.clause = "migrate", "unique", ""
			}
			// Step 7: no notification can be given while its clause is not in force.
			if r.d == "migrate" || r.d == "migrate_partial" {
				if status == engine.CeasedTrading && off["4.1A"] {
					r.d, r.r, r.clause = "blocked", "supplier_ceased_trading", ""
				}
				if status == engine.NotLiveUser && off["4.1B"] {
					r.d, r.r, r.clause = "blocked", "supplier_not_live_user", ""
				}
			}
			out[m] = r
		}
	}
	return out
}

// laterSteps is RULES.md steps 3 to 5 with the default thresholds and the
// clauses off not in force, or "" when none applies.
func laterSteps(pop *engine.Population, m int, reg *engine.Registry, dormant bool, off notInForce) (d, r, clause string) {
	in := pop.Installations[m]
	devs := pop.DevicesOf(uint32(m))
	// Steps 3 and 4 exclude a dormant-only installation under 18.12, else block it.
	exOrBlock := func(reason string) (string, string, string) {
		if dormant && !off["18.12"] {
			return "exclude", reason, "18.12"
		}
		return "blocked", reason, ""
	}
	for _, k := range []value.Key{in.MPAN, in.MPRN} {
		if reg == nil {
			break // no registration data: no step 3
		}
		if _, ok := reg.Supplier(k); k != 0 && !ok {
			return exOrBlock("mpxn_not_registered")
		}
	}
	for _, dv := range devs {
		if (dv.Type() == engine.ESME || dv.Type() == engine.GSME) && dv.Prepay() == value.No {
			return exOrBlock("no_prepayment_key")
		}
	}
	if !dormant {
		return "", "", ""
	}
	type limits struct {
		fw, cfg uint32
		groups  string
	}
	lim, has := map[engine.Cohort]limits{engine.MOCMDS: {15, 10, "CB"}, engine.IOC: {108, 30, "AA BA CA"}}[in.Cohort]
	covered := func(dv engine.Device) bool {
		return has && dv.Group[0] != 0 && strings.Contains(lim.groups, string(dv.Group[:]))
	}
	var failedESME, failedAny, retrying, stuck, esme, esmesFine, unable bool
	esmesFine = true
	for _, dv := range devs {
		if dv.Type() != engine.ESME && dv.Type() != engine.GSME {
			continue
		}
		if in.Cohort == engine.IOC && dv.Fw() == engine.Unable && covered(dv) {
			unable = true
		}
		fwFail, cfgFail := dv.Fw() == engine.Failed, dv.Cfg() == engine.Failed
		persistent := covered(dv) && (fwFail && dv.FwAttempts >= lim.fw || cfgFail && dv.CfgAttempts >= lim.cfg)
		retry := !persistent && has && (fwFail && dv.FwAttempts < lim.fw || cfgFail && dv.CfgAttempts < lim.cfg)
		if persistent {
			failedAny = true
			failedESME = failedESME || dv.Type() == engine.ESME
		}
		retrying = retrying || retry
		stuck = stuck || (!persistent && !retry && (fwFail || cfgFail || dv.Fw() == engine.Unable))
		if dv.Type() == engine.ESME {
			esme = true
			okish := func(s engine.Status) bool { return s == engine.OK || s == engine.NotRequired }
			esmesFine = esmesFine && okish(dv.Fw()) && okish(dv.Cfg())
		}
	}
	if unable && !off["18.9"] {
		return "exclude", "fw_unable", "18.9"
	}
	// 5b's and 5c's clauses: IOC's partial migration (5.8B) was in force
	// before the consultation; while 4.26A is not, 5b takes MOC_MDS's
	// partial migrations.
	cl := map[engine.Cohort][2]string{engine.MOCMDS: {"18.10", "4.26A"}, engine.IOC: {"18.11", "5.8B"}}[in.Cohort]
	partialOn := cl[1] == "5.8B" || !off[cl[1]]
	switch {
	case failedAny && (failedESME || !esme || !partialOn) && !off[cl[0]]:
		return "exclude", "fw_config_failure", cl[0]
	case failedAny && esme && esmesFine && partialOn:
		return "migrate_partial", "gas_failure_partial", cl[1]
	case retrying:
		return "pending", "fw_retry", "4.26"
	case stuck || failedAny:
		return "pending", "fw_no_exclusion_category", ""
	}
	return "", "", ""
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestGolden runs the hand-written sample (testdata/sample at the top) and
// compares with the golden outputs in this package's testdata/golden;
// TestAgainstReference derives the same rules independently.
func TestGolden(t *testing.T) {
	in, golden := filepath.Join("..", "testdata", "sample"), filepath.Join("testdata", "golden")
	inputs := []string{filepath.Join(in, "smso_a.csv"), filepath.Join(in, "smso_b.csv")}
	for _, tc := range []struct {
		cfg       Config
		decisions string
		rejects   string
	}{
		{Config{Format: output.CSV}, "decisions.csv", "rejects.csv"},
		{Config{Format: output.JSONL}, "decisions.jsonl", "rejects.csv"},
		{Config{Format: output.CSV, Registration: filepath.Join(in, "registration.csv"), Suppliers: filepath.Join(in, "suppliers.csv")},
			"decisions_registered.csv", "rejects_registered.csv"},
		{Config{Format: output.CSV, Smets2: filepath.Join(in, "smets2.csv")}, "decisions_smets2.csv", "rejects_smets2.csv"},
	} {
		tc.cfg.Inputs, tc.cfg.Workers = inputs, 2
		dec, rej := runWith(t, tc.cfg)
		rej = bytes.ReplaceAll(rej, []byte(in+string(filepath.Separator)), nil)
		for name, got := range map[string][]byte{tc.decisions: dec, tc.rejects: rej} {
			path := filepath.Join(golden, name)
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
			k, _ := value.ParseMPAN([]byte(r[8][1:]))
			ids, _ := st.ByMPxN(k)
			if !containsID(ids, id) {
				t.Fatalf("MPAN posting %v lacks %d", ids, id)
			}
		}
		for _, d := range rec.Devices {
			ids, rows, err := st.ByGUID(d.GUID())
			if err != nil || !containsID(ids, id) || rows < 1 {
				t.Fatalf("GUID posting %v (%d rows) lacks %d: %v", ids, rows, id, err)
			}
		}
	}
	var sb strings.Builder
	if err := explain.Explain(&sb, st, rows[0][0]+"/"+rows[0][1], 0); err != nil || !strings.Contains(sb.String(), "decision: "+rows[0][3]) {
		t.Fatalf("explain: %v\n%s", err, sb.String())
	}
}

// TestExplainLaterSteps: explain names the registration row, the supplier
// and the meters behind steps 3 to 5.
func TestExplainLaterSteps(t *testing.T) {
	st := generateAll(t, 20000, 0)
	db := filepath.Join(t.TempDir(), "db")
	dec, _ := runWith(t, Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, DB: db})
	store, err := index.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	want := map[string]string{
		"mpxn_not_registered": "is not in the registration data",
		"fw_config_failure":   "has failed persistently",
		"fw_retry":            "is still being retried",
		"gas_failure_partial": "migrates electricity-only",
		"unique":              "is registered to SUP",
	}
	for _, r := range readCSV(t, dec)[1:] {
		frag, ok := want[r[4]]
		if !ok {
			continue
		}
		delete(want, r[4])
		var sb strings.Builder
		if err := explain.Explain(&sb, store, r[0]+"/"+r[1], 0); err != nil || !strings.Contains(sb.String(), frag) {
			t.Errorf("explain %s/%s (%s): %v, want %q in\n%s", r[0], r[1], r[4], err, frag, sb.String())
		}
	}
	if len(want) > 0 {
		t.Errorf("no installation decided %v", want)
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

// checkReports: the reports' totals equal the decisions'.
func checkReports(t *testing.T, dir string, decisions [][]string) {
	t.Helper()
	want := map[string]int{}
	held := 0
	for _, r := range decisions {
		want[r[3]+"/"+r[4]+"/"+r[2]]++
		if r[3] != "migrate" {
			held++
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "summary.csv"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, r := range readCSV(t, data)[1:] {
		n, _ := strconv.Atoi(r[5])
		got[r[0]+"/"+r[1]+"/"+r[3]] += n
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("summary.csv counts %v, decisions %v", got, want)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "suppliers"))
	if err != nil {
		t.Fatal(err)
	}
	listed := 0
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, "suppliers", e.Name()))
		listed += len(readCSV(t, data)) - 1
	}
	if listed != held {
		t.Errorf("supplier files list %d installations, decisions hold back %d", listed, held)
	}
}

// TestConsultationProfile: a population planted with the consultation's
// category counts (scaled) is decided exactly as planted.
func TestConsultationProfile(t *testing.T) {
	st, err := synth.Generate(context.Background(), synth.Config{Dir: t.TempDir(), Installations: 200000, Seed: 3,
		Profile: synth.ProfileConsultation})
	if err != nil {
		t.Fatal(err)
	}
	dec, _ := runWith(t, Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers})
	got := map[string]int{}
	for _, r := range readCSV(t, dec)[1:] {
		key := r[4]
		if key == "fw_config_failure" {
			key += "/" + r[2]
		}
		got[key]++
		switch r[10] {
		case "SUP18":
			got["supplier/ceased_trading"]++
		case "SUP19":
			got["supplier/not_live_user"]++
		}
		if (r[10] == "SUP18" || r[10] == "SUP19") != (r[11] == "N") {
			t.Errorf("%s/%s: supplier %s notify %s", r[0], r[1], r[10], r[11])
		}
	}
	if !reflect.DeepEqual(got, st.Expected) {
		t.Errorf("decided %v\nplanted %v", got, st.Expected)
	}
	if st.DuplicateGUIDs != st.Expected["duplicate_guid"] {
		t.Errorf("%d duplicate GUIDs said planted, %d decided duplicate_guid", st.DuplicateGUIDs, st.Expected["duplicate_guid"])
	}
	if st.Expected["fw_config_failure/IOC"] != 783 || st.Expected["duplicate_mpxn"] != 711 {
		t.Errorf("scaling: %v", st.Expected)
	}
}

// TestExplainClausesNotInForce: explain follows the store's clauses and
// names the clause not in force that is why an installation is blocked,
// still pending or excluded whole.
func TestExplainClausesNotInForce(t *testing.T) {
	st := generateAll(t, 20000, 0)
	for _, c := range []struct {
		off  []engine.Clause
		want map[string]string // reason -> what explain says
	}{
		{[]engine.Clause{engine.Clause18_13, engine.Clause4_1A, engine.Clause18_9, engine.Clause4_26A}, map[string]string{
			"duplicate_mpxn":           "18.13 is not in force: blocked, as before the consultation",
			"supplier_ceased_trading":  "4.1A is not in force: blocked, as before the consultation; its Responsible Supplier has ceased trading",
			"fw_no_exclusion_category": "18.9 is not in force: still pending, as before the consultation",
			"fw_config_failure":        "4.26A is not in force: excluded entirely, not partially migrated",
		}},
		{[]engine.Clause{engine.Clause4_1C, engine.Clause18_12, engine.Clause4_1B}, map[string]string{
			"duplicate_mpxn":         "4.1C is not in force: blocked, as before the consultation; its duplicate group of",
			"duplicate_mpxn_active":  "why: its duplicate group is not resolved (§7): ", // blocked by 2a anyway: 4.1C is not why
			"duplicate_guid":         "18.12 is not in force: blocked, as before the consultation; it holds a GUID",
			"mpxn_not_registered":    "18.12 is not in force: blocked",
			"supplier_not_live_user": "4.1B is not in force: blocked",
		}},
	} {
		rules := engine.DefaultRules()
		for _, x := range c.off {
			rules.NotInForce = rules.NotInForce.With(x)
		}
		db := filepath.Join(t.TempDir(), "db")
		dec, _ := runWith(t, Config{Inputs: st.Files, Registration: st.Registration, Suppliers: st.Suppliers, Smets2: st.Smets2, DB: db, Rules: &rules})
		store, err := index.Open(db)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(store.Meta.ClausesInForce, " "); got != rules.InForce().String() {
			t.Errorf("the store records %q in force, want %q", got, rules.InForce())
		}
		// Each reason must be explained so at least once (some pending or
		// excluded installations are so for other reasons than a clause);
		// an Active or Mixed installation is never blocked for 18.12.
		want := maps.Clone(c.want)
		explained := map[string]int{}
		for _, r := range readCSV(t, dec)[1:] {
			frag, ok := c.want[r[4]]
			if !ok || explained[r[4]] == 60 {
				continue
			}
			explained[r[4]]++
			var sb strings.Builder
			if err := explain.Explain(&sb, store, r[0]+"/"+r[1], 0); err != nil {
				t.Fatal(err)
			}
			text := sb.String()
			if strings.Contains(text, frag) {
				delete(want, r[4])
			}
			if strings.Contains(text, "it is Active or Mixed, so it is blocked") && strings.Contains(text, "18.12 is not in force") {
				t.Errorf("explain %s/%s: an Active or Mixed installation blocked for 18.12:\n%s", r[0], r[1], text)
			}
		}
		store.Close()
		if len(want) > 0 {
			t.Errorf("not in force %s: no installation explained as %v", rules.NotInForce, want)
		}
	}
}
