package main

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/s1resolve/s1resolve/output"
	"github.com/s1resolve/s1resolve/pipeline"
	"github.com/s1resolve/s1resolve/synth"
)

// TestReferenceDecidesAsTheEngine: on a clean generated population, the
// yardstick decides steps 1, 2 and 6 as s1resolve does with the same steps
// (pipeline.Config.DuplicatesOnly): the comparison of their speeds is fair.
func TestReferenceDecidesAsTheEngine(t *testing.T) {
	dir := t.TempDir()
	st, err := synth.Generate(context.Background(), synth.Config{Dir: filepath.Join(dir, "pop"), Installations: 20000, Seed: 7, SMSOs: 3})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]int32{}
	var all []installation
	var guids []guidRef
	for _, f := range st.Files {
		if err := read(f, byName, &all, &guids); err != nil {
			t.Fatal(err)
		}
	}
	decide(all, guids)
	out := filepath.Join(dir, "d.csv")
	if _, err := pipeline.Run(context.Background(), pipeline.Config{Inputs: st.Files, DuplicatesOnly: true, Out: out,
		Rejects: filepath.Join(dir, "r.csv"), Format: output.CSV}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(out)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != len(all) {
		t.Fatalf("the engine decided %d installations, the reference %d", len(rows)-1, len(all))
	}
	differ := 0
	for _, r := range rows[1:] {
		i, ok := byName[r[0]+"\x00"+r[1]]
		if !ok || decisions[all[i].decision] != r[3] || reasons[all[i].reason] != r[4] {
			differ++
			if differ < 5 {
				t.Errorf("%s/%s: engine %s/%s, reference %+v", r[0], r[1], r[3], r[4], all[i])
			}
		}
	}
	if differ > 0 {
		t.Fatalf("%d installations decided otherwise", differ)
	}
}
