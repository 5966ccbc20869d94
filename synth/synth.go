// Package synth generates synthetic SMSO installation files in the
// FORMATS.md layout: valid check digits, every spelling of MPANs, MPRNs and
// GUIDs the contract accepts, duplicate MPxN groups of every RULES.md step 2
// kind (transitive chains and date ties included), duplicate GUIDs,
// Active/Mixed installations and, on request, bad rows. Output depends only
// on the Config.
package synth

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Config describes a population to generate.
type Config struct {
	Dir           string
	Installations int
	Seed          uint64
	SMSOs         int     // files, one per SMSO; default 3
	Gzip          bool    // write .csv.gz
	Bad           float64 // share of installations given one bad row
	// Profile is ProfileMixed or ProfileConsultation.
	Profile string
	// Smets2Rate is the share of installations given a SMETS2+
	// installation in the inventory (smets2.csv); 0 writes none.
	Smets2Rate float64
}

// Stats counts what Generate wrote.
type Stats struct {
	Files         []string
	Installations int
	Rows          int64
	Bytes         int64
	// Groups counts the planted duplicate groups by kind.
	Groups map[string]int
	// BadInstallations counts installations given a bad row.
	BadInstallations int
	// DuplicateGUIDs counts planted duplicate GUIDs.
	DuplicateGUIDs int
	// Registration and Suppliers are the FORMATS.md §2 and §3 files,
	// Smets2 the §6 inventory ("" when none was asked for).
	Registration, Suppliers, Smets2 string
	// Smets2Situations counts the inventory rows by what they plant.
	Smets2Situations map[string]int
	// Unregistered counts MPxNs left out of the registration data.
	Unregistered int
	// Expected counts, for the consultation profile, the installations a
	// run must decide per reason ("fw_config_failure/IOC", ...) and per
	// supplier status ("supplier/ceased_trading", ...).
	Expected map[string]int
	// ExpectedImpact is, for the consultation profile, what `s1resolve
	// impact` must show of a run with the registration and supplier files
	// and all nine clauses in force: per clause, and "all", the
	// installations it excludes and unblocks.
	ExpectedImpact map[string]ImpactCount
}

// Rebase moves the file names of s to dir: Generate wrote them elsewhere
// (a folder swapped into dir whole).
func (s *Stats) Rebase(dir string) {
	for i, f := range s.Files {
		s.Files[i] = filepath.Join(dir, filepath.Base(f))
	}
	s.Registration = filepath.Join(dir, filepath.Base(s.Registration))
	s.Suppliers = filepath.Join(dir, filepath.Base(s.Suppliers))
	if s.Smets2 != "" {
		s.Smets2 = filepath.Join(dir, filepath.Base(s.Smets2))
	}
}

// Owns tells which entries of an existing folder Generate writes (for
// paths.Plan.Folder): a folder holding anything else is not replaced.
func Owns(rel string, d fs.DirEntry) bool {
	if d.IsDir() {
		return false
	}
	if rel == "registration.csv" || rel == "suppliers.csv" || rel == "smets2.csv" {
		return true
	}
	name := strings.TrimSuffix(rel, ".gz")
	return strings.HasPrefix(name, "smso_") && strings.HasSuffix(name, ".csv")
}

// Group kinds planted, named after the RULES.md step 2 branch they exercise.
var groupKinds = []string{"2a_active", "2b_no_wan", "2c_latest_communicates", "2d_other_communicates",
	"2d_tied_latest", "2e_two_communicate", "2c_transitive_chain"}

const groupShare = 0.008 // share of installations in duplicate groups

// Generate writes the population and returns what it wrote.
func Generate(ctx context.Context, cfg Config) (*Stats, error) {
	if cfg.SMSOs <= 0 {
		cfg.SMSOs = 3
	}
	if cfg.Installations < 0 {
		return nil, fmt.Errorf("negative installation count")
	}
	if cfg.Profile != ProfileMixed && cfg.Profile != ProfileConsultation {
		return nil, fmt.Errorf("unknown profile %q: want %q or none", cfg.Profile, ProfileConsultation)
	}
	if cfg.Profile == ProfileConsultation && cfg.Bad > 0 {
		return nil, fmt.Errorf("the consultation profile plants exact counts: it takes no bad rows")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, err
	}
	g := newGen(cfg)
	eg, ectx := errgroup.WithContext(ctx)
	for i := range g.files {
		f := g.files[i]
		eg.Go(func() error { return f.drain() })
	}
	eg.Go(func() error {
		defer g.closeAll()
		return g.run(ectx)
	})
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	if err := g.reg.close(g); err != nil {
		return nil, err
	}
	st := g.stats
	st.Registration, st.Suppliers = g.reg.regPath, g.reg.supPath
	if g.smets2 != nil {
		if err := g.smets2.close(); err != nil {
			return nil, err
		}
		st.Smets2 = g.smets2.path
	}
	for _, f := range g.files {
		st.Files = append(st.Files, f.path)
		st.Bytes += f.bytes
	}
	return &st, nil
}

