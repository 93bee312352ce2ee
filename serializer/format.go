package serializer

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// FormatFloat returns Python's repr(f): the shortest digits that read back
// as f, always with a "." or an exponent (1.0, 1e+16, 1.5e-05, -0.0), and
// "nan", "inf" or "-inf" for the non-finite values.
func FormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	var buf [32]byte
	return string(appendPyFloat(buf[:0], f)) // the JSON codec's repr, shared
}

// ISOFormat returns Python's d.isoformat(): "YYYY-MM-DD".
func (d Date) ISOFormat() string {
	return string(appendISODate(make([]byte, 0, 10), d.Year, d.Month, d.Day))
}

// String returns Python's str(d), which is d.isoformat().
func (d Date) String() string { return d.ISOFormat() }

// ISOFormat returns Python's dt.isoformat(): "YYYY-MM-DDTHH:MM:SS", then
// ".ffffff" when the microsecond is not zero, then the UTC offset as
// "+HH:MM" (":SS" and ".ffffff" added when the offset has them) when dt is
// aware and its offset is known.
//
// The offset of a zoneinfo zone is computed with time.LoadLocation, as
// zoneinfo does for the wall time and fold (fold 0 takes the offset from
// before a transition, fold 1 the one after). The package does not embed
// the time zone database: when the zone cannot be loaded the error matches
// ErrUnsupported (a program can import time/tzdata to avoid that). A TZOther
// whose Offset is zero is taken to have an unknown offset, as the pickle of
// such a datetime does not say it, and gets none.
func (dt DateTime) ISOFormat() (string, error) {
	b := make([]byte, 0, 32)
	b = appendISODate(b, dt.Year, dt.Month, dt.Day)
	b = append(b, 'T')
	b = appendISOClock(b, dt.Hour, dt.Minute, dt.Second, dt.Microsecond)
	off, known, err := dt.utcOffset()
	if err != nil {
		return "", err
	}
	if known {
		b = appendISOOffset(b, off)
	}
	return string(b), nil
}

// ISOFormat returns Python's t.isoformat(): "HH:MM:SS", ".ffffff" when the
// microsecond is not zero, then the offset as DateTime.ISOFormat writes it
// when the tzinfo gives one without a date. As in Python, a timezone(...)
// and pytz.utc do; a zoneinfo zone does only when its offset never changes
// (ZoneInfo("UTC"), "Etc/GMT+5"; loading it may fail as for DateTime); a
// pytz zone does not (its utcoffset(None) is None).
func (t Time) ISOFormat() (string, error) {
	b := make([]byte, 0, 24)
	b = appendISOClock(b, t.Hour, t.Minute, t.Second, t.Microsecond)
	off, ok, err := t.utcOffset()
	if err != nil {
		return "", err
	}
	if ok {
		b = appendISOOffset(b, off)
	}
	return string(b), nil
}

// utcOffset is t.utcoffset() for a datetime.time: there is no date, so only
// offsets that never change are known.
func (t Time) utcOffset() (time.Duration, bool, error) {
	if t.TZ == nil {
		return 0, false, nil
	}
	switch t.TZ.Kind {
	case TZFixed:
		return t.TZ.Offset, true, nil
	case TZPytzUTC:
		return 0, true, nil
	case TZZoneInfo:
		loc, err := tzLoadZone(t.TZ.Name)
		if err != nil {
			return 0, false, err
		}
		off, fixed := tzFixedOffset(loc)
		return off, fixed, nil
	case TZOther:
		return t.TZ.Offset, t.TZ.Offset != 0, nil
	}
	return 0, false, nil
}

// UTCOffset returns dt.utcoffset(): ok is false for a naive datetime and for
// a TZOther whose offset is not known. The error matches ErrUnsupported when
// the zoneinfo zone cannot be loaded.
func (dt DateTime) UTCOffset() (offset time.Duration, ok bool, err error) {
	return dt.utcOffset()
}

