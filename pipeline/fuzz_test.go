package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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

// FuzzRun runs the whole pipeline on tiny populations, with a SMETS2+
// inventory, and checks every decision against the plainly written
// reference of RULES.md.
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
		dec, rej := runWith(t, Config{Inputs: []string{in}, Smets2: inv, Workers: 2})
		loaded, err := ingest.Load(context.Background(), []string{in}, ingest.Options{Workers: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		smets2, invRejects, err := ingest.LoadInventory(context.Background(), inv, 1, ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		loaded.Population.Smets2 = smets2
		want := reference(loaded.Population, nil)
		rows := readCSV(t, dec)[1:]
		if len(rows) != len(want) {
			t.Fatalf("%d decisions, reference %d", len(rows), len(want))
		}
		for i, r := range rows {
			w := want[i]
			if r[3] != w.d || r[4] != w.r || r[5] != w.clause || r[6] != w.gid || r[7] != strconv.Itoa(w.size) {
				t.Fatalf("%s/%s: got %v, reference %+v\ninput:\n%s\ninventory:\n%s", r[0], r[1], r, w, tinyInput(data), tinyInventory(data))
			}
		}
		if got := len(loaded.Population.Devices) + len(readCSV(t, rej)) - 1 - len(invRejects); int64(got) != loaded.Stats.Rows {
			t.Fatalf("%d rows accounted for, %d read", got, loaded.Stats.Rows)
		}
	})
}
