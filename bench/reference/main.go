// Command reference is the single-threaded yardstick of s1resolve's
// throughput: the plain program a careful engineer would write to do the
// core of a run. It reads installation files with bufio and strings.Split
// (encoding/csv for the few lines holding a quote), keys each installation
// by (smso, installation_id), packs MPANs, MPRNs and GUIDs into integers,
// groups installations sharing an MPxN (union-find), finds duplicate GUIDs
// (a sort) and decides RULES.md steps 1, 2 and 6 on one goroutine, then
// writes the decisions sorted by smso and installation_id. It validates
// nothing, reads no registration or inventory and writes no store: it is
// what s1resolve is measured against (docs/PERFORMANCE.md).
//
//	go run ./bench/reference --out /tmp/ref.csv FILE...
package main

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// installation is one installation: its name and what steps 1, 2 and 6
// read, in 48 bytes. Only the name points anywhere: no field keeps the
// line it was read from alive.
type installation struct {
	name                           string // smso + "\x00" + installation_id
	mpan, mprn                     uint64 // 0: none
	date                           uint32 // YYYYMMDD
	cohort                         uint8  // index in cohorts
	communicating, active, dupGUID bool
	decision, reason               uint8 // indexes in decisions, reasons; 0: not yet decided
}

// The words of the decisions and reasons steps 1, 2 and 6 give.
var (
	decisions = []string{"", "migrate", "exclude", "blocked"}
	reasons   = []string{"", "unique", "duplicate_resolved", "duplicate_mpxn", "duplicate_mpxn_active", "no_wan", "duplicate_guid"}
)

const (
	migrate, exclude, blocked                                                           = 1, 2, 3
	unique, duplicateResolved, duplicateMPxN, duplicateMPxNActive, noWAN, duplicateGUID = 1, 2, 3, 4, 5, 6
)

// cohorts are the cohort words seen, in order of first sight.
var cohorts []string

func cohortOf(s string) uint8 {
	s = strings.ToUpper(s)
	for i, c := range cohorts {
		if c == s {
			return uint8(i)
		}
	}
	cohorts = append(cohorts, strings.Clone(s))
	return uint8(len(cohorts) - 1)
}

// dateOf packs YYYY-MM-DD as YYYYMMDD, which compares as dates do.
func dateOf(s string) uint32 {
	if len(s) != 10 {
		return 0
	}
	v, _ := strconv.ParseUint(s[:4]+s[5:7]+s[8:], 10, 32)
	return uint32(v)
}

// guidRef is one device row's GUID and its installation.
type guidRef struct {
	guid uint64
	inst int32
}

func main() {
	out := flag.String("out", "reference.csv", "decisions file")
	flag.Parse()
	// Sized from the files' bytes (a device row is about 100 bytes, an
	// installation about 4 rows): a slice of millions grown by append is
	// copied whole at each doubling.
	var size int64
	for _, path := range flag.Args() {
		if st, err := os.Stat(path); err == nil {
			size += st.Size()
		}
	}
	byName := make(map[string]int32, size/400)
	all := make([]installation, 0, size/400)
	guids := make([]guidRef, 0, size/90)
	for _, path := range flag.Args() {
		if err := read(path, byName, &all, &guids); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	decide(all, guids)
	order := make([]int32, len(all))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(all[a].name, all[b].name) })
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("smso,installation_id,cohort,decision,reason\n")
	for _, i := range order {
		in := &all[i]
		smso, id, _ := strings.Cut(in.name, "\x00")
		fmt.Fprintf(w, "%s,%s,%s,%s,%s\n", smso, id, cohorts[in.cohort], decisions[in.decision], reasons[in.reason])
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
}

