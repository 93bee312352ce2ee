package serializer

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func tgBig(s string) Value {
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic("bad big " + s)
	}
	return NewBigInt(b)
}

func tgDict(ordered bool, kv ...Value) *Dict {
	d := NewDict(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		if err := d.Set(kv[i], kv[i+1]); err != nil {
			panic(err)
		}
	}
	d.OrderedDict = ordered
	return d
}

// tgSurrogate is U+D800 as a Str holds it.
const tgSurrogate = "\xed\xa0\x80"

var tgParis = &TZInfo{Kind: TZZoneInfo, Name: "Europe/Paris"}

// tgMappingTests is the tagged JSON contract, case by case: the value and
// the exact text MarshalTagged writes for it (written out by hand from the
// specification, not produced by the code).
var tgMappingTests = []struct {
	name string
	v    Value
	want string
}{
	{"none", None{}, `null`},
	{"true", Bool(true), `true`},
	{"false", Bool(false), `false`},
	{"int", Int(42), `42`},
	{"int negative", Int(-7), `-7`},
	{"int min", Int(math.MinInt64), `-9223372036854775808`},
	{"int max", Int(math.MaxInt64), `9223372036854775807`},
	{"bigint", tgBig("9223372036854775808"), `{"$type":"int","value":"9223372036854775808"}`},
	{"bigint negative", tgBig("-123456789012345678901"), `{"$type":"int","value":"-123456789012345678901"}`},
	{"float one", Float(1), `1.0`},
	{"float negative zero", Float(math.Copysign(0, -1)), `-0.0`},
	{"float 1e16", Float(1e16), `1e+16`},
	{"float 1.5e-05", Float(1.5e-5), `1.5e-05`},
	{"float 0.1", Float(0.1), `0.1`},
	{"float 1e15", Float(1e15), `1000000000000000.0`},
	{"float 0.0001", Float(0.0001), `0.0001`},
	{"float max", Float(math.MaxFloat64), `1.7976931348623157e+308`},
	{"float nan", Float(math.NaN()), `{"$type":"float","value":"nan"}`},
	{"float inf", Float(math.Inf(1)), `{"$type":"float","value":"inf"}`},
	{"float -inf", Float(math.Inf(-1)), `{"$type":"float","value":"-inf"}`},
	{"str", Str("héllo <b>&amp;</b> 😀"), `"héllo <b>&amp;</b> 😀"`},
	{"str escapes", Str("q\"b\\n\nr\rt\tb\bf\f\x00\x1f\u2028\u2029\x7f/"),
		`"q\"b\\n\nr\rt\tb\bf\f\u0000\u001f\u2028\u2029` + "\x7f" + `/"`},
	{"str empty", Str(""), `""`},
	{"str lone surrogate", Str(tgSurrogate), `{"$type":"str","wtf8":"7aCA"}`},
	{"str surrogate in text", Str("a" + tgSurrogate + "é"), `{"$type":"str","wtf8":"Ye2ggMOp"}`},
	{"bytes", Bytes{0, 1, 2}, `{"$type":"bytes","value":"AAEC"}`},
	{"bytes empty", Bytes{}, `{"$type":"bytes","value":""}`},
	{"bytes padded", Bytes("hi"), `{"$type":"bytes","value":"aGk="}`},
	{"bytearray", ByteArray("\xff\xfe\xfd\xfc"), `{"$type":"bytearray","value":"//79/A=="}`},
	{"list empty", List{}, `[]`},
	{"list", List{Int(1), Str("a"), None{}, List{Bool(false)}}, `[1,"a",null,[false]]`},
	{"tuple", Tuple{Int(1), Float(2)}, `{"$type":"tuple","value":[1,2.0]}`},
	{"tuple empty", Tuple{}, `{"$type":"tuple","value":[]}`},
	{"set", Set{Str("b"), Str("a")}, `{"$type":"set","value":["b","a"]}`},
	{"frozenset", FrozenSet{Int(3)}, `{"$type":"frozenset","value":[3]}`},
	{"dict empty", NewDict(0), `{}`},
	{"dict in order", DictOf("b", Int(1), "a", List{}, "é<", Str("x")), `{"b":1,"a":[],"é<":"x"}`},
	{"dict nested", DictOf("d", DictOf("k", Float(0.5))), `{"d":{"k":0.5}}`},
	{"dict $type key", DictOf("$type", Str("x"), "a", Int(1)), `{"$type":"dict","items":[["$type","x"],["a",1]]}`},
	{"dict int keys", tgDict(false, Int(1), Str("one"), Str("two"), Int(2)), `{"$type":"dict","items":[[1,"one"],["two",2]]}`},
	{"dict tuple key", tgDict(false, Tuple{Int(1), None{}}, Bool(true)), `{"$type":"dict","items":[[{"$type":"tuple","value":[1,null]},true]]}`},
	{"dict surrogate key", tgDict(false, Str(tgSurrogate), Int(1)), `{"$type":"dict","items":[[{"$type":"str","wtf8":"7aCA"},1]]}`},
	{"ordereddict", tgDict(true, Str("a"), Int(1)), `{"$type":"dict","items":[["a",1]],"ordered":true}`},
	{"ordereddict empty", tgDict(true), `{"$type":"dict","items":[],"ordered":true}`},
	{"datetime naive", DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Minute: 4, Second: 5},
		`{"$type":"datetime","value":"2030-01-02T03:04:05","tz":null}`},
	{"datetime utc microseconds", DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Minute: 4, Second: 5, Microsecond: 6, TZ: UTC},
		`{"$type":"datetime","value":"2030-01-02T03:04:05.000006+00:00","tz":{"kind":"fixed","offset":0}}`},
	{"datetime year 1", DateTime{Year: 1, Month: 1, Day: 1},
		`{"$type":"datetime","value":"0001-01-01T00:00:00","tz":null}`},
	{"datetime zoneinfo fold", DateTime{Year: 2021, Month: 10, Day: 31, Hour: 2, Minute: 30, Fold: 1, TZ: tgParis},
		`{"$type":"datetime","value":"2021-10-31T02:30:00+01:00","tz":{"kind":"zoneinfo","key":"Europe/Paris"},"fold":1}`},
	{"datetime zoneinfo summer", DateTime{Year: 2021, Month: 10, Day: 31, Hour: 2, Minute: 30, TZ: tgParis},
		`{"$type":"datetime","value":"2021-10-31T02:30:00+02:00","tz":{"kind":"zoneinfo","key":"Europe/Paris"}}`},
	{"datetime naive fold", DateTime{Year: 2021, Month: 10, Day: 31, Hour: 2, Minute: 30, Fold: 1},
		`{"$type":"datetime","value":"2021-10-31T02:30:00","tz":null,"fold":1}`},
	{"datetime pytz utc", DateTime{Year: 2020, Month: 1, Day: 1, TZ: &TZInfo{Kind: TZPytzUTC}},
		`{"$type":"datetime","value":"2020-01-01T00:00:00+00:00","tz":{"kind":"pytz_utc"}}`},
	{"datetime pytz", DateTime{Year: 2021, Month: 7, Day: 1, Hour: 12, TZ: &TZInfo{Kind: TZPytz, Name: "Europe/Paris", Offset: 2 * time.Hour, DST: time.Hour, Abbrev: "CEST"}},
		`{"$type":"datetime","value":"2021-07-01T12:00:00+02:00","tz":{"kind":"pytz","zone":"Europe/Paris","offset":7200,"dst":3600,"abbrev":"CEST"}}`},
	{"datetime fixed named seconds", DateTime{Year: 2021, Month: 7, Day: 1, TZ: &TZInfo{Kind: TZFixed, Offset: -(time.Hour + 2*time.Minute + 3*time.Second), Name: "X"}},
		`{"$type":"datetime","value":"2021-07-01T00:00:00-01:02:03","tz":{"kind":"fixed","offset":-3723,"name":"X"}}`},
	{"datetime fixed microseconds", DateTime{Year: 2021, Month: 7, Day: 1, TZ: &TZInfo{Kind: TZFixed, Offset: time.Hour + 500*time.Millisecond}},
		`{"$type":"datetime","value":"2021-07-01T00:00:00+01:00:00.500000","tz":{"kind":"fixed","offset":3600.5}}`},
	{"datetime fixed -1us", DateTime{Year: 2021, Month: 7, Day: 1, TZ: &TZInfo{Kind: TZFixed, Offset: -time.Microsecond}},
		`{"$type":"datetime","value":"2021-07-01T00:00:00-00:00:00.000001","tz":{"kind":"fixed","offset":-0.000001}}`},
	{"datetime other", DateTime{Year: 2021, Month: 7, Day: 1, TZ: &TZInfo{Kind: TZOther, Offset: -90 * time.Minute,
		Raw: &Object{Module: "dateutil.tz.tz", Name: "tzoffset", Build: BuildReduce, Args: Tuple{None{}, Int(-5400)}}}},
		`{"$type":"datetime","value":"2021-07-01T00:00:00-01:30","tz":{"kind":"other","offset":-5400,"object":{"$type":"object","class":"dateutil.tz.tz.tzoffset","build":"reduce","args":[null,-5400]}}}`},
	{"datetime other unknown offset", DateTime{Year: 2021, Month: 7, Day: 1, TZ: &TZInfo{Kind: TZOther}},
		`{"$type":"datetime","value":"2021-07-01T00:00:00","tz":{"kind":"other","offset":null,"object":null}}`},
	{"time", Time{Hour: 3, Minute: 4, Second: 5}, `{"$type":"time","value":"03:04:05","tz":null}`},
	{"time fixed fold", Time{Hour: 23, Minute: 59, Second: 59, Microsecond: 120000, Fold: 1, TZ: &TZInfo{Kind: TZFixed, Offset: 5*time.Hour + 30*time.Minute, Name: "IST"}},
		`{"$type":"time","value":"23:59:59.120000+05:30","tz":{"kind":"fixed","offset":19800,"name":"IST"},"fold":1}`},
	{"time zoneinfo", Time{Hour: 1, TZ: tgParis}, `{"$type":"time","value":"01:00:00","tz":{"kind":"zoneinfo","key":"Europe/Paris"}}`},
	{"date", Date{Year: 1, Month: 2, Day: 3}, `{"$type":"date","value":"0001-02-03"}`},
	{"date leap", Date{Year: 2024, Month: 2, Day: 29}, `{"$type":"date","value":"2024-02-29"}`},
	{"timedelta", TimeDelta{Days: -1, Seconds: 86399, Microseconds: 999999},
		`{"$type":"timedelta","days":-1,"seconds":86399,"microseconds":999999}`},
	{"timedelta zero", TimeDelta{}, `{"$type":"timedelta","days":0,"seconds":0,"microseconds":0}`},
	{"decimal", Decimal("1.10"), `{"$type":"decimal","value":"1.10"}`},
	{"decimal exponent", Decimal("-1E+3"), `{"$type":"decimal","value":"-1E+3"}`},
	{"decimal inf", Decimal("-Infinity"), `{"$type":"decimal","value":"-Infinity"}`},
	{"decimal snan", Decimal("sNaN123"), `{"$type":"decimal","value":"sNaN123"}`},
	{"uuid", UUID{0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x56, 0x78},
		`{"$type":"uuid","value":"12345678-1234-5678-1234-567812345678"}`},
	{"uuid hex letters", UUID{0xab, 0xcd, 0xef, 0xff, 15: 0x0a},
		`{"$type":"uuid","value":"abcdefff-0000-0000-0000-00000000000a"}`},
	{"object minimal", &Object{Module: "builtins", Name: "object", Build: BuildNewObj},
		`{"$type":"object","class":"builtins.object","build":"newobj","args":[]}`},
	{"object full", &Object{Module: "app.models", Name: "Thing", Build: BuildNewObjEx, Args: Tuple{Str("x")},
		Kwargs: DictOf("k", Int(1)), State: DictOf("a", Int(2)), ListItems: []Value{Int(3)}, DictItems: []Item{{Str("d"), Int(4)}}},
		`{"$type":"object","class":"app.models.Thing","build":"newobj_ex","args":["x"],"kwargs":{"k":1},"state":{"a":2},"listitems":[3],"dictitems":[["d",4]]}`},
	{"object state none", &Object{Module: "m", Name: "C", Build: BuildReduce, Args: Tuple{}, State: None{}},
		`{"$type":"object","class":"m.C","build":"reduce","args":[],"state":null}`},
	{"object nested class", &Object{Module: "pkg.mod", Name: "Outer.Inner", Build: BuildGlobal},
		`{"$type":"object","class":"pkg.mod.Outer.Inner","module":"pkg.mod","build":"global","args":[]}`},
	{"object inst empty items", &Object{Module: "m", Name: "C", Build: BuildInst, Kwargs: NewDict(0), ListItems: []Value{}, DictItems: []Item{}},
		`{"$type":"object","class":"m.C","build":"inst","args":[],"kwargs":{},"listitems":[],"dictitems":[]}`},
	{"object kwargs items form", &Object{Module: "m", Name: "C", Build: BuildNewObjEx, Kwargs: tgDict(false, Int(1), Int(2))},
		`{"$type":"object","class":"m.C","build":"newobj_ex","args":[],"kwargs":{"$type":"dict","items":[[1,2]]}}`},
}

