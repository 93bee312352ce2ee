package serializer

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/djangosess/djangosess/internal/pyrun"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// Expected strings in this file come from CPython (/usr/bin/python3), run
// once per test on a batch of inputs.

// tgPython runs script under CPython with the lines on stdin and returns its
// output lines, one per input line.
func tgPython(t *testing.T, script string, lines []string) []string {
	t.Helper()
	return pyrun.Lines(t, script, nil, lines)
}

// tgFloatSample returns edge cases and ~2000 random floats of every kind.
func tgFloatSample() []float64 {
	fs := []float64{
		0, math.Copysign(0, -1), 1, -1, 0.1, 0.5, 1.5, 2.5, 100, 1e15, 1e16, 1e17,
		9999999999999998, 9999999999999999, 1e16 - 2, 123456789012345678, 0.0001, 0.00001,
		0.0001234, 0.00009999, 1.5e-5, 1e-4, 1e-5, 1e22, 1e23, 1e300, 1e308,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 2.2250738585072014e-308,
		1 << 53, 1<<53 + 2, -(1 << 63), 1 << 63, 1 << 64, 0.3, 2.0 / 3, 1.0 / 3, math.Pi, math.E,
		123.456, -123.456e-10, 5e-324, 1.7976931348623157e308, 4.35, 0.015, 1e21, 1e-7,
		math.NaN(), math.Inf(1), math.Inf(-1),
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 700 { // any bit pattern
		f := math.Float64frombits(r.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			fs = append(fs, f)
		}
	}
	for range 700 { // human-scale decimals around the notation switch
		mant := float64(r.IntN(1000000)) / float64(int(1)<<r.IntN(20))
		fs = append(fs, mant*math.Pow(10, float64(r.IntN(46)-23)))
	}
	for range 300 { // integers
		fs = append(fs, float64(r.Int64N(1<<62)>>r.IntN(62)))
	}
	for range 300 { // powers of ten and neighbours
		p := math.Pow(10, float64(r.IntN(40)-20))
		fs = append(fs, p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1)))
	}
	return fs
}

func TestFormatFloatMatchesPython(t *testing.T) {
	fs := tgFloatSample()
	lines := make([]string, len(fs))
	for i, f := range fs {
		lines[i] = fmt.Sprintf("%016x", math.Float64bits(f))
	}
	const script = `
import sys, struct
for line in sys.stdin:
    print(repr(struct.unpack(">d", bytes.fromhex(line.strip()))[0]))
`
	want := tgPython(t, script, lines)
	for i, f := range fs {
		if got := FormatFloat(f); got != want[i] {
			t.Errorf("FormatFloat(%016x) = %q, Python repr %q", math.Float64bits(f), got, want[i])
		}
	}
}

// tgISOCase is one datetime (or time) whose isoformat Python computes.
type tgISOCase struct {
	Time bool     `json:"time"` // a datetime.time (the date fields are ignored)
	F    [8]int   `json:"f"`    // year, month, day, hour, minute, second, microsecond, fold
	TZ   []string `json:"tz"`   // nil, ["fixed", microseconds, name], ["zone", key], ["pytz_utc"]
	tz   *TZInfo
}

