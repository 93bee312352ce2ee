package serializer

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// Random values of every type, for round-trip properties.

var tgZoneKeys = []string{"UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Etc/GMT+5"}

var tgStrPieces = []string{"a", "Z", "0", " ", "$type", "\"", "\\", "/", "<", "&", "\x00", "\n", "\t", "\x7f",
	"é", "€", "😀", "\u2028", "\ufffd", "\U0010ffff",
	"\xed\xa0\x80", "\xed\xbf\xbf", "\xed\xb0\x80", "\xed\xa0\xbd\xed\xb8\x80"} // lone and paired surrogates

func tgRandStr(r *rand.Rand) Str {
	var sb strings.Builder
	for range r.IntN(6) {
		sb.WriteString(tgStrPieces[r.IntN(len(tgStrPieces))])
	}
	return Str(sb.String())
}

func tgRandBytes(r *rand.Rand) []byte {
	b := make([]byte, r.IntN(10))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func tgRandInt(r *rand.Rand) Int {
	switch r.IntN(4) {
	case 0:
		return Int(r.IntN(10))
	case 1:
		return Int(r.Int64())
	case 2:
		return Int(-r.Int64() - 1)
	}
	return Int(r.Int64N(1e6) - 5e5)
}

func tgRandBigInt(r *rand.Rand) Value {
	b := new(big.Int).Lsh(big.NewInt(r.Int64N(1e9)+1), uint(63+r.IntN(200)))
	if r.IntN(2) == 0 {
		b.Neg(b)
	}
	return NewBigInt(b)
}

func tgRandFloat(r *rand.Rand) Float {
	switch r.IntN(8) {
	case 0:
		return Float(math.NaN())
	case 1:
		return Float(math.Inf(1 - 2*r.IntN(2)))
	case 2:
		return Float(math.Copysign(0, -1))
	case 3:
		return Float(r.IntN(1000))
	case 4:
		return Float(r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20)))
	}
	for {
		f := math.Float64frombits(r.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			return Float(f)
		}
	}
}

func tgRandOffset(r *rand.Rand) time.Duration {
	switch r.IntN(4) {
	case 0:
		return time.Duration(r.IntN(29)-14) * time.Hour
	case 1:
		return time.Duration(r.IntN(24*60*2-1)-(24*60-1)) * time.Minute
	case 2:
		return time.Duration(r.IntN(2*86400-1)-86399) * time.Second
	}
	return time.Duration(r.Int64N(2*86400e6-1)-(86400e6-1)) * time.Microsecond
}

func tgRandTZ(r *rand.Rand, depth int) *TZInfo {
	switch r.IntN(8) {
	case 0, 1:
		return nil
	case 2:
		return UTC
	case 3:
		name := ""
		if r.IntN(2) == 0 {
			name = string(tgRandStr(r))
		}
		return &TZInfo{Kind: TZFixed, Offset: tgRandOffset(r), Name: name}
	case 4:
		return &TZInfo{Kind: TZZoneInfo, Name: tgZoneKeys[r.IntN(len(tgZoneKeys))]}
	case 5:
		return &TZInfo{Kind: TZPytzUTC}
	case 6:
		return &TZInfo{Kind: TZPytz, Name: "Europe/Paris", Offset: tgRandOffset(r), DST: tgRandOffset(r), Abbrev: string(tgRandStr(r))}
	}
	tz := &TZInfo{Kind: TZOther}
	if r.IntN(2) == 0 {
		tz.Offset = tgRandOffset(r)
	}
	if r.IntN(3) > 0 {
		tz.Raw = tgRandObject(r, depth)
	}
	return tz
}

func tgRandDateTime(r *rand.Rand, depth int) DateTime {
	y, m := 1+r.IntN(9999), 1+r.IntN(12)
	return DateTime{Year: y, Month: m, Day: 1 + r.IntN(isoDaysIn(y, m)),
		Hour: r.IntN(24), Minute: r.IntN(60), Second: r.IntN(60), Microsecond: r.IntN(2) * r.IntN(1000000),
		Fold: r.IntN(2), TZ: tgRandTZ(r, depth)}
}

// tgRandKey returns a hashable value. Datetimes and times with a tzinfo are
// left out: HashKey tells them apart by their tzinfo pointer.
func tgRandKey(r *rand.Rand, depth int) Value {
	switch r.IntN(12) {
	case 0:
		return None{}
	case 1:
		return Bool(r.IntN(2) == 0)
	case 2:
		return tgRandInt(r)
	case 3:
		return tgRandBigInt(r)
	case 4:
		return tgRandFloat(r)
	case 5:
		return Bytes(tgRandBytes(r))
	case 6:
		if depth > 0 {
			t := make(Tuple, r.IntN(3))
			for i := range t {
				t[i] = tgRandKey(r, depth-1)
			}
			return t
		}
	case 7:
		return Date{Year: 1 + r.IntN(9999), Month: 1 + r.IntN(12), Day: 1 + r.IntN(28)}
	case 8:
		return TimeDelta{Days: r.Int64N(2e9) - 1e9 + 1, Seconds: r.Int64N(86400), Microseconds: r.Int64N(1e6)}
	case 9:
		var u UUID
		for i := range u {
			u[i] = byte(r.Uint32())
		}
		return u
	}
	return tgRandStr(r)
}

var tgDecimals = []string{"0", "-0", "1.10", "1E+3", "-1.5e-7", "NaN", "-sNaN12", "Infinity", "-Inf", "123456789012345678901234567890.000", ".5", "5."}

var tgModules = []string{"app.models", "builtins", "m", "", "a.b.c"}
var tgNames = []string{"Thing", "Outer.Inner", "", "x.y.z", "_reconstructor"}

