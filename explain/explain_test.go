package explain

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/pipeline"
)

// population has one installation decided at each step whose words name
// evidence. Lines: the header is line 1.
const population = `smso,cohort,installation_id,mpan,mprn,install_date,communicating,device_guid,device_type,device_state,group_id,fw_status,fw_attempts,prepay_key
S,FOC,G1,1200023305967,,2019-01-01,Y,00000000000000AA,ESME,dormant,,,,
S,FOC,G2,1100012345674,,2019-01-01,Y,00-00-00-00-00-00-00-AA,ESME,dormant,,,,
S,FOC,A1,2100012345677,,2019-01-01,Y,0000000000000001,ESME,active,,,,
S,FOC,A2,2100012345677,,2019-02-01,N,0000000000000002,ESME,dormant,,,,
S,FOC,C1,2200012345671,,2019-01-01,N,0000000000000003,ESME,dormant,,,,
S,FOC,C2,2200012345671,,2019-03-01,Y,0000000000000004,ESME,dormant,,,,
S,FOC,T1,2300012345676,,2019-03-01,Y,0000000000000005,ESME,dormant,,,,
S,FOC,T2,2300012345676,,2019-03-01,N,0000000000000006,ESME,dormant,,,,
S,FOC,E1,2400012345670,,2019-01-01,Y,0000000000000007,ESME,dormant,,,,
S,FOC,E2,2400012345670,,2019-02-01,Y,0000000000000008,ESME,dormant,,,,
S,FOC,P1,2500012345675,,2019-01-01,Y,0000000000000009,GSME,dormant,,,,N
S,MOC_MDS,F1,2600012345670,,2019-01-01,Y,000000000000000A,ESME,dormant,CB,failed,20,
`

