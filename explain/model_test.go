package explain

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/index"
	"github.com/s1resolve/s1resolve/pipeline"
)

// scoped has two Responsible Supplier, A and B: C1 (A) and C2 (B) are
// one duplicate group through their shared MPRN; G1 (A) and G2 (B) hold
// one GUID; U1 (B) is on its own.
const scoped = `smso,cohort,installation_id,mpan,mprn,install_date,communicating,device_guid,device_type,device_state
SA,FOC,C1,2100012345677,7654321,2019-01-01,N,0000000000000001,ESME,dormant
SB,FOC,C2,2200012345671,7654321,2019-03-01,Y,0000000000000002,ESME,dormant
SA,FOC,G1,2300012345676,,2019-01-01,Y,00000000000000AA,ESME,dormant
SB,FOC,G2,2400012345670,,2019-01-01,Y,00000000000000AA,ESME,dormant
SB,FOC,U1,2500012345675,,2019-01-01,Y,0000000000000003,ESME,dormant
`

func scopedStore(t *testing.T) *index.Store {
	t.Helper()
	dir := t.TempDir()
	in, reg := filepath.Join(dir, "in.csv"), filepath.Join(dir, "reg.csv")
	os.WriteFile(in, []byte(scoped), 0o600)
	os.WriteFile(reg, []byte("mpxn,supplier_id\n2100012345677,A\n2200012345671,B\n2300012345676,A\n2400012345670,B\n2500012345675,B\n7654321,A\n"), 0o600)
	st := runToStore(t, dir, pipeline.Config{Inputs: []string{in}, Registration: reg})
	t.Cleanup(func() { st.Close() })
	return st
}

func ofSupplier(st *index.Store, s string) func(*index.Record) bool {
	return func(r *index.Record) bool {
		return r.Smets2 == nil && r.Supplier >= 0 && st.Meta.Suppliers[r.Supplier] == s
	}
}

// TestModelMatchesText: the model holds what the text prints, member by
// member: the text is rendered from it.
func TestModelMatchesText(t *testing.T) {
	st := scopedStore(t)
	x, err := Build(st, "SA/C1", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Groups) != 1 || len(x.Groups[0].Members) != 2 {
		t.Fatalf("groups %+v", x.Groups)
	}
	g := x.Groups[0]
	if g.GroupID != "E2100012345677" || !g.Members[0].Asked || g.Members[0].Label != "SA/C1" || g.Members[1].Label != "SB/C2" {
		t.Fatalf("group %+v", g)
	}
	if len(g.MPxNs) != 3 || g.MPxNs[1].MPxN != "G7654321" || len(g.MPxNs[1].Members) != 2 {
		t.Fatalf("links %+v", g.MPxNs)
	}
	var b strings.Builder
	x.WriteText(&b)
	for _, m := range g.Members {
		for _, f := range []string{m.Why, "decision: " + m.Row.Decision.String() + " / " + m.Row.Reason.String(), m.Row.SMSO + "/" + m.Row.InstallationID + "  cohort FOC"} {
			if !strings.Contains(b.String(), f) {
				t.Errorf("text lacks %q:\n%s", f, b.String())
			}
		}
	}
}

