package synth

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
)

// Suppliers named in the registration data; the last two are not live.
const numSuppliers = 20

// registryOut writes the registration data as keys are made, and the
// supplier statuses at the end.
type registryOut struct {
	regPath, supPath string
	f                *os.File
	w                *bufio.Writer
	err              error
	last             []byte // the previous row, to plant a repeat
}

func newRegistryOut(dir string) *registryOut {
	r := &registryOut{regPath: filepath.Join(dir, "registration.csv"), supPath: filepath.Join(dir, "suppliers.csv")}
	r.f, r.err = os.OpenFile(r.regPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if r.err == nil {
		r.w = bufio.NewWriterSize(r.f, 1<<20)
		r.w.WriteString("mpxn,supplier_id\n")
	}
	return r
}

func (r *registryOut) supplier(g *gen) string {
	n := g.rng.IntN(numSuppliers)
	return "SUP" + string(rune('0'+n/10)) + string(rune('0'+n%10))
}

// row registers one key, or leaves it out now and then; with Config.Bad it
// plants bad rows too.
func (r *registryOut) row(g *gen, key []byte) {
	if r.w == nil {
		return
	}
	supplier := ""
	switch {
	case g.profile && g.regMode == regSkip, !g.profile && g.rng.IntN(500) == 0:
		g.stats.Unregistered++
		return
	case g.profile && g.regMode == regCeased:
		supplier = "SUP18"
	case g.profile && g.regMode == regNotLive:
		supplier = "SUP19"
	case g.profile:
		n := g.rng.IntN(numSuppliers - 2) // live ones only
		supplier = "SUP" + string(rune('0'+n/10)) + string(rune('0'+n%10))
	default:
		supplier = r.supplier(g)
	}
	line := append(append(append([]byte(nil), key...), ','), supplier...)
	r.w.Write(line)
	r.w.WriteByte('\n')
	if g.cfg.Bad > 0 && g.rng.Float64() < g.cfg.Bad/4 {
		switch g.rng.IntN(3) {
		case 0:
			r.w.Write(line) // listed again: a reject, the first stands
			r.w.WriteByte('\n')
		case 1:
			r.w.WriteString("12345,SUP01\n") // too short for an MPRN
		case 2:
			r.w.Write(key)
			r.w.WriteString(",\n") // no supplier: a reject (and the key stays registered above)
		}
	}
}

func (r *registryOut) mpan(g *gen, core uint64) {
	c := strconv.AppendUint(nil, core, 10)
	for len(c) < 13 {
		c = append([]byte{'0'}, c...)
	}
	if g.rng.IntN(3) == 0 {
		c = append([]byte("02 811 100 "), c...) // the full MPAN
	}
	r.row(g, c)
}

func (r *registryOut) mprn(g *gen, m string) {
	r.row(g, []byte(m))
}

// close finishes the registration file and writes the supplier statuses.
func (r *registryOut) close(g *gen) error {
	if r.err != nil {
		return r.err
	}
	if err := r.w.Flush(); err != nil {
		return err
	}
	if err := r.f.Close(); err != nil {
		return err
	}
	b := []byte("supplier_id,status\n")
	for i := 0; i < numSuppliers; i++ {
		status := "live"
		switch i {
		case numSuppliers - 2:
			status = "ceased_trading"
		case numSuppliers - 1:
			status = "not_live_user"
		}
		if i%3 == 1 && status == "live" {
			continue // not listed: live
		}
		b = append(b, "SUP"+string(rune('0'+i/10))+string(rune('0'+i%10))+","+status+"\n"...)
	}
	if g.cfg.Bad > 0 {
		b = append(b, "SUP00,live\nSUP99,retired\n"...) // listed again; unknown status
	}
	return os.WriteFile(r.supPath, b, 0o600)
}
