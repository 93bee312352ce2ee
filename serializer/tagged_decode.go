package serializer

import (
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// taggedLevel counts one more level of containers below depth.
func taggedLevel(depth int) (int, error) {
	if depth >= taggedMaxDepth {
		return 0, taggedTooDeep()
	}
	return depth + 1, nil
}

// taggedValue reads a parsed JSON value as a Value; depth is the number of
// containers it is in.
func taggedValue(n *tjNode, depth int) (Value, error) {
	switch n.kind {
	case 'n':
		return None{}, nil
	case 't':
		return Bool(true), nil
	case 'f':
		return Bool(false), nil
	case 's':
		return Str(n.str), nil
	case 'i':
		return taggedInt(n.str, n.off)
	case 'd':
		f, err := strconv.ParseFloat(n.str, 64)
		if err != nil && !math.IsInf(f, 0) { // overflow is inf, as in Python
			return nil, taggedMalformed("number %s at offset %d", n.str, n.off)
		}
		return Float(f), nil
	case 'a':
		lvl, err := taggedLevel(depth)
		if err != nil {
			return nil, err
		}
		l, err := taggedValues(n.elems, lvl)
		if err != nil {
			return nil, err
		}
		return List(l), nil
	}
	for _, k := range n.keys {
		if k == "$type" {
			return taggedObject(n, depth)
		}
	}
	lvl, err := taggedLevel(depth)
	if err != nil {
		return nil, err
	}
	d := NewDict(len(n.keys))
	for i, k := range n.keys {
		v, err := taggedValue(n.vals[i], lvl)
		if err != nil {
			return nil, err
		}
		d.SetStr(k, v)
	}
	return d, nil
}

func taggedValues(ns []*tjNode, depth int) ([]Value, error) {
	vs := make([]Value, len(ns))
	for i, e := range ns {
		v, err := taggedValue(e, depth)
		if err != nil {
			return nil, err
		}
		vs[i] = v
	}
	return vs, nil
}

// taggedInt reads a decimal integer: -?[0-9]+.
func taggedInt(s string, off int) (Value, error) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || !tgAllDigits(digits) {
		return nil, taggedMalformed("int %q at offset %d", s, off)
	}
	if len(digits) > taggedMaxIntDigits {
		return nil, fmt.Errorf("%w: tagged: int of %d digits at offset %d (limit %d)", ErrTooLarge, len(digits), off, taggedMaxIntDigits)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Int(i), nil
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, taggedMalformed("int %q at offset %d", s, off)
	}
	return NewBigInt(b), nil
}

// tjFields is a tagged object's members by name.
type tjFields struct {
	typ   string
	off   int
	m     map[string]*tjNode
	depth int // containers the tagged object is in
}

func tgNewFields(n *tjNode, what string, depth int) (*tjFields, error) {
	f := &tjFields{typ: what, off: n.off, m: make(map[string]*tjNode, len(n.keys)), depth: depth}
	for i, k := range n.keys {
		if _, dup := f.m[k]; dup {
			return nil, taggedMalformed("%s at offset %d: duplicate member %q", what, n.off, k)
		}
		f.m[k] = n.vals[i]
	}
	return f, nil
}

func (f *tjFields) errorf(format string, args ...any) error {
	return taggedMalformed("%s at offset %d: %s", f.typ, f.off, fmt.Sprintf(format, args...))
}

// get returns member name, or nil when it is absent.
func (f *tjFields) get(name string) *tjNode {
	return f.m[name]
}

func (f *tjFields) need(name string) (*tjNode, error) {
	n := f.get(name)
	if n == nil {
		return nil, f.errorf("missing %q", name)
	}
	return n, nil
}

func (f *tjFields) str(name string) (string, error) {
	n, err := f.need(name)
	if err != nil {
		return "", err
	}
	if n.kind != 's' {
		return "", f.errorf("%q is a %s, not a string", name, n.kindName())
	}
	return n.str, nil
}

