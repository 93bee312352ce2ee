package serializer

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// ErrUnhashable is returned when a dict key or set element is of a type
// Python cannot hash (list, dict, set, bytearray).
var ErrUnhashable = errors.New("serializer: unhashable type")

// Item is one key/value pair of a Dict.
type Item struct {
	Key, Value Value
}

// Dict is a Python dict: insertion-ordered, keyed by any hashable value.
// Keys that Python considers equal (1, 1.0 and True; equal strings) are one
// key, as in Python: setting an existing key keeps its position and its
// original key object, and replaces the value. The zero Dict is empty and
// ready to use. A Dict is not safe for concurrent mutation.
type Dict struct {
	items []Item
	index map[string]int // hash key → position in items
	// OrderedDict is true when the value was a collections.OrderedDict;
	// pickle writes it back as one.
	OrderedDict bool
}

// NewDict returns an empty dict with room for n items.
func NewDict(n int) *Dict {
	return &Dict{items: make([]Item, 0, n)}
}

// DictOf builds a dict of str keys from alternating keys and values:
// DictOf("a", Int(1), "b", Str("x")). It panics if the arguments are not
// pairs of string and Value, so use it for literals only.
func DictOf(kv ...any) *Dict {
	if len(kv)%2 != 0 {
		panic("serializer.DictOf: odd number of arguments")
	}
	d := NewDict(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		d.SetStr(kv[i].(string), kv[i+1].(Value))
	}
	return d
}

// Len returns the number of items.
func (d *Dict) Len() int {
	if d == nil {
		return 0
	}
	return len(d.items)
}

// Items returns the items in insertion order. The slice is the dict's own:
// do not modify it.
func (d *Dict) Items() []Item {
	if d == nil {
		return nil
	}
	return d.items
}

// All iterates over the items in insertion order.
func (d *Dict) All() iter.Seq2[Value, Value] {
	return func(yield func(Value, Value) bool) {
		for _, it := range d.Items() {
			if !yield(it.Key, it.Value) {
				return
			}
		}
	}
}

// Keys returns the str keys in insertion order; keys of other types are left out.
func (d *Dict) Keys() []string {
	keys := make([]string, 0, d.Len())
	for _, it := range d.Items() {
		if s, ok := it.Key.(Str); ok {
			keys = append(keys, string(s))
		}
	}
	return keys
}

// Get returns the value under key k.
func (d *Dict) Get(k Value) (Value, bool) {
	hk, err := HashKey(k)
	if err != nil || d == nil {
		return nil, false
	}
	i, ok := d.lookup(hk)
	if !ok {
		return nil, false
	}
	return d.items[i].Value, true
}

// GetStr returns the value under the str key k.
func (d *Dict) GetStr(k string) (Value, bool) {
	if d == nil {
		return nil, false
	}
	i, ok := d.lookup(strHashKey(k))
	if !ok {
		return nil, false
	}
	return d.items[i].Value, true
}

// Set sets d[k] = v. It fails only when k is unhashable.
func (d *Dict) Set(k, v Value) error {
	hk, err := HashKey(k)
	if err != nil {
		return err
	}
	d.set(hk, k, v)
	return nil
}

// SetStr sets d[k] = v for a str key.
func (d *Dict) SetStr(k string, v Value) {
	d.set(strHashKey(k), Str(k), v)
}

// Delete removes key k and reports whether it was there.
func (d *Dict) Delete(k Value) bool {
	hk, err := HashKey(k)
	if err != nil || d == nil {
		return false
	}
	return d.delete(hk)
}

// DeleteStr removes the str key k and reports whether it was there.
func (d *Dict) DeleteStr(k string) bool {
	if d == nil {
		return false
	}
	return d.delete(strHashKey(k))
}

// Clone returns a shallow copy of d.
func (d *Dict) Clone() *Dict {
	c := &Dict{OrderedDict: d.OrderedDict, items: make([]Item, len(d.items))}
	copy(c.items, d.items)
	return c
}

func (d *Dict) set(hk string, k, v Value) {
	if i, ok := d.lookup(hk); ok {
		d.items[i].Value = v
		return
	}
	if d.index != nil {
		d.index[hk] = len(d.items)
	}
	d.items = append(d.items, Item{Key: k, Value: v})
}

func (d *Dict) delete(hk string) bool {
	i, ok := d.lookup(hk)
	if !ok {
		return false
	}
	d.items = append(d.items[:i], d.items[i+1:]...)
	d.index = nil // rebuilt on the next lookup
	return true
}

// lookup finds a key. Small dicts (sessions mostly are) are scanned; larger
// ones get an index, built lazily.
func (d *Dict) lookup(hk string) (int, bool) {
	const scanLimit = 16
	if len(d.items) <= scanLimit {
		for i, it := range d.items {
			if s, ok := it.Key.(Str); ok && len(hk) > 0 && hk[0] == 's' {
				if len(hk)-2 == len(s) && hk[2:] == string(s) {
					return i, true
				}
				continue
			}
			if h, err := HashKey(it.Key); err == nil && h == hk {
				return i, true
			}
		}
		return 0, false
	}
	if d.index == nil {
		d.index = make(map[string]int, len(d.items))
		for i, it := range d.items {
			h, _ := HashKey(it.Key) // keys were hashable when set
			d.index[h] = i
		}
	}
	i, ok := d.index[hk]
	return i, ok
}

func strHashKey(s string) string { return "s:" + s }

// HashKey returns a string that is equal for two values exactly when Python
// considers them equal dict keys (1 == 1.0 == True, equal strings, equal
// tuples). Unhashable values give ErrUnhashable.
func HashKey(v Value) (string, error) {
	switch v := v.(type) {
	case Str:
		return strHashKey(string(v)), nil
	case None:
		return "N", nil
	case Bool:
		if v {
			return "n:1", nil
		}
		return "n:0", nil
	case Int:
		return "n:" + strconv.FormatInt(int64(v), 10), nil
	case BigInt:
		return "n:" + v.V.String(), nil
	case Float:
		f := float64(v)
		if f == math.Trunc(f) && !math.IsInf(f, 0) {
			if math.Abs(f) < 1<<63 {
				return "n:" + strconv.FormatInt(int64(f), 10), nil
			}
			b, _ := new(big.Float).SetFloat64(f).Int(nil)
			return "n:" + b.String(), nil
		}
		return "f:" + strconv.FormatFloat(f, 'g', -1, 64), nil
	case Bytes:
		return "b:" + string(v), nil
	case Tuple:
		return joinHash("t(", v)
	case FrozenSet:
		return joinHash("z(", v) // order-sensitive: good enough for keys read back as written
	case Decimal:
		return "d:" + string(v), nil
	case UUID:
		return "u:" + string(v[:]), nil
	case Date:
		return fmt.Sprintf("D:%d-%d-%d", v.Year, v.Month, v.Day), nil
	case DateTime, Time, TimeDelta:
		return fmt.Sprintf("T:%#v", v), nil
	case *Object:
		return fmt.Sprintf("o:%p", v), nil // identity, as object.__hash__
	default:
		return "", fmt.Errorf("%w: '%s'", ErrUnhashable, v.Kind())
	}
}

func joinHash(prefix string, vs []Value) (string, error) {
	var b strings.Builder
	b.WriteString(prefix)
	for _, e := range vs {
		h, err := HashKey(e)
		if err != nil {
			return "", err
		}
		b.WriteString(strconv.Itoa(len(h)))
		b.WriteByte(':')
		b.WriteString(h)
	}
	b.WriteByte(')')
	return b.String(), nil
}