func tgISOSample() []tgISOCase {
	var cs []tgISOCase
	add := func(time bool, f [8]int, tz *TZInfo) {
		c := tgISOCase{Time: time, F: f, tz: tz}
		if tz != nil {
			switch tz.Kind {
			case TZFixed:
				c.TZ = []string{"fixed", fmt.Sprint(tz.Offset.Microseconds()), tz.Name}
			case TZZoneInfo:
				c.TZ = []string{"zone", tz.Name}
			case TZPytzUTC:
				c.TZ = []string{"pytz_utc"}
			}
		}
		cs = append(cs, c)
	}
	fixed := func(d time.Duration, name string) *TZInfo {
		return &TZInfo{Kind: TZFixed, Offset: d, Name: name}
	}
	zone := func(k string) *TZInfo { return &TZInfo{Kind: TZZoneInfo, Name: k} }
	tzs := []*TZInfo{
		nil, UTC, {Kind: TZPytzUTC}, fixed(time.Hour, ""), fixed(-5*time.Hour, "EST"),
		fixed(5*time.Hour+30*time.Minute, ""), fixed(-(time.Hour + 2*time.Minute + 3*time.Second), ""),
		fixed(9*time.Second+7*time.Microsecond, ""), fixed(-time.Microsecond, ""),
		fixed(-(23*time.Hour + 59*time.Minute + 59*time.Second + 999999*time.Microsecond), ""),
		fixed(0, "UTC"),
	}
	for _, k := range []string{"UTC", "Etc/GMT+5", "Europe/Paris", "America/New_York", "Asia/Kolkata"} {
		tzs = append(tzs, zone(k))
	}
	// Fixed and naive, datetime and time, with and without microseconds.
	for _, tz := range tzs {
		add(false, [8]int{2030, 1, 2, 3, 4, 5, 0, 0}, tz)
		add(false, [8]int{1, 12, 31, 23, 59, 59, 999999, 1}, tz)
		add(false, [8]int{9999, 2, 28, 0, 0, 0, 6, 0}, tz)
		add(true, [8]int{0, 0, 0, 3, 4, 5, 0, 0}, tz)
		add(true, [8]int{0, 0, 0, 23, 59, 59, 120000, 1}, tz)
	}
	// Zone transitions, both folds: gaps, repeated hours, odd offsets.
	for _, c := range []struct {
		key string
		f   [7]int
	}{
		{"Europe/Paris", [7]int{2021, 3, 28, 2, 30, 0, 0}},
		{"Europe/Paris", [7]int{2021, 10, 31, 2, 30, 0, 0}},
		{"Europe/Paris", [7]int{2021, 10, 31, 2, 0, 0, 0}},
		{"Europe/Paris", [7]int{2021, 10, 31, 3, 0, 0, 0}},
		{"Europe/Paris", [7]int{2021, 10, 31, 1, 59, 59, 999999}},
		{"Europe/Paris", [7]int{2021, 3, 28, 3, 0, 0, 0}},
		{"Europe/Paris", [7]int{2021, 3, 28, 1, 59, 59, 0}},
		{"Europe/Paris", [7]int{1850, 6, 1, 12, 0, 0, 0}},
		{"Europe/Paris", [7]int{1911, 3, 11, 0, 0, 0, 0}},
		{"Europe/Paris", [7]int{2150, 7, 1, 0, 0, 0, 0}},
		{"Europe/Paris", [7]int{2150, 10, 25, 2, 30, 0, 0}},
		{"America/New_York", [7]int{2021, 3, 14, 2, 30, 0, 0}},
		{"America/New_York", [7]int{2021, 11, 7, 1, 30, 0, 0}},
		{"America/New_York", [7]int{1, 1, 1, 0, 0, 0, 0}},
		{"America/New_York", [7]int{9999, 12, 31, 23, 59, 59, 999999}},
		{"Australia/Lord_Howe", [7]int{2021, 4, 4, 1, 45, 0, 0}},
		{"Australia/Lord_Howe", [7]int{2021, 10, 3, 2, 15, 0, 0}},
		{"Pacific/Apia", [7]int{2011, 12, 30, 12, 0, 0, 0}},
		{"Pacific/Apia", [7]int{2011, 12, 29, 23, 59, 0, 0}},
		{"Europe/Dublin", [7]int{2021, 3, 28, 1, 30, 0, 0}},
		{"Europe/Dublin", [7]int{2021, 10, 31, 1, 30, 0, 0}},
		{"Africa/Casablanca", [7]int{2021, 4, 11, 2, 30, 0, 0}},
		{"Africa/Casablanca", [7]int{2021, 5, 16, 2, 30, 0, 0}},
		{"America/Sao_Paulo", [7]int{2018, 11, 4, 0, 30, 0, 0}},
		{"America/Sao_Paulo", [7]int{2019, 2, 16, 23, 30, 0, 0}},
		{"Antarctica/Troll", [7]int{2021, 3, 28, 1, 30, 0, 0}},
		{"Asia/Kolkata", [7]int{1942, 9, 1, 0, 0, 0, 0}},
		{"Europe/Moscow", [7]int{2014, 10, 26, 1, 30, 0, 0}},
		{"America/St_Johns", [7]int{2021, 11, 7, 0, 30, 0, 0}},
		{"Europe/Amsterdam", [7]int{1937, 7, 1, 0, 0, 0, 0}},
	} {
		for fold := 0; fold <= 1; fold++ {
			f := [8]int{c.f[0], c.f[1], c.f[2], c.f[3], c.f[4], c.f[5], c.f[6], fold}
			add(false, f, zone(c.key))
		}
	}
	// Random wall times in assorted zones, 1800–2200.
	keys := []string{"Europe/Paris", "Europe/London", "America/New_York", "America/Los_Angeles",
		"Asia/Tokyo", "Australia/Sydney", "America/Santiago", "Pacific/Chatham", "Asia/Tehran",
		"Africa/Cairo", "America/Havana", "Europe/Lisbon", "Pacific/Kiritimati", "America/Caracas"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 400 {
		y, m := 1800+r.IntN(400), 1+r.IntN(12)
		f := [8]int{y, m, 1 + r.IntN(isoDaysIn(y, m)), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000000) * r.IntN(2), r.IntN(2)}
		add(false, f, zone(keys[r.IntN(len(keys))]))
	}
	return cs
}

