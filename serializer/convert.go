package serializer

import (
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"time"
)

// convertMaxDepth bounds the nesting FromGo follows (and so stops on cycles).
const convertMaxDepth = 1000

// FromGo converts a plain Go value to a Value:
//
//	nil                               None
//	bool                              Bool
//	int, int8…int64, uint…uint64      Int (a uint64 over MaxInt64: BigInt)
//	float32, float64                  Float
//	string                            Str
//	[]byte                            Bytes (sharing the bytes)
//	*big.Int                          Int or BigInt (NewBigInt)
//	time.Time                         DateTime, aware (DateTimeOf)
//	time.Duration                     TimeDelta (TimeDeltaOf)
//	map with string keys              *Dict, keys sorted (Go maps have no order)
//	other slices and arrays           List
//	Value                             itself, unchanged
//
// Types defined on these kinds (type ID string) convert as their kind does.
// Anything else (structs, pointers, channels, maps with other keys), a
// time.Time outside years 1–9999 and a nil *big.Int give an error matching
// ErrUnsupported; nesting deeper than 1000 (or a cycle) gives ErrTooLarge.
func FromGo(x any) (Value, error) {
	return convFromGo(x, 0)
}

func convFromGo(x any, depth int) (Value, error) {
	if depth > convertMaxDepth {
		return nil, fmt.Errorf("%w: FromGo: nesting deeper than %d", ErrTooLarge, convertMaxDepth)
	}
	switch x := x.(type) {
	case nil:
		return None{}, nil
	case Value:
		return x, nil
	case bool:
		return Bool(x), nil
	case string:
		return Str(x), nil
	case []byte:
		return Bytes(x), nil
	case float64:
		return Float(x), nil
	case int:
		return Int(x), nil
	case int64:
		return Int(x), nil
	case *big.Int:
		if x == nil {
			return nil, fmt.Errorf("%w: FromGo: nil *big.Int", ErrUnsupported)
		}
		return NewBigInt(x), nil
	case time.Time:
		if y := x.Year(); y < 1 || y > 9999 {
			return nil, fmt.Errorf("%w: FromGo: time %v: year out of range 1-9999", ErrUnsupported, x)
		}
		return DateTimeOf(x), nil
	case time.Duration:
		return TimeDeltaOf(x), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := NewDict(len(keys))
		for _, k := range keys {
			v, err := convFromGo(x[k], depth+1)
			if err != nil {
				return nil, err
			}
			d.SetStr(k, v)
		}
		return d, nil
	case []any:
		l := make(List, len(x))
		for i, e := range x {
			v, err := convFromGo(e, depth+1)
			if err != nil {
				return nil, err
			}
			l[i] = v
		}
		return l, nil
	}
	return convFromReflect(reflect.ValueOf(x), depth)
}

func convFromReflect(rv reflect.Value, depth int) (Value, error) {
	switch rv.Kind() {
	case reflect.Bool:
		return Bool(rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return Int(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > 1<<63-1 {
			return BigInt{V: new(big.Int).SetUint64(u)}, nil
		}
		return Int(u), nil
	case reflect.Float32, reflect.Float64:
		return Float(rv.Float()), nil
	case reflect.String:
		return Str(rv.String()), nil
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return Bytes(rv.Bytes()), nil
		}
		fallthrough
	case reflect.Array:
		l := make(List, rv.Len())
		for i := range l {
			v, err := convFromGo(rv.Index(i).Interface(), depth+1)
			if err != nil {
				return nil, err
			}
			l[i] = v
		}
		return l, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		keys := make([]string, 0, rv.Len())
		vals := make(map[string]reflect.Value, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			k := it.Key().String()
			keys = append(keys, k)
			vals[k] = it.Value()
		}
		sort.Strings(keys)
		d := NewDict(len(keys))
		for _, k := range keys {
			v, err := convFromGo(vals[k].Interface(), depth+1)
			if err != nil {
				return nil, err
			}
			d.SetStr(k, v)
		}
		return d, nil
	}
	return nil, fmt.Errorf("%w: FromGo: Go type %s", ErrUnsupported, rv.Type())
}

// ToGo converts v to plain Go values:
//
//	None                          nil
//	Bool                          bool
//	Int                           int64
//	BigInt                        *big.Int (a copy)
//	Float                         float64
//	Str                           string (lone surrogates as in Str)
//	Bytes, ByteArray              []byte
//	List, Tuple, Set, FrozenSet   []any
//	*Dict, every key a str        map[string]any
//	*Dict, other keys             []any of [2]any{key, value}, in order
//	DateTime                      time.Time (DateTime.Time)
//	Date                          time.Time, midnight UTC
//	Time                          string, its isoformat() (without the
//	                              offset if its zone cannot be loaded)
//	TimeDelta                     time.Duration (saturated, see Duration)
//	Decimal                       string
//	UUID                          string, 8-4-4-4-12 lowercase
//	*Object                       the *Object itself
//
// Slices and maps are new; []byte shares v's bytes.
func ToGo(v Value) any {
	switch v := v.(type) {
	case nil, None:
		return nil
	case Bool:
		return bool(v)
	case Int:
		return int64(v)
	case BigInt:
		return new(big.Int).Set(bigIntOrZero(v))
	case Float:
		return float64(v)
	case Str:
		return string(v)
	case Bytes:
		return []byte(v)
	case ByteArray:
		return []byte(v)
	case List:
		return convToGoSlice(v)
	case Tuple:
		return convToGoSlice(v)
	case Set:
		return convToGoSlice(v)
	case FrozenSet:
		return convToGoSlice(v)
	case *Dict:
		allStr := true
		for _, it := range v.Items() {
			if _, ok := it.Key.(Str); !ok {
				allStr = false
				break
			}
		}
		if allStr {
			m := make(map[string]any, v.Len())
			for _, it := range v.Items() {
				m[string(it.Key.(Str))] = ToGo(it.Value)
			}
			return m
		}
		pairs := make([]any, v.Len())
		for i, it := range v.Items() {
			pairs[i] = [2]any{ToGo(it.Key), ToGo(it.Value)}
		}
		return pairs
	case DateTime:
		return v.Time()
	case Date:
		return time.Date(v.Year, time.Month(v.Month), v.Day, 0, 0, 0, 0, time.UTC)
	case Time:
		s, err := v.ISOFormat()
		if err != nil { // the zone cannot be loaded: the wall clock alone
			s, _ = Time{Hour: v.Hour, Minute: v.Minute, Second: v.Second, Microsecond: v.Microsecond}.ISOFormat()
		}
		return s
	case TimeDelta:
		return v.Duration()
	case Decimal:
		return string(v)
	case UUID:
		return v.String()
	case *Object:
		return v
	}
	return v
}

func convToGoSlice(vs []Value) []any {
	out := make([]any, len(vs))
	for i, e := range vs {
		out[i] = ToGo(e)
	}
	return out
}