// TestSupplierScope: a supplier finds only its own installations; another
// supplier's member of its group shows its existence and decision only,
// and the words name it "member 2", not by its name, MPxNs or GUIDs; a key
// of another supplier's installation answers as a key that matches
// nothing.
func TestSupplierScope(t *testing.T) {
	st := scopedStore(t)
	a := Options{Visible: ofSupplier(st, "A")}
	forbidden := []string{"SB", "C2", "G2", "U1", "2200012345671", "2400012345670", "2500012345675", "0000000000000002", "0000000000000003", "line 3", "line 5"}
	for _, key := range []string{"SA/C1", "2100012345677", "7654321", "0000000000000001", "SA/G1", "00000000000000AA"} {
		x, err := Build(st, key, a)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		js, _ := json.Marshal(x)
		var b strings.Builder
		x.WriteText(&b)
		for _, f := range forbidden {
			if strings.Contains(string(js), f) || strings.Contains(b.String(), f) {
				t.Errorf("supplier A's view of %s shows %q:\n%s\n%s", key, f, js, b.String())
			}
		}
		if x.Found != 1 {
			t.Errorf("%s: found %d, want 1 (its own)", key, x.Found)
		}
	}
	x, _ := Build(st, "SA/C1", a)
	hidden := x.Groups[0].Members[1]
	if hidden.Visible || hidden.Decision != "migrate" || hidden.Label != "member 2" || hidden.Row != nil || hidden.MPAN != "" {
		t.Errorf("the other supplier's member: %+v", hidden)
	}
	if why := x.Groups[0].Members[0].Why; !strings.Contains(why, "member 2 (installed 2019-03-01)") {
		t.Errorf("why does not name the other member by its label: %q", why)
	}
	if l := x.Groups[0].MPxNs; l[1].MPxN != "G7654321" || l[2].MPxN != "" {
		t.Errorf("links: %+v (the shared MPRN is A's own; C2's MPAN is withheld)", l)
	}
	x, _ = Build(st, "SA/G1", a)
	if why := x.Groups[0].Members[0].Why; !strings.Contains(why, "an installation of another supplier") || !strings.Contains(why, "SA/G1 (") {
		t.Errorf("the duplicate GUID's other row: %q", why)
	}
	for key, what := range map[string]string{"SB/C2": "installation SB/C2", "SB/U1": "installation SB/U1",
		"2500012345675": "MPAN E2500012345675", "0000000000000003": "GUID 0000000000000003", "SB/NOPE": "installation SB/NOPE"} {
		_, err := Build(st, key, a)
		if !errors.Is(err, ErrNotFound) || err.Error() != "no installation matches "+what {
			t.Errorf("%s for A: %v, want the words of a key that matches nothing", key, err)
		}
	}
	if _, err := Build(st, "x\x01", a); !errors.Is(err, ErrBadKey) {
		t.Errorf("a malformed key: %v", err)
	}
}

// TestOtherSuppliersRegistrationWithheld: an installation of A whose gas
// point is registered to B shows A that the MPRN is registered to another
// supplier, not to whom nor on which line; DCC sees it whole.
func TestOtherSuppliersRegistrationWithheld(t *testing.T) {
	dir := t.TempDir()
	in, reg := filepath.Join(dir, "in.csv"), filepath.Join(dir, "reg.csv")
	os.WriteFile(in, []byte("smso,cohort,installation_id,mpan,mprn,install_date,device_guid,device_type,device_state\n"+
		"SA,FOC,D1,2600012345670,1234567,2019-01-01,0000000000000001,ESME,dormant\n"), 0o600)
	os.WriteFile(reg, []byte("mpxn,supplier_id,status\n2600012345670,A,live\n1234567,GASCO,live\n"), 0o600)
	st := runToStore(t, dir, pipeline.Config{Inputs: []string{in}, Registration: reg})
	defer st.Close()
	registrations := func(opt Options) ([]Registration, string) {
		x, err := Build(st, "SA/D1", opt)
		if err != nil || len(x.Groups) != 1 {
			t.Fatalf("%v %+v", err, x)
		}
		var b strings.Builder
		x.WriteText(&b)
		js, _ := json.Marshal(x)
		return x.Groups[0].Members[0].Registrations, b.String() + string(js)
	}
	regs, shown := registrations(Options{Visible: ofSupplier(st, "A")})
	if len(regs) != 2 || regs[0].Supplier != "A" || regs[0].Withheld || !regs[1].Registered || !regs[1].Withheld || regs[1].Supplier != "" || regs[1].Line != 0 {
		t.Errorf("A's view: %+v", regs)
	}
	if strings.Contains(shown, "GASCO") || strings.Contains(shown, "line 3") || !strings.Contains(shown, "G1234567 is registered to another supplier (withheld)") {
		t.Errorf("A's view shows the gas supplier or hides the registration:\n%s", shown)
	}
	regs, shown = registrations(Options{})
	if len(regs) != 2 || regs[1].Supplier != "GASCO" || regs[1].Withheld || !strings.Contains(shown, "G1234567 is registered to GASCO (live), "+reg+" line 3") {
		t.Errorf("DCC's view: %+v\n%s", regs, shown)
	}
}