func TestISOFormatMatchesPython(t *testing.T) {
	cs := tgISOSample()
	lines := make([]string, len(cs))
	for i, c := range cs {
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		lines[i] = string(b)
	}
	const script = `
import sys, json, datetime, zoneinfo, pytz
for line in sys.stdin:
    c = json.loads(line)
    tz = c["tz"]
    if tz is not None:
        if tz[0] == "fixed":
            off = datetime.timedelta(microseconds=int(tz[1]))
            tz = datetime.timezone(off, tz[2]) if tz[2] else datetime.timezone(off)
        elif tz[0] == "zone":
            tz = zoneinfo.ZoneInfo(tz[1])
        else:
            tz = pytz.utc
    y, mo, d, h, mi, s, us, fold = c["f"]
    if c["time"]:
        v = datetime.time(h, mi, s, us, tz, fold=fold)
    else:
        v = datetime.datetime(y, mo, d, h, mi, s, us, tz, fold=fold)
    print(v.isoformat())
`
	want := tgPython(t, script, lines)
	for i, c := range cs {
		f := c.F
		var got string
		var err error
		if c.Time {
			got, err = Time{Hour: f[3], Minute: f[4], Second: f[5], Microsecond: f[6], Fold: f[7], TZ: c.tz}.ISOFormat()
		} else {
			got, err = DateTime{Year: f[0], Month: f[1], Day: f[2], Hour: f[3], Minute: f[4], Second: f[5],
				Microsecond: f[6], Fold: f[7], TZ: c.tz}.ISOFormat()
		}
		if err != nil || got != want[i] {
			t.Errorf("%s: ISOFormat = %q, %v; Python %q", lines[i], got, err, want[i])
		}
	}
}

func TestISOFormatOtherTZ(t *testing.T) {
	raw := &Object{Module: "dateutil.tz.tz", Name: "tzutc", Build: BuildReduce}
	for _, c := range []struct {
		tz   *TZInfo
		want string
	}{
		{&TZInfo{Kind: TZOther, Raw: raw}, "2030-01-02T03:04:05"}, // offset unknown
		{&TZInfo{Kind: TZOther, Offset: -90 * time.Minute, Raw: raw}, "2030-01-02T03:04:05-01:30"},
		{&TZInfo{Kind: TZPytz, Name: "Europe/Paris", Offset: time.Hour, Abbrev: "CET"}, "2030-01-02T03:04:05+01:00"},
	} {
		got, err := DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Minute: 4, Second: 5, TZ: c.tz}.ISOFormat()
		if err != nil || got != c.want {
			t.Errorf("%+v: ISOFormat = %q, %v; want %q", c.tz, got, err, c.want)
		}
	}
}