// text reads a member holding a Python str: a JSON string, or a tagged str
// for text with lone surrogates.
func (f *tjFields) text(name string) (string, error) {
	n, err := f.need(name)
	if err != nil {
		return "", err
	}
	return f.textNode(name, n)
}

func (f *tjFields) textNode(name string, n *tjNode) (string, error) {
	switch n.kind {
	case 's':
		return n.str, nil
	case 'o':
		v, err := taggedValue(n, f.depth)
		if err != nil {
			return "", err
		}
		if s, ok := v.(Str); ok {
			return string(s), nil
		}
	}
	return "", f.errorf("%q is not a str", name)
}

func (f *tjFields) array(name string) ([]*tjNode, error) {
	n, err := f.need(name)
	if err != nil {
		return nil, err
	}
	if n.kind != 'a' {
		return nil, f.errorf("%q is a %s, not an array", name, n.kindName())
	}
	return n.elems, nil
}

// int64 reads an optional integer member (def when absent).
func (f *tjFields) int64(name string, def int64) (int64, error) {
	n := f.get(name)
	if n == nil {
		return def, nil
	}
	if n.kind != 'i' {
		return 0, f.errorf("%q is not an integer", name)
	}
	i, err := strconv.ParseInt(n.str, 10, 64)
	if err != nil {
		return 0, f.errorf("%q out of range", name)
	}
	return i, nil
}

func (f *tjFields) base64(name string) ([]byte, error) {
	s, err := f.str(name)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(s, "\r\n") {
		return nil, f.errorf("%q is not base64", name)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, f.errorf("%q is not base64: %v", name, err)
	}
	return b, nil
}

func taggedObject(n *tjNode, depth int) (Value, error) {
	f, err := tgNewFields(n, "tagged object", depth)
	if err != nil {
		return nil, err
	}
	typ, err := f.str("$type")
	if err != nil {
		return nil, err
	}
	f.typ = strconv.Quote(typ)
	v, err := taggedByType(typ, f)
	if err != nil {
		return nil, err
	}
	for k := range f.m {
		if !taggedMemberOf(typ, k) {
			return nil, f.errorf("unknown member %q", k)
		}
	}
	return v, nil
}

// taggedMembers lists the members each $type may have.
var taggedMembers = map[string][]string{
	"float":     {"value"},
	"int":       {"value"},
	"str":       {"wtf8"},
	"dict":      {"items", "ordered"},
	"tuple":     {"value"},
	"set":       {"value"},
	"frozenset": {"value"},
	"bytes":     {"value"},
	"bytearray": {"value"},
	"datetime":  {"value", "tz", "fold"},
	"time":      {"value", "tz", "fold"},
	"date":      {"value"},
	"timedelta": {"days", "seconds", "microseconds"},
	"decimal":   {"value"},
	"uuid":      {"value"},
	"object":    {"class", "module", "build", "args", "kwargs", "state", "listitems", "dictitems"},
}

func taggedMemberOf(typ, k string) bool {
	if k == "$type" {
		return true
	}
	for _, m := range taggedMembers[typ] {
		if m == k {
			return true
		}
	}
	return false
}

