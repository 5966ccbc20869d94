package value

import "testing"

// BenchmarkParse measures each parser of the package on a typical value;
// MB/s is of the input.
func BenchmarkParse(b *testing.B) {
	for _, c := range []struct {
		name, in string
		parse    func([]byte) string
	}{
		{"MPAN core", "1200023305967", func(v []byte) string { _, p := ParseMPAN(v); return p }},
		{"MPAN full", "01 801 A1B 1200023305967", func(v []byte) string { _, p := ParseMPAN(v); return p }},
		{"MPRN", "3365498706", func(v []byte) string { _, p := ParseMPRN(v); return p }},
		{"GUID", "000d6f0000ab1234", func(v []byte) string { _, p := ParseGUID(v); return p }},
		{"GUID pairs", "00-0D-6F-00-00-AB-12-34", func(v []byte) string { _, p := ParseGUID(v); return p }},
		{"date", "2019-03-07", func(v []byte) string { _, p := ParseDate(v); return p }},
		{"attempts", "108", func(v []byte) string { _, p := ParseAttempts(v); return p }},
	} {
		b.Run(c.name, func(b *testing.B) {
			v := []byte(c.in)
			b.SetBytes(int64(len(v)))
			b.ReportAllocs()
			for b.Loop() {
				if p := c.parse(v); p != "" {
					b.Fatal(p)
				}
			}
		})
	}
}

// BenchmarkAppend measures the printers.
func BenchmarkAppend(b *testing.B) {
	buf := make([]byte, 0, 32)
	for _, c := range []struct {
		name string
		f    func([]byte) []byte
	}{
		{"key", MPANKey(1200023305967).Append},
		{"GUID", GUID(0x000D6F0000AB1234).Append},
		{"date", MakeDate(2019, 3, 7).Append},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf = c.f(buf[:0])
			}
		})
	}
}