func TestMarshalTagged(t *testing.T) {
	for _, tt := range tgMappingTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MarshalTagged(tt.v)
			if err != nil || string(got) != tt.want {
				t.Fatalf("MarshalTagged = %s, %v\nwant %s", got, err, tt.want)
			}
			back, err := UnmarshalTagged([]byte(tt.want))
			if err != nil || !Equal(back, tt.v) {
				t.Fatalf("UnmarshalTagged(%s) = %#v, %v\nwant %#v", tt.want, back, err, tt.v)
			}
		})
	}
}

// TestTaggedStringEscapes checks string escaping against encoding/json with
// HTML escaping off.
func TestTaggedStringEscapes(t *testing.T) {
	alphabet := []string{"a", "Z", " ", "\"", "\\", "/", "<", ">", "&", "\x00", "\x01", "\b", "\f", "\n",
		"\r", "\t", "\x1f", "\x7f", "é", "€", "😀", "\u2028", "\u2029", "\ufffd", "\u0080", "\U0010ffff"}
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		var sb strings.Builder
		for range r.IntN(12) {
			sb.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := sb.String()
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		got, err := MarshalTagged(Str(s))
		if err != nil || string(got) != strings.TrimSuffix(want.String(), "\n") {
			t.Fatalf("MarshalTagged(%q) = %s, %v; encoding/json %s", s, got, err, want.Bytes())
		}
		back, err := UnmarshalTagged(got)
		if err != nil || back != Str(s) {
			t.Fatalf("UnmarshalTagged(%s) = %#v, %v", got, back, err)
		}
	}
}

func TestMarshalTaggedIndent(t *testing.T) {
	v := DictOf("a", List{Int(1), Tuple{}}, "b", Str("<x>"))
	got, err := MarshalTaggedIndent(v, "", "  ")
	want := "{\n  \"a\": [\n    1,\n    {\n      \"$type\": \"tuple\",\n      \"value\": []\n    }\n  ],\n  \"b\": \"<x>\"\n}"
	if err != nil || string(got) != want {
		t.Fatalf("MarshalTaggedIndent = %s, %v\nwant %s", got, err, want)
	}
	if _, err := MarshalTaggedIndent(nil, "", " "); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("MarshalTaggedIndent(nil): %v", err)
	}
}
