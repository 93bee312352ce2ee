package serializer

import (
	"bytes"
	"math"
	"math/big"
)

// Equal reports whether a and b are the same Python value, structurally.
// Unlike Python's ==, it is sensitive to type and to order, so that a value
// read back after a round trip through a codec can be checked exactly:
//
//   - Int(1), Float(1.0) and Bool(true) differ; Int and BigInt holding the
//     same number are equal (a BigInt{V: nil} counts as 0).
//   - Floats are equal when they are the same number with the same sign
//     (0.0 and -0.0 differ); every NaN equals every NaN.
//   - Str, Bytes and ByteArray compare their bytes; Bytes never equals
//     ByteArray, nor List a Tuple.
//   - Lists, tuples, sets and frozensets compare element by element, in
//     order. Dicts compare item by item in insertion order (so {"a":1,"b":2}
//     and {"b":2,"a":1} differ) and must agree on OrderedDict.
//   - A nil slice equals an empty one, and a nil *Dict an empty Dict.
//   - DateTime and Time compare every field; their tzinfos compare by
//     value, on the fields their kind uses (see EqualTZ).
//   - Objects compare Module, Name, Build and then Args, Kwargs, State,
//     ListItems and DictItems with Equal.
//
// Values must be acyclic (a dict that contains itself recurses forever).
func Equal(a, b Value) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case None:
		_, ok := b.(None)
		return ok
	case Bool:
		b, ok := b.(Bool)
		return ok && a == b
	case Int:
		switch b := b.(type) {
		case Int:
			return a == b
		case BigInt:
			return bigIntOrZero(b).Cmp(big.NewInt(int64(a))) == 0
		}
		return false
	case BigInt:
		switch b := b.(type) {
		case Int:
			return bigIntOrZero(a).Cmp(big.NewInt(int64(b))) == 0
		case BigInt:
			return bigIntOrZero(a).Cmp(bigIntOrZero(b)) == 0
		}
		return false
	case Float:
		b, ok := b.(Float)
		return ok && eqFloat(float64(a), float64(b))
	case Str:
		b, ok := b.(Str)
		return ok && a == b
	case Bytes:
		b, ok := b.(Bytes)
		return ok && bytes.Equal(a, b)
	case ByteArray:
		b, ok := b.(ByteArray)
		return ok && bytes.Equal(a, b)
	case List:
		b, ok := b.(List)
		return ok && eqSlices(a, b)
	case Tuple:
		b, ok := b.(Tuple)
		return ok && eqSlices(a, b)
	case Set:
		b, ok := b.(Set)
		return ok && eqSlices(a, b)
	case FrozenSet:
		b, ok := b.(FrozenSet)
		return ok && eqSlices(a, b)
	case *Dict:
		b, ok := b.(*Dict)
		return ok && eqDicts(a, b)
	case DateTime:
		b, ok := b.(DateTime)
		return ok && a.Year == b.Year && a.Month == b.Month && a.Day == b.Day &&
			a.Hour == b.Hour && a.Minute == b.Minute && a.Second == b.Second &&
			a.Microsecond == b.Microsecond && a.Fold == b.Fold && EqualTZ(a.TZ, b.TZ)
	case Date:
		b, ok := b.(Date)
		return ok && a == b
	case Time:
		b, ok := b.(Time)
		return ok && a.Hour == b.Hour && a.Minute == b.Minute && a.Second == b.Second &&
			a.Microsecond == b.Microsecond && a.Fold == b.Fold && EqualTZ(a.TZ, b.TZ)
	case TimeDelta:
		b, ok := b.(TimeDelta)
		return ok && a == b
	case Decimal:
		b, ok := b.(Decimal)
		return ok && a == b
	case UUID:
		b, ok := b.(UUID)
		return ok && a == b
	case *Object:
		b, ok := b.(*Object)
		return ok && eqObjects(a, b)
	}
	return false
}

// EqualTZ reports whether two tzinfos are the same by value: same Kind, and
// the same fields among those the kind uses (TZFixed: Offset and Name;
// TZZoneInfo: Name; TZPytzUTC: none; TZPytz: Name, Offset, DST and Abbrev;
// TZOther: Offset and Raw). Two nil tzinfos (naive) are equal.
func EqualTZ(a, b *TZInfo) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case TZFixed:
		return a.Offset == b.Offset && a.Name == b.Name
	case TZZoneInfo:
		return a.Name == b.Name
	case TZPytzUTC:
		return true
	case TZPytz:
		return a.Name == b.Name && a.Offset == b.Offset && a.DST == b.DST && a.Abbrev == b.Abbrev
	case TZOther:
		if a.Offset != b.Offset {
			return false
		}
		if a.Raw == nil || b.Raw == nil {
			return a.Raw == b.Raw
		}
		return eqObjects(a.Raw, b.Raw)
	}
	return *a == *b
}

func bigIntOrZero(b BigInt) *big.Int {
	if b.V == nil {
		return new(big.Int)
	}
	return b.V
}

func eqFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return a == b && math.Signbit(a) == math.Signbit(b)
}

func eqSlices(a, b []Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func eqItems(a, b []Item) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Equal(a[i].Key, b[i].Key) || !Equal(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

func eqDicts(a, b *Dict) bool {
	if a == b {
		return true
	}
	if a.Len() != b.Len() {
		return false
	}
	ao := a != nil && a.OrderedDict
	bo := b != nil && b.OrderedDict
	return ao == bo && eqItems(a.Items(), b.Items())
}

func eqObjects(a, b *Object) bool {
	if a == b {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	if a.Module != b.Module || a.Name != b.Name || a.Build != b.Build {
		return false
	}
	if !eqSlices(a.Args, b.Args) || !eqDicts(a.Kwargs, b.Kwargs) {
		return false
	}
	if (a.State == nil) != (b.State == nil) || (a.State != nil && !Equal(a.State, b.State)) {
		return false
	}
	return eqSlices(a.ListItems, b.ListItems) && eqItems(a.DictItems, b.DictItems)
}