func TestISOFormatUnknownZone(t *testing.T) {
	for _, key := range []string{"No/Such_Zone", "", "Local", "../etc/passwd", "/etc/passwd"} {
		dt := DateTime{Year: 2030, Month: 1, Day: 2, TZ: &TZInfo{Kind: TZZoneInfo, Name: key}}
		if s, err := dt.ISOFormat(); !errors.Is(err, ErrUnsupported) {
			t.Errorf("zone %q: ISOFormat = %q, %v; want ErrUnsupported", key, s, err)
		}
		if _, err := MarshalTagged(dt); !errors.Is(err, ErrUnsupported) {
			t.Errorf("zone %q: MarshalTagged error %v; want ErrUnsupported", key, err)
		}
		if _, ok := AsTime(dt); ok {
			t.Errorf("zone %q: AsTime ok", key)
		}
	}
}

func TestParseISODateTime(t *testing.T) {
	for _, c := range []struct {
		in     string
		want   DateTime
		off    time.Duration
		hasOff bool
	}{
		{"2030-01-02T03:04:05", DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Minute: 4, Second: 5}, 0, false},
		{"2030-01-02 03:04", DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Minute: 4}, 0, false},
		{"2030-01-02", DateTime{Year: 2030, Month: 1, Day: 2}, 0, false},
		{"0001-01-01T00:00:00.5", DateTime{Year: 1, Month: 1, Day: 1, Microsecond: 500000}, 0, false},
		{"2024-02-29T23:59:59.999999+05:30", DateTime{Year: 2024, Month: 2, Day: 29, Hour: 23, Minute: 59, Second: 59, Microsecond: 999999}, 5*time.Hour + 30*time.Minute, true},
		{"2024-02-29T00:00:00.123-00:00:01.000002", DateTime{Year: 2024, Month: 2, Day: 29, Microsecond: 123000}, -(time.Second + 2*time.Microsecond), true},
		{"2024-02-29T00:00:00Z", DateTime{Year: 2024, Month: 2, Day: 29}, 0, true},
	} {
		got, off, hasOff, err := parseISODateTime(c.in)
		if err != nil || got != c.want || off != c.off || hasOff != c.hasOff {
			t.Errorf("parseISODateTime(%q) = %+v, %v, %v, %v; want %+v, %v, %v", c.in, got, off, hasOff, err, c.want, c.off, c.hasOff)
		}
	}
	for _, in := range []string{
		"", "2030", "2030-1-02", "2030-01-02T", "2030-01-02T3:04", "2030-13-01", "2030-02-29",
		"0000-01-01", "2030-01-32", "2030-01-02T24:00", "2030-01-02T23:60", "2030-01-02T23:59:60",
		"2030-01-02T00:00:00.", "2030-01-02T00:00:00.1234567", "2030-01-02T00:00+1", "2030-01-02T00:00+24:00",
		"2030-01-02T00:00:00 ", "2030-01-02X00:00", "2030-01-02T00:00:00+01:00x", "２０３０-01-02",
	} {
		if _, _, _, err := parseISODateTime(in); !errors.Is(err, ErrMalformed) {
			t.Errorf("parseISODateTime(%q): error %v, want ErrMalformed", in, err)
		}
	}
}

func TestUTCOffsetAndDateString(t *testing.T) {
	if s := (Date{Year: 987, Month: 6, Day: 5}).String(); s != "0987-06-05" {
		t.Errorf("Date.String() = %q", s)
	}
	base := DateTime{Year: 2030, Month: 7, Day: 1, Hour: 12}
	for _, c := range []struct {
		tz      *TZInfo
		off     time.Duration
		ok      bool
		wantErr error
	}{
		{nil, 0, false, nil},
		{tgParis, 2 * time.Hour, true, nil},
		{&TZInfo{Kind: TZPytzUTC}, 0, true, nil},
		{&TZInfo{Kind: TZOther}, 0, false, nil},
		{&TZInfo{Kind: TZOther, Offset: -time.Minute}, -time.Minute, true, nil},
		{&TZInfo{Kind: TZZoneInfo, Name: "No/Such_Zone"}, 0, false, ErrUnsupported},
	} {
		dt := base
		dt.TZ = c.tz
		off, ok, err := dt.UTCOffset()
		if off != c.off || ok != c.ok || !errors.Is(err, c.wantErr) {
			t.Errorf("%+v: UTCOffset() = %v, %v, %v; want %v, %v, %v", c.tz, off, ok, err, c.off, c.ok, c.wantErr)
		}
	}
}
