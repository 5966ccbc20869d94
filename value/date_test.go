package value

import "testing"

func TestDateRoundTrip(t *testing.T) {
	for _, d := range []Date{MakeDate(1, 1, 1), MakeDate(2000, 2, 29), MakeDate(2019, 12, 31), MakeDate(9999, 12, 31)} {
		y, m, day := d.Civil()
		if MakeDate(y, m, day) != d {
			t.Errorf("%v: civil %d-%d-%d does not round trip", d, y, m, day)
		}
		if p, msg := ParseDate([]byte(d.String())); msg != "" || p != d {
			t.Errorf("ParseDate(%s) = %v %q", d, p, msg)
		}
	}
	if MakeDate(1, 1, 1) != 0 || MakeDate(2020, 3, 1)-MakeDate(2020, 2, 28) != 2 {
		t.Error("day arithmetic is off")
	}
}
