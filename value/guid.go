package value

// GUID is a device's EUI-64. Printed, it is 16 upper-case hex digits with
// no separators (000D6F0000AB1234).
type GUID uint64

// hexTable maps a byte to its hex value, or 0xff.
var hexTable = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = byte(c-'a') + 10
	}
	return t
}()

// ParseGUID normalises an EUI-64: 16 hex digits in any case, either plain or
// as eight pairs separated by '-' or ':'.
func ParseGUID(b []byte) (GUID, string) {
	var step int
	switch len(b) {
	case 16:
		step = 2
	case 23:
		step = 3
	default:
		return 0, "must be 16 hex digits, optionally in pairs separated by - or :"
	}
	var v uint64
	for i := 0; i < len(b); i += step {
		if step == 3 && i > 0 && b[i-1] != '-' && b[i-1] != ':' {
			return 0, "pairs must be separated by - or :"
		}
		hi, lo := hexTable[b[i]], hexTable[b[i+1]]
		if hi|lo == 0xff || hi > 15 || lo > 15 {
			return 0, "must be hex digits"
		}
		v = v<<8 | uint64(hi)<<4 | uint64(lo)
	}
	return GUID(v), ""
}

// Append appends the printed GUID.
func (g GUID) Append(b []byte) []byte {
	const hexdigits = "0123456789ABCDEF"
	for s := 60; s >= 0; s -= 4 {
		b = append(b, hexdigits[uint64(g)>>uint(s)&0xf])
	}
	return b
}

// String returns the printed GUID.
func (g GUID) String() string { return string(g.Append(nil)) }
