package value

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 199769: "199,769", 1234567: "1,234,567",
		-1: "-1", -1234: "-1,234", -999999: "-999,999", math.MaxInt64: "9,223,372,036,854,775,807", math.MinInt64: "-9,223,372,036,854,775,808"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
	// Derived another way: removing the commas gives the plain digits back,
	// and every group after the first has three digits.
	for n := uint64(1); n < 1<<62; n = n*7 + 3 {
		s := Thousands(n)
		if strings.ReplaceAll(s, ",", "") != strconv.FormatUint(n, 10) {
			t.Fatalf("Thousands(%d) = %q", n, s)
		}
		groups := strings.Split(s, ",")
		for _, g := range groups[1:] {
			if len(g) != 3 {
				t.Fatalf("Thousands(%d) = %q: a group of %d digits", n, s, len(g))
			}
		}
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			t.Fatalf("Thousands(%d) = %q", n, s)
		}
	}
}

func TestThousandsFloat(t *testing.T) {
	for _, c := range []struct {
		x    float64
		prec int
		want string
	}{{1234567.891, 1, "1,234,567.9"}, {0.04, 1, "0.0"}, {999.96, 1, "1,000.0"}, {-1234.5, 0, "-1,234"}, {12, 2, "12.00"},
		{math.Inf(1), 1, "+Inf"}} {
		if got := ThousandsFloat(c.x, c.prec); got != c.want {
			t.Errorf("ThousandsFloat(%v, %d) = %q, want %q", c.x, c.prec, got, c.want)
		}
	}
}
