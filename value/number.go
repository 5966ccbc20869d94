package value

import (
	"strconv"
	"strings"
)

// Thousands prints n for people: its digits grouped in threes with commas
// (199769 -> "199,769", -1234 -> "-1,234"). It is for what people read (the
// terminal summary, summary.md, the HTML pages), never for CSV, JSON or
// Parquet, whose numbers are plain digits.
func Thousands[T ~int | ~int32 | ~int64 | ~uint32 | ~uint64](n T) string {
	var s string
	if n < 0 {
		s = strconv.FormatUint(uint64(-int64(n)), 10)
	} else {
		s = strconv.FormatUint(uint64(n), 10)
	}
	b := make([]byte, 0, len(s)+len(s)/3+1)
	if n < 0 {
		b = append(b, '-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}

// ThousandsFloat prints x for people with prec digits after the point and
// its whole part grouped as Thousands does (1234567.891, 1 ->
// "1,234,567.9").
func ThousandsFloat(x float64, prec int) string {
	s := strconv.FormatFloat(x, 'f', prec, 64)
	whole, frac, dot := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	w, err := strconv.ParseUint(strings.TrimPrefix(whole, "-"), 10, 64)
	if err != nil { // beyond uint64, or not a number: left as printed
		return s
	}
	out := Thousands(w)
	if neg {
		out = "-" + out
	}
	if dot {
		out += "." + frac
	}
	return out
}
