package synth

import (
	"bufio"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

// Columns written, in a per-file order, with one column the contract does not
// know.
var columns = []string{"smso", "cohort", "installation_id", "mpan", "mprn", "install_date", "communicating",
	"device_guid", "device_type", "device_state", "group_id", "fw_status", "fw_attempts", "config_status",
	"config_attempts", "prepay_key", "site_notes"}

const (
	cSMSO = iota
	cCohort
	cID
	cMPAN
	cMPRN
	cDate
	cComm
	cGUID
	cType
	cState
	cGroup
	cFw
	cFwAtt
	cCfg
	cCfgAtt
	cPrepay
	cNotes
	nCols
)

// Kinds of bad row planted with Config.Bad.
const (
	badCheckDigit = iota
	badDate
	badCohort
	badGUID
	badAttempts
	badInconsistentDate
	badMissingState
	badFieldCount
	badShortMPRN
	numBadKinds
)

// fileOut is one SMSO file: rows are formatted by the generator into a buffer
// and written (and compressed) by the file's own goroutine.
type fileOut struct {
	path  string
	smso  string
	order []int
	crlf  bool
	buf   []byte
	ch    chan []byte
	bytes int64
	vals  [nCols][]byte
	err   error
}

func newFileOut(path string, i int, rng *rand.Rand, gz bool) *fileOut {
	f := &fileOut{path: path, smso: "SMSO_" + string(rune('A'+i%26)) + strconv.Itoa(i/26), crlf: i%2 == 1,
		ch: make(chan []byte, 4)}
	f.order = rng.Perm(nCols)
	var hdr []string
	for _, c := range f.order {
		name := columns[c]
		switch rng.IntN(3) {
		case 0:
			name = strings.ToUpper(name)
		case 1:
			name = " " + name + " "
		}
		hdr = append(hdr, name)
	}
	f.buf = append(f.buf, strings.Join(hdr, ",")...)
	f.buf = f.eol(f.buf)
	_ = gz
	return f
}

func (f *fileOut) eol(b []byte) []byte {
	if f.crlf {
		return append(b, '\r', '\n')
	}
	return append(b, '\n')
}

func (f *fileOut) flush() {
	if len(f.buf) > 0 {
		f.ch <- f.buf
		f.buf = make([]byte, 0, 1<<20)
	}
}

func (f *fileOut) close() { close(f.ch) }

// drain writes the buffers it receives to the file.
func (f *fileOut) drain() (err error) {
	out, err := os.OpenFile(f.path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		for range f.ch {
		}
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	bw := bufio.NewWriterSize(out, 1<<20)
	var w io.Writer = bw
	var zw *gzip.Writer
	if strings.HasSuffix(f.path, ".gz") {
		zw, _ = gzip.NewWriterLevel(bw, gzip.BestSpeed)
		w = zw
	}
	for b := range f.ch {
		if err != nil {
			continue
		}
		f.bytes += int64(len(b))
		_, err = w.Write(b)
	}
	if err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

const hexUpper = "0123456789ABCDEF"
const hexLower = "0123456789abcdef"

func appendGUID(b []byte, g uint64, style int) []byte {
	digits := hexUpper
	if style%2 == 1 {
		digits = hexLower
	}
	sep := byte(0)
	switch style {
	case 2:
		sep = '-'
	case 3:
		sep = ':'
	}
	for i := 0; i < 8; i++ {
		if i > 0 && sep != 0 {
			b = append(b, sep)
		}
		v := byte(g >> (56 - 8*i))
		b = append(b, digits[v>>4], digits[v&0xf])
	}
	return b
}

func appendMPAN(b []byte, core uint64, style int) []byte {
	c := strconv.AppendUint(nil, core, 10)
	for len(c) < 13 {
		c = append([]byte{'0'}, c...)
	}
	switch style {
	case 0, 1:
		return append(b, c...)
	case 2: // full MPAN, spaced as printed on bills
		b = append(b, "01 801 A1B "...)
		b = append(b, c[:2]...)
		b = append(b, ' ')
		b = append(b, c[2:6]...)
		b = append(b, ' ')
		b = append(b, c[6:10]...)
		b = append(b, ' ')
		return append(b, c[10:]...)
	case 3: // full MPAN with dashes
		b = append(b, "03-845-120-"...)
		return append(b, c...)
	default: // core with spaces
		b = append(b, c[:2]...)
		b = append(b, ' ')
		b = append(b, c[2:]...)
		return b
	}
}

func appendDate(b []byte, d [3]int) []byte {
	b = strconv.AppendInt(b, int64(d[0]), 10)
	b = append(b, '-', byte('0'+d[1]/10), byte('0'+d[1]%10), '-', byte('0'+d[2]/10), byte('0'+d[2]%10))
	return b
}

// row formats one device row of in; bad is a bad-row kind or -1.
func (f *fileOut) row(g *gen, in *inst, d *device, bad int) {
	v := &f.vals
	for i := range v {
		v[i] = v[i][:0]
	}
	r := g.rng
	v[cSMSO] = append(v[cSMSO], g.files[in.smso].smso...)
	v[cCohort] = append(v[cCohort], in.cohort...)
	if r.IntN(20) == 0 {
		v[cCohort] = []byte(strings.ToLower(in.cohort))
	}
	v[cID] = append(v[cID], "INS-"...)
	v[cID] = strconv.AppendUint(v[cID], in.id, 10)
	if in.mpan != 0 {
		v[cMPAN] = appendMPAN(v[cMPAN], in.mpan, r.IntN(5))
	}
	if in.mprn != "" {
		if r.IntN(4) == 0 {
			v[cMPRN] = append(append(append(v[cMPRN], in.mprn[:4]...), ' '), in.mprn[4:]...)
		} else {
			v[cMPRN] = append(v[cMPRN], in.mprn...)
		}
	}
	v[cDate] = appendDate(v[cDate], in.date)
	switch {
	case in.comm && r.IntN(10) == 0:
		v[cComm] = append(v[cComm], 'y')
	case in.comm:
		v[cComm] = append(v[cComm], 'Y')
	case r.IntN(2) == 0:
		v[cComm] = append(v[cComm], 'N')
	}
	v[cGUID] = appendGUID(v[cGUID], d.guid, r.IntN(4))
	v[cType] = append(v[cType], d.typ...)
	v[cState] = append(v[cState], d.state...)
	v[cGroup] = append(v[cGroup], d.group...)
	v[cFw] = append(v[cFw], d.fw...)
	if d.fwAtt > 0 {
		v[cFwAtt] = strconv.AppendInt(v[cFwAtt], int64(d.fwAtt), 10)
	}
	v[cCfg] = append(v[cCfg], d.cfg...)
	if d.cfgAtt > 0 {
		v[cCfgAtt] = strconv.AppendInt(v[cCfgAtt], int64(d.cfgAtt), 10)
	}
	v[cPrepay] = append(v[cPrepay], d.prepay...)
	if r.IntN(50) == 0 {
		v[cNotes] = append(v[cNotes], `"access via side gate, ""dog"""`...)
	}
	extra := false
	switch bad {
	case badCheckDigit:
		if in.mpan != 0 {
			v[cMPAN] = strconv.AppendUint(v[cMPAN][:0], in.mpan/10*10+(in.mpan%10+1)%10, 10)
		} else {
			v[cCohort] = append(v[cCohort][:0], "XOC"...)
		}
	case badDate:
		v[cDate] = append(v[cDate][:0], "2019-02-30"...)
	case badCohort:
		v[cCohort] = append(v[cCohort][:0], "MOC"...)
	case badGUID:
		v[cGUID] = v[cGUID][:0]
		v[cGUID] = append(v[cGUID], "00-0D-6F-00-00-AB-12"...)
	case badAttempts:
		v[cFwAtt] = append(v[cFwAtt][:0], "x3"...)
	case badInconsistentDate:
		v[cDate] = appendDate(v[cDate][:0], [3]int{in.date[0], in.date[1], in.date[2]%28 + 1})
	case badMissingState:
		v[cType] = append(v[cType][:0], "ESME"...)
		v[cState] = v[cState][:0]
	case badFieldCount:
		extra = true
	case badShortMPRN:
		v[cMPRN] = append(v[cMPRN][:0], "12345"...)
	}
	for i, c := range f.order {
		if i > 0 {
			f.buf = append(f.buf, ',')
		}
		f.buf = append(f.buf, v[c]...)
	}
	if extra {
		f.buf = append(f.buf, ",surplus"...)
	}
	f.buf = f.eol(f.buf)
	if len(f.buf) >= 1<<20 {
		f.flush()
	}
}
