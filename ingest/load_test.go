package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s1resolve/s1resolve/engine"
	"github.com/s1resolve/s1resolve/value"
)

const hdr = "smso,cohort,installation_id,mpan,mprn,install_date,communicating,device_guid,device_type,device_state\n"

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	data := []byte(content)
	if strings.HasSuffix(name, ".gz") {
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		z.Write(data)
		z.Close()
		data = b.Bytes()
	}
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func load(t *testing.T, files map[string]string, workers int) (*Result, error) {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, name := range sortedKeys(files) {
		paths = append(paths, writeFile(t, dir, name, files[name]))
	}
	return Load(context.Background(), paths, Options{Workers: workers, BlockSize: 64}, nil)
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

// TestRejects checks every kind of reject: each case is a file whose named
// lines must be rejected with a message containing the given text, and
// whose other rows must form the listed valid installations.
func TestRejects(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		rejects map[uint32]string // line -> part of the message
		valid   int
	}{
		{"valid dual fuel", "S,FOC,1,1200023305967,3365498706,2019-01-02,Y,000D6F0000AB1234,ESME,dormant\n" +
			"S,FOC,1,1200023305967,3365498706,2019-01-02,Y,000D6F0000AB1235,GSME,active\n", nil, 1},
		{"wrong check digit", "S,FOC,1,1200023305961,,2019-01-02,Y,000D6F0000AB1234,CHF,\n",
			map[uint32]string{2: "mpan: check digit is 1, expected 7"}, 0},
		{"MPAN of the wrong length", "S,FOC,1,120002330596,,2019-01-02,Y,000D6F0000AB1234,CHF,\n",
			map[uint32]string{2: "mpan: must be the 13-digit core"}, 0},
		{"MPRN too short", "S,FOC,1,,12345,2019-01-02,Y,000D6F0000AB1234,CHF,\n", map[uint32]string{2: "mprn: fewer than 6"}, 0},
		{"MPRN too long", "S,FOC,1,,12345678901,2019-01-02,Y,000D6F0000AB1234,CHF,\n", map[uint32]string{2: "mprn: more than 10"}, 0},
		{"neither MPAN nor MPRN", "S,FOC,1,,,2019-01-02,Y,000D6F0000AB1234,CHF,\n", map[uint32]string{2: "neither an MPAN nor an MPRN"}, 0},
		{"date that does not exist", "S,FOC,1,1200023305967,,2019-02-29,Y,000D6F0000AB1234,CHF,\n",
			map[uint32]string{2: "install_date: is not a calendar date"}, 0},
		{"leap day exists", "S,FOC,1,1200023305967,,2020-02-29,Y,000D6F0000AB1234,CHF,\n", nil, 1},
		{"year zero", "S,FOC,1,1200023305967,,0000-01-01,Y,000D6F0000AB1234,CHF,\n", map[uint32]string{2: "install_date"}, 0},
		{"unpadded date", "S,FOC,1,1200023305967,,2019-2-3,Y,000D6F0000AB1234,CHF,\n", map[uint32]string{2: "YYYY-MM-DD"}, 0},
		{"unknown cohort", "S,MOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,\n", map[uint32]string{2: "cohort: unknown"}, 0},
		{"unknown device type", "S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1234,HAN,\n", map[uint32]string{2: "device_type"}, 0},
		{"bad GUID", "S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB123,CHF,\n", map[uint32]string{2: "device_guid"}, 0},
		{"meter without state", "S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1234,ESME,\n", map[uint32]string{2: "device_state: required"}, 0},
		{"state ignored for a hub", "S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,whatever\n", nil, 1},
		{"bad communicating", "S,FOC,1,1200023305967,,2019-01-02,X,000D6F0000AB1234,CHF,\n", map[uint32]string{2: "communicating"}, 0},
		{"bad smso", "S S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,\n", map[uint32]string{2: "smso: must be"}, 0},
		{"missing installation_id", "S,FOC,,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,\n",
			map[uint32]string{2: "installation_id: required value is missing; its installation cannot be identified"}, 0},
		{"wrong field count rejects its installation", "S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,\n" +
			"S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1235,IHD,,extra\n",
			map[uint32]string{2: "rejected by", 3: "has 11 fields, the header has 10"}, 0},
		{"inconsistent install_date rejects both rows", "S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,\n" +
			"S,FOC,1,1200023305967,,2019-01-03,Y,000D6F0000AB1235,IHD,\n",
			map[uint32]string{2: "rejected by", 3: "install_date 2019-01-03 vs 2019-01-02"}, 0},
		{"N and empty communicating agree; case and spelling are normalised",
			"S,foc,1,12 0002 3305 967,,2019-01-02,N,000d6f0000ab1234,chf,\n" +
				"S,FOC,1,01 801 A1B 1200023305967,,2019-01-02,,00-0D-6F-00-00-AB-12-35,Esme,DORMANT\n", nil, 1},
		{"unterminated quote", "S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,\n" +
			"S,FOC,\"2,1200023305967,,2019-01-02,Y,000D6F0000AB1235,CHF,\n",
			map[uint32]string{3: "never ends"}, 1},
		{"bare quote", "S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB12\"34,CHF,\n",
			map[uint32]string{2: "not valid CSV"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := load(t, map[string]string{"a.csv": hdr + tt.body}, 2)
			if err != nil {
				t.Fatal(err)
			}
			got := map[uint32]string{}
			for _, r := range res.Rejects {
				got[r.Line] = r.Error
			}
			for line, frag := range tt.rejects {
				if !strings.Contains(got[line], frag) {
					t.Errorf("line %d: reject %q, want it to contain %q", line, got[line], frag)
				}
			}
			if len(got) != len(tt.rejects) {
				t.Errorf("rejects %v, want lines %v", got, tt.rejects)
			}
			if n := len(res.Population.Installations); n != tt.valid {
				t.Errorf("%d valid installations, want %d", n, tt.valid)
			}
			if int64(len(res.Population.Devices)+len(res.Rejects)) != res.Stats.Rows {
				t.Errorf("%d devices + %d rejects != %d rows", len(res.Population.Devices), len(res.Rejects), res.Stats.Rows)
			}
		})
	}
}

