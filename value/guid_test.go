package value

import "testing"

func TestParseGUID(t *testing.T) {
	for _, g := range []struct{ in, want string }{
		{"000d6f0000ab1234", "000D6F0000AB1234"},
		{"00-0D-6F-00-00-AB-12-34", "000D6F0000AB1234"},
		{"00:0d:6f:00:00:ab:12:34", "000D6F0000AB1234"},
		{"000D6F0000AB12345", ""},
		{"00-0D-6F-00-00-AB-1234", ""},
		{"000D6F0000AB123G", ""},
	} {
		v, p := ParseGUID([]byte(g.in))
		got := ""
		if p == "" {
			got = v.String()
		}
		if got != g.want {
			t.Errorf("ParseGUID(%q) = %q (%s), want %q", g.in, got, p, g.want)
		}
	}
}