func (dt DateTime) utcOffset() (time.Duration, bool, error) {
	tz := dt.TZ
	if tz == nil {
		return 0, false, nil
	}
	switch tz.Kind {
	case TZFixed, TZPytz:
		return tz.Offset, true, nil
	case TZPytzUTC:
		return 0, true, nil
	case TZZoneInfo:
		loc, err := tzLoadZone(tz.Name)
		if err != nil {
			return 0, false, err
		}
		return tzZoneOffset(loc, dt), true, nil
	case TZOther:
		return tz.Offset, tz.Offset != 0, nil
	}
	return 0, false, fmt.Errorf("%w: tzinfo kind %d", ErrUnsupported, tz.Kind)
}

func appendISODate(b []byte, y, m, d int) []byte {
	b = isoAppendPad(b, y, 4)
	b = append(b, '-')
	b = isoAppendPad(b, m, 2)
	b = append(b, '-')
	return isoAppendPad(b, d, 2)
}

func appendISOClock(b []byte, h, m, s, us int) []byte {
	b = isoAppendPad(b, h, 2)
	b = append(b, ':')
	b = isoAppendPad(b, m, 2)
	b = append(b, ':')
	b = isoAppendPad(b, s, 2)
	if us != 0 {
		b = append(b, '.')
		b = isoAppendPad(b, us, 6)
	}
	return b
}

// appendISOOffset writes a utcoffset as isoformat does: ±HH:MM[:SS[.ffffff]].
// Sub-microsecond parts (which Python cannot hold) are dropped.
func appendISOOffset(b []byte, off time.Duration) []byte {
	if off < 0 {
		b = append(b, '-')
		off = -off
	} else {
		b = append(b, '+')
	}
	us := int64(off / time.Microsecond)
	secs := us / 1e6
	us %= 1e6
	b = isoAppendPad(b, int(secs/3600), 2)
	b = append(b, ':')
	b = isoAppendPad(b, int(secs/60%60), 2)
	if secs%60 != 0 || us != 0 {
		b = append(b, ':')
		b = isoAppendPad(b, int(secs%60), 2)
		if us != 0 {
			b = append(b, '.')
			b = isoAppendPad(b, int(us), 6)
		}
	}
	return b
}

// isoAppendPad writes n in decimal, zero-padded to width digits (as "%0*d").
func isoAppendPad(b []byte, n, width int) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
		width--
	}
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// parseISODateTime reads the wall-clock fields of Python's isoformat output
// (or fromisoformat input): "YYYY-MM-DD", "T" or " ", "HH:MM[:SS[.f{1,6}]]"
// and an optional offset ("Z" or ±HH:MM[:SS[.f{1,6}]]), which is checked for
// syntax and returned.
func parseISODateTime(s string) (dt DateTime, off time.Duration, hasOff bool, err error) {
	p := isoParser{s: s}
	dt.Year, dt.Month, dt.Day = p.date()
	if p.err == nil && p.i < len(s) {
		if c := s[p.i]; c != 'T' && c != ' ' {
			p.fail("expected T")
		}
		p.i++
		dt.Hour, dt.Minute, dt.Second, dt.Microsecond = p.clock()
		off, hasOff = p.offset()
	}
	p.end()
	return dt, off, hasOff, p.err
}

// parseISODate reads "YYYY-MM-DD".
func parseISODate(s string) (Date, error) {
	p := isoParser{s: s}
	var d Date
	d.Year, d.Month, d.Day = p.date()
	p.end()
	return d, p.err
}

// parseISOTime reads "HH:MM[:SS[.f{1,6}]]" and an optional offset.
func parseISOTime(s string) (t Time, err error) {
	p := isoParser{s: s}
	t.Hour, t.Minute, t.Second, t.Microsecond = p.clock()
	p.offset()
	p.end()
	return t, p.err
}

type isoParser struct {
	s   string
	i   int
	err error
}

