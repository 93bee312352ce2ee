package serializer

import (
	"fmt"
	"math"
	"math/big"
	"time"
)

// Typed accessors for a decoded session. Each returns ok == false when the
// key is missing or the value is not of the type asked for; none converts
// between Python types except where its comment says so.

// String returns d[key] when it is a str. A str holding lone surrogates is
// returned as its bytes (see Str), which are then not valid UTF-8.
func (d *Dict) String(key string) (string, bool) {
	v, _ := d.GetStr(key)
	return AsString(v)
}

// Int64 returns d[key] when it is an int that fits in an int64. A bool is
// not an int here, nor is a float.
func (d *Dict) Int64(key string) (int64, bool) {
	v, _ := d.GetStr(key)
	return AsInt64(v)
}

// Float64 returns d[key] when it is a float, or an int that a float64 holds
// exactly.
func (d *Dict) Float64(key string) (float64, bool) {
	v, _ := d.GetStr(key)
	return AsFloat64(v)
}

// Bool returns d[key] when it is a bool.
func (d *Dict) Bool(key string) (bool, bool) {
	v, _ := d.GetStr(key)
	return AsBool(v)
}

// Time returns d[key] when it is a datetime.datetime, as AsTime converts it.
// A str holding an ISO 8601 date is not converted.
func (d *Dict) Time(key string) (time.Time, bool) {
	v, _ := d.GetStr(key)
	return AsTime(v)
}

// Dict returns d[key] when it is a dict.
func (d *Dict) Dict(key string) (*Dict, bool) {
	v, _ := d.GetStr(key)
	return AsDict(v)
}

// List returns d[key] when it is a list (not a tuple or set).
func (d *Dict) List(key string) (List, bool) {
	v, _ := d.GetStr(key)
	return AsList(v)
}

// AsString returns v's text when v is a Str.
func AsString(v Value) (string, bool) {
	s, ok := v.(Str)
	return string(s), ok
}

// AsInt64 returns v when it is an Int. BigInt (out of int64 range by
// construction), Bool and Float give false.
func AsInt64(v Value) (int64, bool) {
	i, ok := v.(Int)
	return int64(i), ok
}

// AsFloat64 returns v when it is a Float, and an Int or BigInt converted when
// the conversion is exact.
func AsFloat64(v Value) (float64, bool) {
	switch v := v.(type) {
	case Float:
		return float64(v), true
	case Int:
		f := float64(v)
		if f >= -(1<<63) && f < 1<<63 && int64(f) == int64(v) {
			return f, true
		}
	case BigInt:
		if v.V == nil {
			return 0, true
		}
		f, acc := new(big.Float).SetInt(v.V).Float64()
		if acc == big.Exact && !math.IsInf(f, 0) {
			return f, true
		}
	}
	return 0, false
}

// AsBool returns v when it is a Bool.
func AsBool(v Value) (bool, bool) {
	b, ok := v.(Bool)
	return bool(b), ok
}

// AsTime returns v as a time.Time when it is a DateTime (see DateTime.Time).
// It gives false when v's zoneinfo zone cannot be loaded.
func AsTime(v Value) (time.Time, bool) {
	dt, ok := v.(DateTime)
	if !ok {
		return time.Time{}, false
	}
	return dt.timeOK()
}

// AsDict returns v when it is a non-nil *Dict.
func AsDict(v Value) (*Dict, bool) {
	d, ok := v.(*Dict)
	return d, ok && d != nil
}

// AsList returns v when it is a List.
func AsList(v Value) (List, bool) {
	l, ok := v.(List)
	return l, ok
}

// Time returns dt as a time.Time. A naive datetime's wall clock is read as
// UTC. An aware one gives the same instant as Python's dt.timestamp(), in a
// location that shows its offset: the zone itself for zoneinfo, time.UTC for
// a zero fixed offset and pytz.utc, a fixed zone otherwise (named after the
// timezone's name or the pytz abbreviation). When a zoneinfo zone cannot be
// loaded, the wall clock is read as UTC; use AsTime to detect that.
func (dt DateTime) Time() time.Time {
	t, _ := dt.timeOK()
	return t
}

func (dt DateTime) timeOK() (time.Time, bool) {
	wall := time.Date(dt.Year, time.Month(dt.Month), dt.Day, dt.Hour, dt.Minute, dt.Second,
		dt.Microsecond*1000, time.UTC)
	tz := dt.TZ
	if tz == nil {
		return wall, true
	}
	var loc *time.Location
	var off time.Duration
	switch tz.Kind {
	case TZZoneInfo:
		l, err := tzLoadZone(tz.Name)
		if err != nil {
			return wall, false
		}
		loc, off = l, tzZoneOffset(l, dt)
	case TZPytzUTC:
		return wall, true
	case TZPytz:
		off = tz.Offset
		loc = time.FixedZone(tz.Abbrev, int(off/time.Second))
	default: // TZFixed, TZOther
		off = tz.Offset
		if off == 0 && tz.Name == "" {
			return wall, true
		}
		loc = time.FixedZone(tz.Name, int(off/time.Second))
	}
	return wall.Add(-off).In(loc), true
}

