package value

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	mpanRef = regexp.MustCompile(`^([0-9]{2}[0-9]{3}[0-9A-Z]{3})?([0-9]{13})$`)
	guidRef = regexp.MustCompile(`^[0-9A-Fa-f]{2}([-:]?[0-9A-Fa-f]{2}){7}$`)
)

// FuzzNormalisers checks the MPAN, MPRN and GUID normalisers against plain
// reference readings of FORMATS.md.
func FuzzNormalisers(f *testing.F) {
	for _, s := range []string{"1200023305967", "01 801 A1B 1200023305967", "00-0D-6F-00-00-AB-12-34", "3365498706", "12 34 56", "000d6f0000ab1234",
		"2020-02-29", "2019-02-29", "0000-01-01", "2019-2-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// MPAN: strip spaces and dashes, then the regexp and the check digit.
		clean := strings.NewReplacer(" ", "", "-", "").Replace(s)
		want := ""
		if m := mpanRef.FindStringSubmatch(clean); m != nil && MPANCheckDigit([]byte(m[2])) == m[2][12] {
			want = "E" + m[2]
		}
		k, p := ParseMPAN([]byte(s))
		if k.String() != want || (want == "") != (p != "") {
			t.Fatalf("ParseMPAN(%q) = %q %q, reference %q", s, k.String(), p, want)
		}
		// MPRN: 6-10 digits once spaces are gone.
		digits := strings.ReplaceAll(s, " ", "")
		want = ""
		if len(digits) >= 6 && len(digits) <= 10 && allDigits([]byte(digits)) {
			want = "G" + digits
		}
		if k, _ := ParseMPRN([]byte(s)); k.String() != want {
			t.Fatalf("ParseMPRN(%q) = %q, reference %q", s, k.String(), want)
		}
		// Date: what time.Parse accepts as 2006-01-02, from year 1 on, with
		// two-digit months and days.
		_, terr := time.Parse("2006-01-02", s)
		wantDate := terr == nil && len(s) == 10 && s[:4] != "0000"
		if d, p := ParseDate([]byte(s)); (p == "") != wantDate || (wantDate && d.String() != s) {
			t.Fatalf("ParseDate(%q) = %v %q, time.Parse accepts: %v", s, d, p, wantDate)
		}
		// MPxN: an MPAN when 13 or 21 characters once spaces and '-' are
		// gone, else an MPRN.
		if k, p := ParseMPxN([]byte(s)); p == "" {
			if len(clean) == 13 || len(clean) == 21 {
				if m, _ := ParseMPAN([]byte(s)); m != k {
					t.Fatalf("ParseMPxN(%q) = %s, ParseMPAN %s", s, k, m)
				}
			} else if m, _ := ParseMPRN([]byte(s)); m != k {
				t.Fatalf("ParseMPxN(%q) = %s, ParseMPRN %s", s, k, m)
			}
		}
		// GUID: plain, or pairs all separated.
		ok := guidRef.MatchString(s) && (len(s) == 16 || len(s) == 23)
		g, p := ParseGUID([]byte(s))
		if ok != (p == "") {
			t.Fatalf("ParseGUID(%q) accepted=%v, reference %v", s, p == "", ok)
		}
		if ok {
			hex := strings.ToUpper(strings.NewReplacer("-", "", ":", "").Replace(s))
			if got := g.String(); got != hex {
				t.Fatalf("ParseGUID(%q) = %s, want %s", s, got, hex)
			}
		}
	})
}
