package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/ingest"
)

// tinyInput turns fuzz bytes into a small installations file: four bytes a
// device row, each picking from small pools, so that shared MPxNs, shared
// GUIDs, ties, Active meters and inconsistent rows are common.
func tinyInput(data []byte) string {
	mpans := []string{"", "1200023305967", "1100012345674", "01 801 A1B 2300018047350", "1412345678901"}
	mprns := []string{"", "3365498706", "123456", "0123456"}
	dates := []string{"2019-01-01", "2019-06-01", "2020-01-01"}
	types := []string{"CHF", "ESME", "GSME", "IHD"}
	var b strings.Builder
	b.WriteString("smso,installation_id,cohort,mpan,mprn,install_date,communicating,device_guid,device_type,device_state,prepay_key,fw_status,fw_attempts,group_id\n")
	for i := 0; i+4 <= len(data) && i < 4*40; i += 4 {
		b0, b1, b2, b3 := data[i], data[i+1], data[i+2], data[i+3]
		comm, state, prepay, fw := "N", "dormant", "", ""
		if b2&1 != 0 {
			comm = "Y"
		}
		if b2&2 != 0 {
			state = "active"
		}
		if b3&0x80 != 0 {
			prepay = "N"
		}
		if b3&0x40 != 0 {
			fw = "failed"
		}
		fmt.Fprintf(&b, "S%d,i%d,MOC_MDS,%s,%s,%s,%s,000D6F00000000%02X,%s,%s,%s,%s,%d,CB\n",
			b0>>7, b0&7, mpans[int(b1)%len(mpans)], mprns[int(b1>>4)%len(mprns)], dates[int(b2>>2)%len(dates)], comm,
			b3&7, types[int(b2>>4)%len(types)], state, prepay, fw, int(b3>>3&7)*3)
	}
	return b.String()
}

// tinyInventory turns the same bytes, read backwards three at a time, into
// a small SMETS2+ inventory over the same pools of MPxNs and dates, so that
// SMETS2+ members join, bridge and win groups.
func tinyInventory(data []byte) string {
	mpans := []string{"", "1200023305967", "1100012345674", "2300018047350", "1412345678901"}
	mprns := []string{"", "3365498706", "123456", "0123456"}
	dates := []string{"2019-01-01", "2019-06-01", "2020-01-01", "2021-01-01"}
	var b strings.Builder
	b.WriteString("inventory_id,mpan,mprn,install_date,communicating\n")
	for i, n := len(data)-3, 0; i >= 0 && n < 10; i, n = i-3, n+1 {
		b0, b1, b2 := data[i+2], data[i+1], data[i]
		comm := ""
		if b2&1 != 0 {
			comm = "Y"
		}
		fmt.Fprintf(&b, "v%d,%s,%s,%s,%s\n", b0&7, mpans[int(b1)%len(mpans)], mprns[int(b1>>4)%len(mprns)], dates[int(b2>>1)%len(dates)], comm)
	}
	return b.String()
}

// tinyRegistration registers, by the bits of the bytes, some of the MPANs
// and MPRNs of tinyInput's pools to suppliers S0 (live), S1
// (ceased_trading) and S2 (not_live_user), each key once.
func tinyRegistration(data []byte) string {
	keys := []string{"1200023305967", "1100012345674", "01 801 A1B 2300018047350", "1412345678901", "3365498706", "123456", "0123456"}
	var b strings.Builder
	b.WriteString("mpxn,supplier_id\n")
	var bits uint64
	for i, c := range data {
		bits ^= uint64(c) << (8 * (i % 8))
	}
	for i, k := range keys {
		switch bits >> (3 * i) & 7 {
		case 0, 1: // not registered
		default:
			fmt.Fprintf(&b, "%s,S%d\n", k, bits>>(3*i+1)%3)
		}
	}
	return b.String()
}

// tinyClauses picks the clauses in force from the last two bytes: all nine
// for shorter data.
func tinyClauses(data []byte) engine.ClauseSet {
	if len(data) < 2 {
		return engine.AllClauses
	}
	return engine.ClauseSet(uint16(data[len(data)-1])<<8|uint16(data[len(data)-2])) & engine.AllClauses
}

// FuzzRun runs the whole pipeline on tiny populations, with a SMETS2+
// inventory, registration data and suppliers of every status, under a set
// of clauses in force drawn from the bytes, and checks every decision
// against the plainly written reference of RULES.md.
func FuzzRun(f *testing.F) {
	f.Add([]byte{0, 1, 1, 0, 1, 1, 0, 1, 2, 1, 5, 2})
	f.Add([]byte{0, 0x11, 3, 0x41, 1, 0x11, 0x11, 0x89, 0x82, 0x22, 4, 3, 3, 0x23, 0x25, 3})
	f.Add([]byte("duplicate groups and GUIDs, ties and active meters"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		in := filepath.Join(dir, "in.csv")
		if err := os.WriteFile(in, []byte(tinyInput(data)), 0o600); err != nil {
			t.Fatal(err)
		}
		inv := filepath.Join(dir, "inv.csv")
		if err := os.WriteFile(inv, []byte(tinyInventory(data)), 0o600); err != nil {
			t.Fatal(err)
		}
		regFile, supFile := filepath.Join(dir, "reg.csv"), filepath.Join(dir, "sup.csv")
		if err := os.WriteFile(regFile, []byte(tinyRegistration(data)), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(supFile, []byte("supplier_id,status\nS0,live\nS1,ceased_trading\nS2,not_live_user\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		rules := engine.DefaultRules()
		rules.NotInForce = engine.AllClauses &^ tinyClauses(data)
		off := notInForce{}
		for _, c := range rules.NotInForce.Names() {
			off[c] = true
		}
		dec, rej := runWith(t, Config{Inputs: []string{in}, Smets2: inv, Registration: regFile, Suppliers: supFile, Rules: &rules, Workers: 2})
		ctx := context.Background()
		loaded, err := ingest.Load(ctx, []string{in}, ingest.Options{Workers: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		smets2, invRejects, err := ingest.LoadInventory(ctx, inv, 1, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		reg := engine.NewRegistry()
		regRejects, err := ingest.LoadRegistration(ctx, regFile, 2, reg, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		supRejects, err := ingest.LoadSuppliers(ctx, supFile, 3, reg, ingest.Options{})
		if err != nil || len(regRejects)+len(supRejects) > 0 {
			t.Fatalf("registration or suppliers: %v %v %v", err, regRejects, supRejects)
		}
		loaded.Population.Smets2 = smets2
		want := reference(loaded.Population, reg, off)
		rows := readCSV(t, dec)[1:]
		if len(rows) != len(want) {
			t.Fatalf("%d decisions, reference %d", len(rows), len(want))
		}
		for i, r := range rows {
			w := want[i]
			if r[3] != w.d || r[4] != w.r || r[5] != w.clause || r[6] != w.gid || r[7] != strconv.Itoa(w.size) ||
				r[10] != w.supplier || r[11] != w.notify {
				t.Fatalf("%s/%s: got %v, reference %+v\nnot in force: %s\ninput:\n%s\ninventory:\n%s\nregistration:\n%s", r[0], r[1], r, w,
					rules.NotInForce, tinyInput(data), tinyInventory(data), tinyRegistration(data))
			}
		}
		if got := len(loaded.Population.Devices) + len(readCSV(t, rej)) - 1 - len(invRejects); int64(got) != loaded.Stats.Rows {
			t.Fatalf("%d rows accounted for, %d read", got, loaded.Stats.Rows)
		}
	})
}
