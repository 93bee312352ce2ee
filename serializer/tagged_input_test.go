package serializer

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// TestUnmarshalTaggedForms covers input accepted beyond what MarshalTagged
// writes.
func TestUnmarshalTaggedForms(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Value
	}{
		{" \t\r\n[ 1 ,\n2 ] ", List{Int(1), Int(2)}},
		{`-0`, Int(0)},
		{`1E2`, Float(100)},
		{`1e-2`, Float(0.01)},
		{`-0.0e0`, Float(math.Copysign(0, -1))},
		{`1e400`, Float(math.Inf(1))},
		{`-1e400`, Float(math.Inf(-1))},
		{`9223372036854775808`, tgBig("9223372036854775808")},
		{`-9223372036854775809`, tgBig("-9223372036854775809")},
		{`{"$type":"int","value":"5"}`, Int(5)},
		{`{"$type":"int","value":"-0012"}`, Int(-12)},
		{`"\ud800"`, Str(tgSurrogate)},
		{`"\udc00\ud800"`, Str("\xed\xb0\x80" + tgSurrogate)},
		{`"\ud83d\ude00\u00e9\/\u20AC"`, Str("😀é/€")},
		{`"\ud83dx"`, Str("\xed\xa0\xbdx")},
		{`{"$type":"str","wtf8":"w6k="}`, Str("é")},
		{`{"a":1,"b":2,"a":3}`, DictOf("a", Int(3), "b", Int(2))},
		{`{"\ud800":1}`, tgDict(false, Str(tgSurrogate), Int(1))},
		{`{"$type":"dict","items":[[1,"a"],[true,"b"]]}`, tgDict(false, Int(1), Str("b"))},
		{`{"$type":"dict","items":[],"ordered":false}`, NewDict(0)},
		{`{"items":[["a",1]],"$type":"dict"}`, DictOf("a", Int(1))},
		{`{"$type":"datetime","value":"2030-01-02T03:04:05+09:00","tz":null}`, DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Minute: 4, Second: 5}},
		{`{"$type":"datetime","value":"2030-01-02 03:04"}`, DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Minute: 4}},
		{`{"$type":"datetime","value":"2030-01-02T03:04:05.5Z","tz":{"kind":"fixed","offset":0},"fold":0}`,
			DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Minute: 4, Second: 5, Microsecond: 500000, TZ: UTC}},
		{`{"$type":"datetime","value":"2030-01-02T00:00:00","tz":{"kind":"fixed","offset":3600.000000,"name":""}}`,
			DateTime{Year: 2030, Month: 1, Day: 2, TZ: &TZInfo{Kind: TZFixed, Offset: time.Hour}}},
		{`{"$type":"datetime","value":"2030-01-02T00:00:00","tz":{"kind":"fixed","offset":-0.5000000}}`,
			DateTime{Year: 2030, Month: 1, Day: 2, TZ: &TZInfo{Kind: TZFixed, Offset: -500 * time.Millisecond}}},
		{`{"$type":"time","value":"03:04","tz":null}`, Time{Hour: 3, Minute: 4}},
		{`{"$type":"time","value":"03:04:05.000001+01:00"}`, Time{Hour: 3, Minute: 4, Second: 5, Microsecond: 1}},
		{`{"$type":"timedelta","seconds":-1}`, TimeDelta{Days: -1, Seconds: 86399}},
		{`{"$type":"timedelta","microseconds":86400000001}`, TimeDelta{Days: 1, Microseconds: 1}},
		{`{"$type":"timedelta","days":1,"seconds":-86400,"microseconds":-1}`, TimeDelta{Days: -1, Seconds: 86399, Microseconds: 999999}},
		{`{"$type":"uuid","value":"{12345678123456781234567812345678}"}`, UUID{0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78}},
		{`{"$type":"uuid","value":"urn:uuid:ABCDEFFF-0000-0000-0000-00000000000A"}`, UUID{0xab, 0xcd, 0xef, 0xff, 15: 0x0a}},
		{`{"$type":"object","class":".X","build":"global","args":[]}`, &Object{Name: "X", Build: BuildGlobal}},
		{`{"$type":"object","class":"m.","build":"global","args":[]}`, &Object{Module: "m", Build: BuildGlobal}},
		{`{"$type":"object","class":".A.B","module":"","build":"global","args":[]}`, &Object{Name: "A.B", Build: BuildGlobal}},
	} {
		got, err := UnmarshalTagged([]byte(tt.in))
		if err != nil || !Equal(got, tt.want) {
			t.Errorf("UnmarshalTagged(%s) = %#v, %v\nwant %#v", tt.in, got, err, tt.want)
		}
	}
}

