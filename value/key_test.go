package value

import (
	"strings"
	"testing"
)

func TestParseMPAN(t *testing.T) {
	for _, m := range []struct{ in, want string }{
		{"1200023305967", "E1200023305967"},
		{"12-0002-3305-967", "E1200023305967"},
		{"01 801 A1B 1200023305967", "E1200023305967"},
		{"018011231200023305967", "E1200023305967"},
		{"01801a1b1200023305967", ""}, // LLFC letters must be capitals
		{"1200023305968", ""},
		{"E1200023305967", ""},
		{"", ""},
	} {
		k, p := ParseMPAN([]byte(m.in))
		if got := k.String(); got != m.want || (m.want == "") != (p != "") {
			t.Errorf("ParseMPAN(%q) = %q, %q; want %q", m.in, got, p, m.want)
		}
	}
}

func TestParseMPRN(t *testing.T) {
	for _, m := range []struct{ in, want string }{
		{"0012 345", "G0012345"},
		{"3365498706", "G3365498706"},
		{"12345", ""},
		{"12345678901", ""},
		{"12-3456", ""},
	} {
		if k, _ := ParseMPRN([]byte(m.in)); k.String() != m.want {
			t.Errorf("ParseMPRN(%q) = %q, want %q", m.in, k.String(), m.want)
		}
	}
}

// TestKeyOrder: Less is the byte order of the printed keys (group_id).
func TestKeyOrder(t *testing.T) {
	keys := []Key{MPRNKey(123456, 6), MPANKey(1200023305967), MPRNKey(7, 10), MPANKey(99)}
	for _, a := range keys {
		for _, b := range keys {
			if a.Less(b) != (a.String() < b.String()) {
				t.Errorf("%s.Less(%s) = %v", a, b, a.Less(b))
			}
		}
	}
}

// TestEmptyMPAN (FORMATS.md §1): a value of only spaces and '-' is an empty
// MPAN, no meter point; in registration data it is a missing MPxN.
func TestEmptyMPAN(t *testing.T) {
	for in, want := range map[string]bool{"": true, "-": true, " - ": true, "--  -": true, "-1": false, "1200023305967": false, "- 0": false} {
		if got := IsEmptyMPAN([]byte(in)); got != want {
			t.Errorf("IsEmptyMPAN(%q) = %v", in, got)
		}
	}
	for _, in := range []string{"-", " - - "} {
		if k, p := ParseMPxN([]byte(in)); k != 0 || p != "required value is missing" {
			t.Errorf("ParseMPxN(%q) = %v %q, want a missing value", in, k, p)
		}
	}
}

// TestMPxNLengthInCharacters: the registration file tells an MPAN from an
// MPRN by its length in characters (FORMATS.md §2): twelve digits and a
// two-byte character is a 13-character MPAN that is wrong, not an MPRN.
func TestMPxNLengthInCharacters(t *testing.T) {
	k, p := ParseMPxN([]byte("120002330596é"))
	if k != 0 || p == "" || strings.Contains(p, "MPRN") || strings.Contains(p, "6 to 10") {
		t.Fatalf("12 digits and é: %v %q, want an MPAN error", k, p)
	}
}