func taggedByType(typ string, f *tjFields) (Value, error) {
	switch typ {
	case "float":
		s, err := f.str("value")
		if err != nil {
			return nil, err
		}
		switch s {
		case "nan":
			return Float(math.NaN()), nil
		case "inf":
			return Float(math.Inf(1)), nil
		case "-inf":
			return Float(math.Inf(-1)), nil
		}
		return nil, f.errorf("value %q is not nan, inf or -inf", s)
	case "int":
		s, err := f.str("value")
		if err != nil {
			return nil, err
		}
		return taggedInt(s, f.off)
	case "str":
		b, err := f.base64("wtf8")
		if err != nil {
			return nil, err
		}
		if !tgValidPyStr(string(b)) {
			return nil, f.errorf("wtf8 is not UTF-8 with lone surrogates")
		}
		return Str(b), nil
	case "dict":
		return taggedDict(f)
	case "tuple", "set", "frozenset":
		lvl, err := taggedLevel(f.depth)
		if err != nil {
			return nil, err
		}
		elems, err := f.array("value")
		if err != nil {
			return nil, err
		}
		vs, err := taggedValues(elems, lvl)
		if err != nil {
			return nil, err
		}
		switch typ {
		case "tuple":
			return Tuple(vs), nil
		case "set":
			return Set(vs), nil
		}
		return FrozenSet(vs), nil
	case "bytes":
		b, err := f.base64("value")
		return Bytes(b), err
	case "bytearray":
		b, err := f.base64("value")
		return ByteArray(b), err
	case "datetime":
		return taggedDateTime(f)
	case "time":
		return taggedTime(f)
	case "date":
		s, err := f.str("value")
		if err != nil {
			return nil, err
		}
		d, err := parseISODate(s)
		if err != nil {
			return nil, f.errorf("%v", err)
		}
		return d, nil
	case "timedelta":
		return taggedTimeDelta(f)
	case "decimal":
		s, err := f.str("value")
		if err != nil {
			return nil, err
		}
		if !tgValidDecimal(s) {
			return nil, f.errorf("value %q is not a decimal", s)
		}
		return Decimal(s), nil
	case "uuid":
		s, err := f.str("value")
		if err != nil {
			return nil, err
		}
		u, err := ParseUUID(s)
		if err != nil {
			return nil, f.errorf("%v", err)
		}
		return u, nil
	case "object":
		return taggedObjectValue(f)
	}
	return nil, f.errorf("unknown $type")
}

// taggedPairs reads [[k,v],...], the keys and values at depth.
func taggedPairs(f *tjFields, name string, depth int) ([]Item, error) {
	elems, err := f.array(name)
	if err != nil {
		return nil, err
	}
	items := make([]Item, len(elems))
	for i, e := range elems {
		if e.kind != 'a' || len(e.elems) != 2 {
			return nil, f.errorf("%s[%d] is not a [key, value] pair", name, i)
		}
		k, err := taggedValue(e.elems[0], depth)
		if err != nil {
			return nil, err
		}
		v, err := taggedValue(e.elems[1], depth)
		if err != nil {
			return nil, err
		}
		items[i] = Item{Key: k, Value: v}
	}
	return items, nil
}

func taggedDict(f *tjFields) (Value, error) {
	lvl, err := taggedLevel(f.depth)
	if err != nil {
		return nil, err
	}
	items, err := taggedPairs(f, "items", lvl)
	if err != nil {
		return nil, err
	}
	d := NewDict(len(items))
	for i, it := range items {
		if err := d.Set(it.Key, it.Value); err != nil {
			return nil, f.errorf("items[%d]: %v", i, err)
		}
	}
	if o := f.get("ordered"); o != nil {
		switch o.kind {
		case 't':
			d.OrderedDict = true
		case 'f':
		default:
			return nil, f.errorf(`"ordered" is not a boolean`)
		}
	}
	return d, nil
}

func taggedFold(f *tjFields) (int, error) {
	fold, err := f.int64("fold", 0)
	if err != nil {
		return 0, err
	}
	if fold != 0 && fold != 1 {
		return 0, f.errorf("fold %d is not 0 or 1", fold)
	}
	return int(fold), nil
}

func taggedDateTime(f *tjFields) (Value, error) {
	s, err := f.str("value")
	if err != nil {
		return nil, err
	}
	dt, _, _, err := parseISODateTime(s)
	if err != nil {
		return nil, f.errorf("%v", err)
	}
	if dt.Fold, err = taggedFold(f); err != nil {
		return nil, err
	}
	if dt.TZ, err = taggedTZ(f); err != nil {
		return nil, err
	}
	return dt, nil
}

func taggedTime(f *tjFields) (Value, error) {
	s, err := f.str("value")
	if err != nil {
		return nil, err
	}
	t, err := parseISOTime(s)
	if err != nil {
		return nil, f.errorf("%v", err)
	}
	if t.Fold, err = taggedFold(f); err != nil {
		return nil, err
	}
	if t.TZ, err = taggedTZ(f); err != nil {
		return nil, err
	}
	return t, nil
}

