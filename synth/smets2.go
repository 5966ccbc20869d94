package synth

import (
	"bufio"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// smets2Out writes the SMETS2+ inventory (FORMATS.md §6). It draws from a
// random stream of its own, so that asking for an inventory leaves the
// installation files as they were.
type smets2Out struct {
	path   string
	f      *os.File
	w      *bufio.Writer
	rng    *rand.Rand
	order  []int // column order of this file
	nextID uint64
	err    error
	prev   *inst // the installation before, to bridge two groups
	rows   int
}

// Situations planted, counted in Stats.Smets2.
const (
	s2Replaces   = "later_and_communicating"
	s2Older      = "earlier_or_silent"
	s2SameDate   = "same_date"
	s2Bridge     = "bridges_two_installations"
	s2Unmatched  = "matches_nothing"
	s2BadRow     = "bad_row"
	smets2Header = "inventory_id,mpan,mprn,install_date,communicating,source"
)

func newSmets2Out(dir string, seed uint64) *smets2Out {
	s := &smets2Out{path: filepath.Join(dir, "smets2.csv"), rng: rand.New(rand.NewPCG(seed, 0x5e7552))}
	s.f, s.err = os.OpenFile(s.path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if s.err != nil {
		return s
	}
	s.w = bufio.NewWriterSize(s.f, 1<<20)
	cols := strings.Split(smets2Header, ",")
	s.order = s.rng.Perm(len(cols))
	hdr := make([]string, len(cols))
	for i, c := range s.order {
		name := cols[c]
		if s.rng.IntN(3) == 0 {
			name = strings.ToUpper(name)
		}
		hdr[i] = name
	}
	s.w.WriteString(strings.Join(hdr, ",") + "\n")
	return s
}

// after plants, now and then, a SMETS2+ installation at the meter points
// of in, the installation just written.
func (s *smets2Out) after(g *gen, in *inst) {
	defer func() { s.prev = in }()
	if s.w == nil || s.rng.Float64() >= g.cfg.Smets2Rate {
		return
	}
	row := smets2Row{date: in.date}
	switch r := s.rng.IntN(10); {
	case r < 4: // later and communicating: it replaces in when in does not communicate
		row.date[0] += 1 + s.rng.IntN(3)
		row.comm = true
		row.situation = s2Replaces
	case r < 6: // earlier, or not communicating: the SMETS1 installation still counts
		row.date[0] -= 1 + s.rng.IntN(3)
		row.comm = s.rng.IntN(2) == 0
		row.situation = s2Older
	case r < 7:
		row.comm = true
		row.situation = s2SameDate
	case r < 8 && s.prev != nil && s.prev.mpan != 0 && in.mprn != "":
		row.date[0] += 2
		row.comm = true
		row.situation = s2Bridge
		row.mpan, row.mprn = s.prev.mpan, in.mprn
	default:
		row.situation = s2Unmatched
		row.mpan = 9_900_000_000_000 + s.nextID*37%99_999_999_999 // IDNO-like cores no installation uses
		row.mpan = row.mpan/10*10 + uint64(checkDigit([]byte(strconv.FormatUint(row.mpan/10, 10)))-'0')
		row.comm = s.rng.IntN(2) == 0
	}
	if row.situation != s2Bridge && row.situation != s2Unmatched {
		row.mpan, row.mprn = in.mpan, in.mprn
		if row.mpan != 0 && row.mprn != "" && s.rng.IntN(3) == 0 {
			row.mprn = "" // the electricity point only
		}
	}
	s.write(g, row)
	if g.cfg.Bad > 0 && s.rng.Float64() < g.cfg.Bad*20 {
		s.bad(g, row)
	}
}

type smets2Row struct {
	id        string
	mpan      uint64
	mprn      string
	date      [3]int
	comm      bool
	situation string
}

func (s *smets2Out) write(g *gen, row smets2Row) {
	s.nextID++
	if row.id == "" {
		row.id = "S2-" + strconv.FormatUint(s.nextID, 10)
	}
	vals := make([]string, 6)
	vals[0] = row.id
	if row.mpan != 0 {
		vals[1] = string(appendMPAN(nil, row.mpan, s.rng.IntN(5)))
	}
	vals[2] = row.mprn
	vals[3] = string(appendDate(nil, row.date))
	switch {
	case row.comm && s.rng.IntN(4) == 0:
		vals[4] = "y"
	case row.comm:
		vals[4] = "Y"
	case s.rng.IntN(2) == 0:
		vals[4] = "N"
	}
	vals[5] = row.situation // a column the contract does not know
	if s.rng.IntN(10) == 0 {
		vals[0] = " " + vals[0] + " " // spaces around a value are ignored
	}
	s.line(vals)
	g.stats.Smets2Situations[row.situation]++
}

func (s *smets2Out) line(vals []string) {
	out := make([]string, len(vals))
	for i, c := range s.order {
		v := vals[c]
		if strings.ContainsAny(v, ",\"") {
			v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
		}
		out[i] = v
	}
	s.w.WriteString(strings.Join(out, ",") + "\n")
	s.rows++
}

// bad writes one bad row of the kinds the inventory rejects.
func (s *smets2Out) bad(g *gen, last smets2Row) {
	vals := []string{"S2-BAD-" + strconv.FormatUint(s.nextID, 10), "", "1234567", "2020-01-01", "Y", s2BadRow}
	switch s.rng.IntN(5) {
	case 0:
		vals[3] = "2020-02-30" // not a date
	case 1:
		vals[0] = "" // no inventory_id
	case 2:
		vals[2] = "" // neither an MPAN nor an MPRN
	case 3:
		vals[0] = "S2-" + strconv.FormatUint(s.nextID, 10) // listed again: the first stands
	case 4:
		vals[1] = "1200023305968" // wrong check digit
	}
	s.line(vals)
	g.stats.Smets2Situations[s2BadRow]++
}

func (s *smets2Out) close() error {
	if s.err != nil || s.w == nil {
		return s.err
	}
	if err := s.w.Flush(); err != nil {
		return err
	}
	return s.f.Close()
}
