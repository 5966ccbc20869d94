package value

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

func TestAppendCSVFieldRoundTrips(t *testing.T) {
	for _, s := range []string{"", "plain", "a,b", `say "hi"`, "two\nlines", "cr\r", " lead", "trail ", "ünïcode"} {
		line := string(AppendCSVField(nil, s)) + ",x\n"
		rec, err := csv.NewReader(strings.NewReader(line)).Read()
		if err != nil || len(rec) != 2 || rec[0] != s {
			t.Errorf("%q -> %q -> %q, %v", s, line, rec, err)
		}
	}
}

func TestAppendJSONStringIsValidJSON(t *testing.T) {
	for _, s := range []string{"", `back\slash`, `"q"`, "tab\tnl\n\x01", "ünïcode", "bad \xff byte"} {
		var got string
		b := AppendJSONString(nil, s)
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q -> %s: %v", s, b, err)
		}
		if want := strings.ToValidUTF8(s, "\uFFFD"); got != want {
			t.Errorf("%q -> %s -> %q", s, b, got)
		}
	}
}