func tgRandObject(r *rand.Rand, depth int) *Object {
	o := &Object{Module: tgModules[r.IntN(len(tgModules))], Name: tgNames[r.IntN(len(tgNames))], Build: ObjectBuild(r.IntN(5))}
	if depth <= 0 {
		return o
	}
	if r.IntN(4) > 0 {
		o.Args = Tuple(tgRandValues(r, depth-1))
	}
	if r.IntN(3) == 0 {
		o.Kwargs = tgRandDict(r, depth-1)
	}
	if r.IntN(2) == 0 {
		o.State = tgRandValue(r, depth-1)
	}
	if r.IntN(3) == 0 {
		o.ListItems = tgRandValues(r, depth-1)
	}
	if r.IntN(3) == 0 {
		o.DictItems = make([]Item, r.IntN(3))
		for i := range o.DictItems {
			o.DictItems[i] = Item{tgRandValue(r, depth-1), tgRandValue(r, depth-1)}
		}
	}
	return o
}

func tgRandValues(r *rand.Rand, depth int) []Value {
	vs := make([]Value, r.IntN(4))
	for i := range vs {
		vs[i] = tgRandValue(r, depth)
	}
	return vs
}

func tgRandDict(r *rand.Rand, depth int) *Dict {
	d := NewDict(0)
	mode := r.IntN(3)
	for range r.IntN(5) {
		var k Value
		if mode == 0 {
			k = tgRandKey(r, depth)
		} else {
			k = tgRandStr(r)
		}
		if err := d.Set(k, tgRandValue(r, depth)); err != nil {
			panic(err)
		}
	}
	d.OrderedDict = r.IntN(6) == 0
	return d
}

// tgRandValue returns a random Value with containers nested at most depth
// levels deep.
func tgRandValue(r *rand.Rand, depth int) Value {
	n := 20
	if depth <= 0 {
		n = 14 // scalars only
	}
	switch r.IntN(n) {
	case 0:
		return None{}
	case 1:
		return Bool(r.IntN(2) == 0)
	case 2:
		return tgRandInt(r)
	case 3:
		return tgRandBigInt(r)
	case 4:
		return tgRandFloat(r)
	case 5:
		return tgRandStr(r)
	case 6:
		return Bytes(tgRandBytes(r))
	case 7:
		return ByteArray(tgRandBytes(r))
	case 8:
		return tgRandDateTime(r, depth-1)
	case 9:
		return Date{Year: 1 + r.IntN(9999), Month: 2, Day: 1 + r.IntN(28)}
	case 10:
		return Time{Hour: r.IntN(24), Minute: r.IntN(60), Second: r.IntN(60), Microsecond: r.IntN(1000000),
			Fold: r.IntN(2), TZ: tgRandTZ(r, depth-1)}
	case 11:
		return TimeDeltaOf(time.Duration(r.Int64()))
	case 12:
		return Decimal(tgDecimals[r.IntN(len(tgDecimals))])
	case 13:
		return tgRandKey(r, 0)
	case 14:
		return List(tgRandValues(r, depth-1))
	case 15:
		return Tuple(tgRandValues(r, depth-1))
	case 16:
		return Set(tgRandValues(r, depth-1))
	case 17:
		return FrozenSet(tgRandValues(r, depth-1))
	case 18:
		return tgRandDict(r, depth-1)
	}
	return tgRandObject(r, depth-1)
}

func TestTaggedRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	seen := map[string]bool{}
	marks := []string{`"$type":"float"`, `"$type":"int"`, `"$type":"str"`, `"$type":"dict"`, `"ordered":true`,
		`"$type":"tuple"`, `"$type":"set"`, `"$type":"frozenset"`, `"$type":"bytes"`, `"$type":"bytearray"`,
		`"$type":"datetime"`, `"$type":"time"`, `"$type":"date"`, `"$type":"timedelta"`, `"$type":"decimal"`,
		`"$type":"uuid"`, `"$type":"object"`, `"module":`, `"kwargs":`, `"state":`, `"listitems":`, `"dictitems":`,
		`"fold":1`, `"kind":"fixed"`, `"kind":"zoneinfo"`, `"kind":"pytz_utc"`, `"kind":"pytz"`, `"kind":"other"`,
		`"offset":null`, `"name":`, `"tz":null`, `[]`, `{}`, `"$type":"dict","items":[["$type"`}
	for i := range 3000 {
		v := tgRandValue(r, 4)
		b, err := MarshalTagged(v)
		if err != nil {
			t.Fatalf("value %d: MarshalTagged: %v\n%#v", i, err, v)
		}
		for _, m := range marks {
			if bytes.Contains(b, []byte(m)) {
				seen[m] = true
			}
		}
		if !json.Valid(b) || bytes.ContainsAny(b, "\n\r") {
			t.Fatalf("value %d: output is not one line of JSON: %s", i, b)
		}
		back, err := UnmarshalTagged(b)
		if err != nil {
			t.Fatalf("value %d: UnmarshalTagged(%s): %v", i, b, err)
		}
		if !Equal(back, v) {
			t.Fatalf("value %d: round trip changed the value\n%s\n%#v\n%#v", i, b, v, back)
		}
		b2, err := MarshalTagged(back)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("value %d: written twice differently\n%s\n%s (%v)", i, b, b2, err)
		}
		ind, err := MarshalTaggedIndent(v, " ", "\t")
		if err != nil {
			t.Fatal(err)
		}
		if back, err := UnmarshalTagged(ind); err != nil || !Equal(back, v) {
			t.Fatalf("value %d: indented form does not read back: %v\n%s", i, err, ind)
		}
	}
	for _, m := range marks {
		if !seen[m] {
			t.Errorf("no random value produced %s", m)
		}
	}
}
