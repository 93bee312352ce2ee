package sqlstore

import (
	"errors"
	"fmt"
	"time"
)

// ErrBadDateTime is returned for an expire_date value that is not a
// datetime Django could have written.
var ErrBadDateTime = errors.New("expire_date is not a datetime")

// ErrDateRange is returned for an expiry outside Python's datetime range
// (years 1 to 9999), which Django cannot store either.
var ErrDateRange = errors.New("expiry outside years 1-9999")

// FormatNaive is Django's str(datetime) of t's wall clock in loc, the text
// Django's SQLite and MySQL backends send for a datetime:
// "YYYY-MM-DD HH:MM:SS", with ".ffffff" when the microseconds are not zero.
// Nanoseconds below a microsecond are dropped, as a Python datetime has
// none.
func FormatNaive(t time.Time, loc *time.Location) (string, error) {
	b, err := AppendNaive(make([]byte, 0, 26), t, loc)
	return string(b), err
}

// AppendNaive appends FormatNaive(t, loc) to b.
func AppendNaive(b []byte, t time.Time, loc *time.Location) ([]byte, error) {
	t = t.In(loc)
	year, month, day := t.Date()
	if year < 1 || year > 9999 {
		return b, ErrDateRange
	}
	hour, min, sec := t.Clock()
	b = appendDigits(b, year, 4)
	b = append(b, '-')
	b = appendDigits(b, int(month), 2)
	b = append(b, '-')
	b = appendDigits(b, day, 2)
	b = append(b, ' ')
	b = appendDigits(b, hour, 2)
	b = append(b, ':')
	b = appendDigits(b, min, 2)
	b = append(b, ':')
	b = appendDigits(b, sec, 2)
	if us := t.Nanosecond() / 1000; us != 0 {
		b = append(b, '.')
		b = appendDigits(b, us, 6)
	}
	return b, nil
}

func appendDigits(b []byte, v, width int) []byte {
	var buf [8]byte
	i := len(buf)
	for ; width > 0 || v > 0; width-- {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, buf[i:]...)
}

// ParseNaive reads a datetime as Django's SQLite and MySQL backends store
// it: "YYYY-MM-DD HH:MM:SS[.f]" (a 'T' may replace the space, the
// fraction has 1 to 9 digits). A naive value is a wall clock in loc; one
// with a UTC offset ("+HH:MM", "-HH:MM" or "Z") is that instant.
func ParseNaive(s string, loc *time.Location) (time.Time, error) {
	bad := func() (time.Time, error) {
		if len(s) > 40 {
			s = s[:40] + "..."
		}
		return time.Time{}, fmt.Errorf("%w: %q", ErrBadDateTime, s)
	}
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return bad()
	}
	var f [6]int
	for i, p := range [6][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		n, ok := digits(s[p[0]:p[1]])
		if !ok {
			return bad()
		}
		f[i] = n
	}
	rest := s[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		j := 1
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 1 || j > 10 {
			return bad()
		}
		n, _ := digits(rest[1:j])
		for k := j - 1; k < 9; k++ {
			n *= 10
		}
		nsec, rest = n, rest[j:]
	}
	if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > daysIn(f[0], f[1]) || f[0] < 1 || f[3] > 23 || f[4] > 59 || f[5] > 59 {
		return bad()
	}
	zone := loc
	switch {
	case rest == "":
	case rest == "Z":
		zone = time.UTC
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		h, ok1 := digits(rest[1:3])
		m, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || h > 23 || m > 59 {
			return bad()
		}
		off := h*3600 + m*60
		if rest[0] == '-' {
			off = -off
		}
		zone = time.FixedZone("", off)
	default:
		return bad()
	}
	return time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], nsec, zone), nil
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, len(s) > 0
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// NaiveValue reads an expire_date as a database/sql driver returns it: text
// (string or []byte) for ParseNaive, or a time.Time the driver parsed. A
// driver gives the naive text its wall clock in a location of its own
// (UTC, Local, or one from its DSN), which is read again in loc; a time
// in an unnamed fixed zone came from text with an offset and is that
// instant.
func NaiveValue(v any, loc *time.Location) (time.Time, error) {
	switch x := v.(type) {
	case string:
		return ParseNaive(x, loc)
	case []byte:
		return ParseNaive(string(x), loc)
	case time.Time:
		if x.Location().String() == "" {
			return x.In(loc), nil
		}
		y, mo, d := x.Date()
		h, mi, s := x.Clock()
		return time.Date(y, mo, d, h, mi, s, x.Nanosecond(), loc), nil
	}
	return time.Time{}, fmt.Errorf("%w: a %T", ErrBadDateTime, v)
}