func (p *isoParser) fail(what string) {
	if p.err == nil {
		p.err = fmt.Errorf("%w: isoformat %q: %s at offset %d", ErrMalformed, p.s, what, p.i)
	}
}

// num reads exactly n digits.
func (p *isoParser) num(n int) int {
	if p.err != nil {
		return 0
	}
	v := 0
	for k := 0; k < n; k++ {
		if p.i >= len(p.s) || p.s[p.i] < '0' || p.s[p.i] > '9' {
			p.fail(fmt.Sprintf("expected %d digits", n))
			return 0
		}
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
	}
	return v
}

func (p *isoParser) lit(c byte) {
	if p.err != nil {
		return
	}
	if p.i >= len(p.s) || p.s[p.i] != c {
		p.fail(fmt.Sprintf("expected %q", c))
		return
	}
	p.i++
}

func (p *isoParser) peek(c byte) bool {
	return p.err == nil && p.i < len(p.s) && p.s[p.i] == c
}

func (p *isoParser) end() {
	if p.err == nil && p.i != len(p.s) {
		p.fail("unexpected text")
	}
}

func (p *isoParser) date() (y, m, d int) {
	y = p.num(4)
	p.lit('-')
	m = p.num(2)
	p.lit('-')
	d = p.num(2)
	if p.err == nil && !isoValidDate(y, m, d) {
		p.fail("date out of range")
	}
	return y, m, d
}

// clock reads HH:MM[:SS[.ffffff]]; the microsecond part takes 1 to 6 digits.
func (p *isoParser) clock() (h, m, s, us int) {
	h = p.num(2)
	p.lit(':')
	m = p.num(2)
	if p.peek(':') {
		p.i++
		s = p.num(2)
		us = p.fraction()
	}
	if p.err == nil && (h > 23 || m > 59 || s > 59) {
		p.fail("time out of range")
	}
	return h, m, s, us
}

// fraction reads an optional "." and 1 to 6 digits, as microseconds.
func (p *isoParser) fraction() int {
	if !p.peek('.') {
		return 0
	}
	p.i++
	us, n := 0, 0
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' && n < 6 {
		us = us*10 + int(p.s[p.i]-'0')
		p.i++
		n++
	}
	if n == 0 {
		p.fail("expected digits")
	}
	for ; n < 6; n++ {
		us *= 10
	}
	return us
}

func (p *isoParser) offset() (time.Duration, bool) {
	if p.err != nil || p.i >= len(p.s) {
		return 0, false
	}
	sign := time.Duration(1)
	switch p.s[p.i] {
	case 'Z':
		p.i++
		return 0, true
	case '+':
	case '-':
		sign = -1
	default:
		p.fail("expected offset")
		return 0, false
	}
	p.i++
	h := p.num(2)
	p.lit(':')
	m := p.num(2)
	s, us := 0, 0
	if p.peek(':') {
		p.i++
		s = p.num(2)
		us = p.fraction()
	}
	if p.err == nil && (h > 23 || m > 59 || s > 59) {
		p.fail("offset out of range")
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(us)*time.Microsecond
	return sign * d, true
}

// isoValidDate reports whether y-m-d is a date Python's datetime.date accepts.
func isoValidDate(y, m, d int) bool {
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= isoDaysIn(y, m)
}

func isoDaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// ParseISODateTime reads what Python's datetime.fromisoformat reads in the
// forms isoformat writes: "YYYY-MM-DD[(T| )HH:MM[:SS[.ffffff]][±HH:MM|Z]]".
// An offset gives an aware DateTime with a fixed-offset tzinfo (UTC for a
// zero offset, as datetime.timezone.utc); without one it is naive.
func ParseISODateTime(s string) (DateTime, error) {
	dt, off, hasOff, err := parseISODateTime(s)
	if err != nil {
		return DateTime{}, err
	}
	if hasOff {
		if off == 0 {
			dt.TZ = UTC
		} else {
			dt.TZ = &TZInfo{Kind: TZFixed, Offset: off}
		}
	}
	return dt, nil
}