type gen struct {
	cfg   Config
	rng   *rand.Rand
	files []*fileOut
	reg   *registryOut
	stats Stats
	// smets2 writes the inventory; nil when none was asked for.
	smets2 *smets2Out
	// counters that make keys unique
	nextMPAN, nextMPRN, nextGUID, nextID uint64
	lastGUID                             uint64
	cur                                  inst
	profile                              bool // consultation profile: nothing at random but what is planted
	regMode                              int  // how keys made next are registered (consultation profile)
	pendingPair                          bool
}

func newGen(cfg Config) *gen {
	g := &gen{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x5e7515eed)), profile: cfg.Profile == ProfileConsultation}
	g.reg = newRegistryOut(cfg.Dir)
	g.stats.Groups = map[string]int{}
	g.stats.Smets2Situations = map[string]int{}
	if cfg.Smets2Rate > 0 && cfg.Profile == ProfileMixed {
		g.smets2 = newSmets2Out(cfg.Dir, cfg.Seed)
	}
	for i := 0; i < cfg.SMSOs; i++ {
		name := fmt.Sprintf("smso_%c.csv", 'a'+i%26)
		if i >= 26 {
			name = fmt.Sprintf("smso_%d.csv", i)
		}
		if cfg.Gzip {
			name += ".gz"
		}
		g.files = append(g.files, newFileOut(filepath.Join(cfg.Dir, name), i, g.rng, cfg.Gzip))
	}
	return g
}

func (g *gen) closeAll() {
	for _, f := range g.files {
		f.close()
	}
}

func (g *gen) run(ctx context.Context) error {
	if g.profile {
		return g.runConsultation(ctx)
	}
	n := g.cfg.Installations
	done := g.boundaries(n)
	for done < n {
		if done%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if n-done >= 3 && g.rng.Float64() < groupShare/2.4 {
			done += g.group()
			continue
		}
		g.single()
		done++
	}
	for _, f := range g.files {
		f.flush()
	}
	return nil
}

// inst is one installation being generated.
type inst struct {
	smso    int
	id      uint64
	cohort  string
	mpan    uint64 // 13-digit core; 0 none
	mprn    string // digits; "" none
	date    [3]int
	comm    bool
	devices []device
}

type device struct {
	typ, state, group, fw, cfg, prepay string
	guid                               uint64
	fwAtt, cfgAtt                      int
}

var cohorts = []string{"FOC", "IOC", "MOC_MDS", "MOC_SECURE"}

var cohortGroups = map[string][]string{
	"FOC": {"FA"}, "IOC": {"AA", "BA", "CA", "DA"}, "MOC_MDS": {"CB", "CC"}, "MOC_SECURE": {"SA"},
}

func (g *gen) newMPAN() uint64 {
	c := g.nextMPAN
	g.nextMPAN++
	dist := 10 + c%27
	body := (c/27*7919 + 1234567) % 10_000_000_000
	core12 := dist*10_000_000_000 + body
	var d [12]byte
	v := core12
	for i := 11; i >= 0; i-- {
		d[i] = byte('0' + v%10)
		v /= 10
	}
	core := core12*10 + uint64(checkDigit(d[:])-'0')
	g.reg.mpan(g, core)
	return core
}

func checkDigit(core12 []byte) byte {
	w := [12]uint64{3, 5, 7, 13, 17, 19, 23, 29, 31, 37, 41, 43}
	var s uint64
	for i := range w {
		s += uint64(core12[i]-'0') * w[i]
	}
	return byte('0' + s%11%10)
}

func (g *gen) newMPRN() string {
	c := g.nextMPRN
	g.nextMPRN++
	var m string
	if g.rng.IntN(100) == 0 {
		m = strconv.FormatUint(10_000_000+c%90_000_000, 10) // 8 digits
	} else {
		m = fmt.Sprintf("%010d", (c*104729+7777)%10_000_000_000)
	}
	g.reg.mprn(g, m)
	return m
}

func (g *gen) newGUID() uint64 {
	c := g.nextGUID
	g.nextGUID++
	oui := uint64(0x000D6F)
	if c%3 == 0 {
		oui = 0x001BC5
	}
	g.lastGUID = oui<<40 | (c*0x9E3779B1)&(1<<40-1)
	return g.lastGUID
}

func (g *gen) date() [3]int {
	return [3]int{2012 + g.rng.IntN(8), 1 + g.rng.IntN(12), 1 + g.rng.IntN(28)}
}