func TestHeaderErrors(t *testing.T) {
	tests := []struct{ name, body, column string }{
		{"missing device_guid", "smso,cohort,installation_id,mpan,install_date,device_type,device_state\n", "device_guid"},
		{"neither mpan nor mprn", "smso,cohort,installation_id,install_date,device_guid,device_type,device_state\n", "mpan"},
		{"column named twice", "smso,cohort,installation_id,mpan,MPAN,install_date,device_guid,device_type,device_state\n", "mpan"},
		{"empty file", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, map[string]string{"x.csv": tt.body}, 1)
			var he *HeaderError
			if !errors.Is(err, ErrHeader) || !errors.As(err, &he) {
				t.Fatalf("error %v, want a HeaderError", err)
			}
			if he.Column != tt.column || !strings.HasSuffix(he.File, "x.csv") {
				t.Errorf("error names file %q column %q, want x.csv and %q", he.File, he.Column, tt.column)
			}
		})
	}
}

func TestHeaderAnyOrderCaseBOMAndUnknownColumns(t *testing.T) {
	body := "\xEF\xBB\xBF Device_GUID ,NOTES,MPRN,Smso,COHORT,installation_id,install_date,device_type,device_state\r\n" +
		"000D6F0000AB1234,\"a, \"\"quoted\"\"\nnote\",3365498706,S,IOC,7,2019-01-02,GSME,dormant\r\n" +
		"000D6F0000AB1299,,3365498706,S,IOC,7,2019-01-02,CHF,\r\n" +
		"bad-guid,,3365498706,S,IOC,8,2019-01-02,CHF,\r\n"
	res, err := load(t, map[string]string{"a.csv": body}, 3)
	if err != nil {
		t.Fatal(err)
	}
	pop := res.Population
	if len(pop.Installations) != 1 || pop.Installations[0].MPRN.String() != "G3365498706" || pop.Installations[0].Count != 2 {
		t.Fatalf("population %+v", pop.Installations)
	}
	if len(res.Rejects) != 1 || res.Rejects[0].Line != 5 {
		t.Fatalf("rejects %+v, want one on line 5 (the quoted note spans lines 2-3)", res.Rejects)
	}
	if _, l0 := pop.Positions.At(0); l0 != 2 {
		t.Errorf("first row on line %d, want 2", l0)
	}
	if _, l1 := pop.Positions.At(1); l1 != 4 {
		t.Errorf("second row on line %d, want 4", l1)
	}
}