// DateTimeOf returns t as an aware DateTime with t's wall clock, truncated
// to the microsecond, and a fixed-offset tzinfo: UTC (datetime.timezone.utc)
// when t's offset is zero, datetime.timezone(offset) otherwise. The zone's
// name is not kept. Years outside 1–9999 give a DateTime that Python cannot
// hold and the codecs refuse.
func DateTimeOf(t time.Time) DateTime {
	_, off := t.Zone()
	tz := UTC
	if off != 0 {
		tz = &TZInfo{Kind: TZFixed, Offset: time.Duration(off) * time.Second}
	}
	return DateTime{
		Year: t.Year(), Month: int(t.Month()), Day: t.Day(),
		Hour: t.Hour(), Minute: t.Minute(), Second: t.Second(),
		Microsecond: t.Nanosecond() / 1000,
		TZ:          tz,
	}
}

// Duration returns td as a time.Duration, saturated at the Duration's range
// (about ±292 years; a timedelta reaches ±999999999 days).
func (td TimeDelta) Duration() time.Duration {
	const maxDays = math.MaxInt64 / (86400 * int64(time.Second))
	if td.Days > maxDays || td.Days < -maxDays {
		if td.Days < 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	d := td.Days * 86400 * int64(time.Second)
	rest := td.Seconds*int64(time.Second) + td.Microseconds*int64(time.Microsecond)
	if (rest > 0 && d > math.MaxInt64-rest) || (rest < 0 && d < math.MinInt64-rest) {
		if rest < 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	return time.Duration(d + rest)
}

// TimeDeltaOf returns d as a timedelta normalized as Python does (days may
// be negative; 0 <= seconds < 86400; 0 <= microseconds < 1000000). d is
// rounded to the microsecond, ties to even, as
// timedelta(microseconds=d/1000) would round.
func TimeDeltaOf(d time.Duration) TimeDelta {
	us := int64(d / time.Microsecond)
	r := int64(d % time.Microsecond)
	if r < 0 {
		r = -r
	}
	if r > 500 || (r == 500 && us%2 != 0) {
		if d < 0 {
			us--
		} else {
			us++
		}
	}
	return tdFromMicros(us)
}

func tdFromMicros(us int64) TimeDelta {
	const perDay = 86400 * 1e6
	days := us / perDay
	rem := us % perDay
	if rem < 0 {
		days--
		rem += perDay
	}
	return TimeDelta{Days: days, Seconds: rem / 1e6, Microseconds: rem % 1e6}
}

// String returns the UUID in Python's str(uuid) form:
// 8-4-4-4-12 lowercase hex digits.
func (u UUID) String() string {
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 36)
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[c>>4], hex[c&0xF])
	}
	return string(b)
}

// ParseUUID reads a UUID as Python's uuid.UUID(s) does: "urn:" and "uuid:"
// are removed, then braces at either end and every hyphen, and 32 hex
// digits (either case) must remain. It is stricter than Python in one way:
// Python then reads the 32 characters with int(s, 16), which also takes a
// sign, a 0x prefix, underscores and spaces; those are refused here. Errors
// match ErrMalformed.
func ParseUUID(s string) (UUID, error) {
	var u UUID
	h := make([]byte, 0, 32)
	t := uuidRemoveAll(uuidRemoveAll(s, "urn:"), "uuid:")
	for len(t) > 0 && (t[0] == '{' || t[0] == '}') {
		t = t[1:]
	}
	for len(t) > 0 && (t[len(t)-1] == '{' || t[len(t)-1] == '}') {
		t = t[:len(t)-1]
	}
	for i := 0; i < len(t); i++ {
		if t[i] != '-' {
			h = append(h, t[i])
		}
	}
	if len(h) != 32 {
		return u, fmt.Errorf("%w: uuid %q: badly formed hexadecimal UUID string", ErrMalformed, s)
	}
	for i := range u {
		hi, ok1 := tgUnhex(h[2*i])
		lo, ok2 := tgUnhex(h[2*i+1])
		if !ok1 || !ok2 {
			return u, fmt.Errorf("%w: uuid %q: badly formed hexadecimal UUID string", ErrMalformed, s)
		}
		u[i] = hi<<4 | lo
	}
	return u, nil
}

func uuidRemoveAll(s, sub string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if len(s)-i >= len(sub) && s[i:i+len(sub)] == sub {
			i += len(sub)
			continue
		}
		out = append(out, s[i])
		i++
	}
	return string(out)
}

func tgUnhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
