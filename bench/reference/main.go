// Command reference is the single-threaded yardstick of s1resolve's
// throughput: the plainest program that does the core of a run. It reads
// installation files with bufio and strings.Split (encoding/csv for the
// few lines holding a quote), keys each installation
// by (smso, installation_id), normalises MPANs, MPRNs and GUIDs, groups
// installations sharing an MPxN (union-find), finds duplicate GUIDs and
// decides RULES.md steps 1, 2 and 6 on one goroutine, then writes the
// decisions sorted by smso and installation_id. It validates nothing, reads
// no registration or inventory and writes no store: it is what a careful
// engineer would write in an afternoon, and s1resolve is measured against
// it (docs/PERFORMANCE.md).
//
//	go run ./bench/reference --out /tmp/ref.csv FILE...
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
)

type installation struct {
	smso, id, cohort, mpan, mprn, date string
	communicating, active, dupGUID     bool
	guids                              []string
	decision, reason                   string
}

func main() {
	out := flag.String("out", "reference.csv", "decisions file")
	flag.Parse()
	byName := map[string]*installation{}
	var all []*installation
	for _, path := range flag.Args() {
		if err := read(path, byName, &all); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	decide(all)
	slices.SortFunc(all, func(a, b *installation) int {
		if c := strings.Compare(a.smso, b.smso); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("smso,installation_id,cohort,decision,reason,mpan,mprn\n")
	for _, in := range all {
		fmt.Fprintf(w, "%s,%s,%s,%s,%s,%s,%s\n", in.smso, in.id, in.cohort, in.decision, in.reason, in.mpan, in.mprn)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
}

// read reads one installation file into byName and all.
func read(path string, byName map[string]*installation, all *[]*installation) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	if !sc.Scan() {
		return fmt.Errorf("%s: no header", path)
	}
	col := map[string]int{}
	for i, h := range strings.Split(strings.TrimPrefix(sc.Text(), "\ufeff"), ",") {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	get := func(f []string, name string) string {
		if i, ok := col[name]; ok && i < len(f) {
			return strings.TrimSpace(f[i])
		}
		return ""
	}
	for sc.Scan() {
		line := sc.Text()
		f := strings.Split(line, ",")
		if strings.Contains(line, `"`) { // a quoted field (free text with a comma): the few lines that need it
			if rec, err := csv.NewReader(strings.NewReader(line)).Read(); err == nil {
				f = rec
			}
		}
		smso, id := get(f, "smso"), get(f, "installation_id")
		name := smso + "\x00" + id
		in := byName[name]
		if in == nil {
			in = &installation{smso: smso, id: id, cohort: strings.ToUpper(get(f, "cohort")),
				mpan: mpanKey(get(f, "mpan")), mprn: mprnKey(get(f, "mprn")), date: get(f, "install_date"),
				communicating: strings.EqualFold(get(f, "communicating"), "Y")}
			byName[name] = in
			*all = append(*all, in)
		}
		in.guids = append(in.guids, guidKey(get(f, "device_guid")))
		switch strings.ToUpper(get(f, "device_type")) {
		case "ESME", "GSME":
			if strings.EqualFold(get(f, "device_state"), "active") {
				in.active = true
			}
		}
	}
	return sc.Err()
}

func mpanKey(s string) string {
	s = strings.NewReplacer(" ", "", "-", "").Replace(s)
	if len(s) < 13 {
		return ""
	}
	return "E" + s[len(s)-13:]
}

func mprnKey(s string) string {
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return ""
	}
	return "G" + s
}

func guidKey(s string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", ":", "").Replace(s))
}

// decide applies steps 1, 2 and 6.
func decide(all []*installation) {
	guids := map[string]int{}
	for _, in := range all {
		for _, g := range in.guids {
			guids[g]++
		}
	}
	for _, in := range all {
		for _, g := range in.guids {
			if guids[g] > 1 {
				in.dupGUID = true
			}
		}
	}
	parent := make([]int, len(all))
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	owner := map[string]int{}
	for i, in := range all {
		for _, k := range []string{in.mpan, in.mprn} {
			if k == "" {
				continue
			}
			if j, ok := owner[k]; ok {
				a, b := find(i), find(j)
				if a != b {
					parent[a] = b
				}
			} else {
				owner[k] = i
			}
		}
	}
	groups := map[int][]int{}
	for i := range all {
		r := find(i)
		groups[r] = append(groups[r], i)
	}
	for _, members := range groups {
		for _, m := range members {
			in := all[m]
			if in.dupGUID {
				in.decision, in.reason = "blocked", "duplicate_guid"
				if !in.active {
					in.decision = "exclude"
				}
			}
		}
		winner := -1
		if len(members) > 1 {
			anyActive, communicating, communicator, latest, tied := false, 0, -1, -1, false
			for _, m := range members {
				in := all[m]
				anyActive = anyActive || in.active
				if in.communicating {
					communicating++
					if communicator < 0 {
						communicator = m
					}
				}
				switch {
				case latest < 0 || in.date > all[latest].date:
					latest, tied = m, false
				case in.date == all[latest].date:
					tied = true
				}
			}
			decision, reason := "exclude", "duplicate_mpxn"
			switch {
			case anyActive:
				decision, reason = "blocked", "duplicate_mpxn_active"
			case communicating == 0:
				reason = "no_wan"
			case communicating == 1 && !tied && communicator == latest:
				winner = communicator
			}
			for _, m := range members {
				if all[m].decision == "" && m != winner {
					all[m].decision, all[m].reason = decision, reason
				}
			}
		}
		for _, m := range members {
			if all[m].decision == "" {
				all[m].decision, all[m].reason = "migrate", "unique"
				if m == winner {
					all[m].reason = "duplicate_resolved"
				}
			}
		}
	}
}
