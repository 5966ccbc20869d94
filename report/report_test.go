package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const decisions = `smso,installation_id,cohort,decision,reason,clause,group_id,group_size,mpan,mprn,supplier_id,notify_supplier
A,1,IOC,exclude,fw_unable,18.9,E1200000000011,1,E1200000000011,,SUP1,Y
A,2,IOC,exclude,fw_unable,18.9,E1200000000020,1,E1200000000020,,SUP1,Y
A,3,MOC_MDS,migrate,unique,,E1200000000030,1,E1200000000030,,SUP2,Y
B,4,MOC_MDS,migrate_partial,gas_failure_partial,4.26A,E1200000000049,1,E1200000000049,G123456,"SUP/2, ""x""",N
B,5,FOC,pending,fw_retry,4.26,E1200000000058,1,E1200000000058,,,Y
B,6,FOC,blocked,duplicate_mpxn_active,4.1C,E1200000000067,2,E1200000000067,,SUP1,Y
`

func TestReportAddsUp(t *testing.T) {
	rep, err := FromDecisions(context.Background(), strings.NewReader(decisions), "d.csv", func(smso, id string) ([]string, error) { return []string{"GUID" + id}, nil })
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := rep.Write(dir); err != nil {
		t.Fatal(err)
	}
	sum := readAll(t, filepath.Join(dir, "summary.csv"))
	total := 0
	for _, r := range sum[1:] {
		n, _ := strconv.Atoi(r[5])
		total += n
	}
	if total != 6 || rep.Total() != 6 {
		t.Errorf("summary adds up to %d, want 6:\n%v", total, sum)
	}
	bySMSO := readAll(t, filepath.Join(dir, "by_smso.csv"))
	if len(bySMSO) != 1+5 {
		t.Errorf("by_smso rows %v", bySMSO)
	}
	listed := 0
	entries, _ := os.ReadDir(filepath.Join(dir, "suppliers"))
	for _, e := range entries {
		rows := readAll(t, filepath.Join(dir, "suppliers", e.Name()))
		listed += len(rows) - 1
		for _, r := range rows[1:] {
			if r[3] == "migrate" || !strings.HasPrefix(r[9], "GUID") {
				t.Errorf("%s lists %v", e.Name(), r)
			}
		}
	}
	if listed != 5 || len(entries) != 3 {
		t.Errorf("%d supplier files listing %d installations, want 3 files and 5 (everything but the migrate)", len(entries), listed)
	}
	if _, err := os.Stat(filepath.Join(dir, "suppliers", SupplierFile(`SUP/2, "x"`))); err != nil {
		t.Errorf("supplier with an unsafe id: %v", err)
	}
	md, _ := os.ReadFile(filepath.Join(dir, "summary.md"))
	if !bytes.Contains(md, []byte("| Unable to attempt firmware upgrade, GroupID AA/BA/CA (§2) | Exclusion: technical or operational barriers | 18.9 | IOC | 2 |")) {
		t.Errorf("markdown:\n%s", md)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	// Self-contained: no script, no address to fetch anything from.
	if bytes.Count(page, []byte(`<figure`)) != 4 || !bytes.Contains(page, []byte(`<p id="total">6 installations decided.</p>`)) ||
		bytes.Contains(page, []byte("<script")) || bytes.Contains(page, []byte("http")) || bytes.Contains(page, []byte("src=")) {
		t.Errorf("page:\n%s", page)
	}
}

func TestSupplierFileNamesAreDistinct(t *testing.T) {
	seen := map[string]string{}
	for _, s := range []string{"", "SUP1", "sup1", "SUP/1", "SUP_1", "no_supplier", "../etc", strings.Repeat("x", 100)} {
		f := SupplierFile(s)
		if strings.ContainsAny(f, "/\\") || strings.HasPrefix(f, ".") {
			t.Errorf("%q -> unsafe %q", s, f)
		}
		if o, dup := seen[f]; dup {
			t.Errorf("%q and %q share %q", s, o, f)
		}
		seen[f] = s
	}
}

func readAll(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
