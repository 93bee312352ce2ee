package serializer

import (
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"
)

type tgMyString string
type tgMyInt int16

func TestFromGo(t *testing.T) {
	big1 := new(big.Int).Lsh(big.NewInt(1), 70)
	for _, c := range []struct {
		name string
		in   any
		want Value
	}{
		{"nil", nil, None{}},
		{"bool", true, Bool(true)},
		{"int", -3, Int(-3)},
		{"int8", int8(-128), Int(-128)},
		{"int16", int16(300), Int(300)},
		{"int32", int32(-7), Int(-7)},
		{"int64", int64(math.MinInt64), Int(math.MinInt64)},
		{"uint", uint(7), Int(7)},
		{"uint8", uint8(255), Int(255)},
		{"uint16", uint16(65535), Int(65535)},
		{"uint32", uint32(math.MaxUint32), Int(math.MaxUint32)},
		{"uint64 fits", uint64(math.MaxInt64), Int(math.MaxInt64)},
		{"uint64 big", uint64(math.MaxUint64), tgBig("18446744073709551615")},
		{"float32", float32(0.5), Float(0.5)},
		{"float64", math.Inf(-1), Float(math.Inf(-1))},
		{"string", "é", Str("é")},
		{"named string", tgMyString("x"), Str("x")},
		{"named int", tgMyInt(9), Int(9)},
		{"bytes", []byte{1, 2}, Bytes{1, 2}},
		{"big", big1, tgBig("1180591620717411303424")},
		{"big small", big.NewInt(5), Int(5)},
		{"time", time.Date(2030, 1, 2, 3, 4, 5, 6000, time.FixedZone("", 3600)),
			DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Minute: 4, Second: 5, Microsecond: 6, TZ: &TZInfo{Kind: TZFixed, Offset: time.Hour}}},
		{"duration", -time.Microsecond, TimeDelta{Days: -1, Seconds: 86399, Microseconds: 999999}},
		{"map sorted", map[string]any{"b": 1, "a": []any{"x", nil}, "c": map[string]any{}},
			DictOf("a", List{Str("x"), None{}}, "b", Int(1), "c", NewDict(0))},
		{"typed map", map[string]int{"z": 1, "y": 2}, DictOf("y", Int(2), "z", Int(1))},
		{"named key map", map[tgMyString]bool{"k": true}, DictOf("k", Bool(true))},
		{"slice", []string{"a", "b"}, List{Str("a"), Str("b")}},
		{"array", [2]int{1, 2}, List{Int(1), Int(2)}},
		{"slice of any", []any{1.5, true, Tuple{}}, List{Float(1.5), Bool(true), Tuple{}}},
		{"value", Tuple{Int(1)}, Tuple{Int(1)}},
		{"value dict", DictOf("a", Int(1)), DictOf("a", Int(1))},
		{"value in map", map[string]any{"t": Decimal("1.5")}, DictOf("t", Decimal("1.5"))},
	} {
		got, err := FromGo(c.in)
		if err != nil || !Equal(got, c.want) {
			t.Errorf("%s: FromGo(%#v) = %#v, %v; want %#v", c.name, c.in, got, err, c.want)
		}
	}
}

func TestFromGoErrors(t *testing.T) {
	cyclic := []any{nil}
	cyclic[0] = cyclic
	for _, c := range []struct {
		name string
		in   any
		want error
	}{
		{"struct", struct{ A int }{1}, ErrUnsupported},
		{"pointer", new(int), ErrUnsupported},
		{"nil big", (*big.Int)(nil), ErrUnsupported},
		{"chan", make(chan int), ErrUnsupported},
		{"func", func() {}, ErrUnsupported},
		{"int keys", map[int]any{1: 2}, ErrUnsupported},
		{"nested struct", map[string]any{"a": []any{struct{}{}}}, ErrUnsupported},
		{"year 0", time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), ErrUnsupported},
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), ErrUnsupported},
		{"complex", complex(1, 2), ErrUnsupported},
		{"cycle", cyclic, ErrTooLarge},
	} {
		if v, err := FromGo(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: FromGo = %#v, %v; want %v", c.name, v, err, c.want)
		}
	}
}

func TestToGo(t *testing.T) {
	obj := &Object{Module: "m", Name: "C"}
	for _, c := range []struct {
		name string
		in   Value
		want any
	}{
		{"nil", nil, nil},
		{"none", None{}, nil},
		{"bool", Bool(true), true},
		{"int", Int(-1), int64(-1)},
		{"big", tgBig("18446744073709551616"), new(big.Int).Lsh(big.NewInt(1), 64)},
		{"float", Float(0.25), 0.25},
		{"str", Str("x"), "x"},
		{"bytes", Bytes("ab"), []byte("ab")},
		{"bytearray", ByteArray("ab"), []byte("ab")},
		{"list", List{Int(1), Str("a")}, []any{int64(1), "a"}},
		{"tuple", Tuple{None{}}, []any{nil}},
		{"set", Set{}, []any{}},
		{"frozenset", FrozenSet{Bool(false)}, []any{false}},
		{"dict", DictOf("a", List{Int(1)}, "b", DictOf()), map[string]any{"a": []any{int64(1)}, "b": map[string]any{}}},
		{"dict other keys", tgDict(false, Int(1), Str("x"), Str("k"), None{}), []any{[2]any{int64(1), "x"}, [2]any{"k", nil}}},
		{"datetime", DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, TZ: UTC}, time.Date(2030, 1, 2, 3, 0, 0, 0, time.UTC)},
		{"date", Date{Year: 2030, Month: 1, Day: 2}, time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"time", Time{Hour: 1, Minute: 2, Second: 3, Microsecond: 4, TZ: UTC}, "01:02:03.000004+00:00"},
		{"time unknown zone", Time{Hour: 1, TZ: &TZInfo{Kind: TZZoneInfo, Name: "No/Such_Zone"}}, "01:00:00"},
		{"timedelta", TimeDelta{Days: 1, Microseconds: 5}, 24*time.Hour + 5*time.Microsecond},
		{"decimal", Decimal("-1.50"), "-1.50"},
		{"uuid", UUID{0xff, 15: 1}, "ff000000-0000-0000-0000-000000000001"},
		{"object", obj, obj},
	} {
		got := ToGo(c.in)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: ToGo(%#v) = %#v, want %#v", c.name, c.in, got, c.want)
		}
	}
}

// TestGoRoundTrip: FromGo(ToGo(v)) gives v back for the types that map one
// to one.
func TestGoRoundTrip(t *testing.T) {
	for _, v := range []Value{
		None{}, Bool(false), Int(math.MaxInt64), tgBig("-18446744073709551616"), Float(math.Copysign(0, -1)),
		Str("a" + tgSurrogate), Bytes("x"), List{Int(1), List{}},
		DictOf("a", Int(1), "b", DictOf("c", Str("d"))),
		DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Microsecond: 999999, TZ: &TZInfo{Kind: TZFixed, Offset: -5 * time.Hour}},
		TimeDelta{Days: -5, Seconds: 3, Microseconds: 7},
	} {
		got, err := FromGo(ToGo(v))
		if err != nil || !Equal(got, v) {
			t.Errorf("FromGo(ToGo(%#v)) = %#v, %v", v, got, err)
		}
	}
}