func taggedTimeDelta(f *tjFields) (Value, error) {
	var parts [3]int64
	for i, name := range [...]string{"days", "seconds", "microseconds"} {
		v, err := f.int64(name, 0)
		if err != nil {
			return nil, err
		}
		// Bounded so that the sum below cannot overflow.
		if v < -1e12 || v > 1e12 {
			return nil, f.errorf("%s %d out of range", name, v)
		}
		parts[i] = v
	}
	// timedelta(days, seconds, microseconds): carry into days exactly.
	us := parts[2]
	secs := parts[1] + tgFloorDiv(us, 1e6)
	us -= tgFloorDiv(us, 1e6) * 1e6
	days := parts[0] + tgFloorDiv(secs, 86400)
	secs -= tgFloorDiv(secs, 86400) * 86400
	td := TimeDelta{Days: days, Seconds: secs, Microseconds: us}
	if !tgValidTimeDelta(td) {
		return nil, f.errorf("days %d out of range", days)
	}
	return td, nil
}

func tgFloorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// taggedTZ reads the optional "tz" member.
func taggedTZ(f *tjFields) (*TZInfo, error) {
	n := f.get("tz")
	if n == nil || n.kind == 'n' {
		return nil, nil
	}
	if n.kind != 'o' {
		return nil, f.errorf(`"tz" is a %s, not an object or null`, n.kindName())
	}
	tf, err := tgNewFields(n, "tz", f.depth)
	if err != nil {
		return nil, err
	}
	kind, err := tf.str("kind")
	if err != nil {
		return nil, err
	}
	tf.typ = "tz " + strconv.Quote(kind)
	tz := &TZInfo{}
	var allowed []string
	switch kind {
	case "fixed":
		allowed = []string{"offset", "name"}
		tz.Kind = TZFixed
		if tz.Offset, err = tgTZOffset(tf, "offset", false); err != nil {
			return nil, err
		}
		if n := tf.get("name"); n != nil {
			if tz.Name, err = tf.textNode("name", n); err != nil {
				return nil, err
			}
		}
		if tz.Offset == 0 && tz.Name == "" {
			tz = UTC
		}
	case "zoneinfo":
		allowed = []string{"key"}
		tz.Kind = TZZoneInfo
		if tz.Name, err = tf.text("key"); err != nil {
			return nil, err
		}
		if _, err := tzLoadZone(tz.Name); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
	case "pytz_utc":
		tz.Kind = TZPytzUTC
	case "pytz":
		allowed = []string{"zone", "offset", "dst", "abbrev"}
		tz.Kind = TZPytz
		if tz.Name, err = tf.text("zone"); err != nil {
			return nil, err
		}
		if tz.Offset, err = tgTZOffset(tf, "offset", false); err != nil {
			return nil, err
		}
		if tz.DST, err = tgTZOffset(tf, "dst", false); err != nil {
			return nil, err
		}
		if tz.Abbrev, err = tf.text("abbrev"); err != nil {
			return nil, err
		}
	case "other":
		allowed = []string{"offset", "object"}
		tz.Kind = TZOther
		if tz.Offset, err = tgTZOffset(tf, "offset", true); err != nil {
			return nil, err
		}
		on, err := tf.need("object")
		if err != nil {
			return nil, err
		}
		if on.kind != 'n' {
			v, err := taggedValue(on, tf.depth)
			if err != nil {
				return nil, err
			}
			o, ok := v.(*Object)
			if !ok {
				return nil, tf.errorf(`"object" is a %s, not an object`, v.Kind())
			}
			tz.Raw = o
		}
	default:
		return nil, tf.errorf("unknown kind")
	}
	for k := range tf.m {
		if k == "kind" {
			continue
		}
		known := false
		for _, a := range allowed {
			known = known || a == k
		}
		if !known {
			return nil, tf.errorf("unknown member %q", k)
		}
	}
	return tz, nil
}

