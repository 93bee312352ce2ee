package serializer

import (
	"math"
	"testing"
	"time"
)

func TestEqual(t *testing.T) {
	obj := func() *Object {
		return &Object{Module: "m", Name: "C", Build: BuildReduce, Args: Tuple{Int(1)}, State: DictOf("a", Int(1))}
	}
	nan2 := Float(math.Float64frombits(0x7ff8000000000001))
	for _, tt := range []struct {
		name string
		a, b Value
		want bool
	}{
		{"nil nil", nil, nil, true},
		{"nil none", nil, None{}, false},
		{"none", None{}, None{}, true},
		{"int float", Int(1), Float(1), false},
		{"int bool", Int(1), Bool(true), false},
		{"float bool", Float(1), Bool(true), false},
		{"bool", Bool(true), Bool(true), true},
		{"bool differ", Bool(true), Bool(false), false},
		{"int", Int(5), Int(5), true},
		{"int big same", Int(5), BigInt{V: Int(5).Big()}, true},
		{"big int same", BigInt{V: Int(-5).Big()}, Int(-5), true},
		{"big nil zero", BigInt{}, Int(0), true},
		{"big differ", tgBig("18446744073709551616"), tgBig("18446744073709551617"), false},
		{"big same", tgBig("18446744073709551616"), tgBig("18446744073709551616"), true},
		{"nan nan", Float(math.NaN()), nan2, true},
		{"nan zero", Float(math.NaN()), Float(0), false},
		{"zero negzero", Float(0), Float(math.Copysign(0, -1)), false},
		{"inf", Float(math.Inf(1)), Float(math.Inf(1)), true},
		{"str", Str("a"), Str("a"), true},
		{"str bytes", Str("a"), Bytes("a"), false},
		{"bytes bytearray", Bytes("a"), ByteArray("a"), false},
		{"bytes nil empty", Bytes(nil), Bytes{}, true},
		{"list tuple", List{Int(1)}, Tuple{Int(1)}, false},
		{"set frozenset", Set{Int(1)}, FrozenSet{Int(1)}, false},
		{"list nil empty", List(nil), List{}, true},
		{"list order", List{Int(1), Int(2)}, List{Int(2), Int(1)}, false},
		{"set order", Set{Int(1), Int(2)}, Set{Int(2), Int(1)}, false},
		{"list nested", List{List{Float(math.NaN())}}, List{List{Float(math.NaN())}}, true},
		{"list length", List{Int(1)}, List{Int(1), Int(1)}, false},
		{"dict", DictOf("a", Int(1), "b", Int(2)), DictOf("a", Int(1), "b", Int(2)), true},
		{"dict order", DictOf("a", Int(1), "b", Int(2)), DictOf("b", Int(2), "a", Int(1)), false},
		{"dict value", DictOf("a", Int(1)), DictOf("a", Float(1)), false},
		{"dict key type", tgDict(false, Int(1), None{}), tgDict(false, Float(1), None{}), false},
		{"dict ordered flag", tgDict(true, Str("a"), Int(1)), DictOf("a", Int(1)), false},
		{"dict nil empty", (*Dict)(nil), NewDict(0), true},
		{"dict list", NewDict(0), List{}, false},
		{"datetime", DateTime{Year: 2030, Month: 1, Day: 1, TZ: UTC}, DateTime{Year: 2030, Month: 1, Day: 1, TZ: &TZInfo{Kind: TZFixed}}, true},
		{"datetime naive aware", DateTime{Year: 2030, Month: 1, Day: 1}, DateTime{Year: 2030, Month: 1, Day: 1, TZ: UTC}, false},
		{"datetime fold", DateTime{Year: 2030, Month: 1, Day: 1}, DateTime{Year: 2030, Month: 1, Day: 1, Fold: 1}, false},
		{"datetime same instant", DateTime{Year: 2030, Month: 1, Day: 1, Hour: 1, TZ: &TZInfo{Kind: TZFixed, Offset: time.Hour}},
			DateTime{Year: 2030, Month: 1, Day: 1, TZ: UTC}, false},
		{"datetime utc kinds", DateTime{Year: 2030, Month: 1, Day: 1, TZ: UTC}, DateTime{Year: 2030, Month: 1, Day: 1, TZ: &TZInfo{Kind: TZPytzUTC}}, false},
		{"zoneinfo ignores offset", Time{TZ: &TZInfo{Kind: TZZoneInfo, Name: "UTC", Offset: time.Hour}}, Time{TZ: &TZInfo{Kind: TZZoneInfo, Name: "UTC"}}, true},
		{"zoneinfo key", Time{TZ: &TZInfo{Kind: TZZoneInfo, Name: "UTC"}}, Time{TZ: &TZInfo{Kind: TZZoneInfo, Name: "Etc/UTC"}}, false},
		{"fixed name", Time{TZ: &TZInfo{Kind: TZFixed, Name: "UTC"}}, Time{TZ: UTC}, false},
		{"pytz abbrev", Time{TZ: &TZInfo{Kind: TZPytz, Name: "Europe/Paris", Abbrev: "CET"}}, Time{TZ: &TZInfo{Kind: TZPytz, Name: "Europe/Paris", Abbrev: "CEST"}}, false},
		{"other raw", Time{TZ: &TZInfo{Kind: TZOther, Raw: obj()}}, Time{TZ: &TZInfo{Kind: TZOther, Raw: obj()}}, true},
		{"other raw nil", Time{TZ: &TZInfo{Kind: TZOther, Raw: obj()}}, Time{TZ: &TZInfo{Kind: TZOther}}, false},
		{"date", Date{2030, 1, 1}, Date{2030, 1, 1}, true},
		{"date datetime", Date{2030, 1, 1}, DateTime{Year: 2030, Month: 1, Day: 1}, false},
		{"timedelta", TimeDelta{Days: 1}, TimeDelta{Days: 1}, true},
		{"timedelta differ", TimeDelta{Days: 1}, TimeDelta{Seconds: 86399}, false},
		{"decimal", Decimal("1.10"), Decimal("1.1"), false},
		{"decimal str", Decimal("1"), Str("1"), false},
		{"uuid", UUID{1}, UUID{1}, true},
		{"object", obj(), obj(), true},
		{"object module", obj(), &Object{Module: "n", Name: "C", Build: BuildReduce, Args: Tuple{Int(1)}, State: DictOf("a", Int(1))}, false},
		{"object build", obj(), &Object{Module: "m", Name: "C", Build: BuildNewObj, Args: Tuple{Int(1)}, State: DictOf("a", Int(1))}, false},
		{"object args", obj(), &Object{Module: "m", Name: "C", Build: BuildReduce, Args: Tuple{Int(2)}, State: DictOf("a", Int(1))}, false},
		{"object no state", obj(), &Object{Module: "m", Name: "C", Build: BuildReduce, Args: Tuple{Int(1)}}, false},
		{"object none state", &Object{State: None{}}, &Object{}, false},
		{"object listitems", &Object{ListItems: []Value{Int(1)}}, &Object{}, false},
		{"object dictitems", &Object{DictItems: []Item{{Int(1), Int(2)}}}, &Object{DictItems: []Item{{Int(1), Int(3)}}}, false},
		{"object kwargs", &Object{Kwargs: DictOf("a", Int(1))}, &Object{Kwargs: DictOf("a", Int(2))}, false},
		{"object nil empty", &Object{Args: Tuple{}, ListItems: []Value{}}, &Object{}, true},
	} {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("%s: Equal(%#v, %#v) = %v", tt.name, tt.a, tt.b, got)
		}
		if got := Equal(tt.b, tt.a); got != tt.want {
			t.Errorf("%s: Equal(%#v, %#v) = %v (reversed)", tt.name, tt.b, tt.a, got)
		}
	}
}

func TestEqualSelf(t *testing.T) {
	d := NewDict(1)
	d.SetStr("self", d)
	if !Equal(d, d) {
		t.Fatal("a dict is not Equal to itself")
	}
}