// runToStore runs cfg with its outputs and store in dir and opens the store.
func runToStore(t *testing.T, dir string, cfg pipeline.Config) *index.Store {
	t.Helper()
	cfg.DB, cfg.Out, cfg.Rejects = filepath.Join(dir, "db"), filepath.Join(dir, "d.csv"), filepath.Join(dir, "r.csv")
	if _, err := pipeline.Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	st, err := index.Open(cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func explainAll(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte(population), 0o600); err != nil {
		t.Fatal(err)
	}
	st := runToStore(t, dir, pipeline.Config{Inputs: []string{in}})
	defer st.Close()
	out := map[string]string{}
	for _, id := range []string{"G1", "A2", "C1", "C2", "T2", "E1", "P1", "F1"} {
		var b strings.Builder
		if err := Explain(&b, st, "S/"+id, 0); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		out[id] = b.String()
	}
	return out
}

// TestWordsNameTheirEvidence: each explanation names what its rule found,
// from the facts the engine recorded.
func TestWordsNameTheirEvidence(t *testing.T) {
	got := explainAll(t)
	want := map[string][]string{
		"G1": {"decision: exclude / duplicate_guid", "GUID 00000000000000AA is on 2 device rows: S/G1 (", "in.csv line 2), S/G2 (", "in.csv line 3)", "dormant-only, so it is excluded"},
		"A2": {"(step 2a)", "S/A1 (installed 2019-01-01) is Active or Mixed"},
		"C1": {"(step 2c)", "the only communicating member of the group is S/C2 (installed 2019-03-01), the group's latest"},
		"C2": {"migrate / duplicate_resolved", "(step 6)"},
		"T2": {"(step 2d)", "exactly one member communicates, S/T1 (installed 2019-03-01)", "share the latest install date 2019-03-01 (S/T1 (installed 2019-03-01), S/T2 (installed 2019-03-01))"},
		"E1": {"(step 2e)", "2 members of the group communicate (S/E1 (installed 2019-01-01), S/E2 (installed 2019-02-01))"},
		"P1": {"no_prepayment_key", "(GSME 0000000000000009)"},
		"F1": {"fw_config_failure, clause 18.10", "ESME 000000000000000A (group CB, firmware failed after 20 attempts", "thresholds firmware 15, configuration 10, groups CB) has failed persistently"},
	}
	for id, frags := range want {
		for _, f := range frags {
			if !strings.Contains(got[id], f) {
				t.Errorf("explain S/%s lacks %q:\n%s", id, f, got[id])
			}
		}
	}
}

// TestSmets2Members: explain lists SMETS2+ members with their file and
// line, says why smets2_replaced, and finds a member by inventory_id.
func TestSmets2Members(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	inv := filepath.Join(dir, "inv.csv")
	os.WriteFile(in, []byte("smso,cohort,installation_id,mpan,install_date,communicating,device_guid,device_type,device_state\n"+
		"S,FOC,X,1200023305967,2019-01-01,N,00000000000000AA,ESME,dormant\n"), 0o600)
	os.WriteFile(inv, []byte("inventory_id,mpan,install_date,communicating\nNEW-1,1200023305967,2021-01-01,Y\nALONE,1100012345674,2021-01-01,Y\n"), 0o600)
	st := runToStore(t, dir, pipeline.Config{Inputs: []string{in}, Smets2: inv})
	defer st.Close()
	for key, frags := range map[string][]string{
		"S/X": {"2 members, 1 of them SMETS2+", "decision: exclude / smets2_replaced, clause 18.13 (step 2c)",
			"SMETS2+ NEW-1 (installed 2021-01-01) is the only communicating member and the latest",
			"SMETS2+ NEW-1  installed 2021-01-01  communicating Y", "inv.csv line 2"},
		"NEW-1": {"SMETS2+ installation NEW-1: 1 installation(s)", "S/X  cohort FOC"},
		"ALONE": {"SMETS2+ installations only (1): a group without a SMETS1 installation decides nothing"},
	} {
		var b strings.Builder
		if err := Explain(&b, st, key, 0); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		for _, f := range frags {
			if !strings.Contains(b.String(), f) {
				t.Errorf("explain %s lacks %q:\n%s", key, f, b.String())
			}
		}
	}
}

// TestBareInstallationID: an installation_id given without its SMSO names
// the smso/installation_id keys that hold it; a key of no kind is an error
// saying what a key may be.
func TestBareInstallationID(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	text := population + "T,FOC,G1,2700012345674,,2019-01-01,Y,000000000000000B,ESME,dormant,,,,\n"
	if err := os.WriteFile(in, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	st := runToStore(t, dir, pipeline.Config{Inputs: []string{in}})
	defer st.Close()
	err := Explain(&strings.Builder{}, st, "G1", 0)
	if !errors.Is(err, ErrAmbiguous) || !errors.Is(err, ErrNotFound) || errors.Is(err, ErrBadKey) || !strings.Contains(err.Error(), "S/G1, T/G1") {
		t.Fatalf("a bare installation_id (matches no installation alone: not found, naming the keys): %v", err)
	}
	if err := Explain(&strings.Builder{}, st, "no-such-thing", 0); err == nil || errors.Is(err, ErrAmbiguous) ||
		!strings.Contains(err.Error(), "installation_id") {
		t.Fatalf("a key of no kind: %v", err)
	}
	// A key meant as a GUID is told what is wrong with it as a GUID.
	for key, says := range map[string]string{
		"00-11-22-33-44-55-66":    "a GUID is 16 hex digits, optionally in pairs separated by - or :; this has 14",
		"0011223344556677AA":      "this has 18",
		"00:1G:22:33:44:55:66:77": "as a GUID: must be hex digits",
		"E12-34":                  "MPAN", // not a GUID: the MPAN's fault
	} {
		err := Explain(&strings.Builder{}, st, key, 0)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: %v; want it to say %q", key, err, says)
		}
	}
}

// TestBareInstallationIDOfMany: an installation_id held in thousands of
// SMSOs names the first holders and counts the rest, in one short line.
func TestBareInstallationIDOfMany(t *testing.T) {
	var names []string
	for i := range 2000 {
		names = append(names, fmt.Sprintf("SMSO%04d/G1", i))
	}
	err := holdersError("G1", names, nil)
	msg := err.Error()
	if !errors.Is(err, ErrAmbiguous) || !strings.Contains(msg, "SMSO0000/G1, SMSO0001/G1") || !strings.Contains(msg, "SMSO0009/G1 and 1990 more") ||
		strings.Contains(msg, "SMSO0010/G1,") || len(msg) > 400 {
		t.Fatalf("%d bytes: %s", len(msg), msg)
	}
}