// tgTZOffset reads a member holding seconds: an integer or a decimal fraction
// of at most microsecond precision, strictly within a day; null (as 0) when
// nullable.
func tgTZOffset(f *tjFields, name string, nullable bool) (time.Duration, error) {
	n, err := f.need(name)
	if err != nil {
		return 0, err
	}
	if n.kind == 'n' && nullable {
		return 0, nil
	}
	if n.kind != 'i' && n.kind != 'd' {
		return 0, f.errorf("%q is a %s, not a number of seconds", name, n.kindName())
	}
	d, ok := tgParseSeconds(n.str)
	if !ok || !tzValidOffset(d) {
		return 0, f.errorf("%q %s is not an offset within a day, in microseconds", name, n.str)
	}
	return d, nil
}

// tgParseSeconds reads -?digits[.digits] (no exponent) as seconds, keeping
// microseconds exactly; further fraction digits must be zeros.
func tgParseSeconds(s string) (time.Duration, bool) {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, _ := strings.Cut(s, ".")
	if ip == "" || len(ip) > 6 || !tgAllDigits(ip) || !tgAllDigits(fp) {
		return 0, false
	}
	secs, _ := strconv.ParseInt(ip, 10, 64)
	us := int64(0)
	for i := 0; i < len(fp); i++ {
		if i < 6 {
			us = us*10 + int64(fp[i]-'0')
		} else if fp[i] != '0' {
			return 0, false
		}
	}
	for i := len(fp); i < 6; i++ {
		us *= 10
	}
	d := time.Duration(secs)*time.Second + time.Duration(us)*time.Microsecond
	if neg {
		d = -d
	}
	return d, true
}

func taggedObjectValue(f *tjFields) (Value, error) {
	lvl, err := taggedLevel(f.depth)
	if err != nil {
		return nil, err
	}
	class, err := f.text("class")
	if err != nil {
		return nil, err
	}
	o := &Object{}
	if mn := f.get("module"); mn != nil {
		module, err := f.textNode("module", mn)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(class, module+".") {
			return nil, f.errorf(`"class" %q does not start with "module" %q and a dot`, class, module)
		}
		o.Module, o.Name = module, class[len(module)+1:]
	} else {
		dot := strings.LastIndexByte(class, '.')
		if dot < 0 {
			return nil, f.errorf(`"class" %q is not module.Name`, class)
		}
		o.Module, o.Name = class[:dot], class[dot+1:]
	}
	build, err := f.str("build")
	if err != nil {
		return nil, err
	}
	found := false
	for i, b := range tgBuildNames {
		if b == build {
			o.Build, found = ObjectBuild(i), true
		}
	}
	if !found {
		return nil, f.errorf(`"build" %q is not one of reduce, newobj, newobj_ex, global, inst`, build)
	}
	args, err := f.array("args")
	if err != nil {
		return nil, err
	}
	av, err := taggedValues(args, lvl)
	if err != nil {
		return nil, err
	}
	o.Args = Tuple(av)
	if kn := f.get("kwargs"); kn != nil {
		v, err := taggedValue(kn, lvl)
		if err != nil {
			return nil, err
		}
		d, ok := v.(*Dict)
		if !ok {
			return nil, f.errorf(`"kwargs" is a %s, not a dict`, v.Kind())
		}
		o.Kwargs = d
	}
	if sn := f.get("state"); sn != nil {
		if o.State, err = taggedValue(sn, lvl); err != nil {
			return nil, err
		}
	}
	if f.get("listitems") != nil {
		elems, err := f.array("listitems")
		if err != nil {
			return nil, err
		}
		if o.ListItems, err = taggedValues(elems, lvl); err != nil {
			return nil, err
		}
	}
	if f.get("dictitems") != nil {
		if o.DictItems, err = taggedPairs(f, "dictitems", lvl); err != nil {
			return nil, err
		}
	}
	return o, nil
}