// fill makes a fresh installation with its own keys and devices.
func (g *gen) fill(active bool) *inst {
	in := &g.cur
	g.nextID++
	*in = inst{smso: g.rng.IntN(len(g.files)), id: g.nextID, cohort: cohorts[g.rng.IntN(4)], date: g.date(),
		comm: g.rng.IntN(100) < 85, devices: in.devices[:0]}
	fuel := g.rng.IntN(10)
	elec, gas := fuel < 9, fuel >= 3 // 60% dual, 30% electricity only, 10% gas only
	if elec {
		in.mpan = g.newMPAN()
	}
	if gas {
		in.mprn = g.newMPRN()
	}
	in.devices = append(in.devices, device{typ: "CHF", guid: g.newGUID()})
	mixed := active && elec && gas && g.rng.IntN(3) == 0
	if elec {
		in.devices = append(in.devices, g.meter("ESME", in.cohort, active && !mixed))
	}
	if gas {
		in.devices = append(in.devices, g.meter("GSME", in.cohort, active))
		in.devices = append(in.devices, device{typ: "GPF", guid: g.newGUID()})
	}
	if g.rng.IntN(10) < 8 {
		in.devices = append(in.devices, device{typ: "IHD", guid: g.newGUID()})
	}
	if g.rng.IntN(10) == 0 {
		in.devices = append(in.devices, device{typ: "PPMID", guid: g.newGUID()})
	}
	return in
}

func (g *gen) meter(typ, cohort string, active bool) device {
	d := device{typ: typ, guid: g.newGUID(), state: "dormant"}
	groups := cohortGroups[cohort]
	d.group = groups[g.rng.IntN(len(groups))]
	if active {
		d.state = "active"
	}
	if g.profile { // clean: no failure, no missing key
		if g.rng.IntN(2) == 0 {
			d.fw = "ok"
		}
		return d
	}
	switch r := g.rng.IntN(1000); {
	case r < 20:
		d.fw, d.fwAtt = "failed", g.rng.IntN(120)
	case r < 25:
		d.fw = "unable"
	case r < 35:
		d.cfg, d.cfgAtt = "failed", g.rng.IntN(40)
	case r < 400:
		d.fw = "ok"
	}
	switch g.rng.IntN(2000) {
	case 0:
		d.prepay = "N"
	case 1, 2, 3, 4, 5, 6, 7, 8, 9, 10:
		d.prepay = "Y"
	}
	return d
}

func (g *gen) single() {
	in := g.fill(g.rng.IntN(100) < 30)
	if g.rng.IntN(5000) == 0 && g.lastGUID != 0 {
		// a duplicate GUID: within the installation or shared with the last one
		g.stats.DuplicateGUIDs++
		if g.rng.IntN(2) == 0 {
			in.devices = append(in.devices, device{typ: "IHD", guid: in.devices[0].guid})
		} else {
			prev := g.lastGUID
			in.devices = append(in.devices, device{typ: "IHD", guid: prev})
		}
	}
	g.emit(in)
	if g.smets2 != nil {
		prev := *in // the generator reuses in for the next installation
		prev.devices = nil
		g.smets2.after(g, &prev)
	}
}

// group plants one duplicate group and returns its size.
func (g *gen) group() int {
	kind := groupKinds[g.rng.IntN(len(groupKinds))]
	g.stats.Groups[kind]++
	size := 2 + g.rng.IntN(2)
	if kind == "2c_transitive_chain" {
		size = 3
	}
	base := g.date()
	mpan, mprn := g.newMPAN(), g.newMPRN()
	for m := 0; m < size; m++ {
		in := g.fill(kind == "2a_active" && m == size-1)
		in.date = [3]int{base[0] + m, base[1], base[2]} // member m is the m-th latest... oldest first
		latest := m == size-1
		switch kind {
		case "2c_transitive_chain":
			// m0 ~ m1 by MPAN, m1 ~ m2 by MPRN
			switch m {
			case 0:
				in.mpan = mpan // and its own MPRN, if any
			case 1:
				in.mpan, in.mprn = mpan, mprn
			case 2:
				in.mprn = mprn // and its own MPAN, if any
			}
			in.comm = latest
		default:
			in.mpan, in.mprn = mpan, mprn
			if g.rng.IntN(4) == 0 {
				in.mprn = "" // share the MPAN only
			}
			switch kind {
			case "2a_active", "2b_no_wan":
				in.comm = kind == "2a_active" && m == 0
			case "2c_latest_communicates":
				in.comm = latest
			case "2d_other_communicates":
				in.comm = m == 0
			case "2d_tied_latest":
				if m == size-2 {
					in.date = [3]int{base[0] + size - 1, base[1], base[2]}
				}
				in.comm = latest
			case "2e_two_communicate":
				in.comm = m >= size-2
			}
		}
		g.emit(in)
	}
	return size
}

// emit writes the rows of in, spelling each value one of the ways the
// contract allows, and plants a bad row when asked.
func (g *gen) emit(in *inst) {
	g.stats.Installations++
	bad := -1
	if g.cfg.Bad > 0 && g.rng.Float64() < g.cfg.Bad {
		bad = g.rng.IntN(len(in.devices))
		g.stats.BadInstallations++
	}
	split := len(in.devices) > 1 && len(g.files) > 1 && g.rng.IntN(500) == 0
	for i := range in.devices {
		f := g.files[in.smso]
		if split && i == len(in.devices)-1 {
			f = g.files[(in.smso+1)%len(g.files)] // the last row in another file
		}
		kind := -1
		if i == bad {
			kind = g.rng.IntN(numBadKinds)
		}
		f.row(g, in, &in.devices[i], kind)
		g.stats.Rows++
	}
}
