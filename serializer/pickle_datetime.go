package serializer

import (
	"math/big"
	"sync"
	"time"
)

// The datetime module's pickles: a class REDUCEd with its state bytes (and
// tzinfo), and the tzinfo classes Django's dependencies pickle.

// pkLatin1State returns a datetime state argument as bytes: bytes, or a str
// of Latin-1 characters (a Python 2 str read as text).
func pkLatin1State(v Value, size int) ([]byte, bool) {
	switch s := v.(type) {
	case Bytes:
		if len(s) == size {
			return s, true
		}
	case Str:
		rs := pkCodePoints(string(s))
		if len(rs) != size {
			return nil, false
		}
		b := make([]byte, size)
		for i, r := range rs {
			if r > 0xFF {
				return nil, false
			}
			b[i] = byte(r)
		}
		return b, true
	}
	return nil, false
}

// pkInts returns args as ints, when they all are small ints.
func pkInts(args []Value) ([]int, bool) {
	out := make([]int, len(args))
	for i, a := range args {
		n, ok := a.(Int)
		if !ok || n < -1<<31 || n > 1<<31 {
			return nil, false
		}
		out[i] = int(n)
	}
	return out, true
}

func pkDaysIn(y, m int) int {
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

func pkValidDate(y, m, d int) bool {
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= pkDaysIn(y, m)
}

func pkValidClock(h, m, s, us int) bool {
	return h >= 0 && h < 24 && m >= 0 && m < 60 && s >= 0 && s < 60 && us >= 0 && us < 1000000
}

// tzArg converts a datetime's or time's tzinfo argument.
func (d *pickleDecoder) tzArg(v Value) (*TZInfo, error) {
	switch v := v.(type) {
	case None:
		return nil, nil
	case *Object:
		return d.tzInfo(v)
	}
	return nil, d.errorf("bad tzinfo state arg: a %s", pkTypeName(v))
}

// reduceDateTime is datetime.datetime(state[, tzinfo]) or
// datetime.datetime(year, month, day[, hour, minute, second, microsecond[, tzinfo]]).
func (d *pickleDecoder) reduceDateTime(args Tuple) (Value, error) {
	if len(args) >= 1 && len(args) <= 2 {
		if b, ok := pkLatin1State(args[0], 10); ok && b[2]&0x7F >= 1 && b[2]&0x7F <= 12 {
			dt := DateTime{
				Year: int(b[0])<<8 | int(b[1]), Month: int(b[2] & 0x7F), Day: int(b[3]),
				Hour: int(b[4]), Minute: int(b[5]), Second: int(b[6]),
				Microsecond: int(b[7])<<16 | int(b[8])<<8 | int(b[9]),
			}
			if b[2]&0x80 != 0 {
				dt.Fold = 1
			}
			return d.finishDateTime(dt, args[1:])
		}
	}
	if len(args) >= 3 && len(args) <= 8 {
		n := min(len(args), 7)
		if f, ok := pkInts(args[:n]); ok {
			f = append(f, 0, 0, 0, 0)
			dt := DateTime{Year: f[0], Month: f[1], Day: f[2], Hour: f[3], Minute: f[4], Second: f[5], Microsecond: f[6]}
			return d.finishDateTime(dt, args[n:])
		}
	}
	return nil, d.errorf("datetime.datetime(%s)", pkArgTypes(args))
}

func (d *pickleDecoder) finishDateTime(dt DateTime, tz []Value) (Value, error) {
	if !pkValidDate(dt.Year, dt.Month, dt.Day) || !pkValidClock(dt.Hour, dt.Minute, dt.Second, dt.Microsecond) {
		return nil, d.errorf("datetime.datetime out of range: %d-%d-%d %d:%d:%d.%d", dt.Year, dt.Month, dt.Day, dt.Hour, dt.Minute, dt.Second, dt.Microsecond)
	}
	if len(tz) == 1 {
		var err error
		if dt.TZ, err = d.tzArg(tz[0]); err != nil {
			return nil, err
		}
	}
	return dt, nil
}

// reduceDate is datetime.date(state) or datetime.date(year, month, day).
func (d *pickleDecoder) reduceDate(args Tuple) (Value, error) {
	var dt Date
	if b, ok := pkLatin1State(pkFirst(args), 4); ok && len(args) == 1 && b[2] >= 1 && b[2] <= 12 {
		dt = Date{Year: int(b[0])<<8 | int(b[1]), Month: int(b[2]), Day: int(b[3])}
	} else if f, ok := pkInts(args); ok && len(args) == 3 {
		dt = Date{Year: f[0], Month: f[1], Day: f[2]}
	} else {
		return nil, d.errorf("datetime.date(%s)", pkArgTypes(args))
	}
	if !pkValidDate(dt.Year, dt.Month, dt.Day) {
		return nil, d.errorf("datetime.date out of range: %d-%d-%d", dt.Year, dt.Month, dt.Day)
	}
	return dt, nil
}

func pkFirst(args Tuple) Value {
	if len(args) == 0 {
		return nil
	}
	return args[0]
}

// reduceTime is datetime.time(state[, tzinfo]) or
// datetime.time([hour[, minute[, second[, microsecond[, tzinfo]]]]]).
func (d *pickleDecoder) reduceTime(args Tuple) (Value, error) {
	var t Time
	var tz []Value
	if b, ok := pkLatin1State(pkFirst(args), 6); ok && len(args) <= 2 && b[0]&0x7F < 24 {
		t = Time{Hour: int(b[0] & 0x7F), Minute: int(b[1]), Second: int(b[2]), Microsecond: int(b[3])<<16 | int(b[4])<<8 | int(b[5])}
		if b[0]&0x80 != 0 {
			t.Fold = 1
		}
		tz = args[1:]
	} else {
		n := min(len(args), 4)
		f, ok := pkInts(args[:n])
		if !ok || len(args) > 5 {
			return nil, d.errorf("datetime.time(%s)", pkArgTypes(args))
		}
		f = append(f, 0, 0, 0, 0)
		t = Time{Hour: f[0], Minute: f[1], Second: f[2], Microsecond: f[3]}
		tz = args[n:]
	}
	if !pkValidClock(t.Hour, t.Minute, t.Second, t.Microsecond) {
		return nil, d.errorf("datetime.time out of range: %d:%d:%d.%d", t.Hour, t.Minute, t.Second, t.Microsecond)
	}
	if len(tz) == 1 {
		var err error
		if t.TZ, err = d.tzArg(tz[0]); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// reduceTimeDelta is datetime.timedelta([days[, seconds[, microseconds]]]),
// normalized as timedelta() normalizes.
func (d *pickleDecoder) reduceTimeDelta(args Tuple) (Value, error) {
	if len(args) > 3 {
		return nil, d.unsupported("datetime.timedelta(%s)", pkArgTypes(args))
	}
	var f [3]*big.Int
	for i := range f {
		f[i] = new(big.Int)
		if i < len(args) {
			switch n := args[i].(type) {
			case Int:
				f[i].SetInt64(int64(n))
			case BigInt:
				if n.V != nil {
					f[i].Set(n.V)
				}
			default:
				return nil, d.unsupported("datetime.timedelta(%s)", pkArgTypes(args))
			}
		}
	}
	td, ok := pkNormTimeDelta(f[0], f[1], f[2])
	if !ok {
		return nil, d.errorf("datetime.timedelta out of range")
	}
	return td, nil
}

// pkNormTimeDelta normalizes days, seconds and microseconds as timedelta()
// does, and reports whether the result is in timedelta's range.
func pkNormTimeDelta(days, secs, us *big.Int) (TimeDelta, bool) {
	total := new(big.Int).Mul(days, big.NewInt(86400*1000000))
	total.Add(total, new(big.Int).Mul(secs, big.NewInt(1000000)))
	total.Add(total, us)
	dd, rem := new(big.Int).DivMod(total, big.NewInt(86400*1000000), new(big.Int))
	if !dd.IsInt64() || dd.Int64() > 999999999 || dd.Int64() < -999999999 {
		return TimeDelta{}, false
	}
	r := rem.Int64()
	return TimeDelta{Days: dd.Int64(), Seconds: r / 1000000, Microseconds: r % 1000000}, true
}

func pkTimeDeltaDuration(td TimeDelta) (time.Duration, bool) {
	const maxDays = int64(1<<63-1) / int64(24*time.Hour)
	if td.Days > maxDays || td.Days < -maxDays {
		return 0, false
	}
	return time.Duration(td.Days)*24*time.Hour + time.Duration(td.Seconds)*time.Second + time.Duration(td.Microseconds)*time.Microsecond, true
}

// tzInfo converts the tzinfo object of a datetime or time. The TZInfo is
// made once per object, so that datetimes that shared a tzinfo share it.
func (d *pickleDecoder) tzInfo(o *Object) (*TZInfo, error) {
	if tz, ok := d.tzCache[o]; ok {
		return tz, nil
	}
	tz := pkTZInfo(o)
	if d.tzCache == nil {
		d.tzCache = make(map[*Object]*TZInfo)
	}
	d.tzCache[o] = tz
	return tz, nil
}

func pkTZInfo(o *Object) *TZInfo {
	other := &TZInfo{Kind: TZOther, Raw: o}
	if o.Build != BuildReduce || o.State != nil || o.ListItems != nil || o.DictItems != nil {
		return other
	}
	args := o.Args
	switch pkPython3Name(o.Module, o.Name) {
	case pkGlobalName{"datetime", "timezone"}:
		td, ok := pkFirst(args).(TimeDelta)
		if !ok || len(args) > 2 {
			return other
		}
		off, ok := pkTimeDeltaDuration(td)
		if !ok || off <= -24*time.Hour || off >= 24*time.Hour {
			return other
		}
		if len(args) == 1 {
			if off == 0 {
				return UTC
			}
			return &TZInfo{Kind: TZFixed, Offset: off}
		}
		if name, ok := args[1].(Str); ok && name != "" {
			return &TZInfo{Kind: TZFixed, Offset: off, Name: string(name)}
		}
	case pkGlobalName{"pytz", "_UTC"}:
		if len(args) == 0 {
			return &TZInfo{Kind: TZPytzUTC}
		}
	case pkGlobalName{"pytz", "_p"}:
		zone, ok := pkFirst(args).(Str)
		if !ok || zone == "" {
			return other
		}
		if len(args) == 1 {
			return pkStaticPytz(string(zone))
		}
		if len(args) != 4 {
			return other
		}
		off, ok1 := args[1].(Int)
		dst, ok2 := args[2].(Int)
		abbrev, ok3 := args[3].(Str)
		const day = 86400
		if !ok1 || !ok2 || !ok3 || abbrev == "" || off <= -day || off >= day || dst <= -day || dst >= day {
			return other
		}
		return &TZInfo{Kind: TZPytz, Name: string(zone), Offset: time.Duration(off) * time.Second,
			DST: time.Duration(dst) * time.Second, Abbrev: string(abbrev)}
	case pkGlobalName{"zoneinfo", "ZoneInfo._unpickle"}:
		key, ok := pkFirst(args).(Str)
		if len(args) == 2 && ok && key != "" && args[1] == Value(Int(1)) {
			return &TZInfo{Kind: TZZoneInfo, Name: string(key)}
		}
	}
	return other
}

var pkStaticZones sync.Map // zone name → TZInfo

// pkStaticPytz is pytz._p(zone): pytz's StaticTzInfo zones (EST, Etc/GMT+5,
// ...) pickle their name only. Their one offset and abbreviation come from
// the time zone database when it is available (Offset and Abbrev stay zero
// otherwise, and for a zone that is not static, which pytz would give in its
// unlocalized, local-mean-time form).
func pkStaticPytz(zone string) *TZInfo {
	if tz, ok := pkStaticZones.Load(zone); ok {
		c := tz.(TZInfo)
		return &c
	}
	tz := TZInfo{Kind: TZPytz, Name: zone}
	if pkStaticPytzZone(zone) {
		if loc, err := time.LoadLocation(zone); err == nil {
			abbrev, off := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).In(loc).Zone()
			tz.Abbrev, tz.Offset = abbrev, time.Duration(off)*time.Second
		}
	}
	pkStaticZones.Store(zone, tz)
	return &tz
}