func TestInstallationSplitAcrossFilesAndGzip(t *testing.T) {
	files := map[string]string{
		"a.csv":    hdr + "S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1234,CHF,\n",
		"b.csv.gz": hdr + "S,FOC,1,1200023305967,,2019-01-02,Y,000D6F0000AB1235,ESME,active\nS,FOC,0,1200023305967,,2019-01-01,,000D6F0000AB1236,CHF,\n",
	}
	res, err := load(t, files, 2)
	if err != nil {
		t.Fatal(err)
	}
	pop := res.Population
	if len(pop.Installations) != 2 || pop.Installations[1].ID() != "1" || pop.Installations[1].Count != 2 {
		t.Fatalf("installations %+v", pop.Installations)
	}
	devs := pop.DevicesOf(1)
	if devs[0].Type() != engine.CHF || devs[1].Type() != engine.ESME || fileOf(pop, pop.Installations[1].First+1) != 1 {
		t.Errorf("devices of installation 1 not in (file, line) order: %+v", devs)
	}
}

func TestMissingInputIsAnError(t *testing.T) {
	_, err := Load(context.Background(), []string{filepath.Join(t.TempDir(), "nope.csv")}, Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), "nope.csv") {
		t.Fatalf("error %v, want one naming nope.csv", err)
	}
	_, err = Load(context.Background(), []string{t.TempDir()}, Options{}, nil)
	if err == nil || !strings.Contains(err.Error(), "directory") {
		t.Fatalf("error %v, want one saying it is a directory", err)
	}
}

// TestLayoutScatteredRows: installations whose rows are scattered over two
// files and many small blocks (so over many runs and chunks) get every
// row once, in (file, line) order, whatever the workers.
func TestLayoutScatteredRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	type row struct{ file, line int }
	want := map[string][]row{} // installation id -> its rows in (file, line) order
	var contents [2]strings.Builder
	for f := range contents {
		contents[f].WriteString(hdr)
		for line := 2; line < 400; line++ {
			id := fmt.Sprint(rng.IntN(60))
			guid := fmt.Sprintf("000D6F%010X", f*1000+line)
			fmt.Fprintf(&contents[f], "S,FOC,%s,1200023305967,,2019-01-02,Y,%s,CHF,\n", id, guid)
			want[id] = append(want[id], row{f, line})
		}
	}
	files := map[string]string{"a.csv": contents[0].String(), "b.csv": contents[1].String()}
	for _, workers := range []int{1, 2, 5} {
		res, err := load(t, files, workers)
		if err != nil {
			t.Fatal(err)
		}
		pop := res.Population
		if len(pop.Installations) != len(want) {
			t.Fatalf("%d installations, want %d", len(pop.Installations), len(want))
		}
		for id, in := range pop.Installations {
			w := want[in.ID()]
			if int(in.Count) != len(w) {
				t.Fatalf("%d workers: %s has %d rows, want %d", workers, in.ID(), in.Count, len(w))
			}
			for i, d := range pop.DevicesOf(uint32(id)) {
				at := in.First + uint32(i)
				r := w[i]
				file, line := pop.Positions.At(int(at))
				if int(file) != r.file || int(line) != r.line ||
					d.GUID() != value.GUID(uint64(0x000D6F0000000000)|uint64(r.file*1000+r.line)) {
					t.Fatalf("%d workers: %s row %d is file %d line %d, want file %d line %d", workers, in.ID(), i,
						file, line, r.file, r.line)
				}
			}
		}
	}
}

// fileOf returns the file device row i was read from.
func fileOf(pop *engine.Population, i uint32) uint16 {
	f, _ := pop.Positions.At(int(i))
	return f
}