// read reads one installation file.
func read(path string, byName map[string]int32, all *[]installation, guids *[]guidRef) error {
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
	at := func(name string) int {
		if i, ok := col[name]; ok {
			return i
		}
		return -1
	}
	cSMSO, cID, cCohort, cMPAN, cMPRN := at("smso"), at("installation_id"), at("cohort"), at("mpan"), at("mprn")
	cDate, cComm, cGUID, cType, cState := at("install_date"), at("communicating"), at("device_guid"), at("device_type"), at("device_state")
	get := func(f []string, i int) string {
		if i >= 0 && i < len(f) {
			return strings.TrimSpace(f[i])
		}
		return ""
	}
	var key []byte
	for sc.Scan() {
		line := sc.Text()
		f := strings.Split(line, ",")
		if strings.Contains(line, `"`) { // a quoted field (free text with a comma): the few lines that need it
			if rec, err := csv.NewReader(strings.NewReader(line)).Read(); err == nil {
				f = rec
			}
		}
		key = append(append(append(key[:0], get(f, cSMSO)...), 0), get(f, cID)...)
		i, ok := byName[string(key)] // no string is made to look a name up
		if !ok {
			name := string(key)
			i = int32(len(*all))
			byName[name] = i
			*all = append(*all, installation{name: name, cohort: cohortOf(get(f, cCohort)),
				mpan: mpanKey(get(f, cMPAN)), mprn: mprnKey(get(f, cMPRN)), date: dateOf(get(f, cDate)),
				communicating: strings.EqualFold(get(f, cComm), "Y")})
		}
		*guids = append(*guids, guidRef{guidKey(get(f, cGUID)), i})
		if t := get(f, cType); strings.EqualFold(t, "ESME") || strings.EqualFold(t, "GSME") {
			if strings.EqualFold(get(f, cState), "active") {
				(*all)[i].active = true
			}
		}
	}
	return sc.Err()
}

var (
	mpanClean = strings.NewReplacer(" ", "", "-", "")
	guidClean = strings.NewReplacer("-", "", ":", "")
)

// mpanKey packs an MPAN's 13-digit core (its last 13 digits) with a kind
// bit; 0 for none.
func mpanKey(s string) uint64 {
	s = mpanClean.Replace(s)
	if len(s) < 13 {
		return 0
	}
	v, _ := strconv.ParseUint(s[len(s)-13:], 10, 64)
	return 1<<63 | v
}

// mprnKey packs an MPRN's digits and their count (leading zeros count).
func mprnKey(s string) uint64 {
	s = strings.ReplaceAll(s, " ", "")
	if s == "" {
		return 0
	}
	v, _ := strconv.ParseUint(s, 10, 64)
	return 1<<62 | uint64(len(s))<<48 | v
}

// guidKey packs a GUID's 16 hex digits.
func guidKey(s string) uint64 {
	v, _ := strconv.ParseUint(guidClean.Replace(s), 16, 64)
	return v
}

// decide applies steps 1, 2 and 6.
func decide(all []installation, guids []guidRef) {
	slices.SortFunc(guids, func(a, b guidRef) int { return cmp.Compare(a.guid, b.guid) })
	for i := 1; i < len(guids); i++ {
		if guids[i].guid == guids[i-1].guid {
			all[guids[i].inst].dupGUID = true
			all[guids[i-1].inst].dupGUID = true
		}
	}
	parent := make([]int32, len(all))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	owner := make(map[uint64]int32, len(all))
	for i := range all {
		for _, k := range [2]uint64{all[i].mpan, all[i].mprn} {
			if k == 0 {
				continue
			}
			if j, ok := owner[k]; ok {
				if a, b := find(int32(i)), find(j); a != b {
					parent[a] = b
				}
			} else {
				owner[k] = int32(i)
			}
		}
	}
	// The members of each group, one after another: sort the ids by root.
	members := make([]int32, len(all))
	for i := range members {
		members[i] = int32(i)
		parent[i] = find(int32(i))
	}
	slices.SortStableFunc(members, func(a, b int32) int { return cmp.Compare(parent[a], parent[b]) })
	for lo := 0; lo < len(members); {
		hi := lo + 1
		for hi < len(members) && parent[members[hi]] == parent[members[lo]] {
			hi++
		}
		decideGroup(all, members[lo:hi])
		lo = hi
	}
}

// decideGroup applies steps 1, 2 and 6 to the members of one group.
func decideGroup(all []installation, members []int32) {
	for _, m := range members {
		if in := &all[m]; in.dupGUID {
			in.decision, in.reason = blocked, duplicateGUID
			if !in.active {
				in.decision = exclude
			}
		}
	}
	winner := int32(-1)
	if len(members) > 1 {
		anyActive, communicating, communicator, latest, tied := false, 0, int32(-1), int32(-1), false
		for _, m := range members {
			in := &all[m]
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
		decision, reason := uint8(exclude), uint8(duplicateMPxN)
		switch {
		case anyActive:
			decision, reason = blocked, duplicateMPxNActive
		case communicating == 0:
			reason = noWAN
		case communicating == 1 && !tied && communicator == latest:
			winner = communicator
		}
		for _, m := range members {
			if all[m].decision == 0 && m != winner {
				all[m].decision, all[m].reason = decision, reason
			}
		}
	}
	for _, m := range members {
		if all[m].decision == 0 {
			all[m].decision, all[m].reason = migrate, unique
			if m == winner {
				all[m].reason = duplicateResolved
			}
		}
	}
}
