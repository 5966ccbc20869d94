package ingest

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

func TestLoadRegistration(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "reg.csv", "\xEF\xBB\xBFSupplier_ID, MPXN ,note\n"+
		"SUP1,1200023305967,x\n"+ // 2: core MPAN
		"SUP2,01 801 A1B 11 0001 2345 674,\n"+ // 3: full MPAN, spaced
		"SUP3,3365 498706,\n"+ // 4: MPRN with a space
		"SUP4,1200023305967,\n"+ // 5: listed again
		",0012345,\n"+ // 6: no supplier
		"SUP5,12345,\n"+ // 7: MPRN too short
		"SUP6,1200023305961,\n"+ // 8: bad check digit
		"\n"+ // 9: blank
		"SUP7,0012345\n") // 10: wrong field count
	reg := engine.NewRegistry()
	rejects, err := LoadRegistration(context.Background(), p, 4, reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint32]string{5: "listed again; line 2 stands", 6: "supplier_id: required", 7: "mpxn: fewer than 6", 8: "check digit", 10: "has 2 fields"}
	if len(rejects) != len(want) {
		t.Fatalf("rejects %+v", rejects)
	}
	for _, r := range rejects {
		if r.File != 4 || !strings.Contains(r.Error, want[r.Line]) || r.SMSO != "" {
			t.Errorf("reject %+v, want one containing %q", r, want[r.Line])
		}
	}
	for k, s := range map[value.Key]string{value.MPANKey(1200023305967): "SUP1", value.MPANKey(1100012345674): "SUP2", value.MPRNKey(3365498706, 10): "SUP3"} {
		if got, ok := reg.Supplier(k); !ok || got != s {
			t.Errorf("%s: %q %v, want %s", k, got, ok, s)
		}
	}
	if reg.Len() != 3 {
		t.Errorf("%d registered, want 3", reg.Len())
	}
}

func TestLoadSuppliers(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "sup.csv", "status,supplier_id\nCeased_Trading,A\nnot_live_user,B\nlive,C\nlive,A\nretired,D\n")
	reg := engine.NewRegistry()
	rejects, err := LoadSuppliers(context.Background(), p, 0, reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rejects) != 2 || rejects[0].Line != 5 || rejects[1].Line != 6 {
		t.Fatalf("rejects %+v", rejects)
	}
	if reg.Status("A") != engine.CeasedTrading || reg.Status("B") != engine.NotLiveUser || reg.Status("C") != engine.Live || reg.Status("Z") != engine.Live {
		t.Error("statuses not as listed")
	}
}

func TestReferenceFileHeaderErrors(t *testing.T) {
	dir := t.TempDir()
	reg := engine.NewRegistry()
	_, err := LoadRegistration(context.Background(), writeFile(t, dir, "r.csv", "mpxn,supplier\n"), 0, reg, Options{})
	var he *HeaderError
	if !errors.As(err, &he) || he.Column != "supplier_id" {
		t.Fatalf("error %v", err)
	}
	if _, err := LoadSuppliers(context.Background(), filepath.Join(dir, "missing.csv"), 0, reg, Options{}); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Fatalf("error %v", err)
	}
}

// TestLoadInventory: FORMATS.md §6, header by name with mpan or mprn
// absent as a column, each reject kind, the first of a repeated id
// standing, and the installations sorted by inventory_id.
func TestLoadInventory(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "inv.csv", "MPRN, Install_Date ,inventory_id,extra\n"+
		"3365498706,2021-01-01,b,x\n"+
		"1234567,2020-02-30,c,\n"+ // bad date
		",2021-01-01,d,\n"+ // no key
		"123,2021-01-01,e,\n"+ // short MPRN
		"7654321,2021-01-01,b,\n"+ // b again
		"7654321,2021-01-01,,\n"+ // no id
		"0001234,2019-05-05,a,\n")
	inv, rejects, err := LoadInventory(context.Background(), p, 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(inv) != 2 || inv[0].ID != "a" || inv[1].ID != "b" || inv[0].MPRN.String() != "G0001234" || inv[1].Line != 2 || inv[0].Communicating {
		t.Fatalf("inventory %+v", inv)
	}
	want := []struct {
		line uint32
		frag string
	}{{3, "install_date: is not a calendar date"}, {4, "neither an MPAN nor an MPRN"}, {5, "mprn: fewer than 6 digits"},
		{6, `inventory_id: "b" is listed again; line 2 stands`}, {7, "inventory_id: required value is missing"}}
	if len(rejects) != len(want) {
		t.Fatalf("%d rejects %+v, want %d", len(rejects), rejects, len(want))
	}
	for i, w := range want {
		r := rejects[i]
		if r.File != 3 || r.Line != w.line || !strings.Contains(r.Error, w.frag) || r.SMSO != "" || r.ID != "" {
			t.Errorf("reject %d: %+v, want line %d %q", i, r, w.line, w.frag)
		}
	}
	for name, body := range map[string]string{
		"no id column":   "mpan,install_date\n",
		"no date column": "inventory_id,mpan\n",
		"no key column":  "inventory_id,install_date,communicating\n",
	} {
		_, _, err := LoadInventory(context.Background(), writeFile(t, dir, "h.csv", body), 0, Options{})
		if !errors.Is(err, ErrHeader) {
			t.Errorf("%s: %v, want a header error", name, err)
		}
	}
}