const tgDT = `{"$type":"datetime","value":"2030-01-01T00:00:00",`

var tgBadInputs = []struct {
	in   string
	want error
}{
	// Not JSON.
	{``, ErrMalformed}, {` `, ErrMalformed}, {`[`, ErrMalformed}, {`[1,]`, ErrMalformed},
	{`{,}`, ErrMalformed}, {`{"a"}`, ErrMalformed}, {`{"a":1,}`, ErrMalformed}, {`{1:2}`, ErrMalformed},
	{`01`, ErrMalformed}, {`1.`, ErrMalformed}, {`.5`, ErrMalformed}, {`-`, ErrMalformed}, {`+1`, ErrMalformed},
	{`1e`, ErrMalformed}, {`1e+`, ErrMalformed}, {`NaN`, ErrMalformed}, {`Infinity`, ErrMalformed},
	{`tru`, ErrMalformed}, {`nul`, ErrMalformed}, {`[1 2]`, ErrMalformed}, {`1 2`, ErrMalformed},
	{`[]]`, ErrMalformed}, {`"abc`, ErrMalformed}, {"\"\x01\"", ErrMalformed}, {"\"\xff\"", ErrMalformed},
	{"\"" + tgSurrogate + "\"", ErrMalformed}, {`"\x"`, ErrMalformed}, {`"\u12"`, ErrMalformed},
	{`"\u12g4"`, ErrMalformed}, {`"\`, ErrMalformed}, {"\xef\xbb\xbf1", ErrMalformed}, {`{"a":1}x`, ErrMalformed},
	// Bad tagged objects.
	{`{"$type":1}`, ErrMalformed},
	{`{"$type":"nope"}`, ErrMalformed},
	{`{"$type":"Float","value":"nan"}`, ErrMalformed},
	{`{"$type":"float","value":"1.5"}`, ErrMalformed},
	{`{"$type":"float","value":"NaN"}`, ErrMalformed},
	{`{"$type":"float","value":1}`, ErrMalformed},
	{`{"$type":"float"}`, ErrMalformed},
	{`{"$type":"float","value":"nan","x":1}`, ErrMalformed},
	{`{"$type":"int","value":"1","value":"2"}`, ErrMalformed},
	{`{"$type":"int","value":"1.0"}`, ErrMalformed},
	{`{"$type":"int","value":"0x10"}`, ErrMalformed},
	{`{"$type":"int","value":"+1"}`, ErrMalformed},
	{`{"$type":"int","value":""}`, ErrMalformed},
	{`{"$type":"int","value":1}`, ErrMalformed},
	{`{"$type":"str","wtf8":"!!"}`, ErrMalformed},
	{`{"$type":"str","wtf8":"/w=="}`, ErrMalformed},
	{`{"$type":"str","wtf8":"7aA="}`, ErrMalformed},
	{`{"$type":"str","value":"x"}`, ErrMalformed},
	{`{"$type":"bytes","value":"AAE"}`, ErrMalformed},
	{`{"$type":"bytes","value":"AAF="}`, ErrMalformed},
	{`{"$type":"bytes","value":"AA\nEC"}`, ErrMalformed},
	{`{"$type":"bytes","value":"AA-_"}`, ErrMalformed},
	{`{"$type":"bytes","value":[0]}`, ErrMalformed},
	{`{"$type":"bytearray"}`, ErrMalformed},
	{`{"$type":"tuple","value":{}}`, ErrMalformed},
	{`{"$type":"set"}`, ErrMalformed},
	{`{"$type":"frozenset","value":[1],"items":[]}`, ErrMalformed},
	{`{"$type":"dict"}`, ErrMalformed},
	{`{"$type":"dict","items":{}}`, ErrMalformed},
	{`{"$type":"dict","items":[[1]]}`, ErrMalformed},
	{`{"$type":"dict","items":[[1,2,3]]}`, ErrMalformed},
	{`{"$type":"dict","items":[1]}`, ErrMalformed},
	{`{"$type":"dict","items":[[[1],2]]}`, ErrMalformed},
	{`{"$type":"dict","items":[[{"a":1},2]]}`, ErrMalformed},
	{`{"$type":"dict","items":[],"ordered":1}`, ErrMalformed},
	{`{"$type":"datetime","value":"2030-13-01T00:00:00","tz":null}`, ErrMalformed},
	{`{"$type":"datetime","value":"2030-02-29T00:00:00","tz":null}`, ErrMalformed},
	{`{"$type":"datetime","value":"20300101T000000","tz":null}`, ErrMalformed},
	{`{"$type":"datetime","value":1,"tz":null}`, ErrMalformed},
	{`{"$type":"datetime","tz":null}`, ErrMalformed},
	{tgDT + `"tz":[]}`, ErrMalformed},
	{tgDT + `"tz":"UTC"}`, ErrMalformed},
	{tgDT + `"tz":{}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"martian"}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"fixed"}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"fixed","offset":"3600"}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"fixed","offset":86400}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"fixed","offset":-86400}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"fixed","offset":1.0000001}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"fixed","offset":1e3}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"fixed","offset":null}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"fixed","offset":0,"name":1}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"fixed","offset":0,"key":"UTC"}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"fixed","offset":0,"kind":"fixed"}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"zoneinfo","key":"No/Such_Zone"}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"zoneinfo","key":"Local"}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"zoneinfo","key":""}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"zoneinfo"}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"pytz","zone":"Europe/Paris","offset":3600,"dst":0}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"pytz_utc","offset":0}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"other","offset":null}}`, ErrMalformed},
	{tgDT + `"tz":{"kind":"other","offset":null,"object":1}}`, ErrMalformed},
	{tgDT + `"fold":2}`, ErrMalformed},
	{tgDT + `"fold":"1"}`, ErrMalformed},
	{tgDT + `"fold":1.0}`, ErrMalformed},
	{tgDT + `"offset":0}`, ErrMalformed},
	{`{"$type":"time","value":"24:00:00"}`, ErrMalformed},
	{`{"$type":"time","value":"2030-01-01T00:00:00"}`, ErrMalformed},
	{`{"$type":"date","value":"2030-02-30"}`, ErrMalformed},
	{`{"$type":"date","value":"2030-01-01T00:00:00"}`, ErrMalformed},
	{`{"$type":"timedelta","days":1000000000}`, ErrMalformed},
	{`{"$type":"timedelta","days":999999999,"seconds":86400}`, ErrMalformed},
	{`{"$type":"timedelta","days":1.5}`, ErrMalformed},
	{`{"$type":"timedelta","days":"1"}`, ErrMalformed},
	{`{"$type":"timedelta","days":99999999999999999999}`, ErrMalformed},
	{`{"$type":"timedelta","weeks":1}`, ErrMalformed},
	{`{"$type":"decimal","value":"1.2.3"}`, ErrMalformed},
	{`{"$type":"decimal","value":"abc"}`, ErrMalformed},
	{`{"$type":"decimal","value":""}`, ErrMalformed},
	{`{"$type":"decimal","value":" 1"}`, ErrMalformed},
	{`{"$type":"decimal","value":"1e"}`, ErrMalformed},
	{`{"$type":"decimal","value":1.5}`, ErrMalformed},
	{`{"$type":"uuid","value":"xyz"}`, ErrMalformed},
	{`{"$type":"uuid","value":"12345678-1234-5678-1234-56781234567g"}`, ErrMalformed},
	{`{"$type":"uuid","value":"12345678-1234-5678-1234-5678123456"}`, ErrMalformed},
	{`{"$type":"object","build":"reduce","args":[]}`, ErrMalformed},
	{`{"$type":"object","class":"Thing","build":"reduce","args":[]}`, ErrMalformed},
	{`{"$type":"object","class":"a.b.C","module":"x","build":"reduce","args":[]}`, ErrMalformed},
	{`{"$type":"object","class":"a.b.C","module":1,"build":"reduce","args":[]}`, ErrMalformed},
	{`{"$type":"object","class":"a.C","build":"call","args":[]}`, ErrMalformed},
	{`{"$type":"object","class":"a.C","args":[]}`, ErrMalformed},
	{`{"$type":"object","class":"a.C","build":"reduce"}`, ErrMalformed},
	{`{"$type":"object","class":"a.C","build":"reduce","args":{}}`, ErrMalformed},
	{`{"$type":"object","class":"a.C","build":"reduce","args":[],"kwargs":[1]}`, ErrMalformed},
	{`{"$type":"object","class":"a.C","build":"reduce","args":[],"listitems":{}}`, ErrMalformed},
	{`{"$type":"object","class":"a.C","build":"reduce","args":[],"dictitems":[1]}`, ErrMalformed},
	{`{"$type":"object","class":"a.C","build":"reduce","args":[],"extra":1}`, ErrMalformed},
	// Limits.
	{strings.Repeat("9", 4301), ErrTooLarge},
	{"-" + strings.Repeat("9", 4301), ErrTooLarge},
	{`{"$type":"int","value":"` + strings.Repeat("1", 4301) + `"}`, ErrTooLarge},
	{strings.Repeat("[", 1001) + strings.Repeat("]", 1001), ErrTooLarge},
	{strings.Repeat(`{"$type":"tuple","value":[`, 1001) + strings.Repeat("]}", 1001), ErrTooLarge},
	{strings.Repeat(`{"a":`, 1001) + "1" + strings.Repeat("}", 1001), ErrTooLarge},
	{strings.Repeat("[", 100000), ErrTooLarge},
	{strings.Repeat(`{"a":`, 100000), ErrTooLarge},
	{strings.Repeat(`{"$type":"dict","items":[[1,`, 100000), ErrTooLarge},
}

func TestUnmarshalTaggedErrors(t *testing.T) {
	for _, tt := range tgBadInputs {
		v, err := UnmarshalTagged([]byte(tt.in))
		if !errors.Is(err, tt.want) {
			in := tt.in
			if len(in) > 80 {
				in = in[:80] + "…"
			}
			t.Errorf("UnmarshalTagged(%s) = %#v, %v; want %v", in, v, err, tt.want)
		}
	}
}

func TestUnmarshalTaggedDepthLimit(t *testing.T) {
	ok := strings.Repeat("[", 1000) + strings.Repeat("]", 1000)
	v, err := UnmarshalTagged([]byte(ok))
	if err != nil {
		t.Fatalf("1000 nested lists: %v", err)
	}
	if _, err := MarshalTagged(v); err != nil {
		t.Fatalf("1000 nested lists written back: %v", err)
	}
	// 1000 levels of dicts whose items hold datetimes with an object
	// tzinfo, the deepest JSON MarshalTagged writes, must read back.
	var deep Value = None{}
	for i := 0; i < 500; i++ {
		obj := &Object{Module: "m", Name: "TZ", Build: BuildReduce, Args: Tuple{deep}}
		dt := DateTime{Year: 2030, Month: 1, Day: 1, TZ: &TZInfo{Kind: TZOther, Offset: time.Hour, Raw: obj}}
		deep = tgDict(false, Int(i), dt)
	}
	b, err := MarshalTagged(deep)
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalTagged(b)
	if err != nil || !Equal(back, deep) {
		t.Fatalf("deep value: %v", err)
	}
	if _, err := MarshalTagged(tgDict(false, Int(0), deep)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("1001 levels: %v", err)
	}
}

func TestMarshalTaggedErrors(t *testing.T) {
	var deep Value = List{}
	for i := 0; i < 999; i++ {
		deep = List{deep}
	}
	self := NewDict(1)
	self.SetStr("self", self)
	for _, tt := range []struct {
		name string
		v    Value
		want error
	}{
		{"nil", nil, ErrUnsupported},
		{"nil in list", List{Int(1), nil}, ErrUnsupported},
		{"nil object", (*Object)(nil), ErrUnsupported},
		{"bad build", &Object{Module: "m", Name: "C", Build: 99}, ErrUnsupported},
		{"invalid str", Str("\xff"), ErrUnsupported},
		{"truncated surrogate", Str("\xed\xa0"), ErrUnsupported},
		{"invalid dict key", tgDict(false, Str("\xff"), Int(1)), ErrUnsupported},
		{"datetime month", DateTime{Year: 2030, Month: 13, Day: 1}, ErrUnsupported},
		{"datetime year 0", DateTime{Year: 0, Month: 1, Day: 1}, ErrUnsupported},
		{"datetime hour", DateTime{Year: 2030, Month: 1, Day: 1, Hour: 24}, ErrUnsupported},
		{"datetime microsecond", DateTime{Year: 2030, Month: 1, Day: 1, Microsecond: 1000000}, ErrUnsupported},
		{"datetime fold", DateTime{Year: 2030, Month: 1, Day: 1, Fold: 2}, ErrUnsupported},
		{"date", Date{Year: 2030, Month: 2, Day: 30}, ErrUnsupported},
		{"time", Time{Minute: 60}, ErrUnsupported},
		{"time negative", Time{Second: -1}, ErrUnsupported},
		{"timedelta seconds", TimeDelta{Seconds: 86400}, ErrUnsupported},
		{"timedelta microseconds", TimeDelta{Microseconds: -1}, ErrUnsupported},
		{"timedelta days", TimeDelta{Days: 1000000000}, ErrUnsupported},
		{"decimal", Decimal("one"), ErrUnsupported},
		{"fixed offset a day", DateTime{Year: 2030, Month: 1, Day: 1, TZ: &TZInfo{Kind: TZFixed, Offset: 24 * time.Hour}}, ErrUnsupported},
		{"fixed offset nanosecond", Time{TZ: &TZInfo{Kind: TZFixed, Offset: time.Nanosecond}}, ErrUnsupported},
		{"pytz dst", DateTime{Year: 2030, Month: 1, Day: 1, TZ: &TZInfo{Kind: TZPytz, DST: 25 * time.Hour}}, ErrUnsupported},
		{"zoneinfo no key", Time{TZ: &TZInfo{Kind: TZZoneInfo}}, ErrUnsupported},
		{"zoneinfo unknown", DateTime{Year: 2030, Month: 1, Day: 1, TZ: &TZInfo{Kind: TZZoneInfo, Name: "No/Such_Zone"}}, ErrUnsupported},
		{"tz kind", DateTime{Year: 2030, Month: 1, Day: 1, TZ: &TZInfo{Kind: 99}}, ErrUnsupported},
		{"bigint digits", tgBig("1" + strings.Repeat("0", 4300)), ErrTooLarge},
		{"bigint digits unsupported", tgBig("-1" + strings.Repeat("0", 4300)), ErrUnsupported},
		{"deep", List{deep}, ErrTooLarge},
		{"self", self, ErrTooLarge},
	} {
		if b, err := MarshalTagged(tt.v); !errors.Is(err, tt.want) {
			t.Errorf("%s: MarshalTagged = %.80s, %v; want %v", tt.name, b, err, tt.want)
		}
	}
	if _, err := MarshalTagged(deep); err != nil {
		t.Errorf("1000 nested lists: %v", err)
	}
	if _, err := MarshalTagged(tgBig(strings.Repeat("9", 4300))); err != nil {
		t.Errorf("4300 digits: %v", err)
	}
}
