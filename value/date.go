package value

// Date is a calendar date as days since 0001-01-01 (proleptic Gregorian).
// Printed, it is YYYY-MM-DD.
type Date int32

// MakeDate returns the Date of a valid year, month and day.
func MakeDate(y, m, d int) Date {
	// Days from civil, shifted so that 0001-01-01 is day 0.
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return Date(era*146097 + doe - 306)
}

// Civil returns the year, month and day of the date.
func (d Date) Civil() (y, m, day int) {
	z := int(d) + 306
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, day
}

var daysIn = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// ParseDate parses YYYY-MM-DD, a real calendar date from 0001-01-01 on.
func ParseDate(b []byte) (Date, string) {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' || !allDigits(b[:4]) || !allDigits(b[5:7]) || !allDigits(b[8:]) {
		return 0, "must be YYYY-MM-DD"
	}
	y, m, d := int(digitsValue(b[:4])), int(digitsValue(b[5:7])), int(digitsValue(b[8:]))
	if y == 0 || m < 1 || m > 12 || d < 1 || d > daysIn[m] ||
		(m == 2 && d == 29 && !(y%4 == 0 && (y%100 != 0 || y%400 == 0))) {
		return 0, "is not a calendar date"
	}
	return MakeDate(y, m, d), ""
}

// Append appends the date as YYYY-MM-DD.
func (d Date) Append(b []byte) []byte {
	y, m, day := d.Civil()
	b = append(b, byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	return append(b, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+day/10), byte('0'+day%10))
}

// String returns the date as YYYY-MM-DD.
func (d Date) String() string { return string(d.Append(nil)) }
