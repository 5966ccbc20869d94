package value

// ParsePrintedKey reads a key as Key.Append prints it: "E" and 13 digits
// (an MPAN core), or "G" and 6 to 10 digits (an MPRN); "" is the zero Key.
// An MPAN's check digit is checked too. It returns a message when s is
// not such a key.
func ParsePrintedKey(s string) (Key, string) {
	switch {
	case s == "":
		return 0, ""
	case s[0] == 'E' && len(s) == 14 && allDigits([]byte(s[1:])):
		if d := MPANCheckDigit([]byte(s[1:13])); d != s[13] {
			return 0, "the MPAN's check digit is " + s[13:] + ", expected " + string(d)
		}
		return MPANKey(digitsValue([]byte(s[1:]))), ""
	case s[0] == 'G' && len(s) >= 7 && len(s) <= 11 && allDigits([]byte(s[1:])):
		return MPRNKey(digitsValue([]byte(s[1:])), len(s)-1), ""
	}
	return 0, "not a printed MPAN (E and 13 digits) or MPRN (G and 6 to 10 digits)"
}
