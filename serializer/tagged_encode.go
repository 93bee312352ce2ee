package serializer

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

type taggedEncoder struct {
	buf   []byte
	depth int // containers entered: list, tuple, set, frozenset, dict, object
}

// enter counts one more level of containers.
func (e *taggedEncoder) enter() error {
	e.depth++
	if e.depth > taggedMaxDepth {
		return taggedTooDeep()
	}
	return nil
}

func (e *taggedEncoder) leave() { e.depth-- }

func (e *taggedEncoder) open(c byte) { e.buf = append(e.buf, c) }

func (e *taggedEncoder) close(c byte) { e.buf = append(e.buf, c) }

// tag opens a tagged object: {"$type":"name"
func (e *taggedEncoder) tag(name string) {
	e.open('{')
	e.buf = append(e.buf, `"$type":"`...)
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, '"')
}

// member writes ,"name": (the names are plain ASCII).
func (e *taggedEncoder) member(name string) {
	e.buf = append(e.buf, ',', '"')
	e.buf = append(e.buf, name...)
	e.buf = append(e.buf, '"', ':')
}

// taggedString writes ,"name":"s" for an ASCII s.
func (e *taggedEncoder) asciiMember(name, s string) {
	e.member(name)
	e.buf = append(e.buf, '"')
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, '"')
}

func (e *taggedEncoder) value(v Value) error {
	switch v := v.(type) {
	case nil:
		return taggedUnsupported("nil Value")
	case None:
		e.buf = append(e.buf, "null"...)
	case Bool:
		e.buf = strconv.AppendBool(e.buf, bool(v))
	case Int:
		e.buf = strconv.AppendInt(e.buf, int64(v), 10)
	case BigInt:
		s := bigIntOrZero(v).String()
		if n := len(s) - tgBoolInt(s[0] == '-'); n > taggedMaxIntDigits {
			return fmt.Errorf("%w: %w: tagged: int of %d digits (limit %d)", ErrUnsupported, ErrTooLarge, n, taggedMaxIntDigits)
		}
		e.tag("int")
		e.asciiMember("value", s)
		e.close('}')
	case Float:
		f := float64(v)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			e.tag("float")
			e.asciiMember("value", FormatFloat(f))
			e.close('}')
			return nil
		}
		e.buf = appendPyFloat(e.buf, f)
	case Str:
		return e.str(string(v))
	case Bytes:
		return e.bytes("bytes", v)
	case ByteArray:
		return e.bytes("bytearray", v)
	case List:
		if err := e.enter(); err != nil {
			return err
		}
		if err := e.array(v); err != nil {
			return err
		}
		e.leave()
	case Tuple:
		return e.sequence("tuple", v)
	case Set:
		return e.sequence("set", v)
	case FrozenSet:
		return e.sequence("frozenset", v)
	case *Dict:
		return e.dict(v)
	case DateTime:
		return e.dateTime(v)
	case Time:
		return e.time(v)
	case Date:
		if !isoValidDate(v.Year, v.Month, v.Day) {
			return taggedUnsupported("date %d-%d-%d out of range", v.Year, v.Month, v.Day)
		}
		e.tag("date")
		e.asciiMember("value", v.ISOFormat())
		e.close('}')
	case TimeDelta:
		if !tgValidTimeDelta(v) {
			return taggedUnsupported("timedelta %+v not normalized or out of range", v)
		}
		e.tag("timedelta")
		e.member("days")
		e.buf = strconv.AppendInt(e.buf, v.Days, 10)
		e.member("seconds")
		e.buf = strconv.AppendInt(e.buf, v.Seconds, 10)
		e.member("microseconds")
		e.buf = strconv.AppendInt(e.buf, v.Microseconds, 10)
		e.close('}')
	case Decimal:
		if !tgValidDecimal(string(v)) {
			return taggedUnsupported("decimal %q is not str(Decimal)", string(v))
		}
		e.tag("decimal")
		e.asciiMember("value", string(v))
		e.close('}')
	case UUID:
		e.tag("uuid")
		e.asciiMember("value", v.String())
		e.close('}')
	case *Object:
		return e.object(v)
	default:
		return taggedUnsupported("value of type %T", v)
	}
	return nil
}

func tgBoolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (e *taggedEncoder) str(s string) error {
	if plainASCII(s) {
		e.buf = append(append(append(e.buf, '"'), s...), '"')
		return nil
	}
	if utf8.ValidString(s) {
		e.buf = appendTaggedString(e.buf, s)
		return nil
	}
	if !tgValidPyStr(s) {
		return taggedUnsupported("str %q is not UTF-8 (with lone surrogates)", s)
	}
	e.tag("str")
	e.member("wtf8")
	e.appendBase64([]byte(s))
	e.close('}')
	return nil
}

func (e *taggedEncoder) appendBase64(b []byte) {
	e.buf = append(e.buf, '"')
	e.buf = base64.StdEncoding.AppendEncode(e.buf, b)
	e.buf = append(e.buf, '"')
}

func (e *taggedEncoder) bytes(name string, b []byte) error {
	e.tag(name)
	e.member("value")
	e.appendBase64(b)
	e.close('}')
	return nil
}

// array writes vs as a JSON array of tagged values.
func (e *taggedEncoder) array(vs []Value) error {
	e.open('[')
	for i, x := range vs {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(x); err != nil {
			return err
		}
	}
	e.close(']')
	return nil
}

func (e *taggedEncoder) sequence(name string, vs []Value) error {
	if err := e.enter(); err != nil {
		return err
	}
	defer e.leave()
	e.tag(name)
	e.member("value")
	if err := e.array(vs); err != nil {
		return err
	}
	e.close('}')
	return nil
}

// plainKeys reports whether d can be written as a JSON object: every key
// a str other than "$type", in UTF-8; and whether every key is also
// plainASCII, written as it is. Checking first keeps the work linear: a
// dict found not plain after its values were written would write them
// twice, and nested such dicts exponentially often.
func plainKeys(d *Dict) (plain, ascii bool) {
	if d.OrderedDict {
		return false, false
	}
	ascii = true
	for _, it := range d.Items() {
		k, ok := it.Key.(Str)
		if !ok || k == "$type" {
			return false, false
		}
		if !plainASCII(string(k)) {
			if !utf8.ValidString(string(k)) {
				return false, false
			}
			ascii = false
		}
	}
	return true, ascii
}

func (e *taggedEncoder) dict(d *Dict) error {
	if err := e.enter(); err != nil {
		return err
	}
	defer e.leave()
	if d == nil {
		d = &Dict{}
	}
	if plain, ascii := plainKeys(d); plain {
		e.open('{')
		for i, it := range d.Items() {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if k := string(it.Key.(Str)); ascii {
				e.buf = append(append(append(e.buf, '"'), k...), '"', ':')
			} else {
				e.buf = append(appendTaggedString(e.buf, k), ':')
			}
			if err := e.value(it.Value); err != nil {
				return err
			}
		}
		e.close('}')
		return nil
	}
	e.tag("dict")
	e.member("items")
	if err := e.items(d.Items()); err != nil {
		return err
	}
	if d.OrderedDict {
		e.member("ordered")
		e.buf = append(e.buf, "true"...)
	}
	e.close('}')
	return nil
}

// items writes [[k,v],...].
func (e *taggedEncoder) items(items []Item) error {
	e.open('[')
	for i, it := range items {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.open('[')
		if err := e.value(it.Key); err != nil {
			return err
		}
		e.buf = append(e.buf, ',')
		if err := e.value(it.Value); err != nil {
			return err
		}
		e.close(']')
	}
	e.close(']')
	return nil
}

func isoValidClock(h, m, s, us, fold int) bool {
	return h >= 0 && h <= 23 && m >= 0 && m <= 59 && s >= 0 && s <= 59 &&
		us >= 0 && us <= 999999 && (fold == 0 || fold == 1)
}

func (e *taggedEncoder) dateTime(dt DateTime) error {
	if !isoValidDate(dt.Year, dt.Month, dt.Day) || !isoValidClock(dt.Hour, dt.Minute, dt.Second, dt.Microsecond, dt.Fold) {
		return taggedUnsupported("datetime %+v out of range", dt)
	}
	iso, err := dt.ISOFormat()
	if err != nil {
		return err
	}
	e.tag("datetime")
	e.asciiMember("value", iso)
	e.member("tz")
	if err := e.tz(dt.TZ); err != nil {
		return err
	}
	if dt.Fold == 1 {
		e.member("fold")
		e.buf = append(e.buf, '1')
	}
	e.close('}')
	return nil
}

func (e *taggedEncoder) time(t Time) error {
	if !isoValidClock(t.Hour, t.Minute, t.Second, t.Microsecond, t.Fold) {
		return taggedUnsupported("time %+v out of range", t)
	}
	iso, err := t.ISOFormat()
	if err != nil {
		return err
	}
	e.tag("time")
	e.asciiMember("value", iso)
	e.member("tz")
	if err := e.tz(t.TZ); err != nil {
		return err
	}
	if t.Fold == 1 {
		e.member("fold")
		e.buf = append(e.buf, '1')
	}
	e.close('}')
	return nil
}

// tzValidOffset reports whether d is a utcoffset Python accepts: strictly
// within a day, in whole microseconds.
func tzValidOffset(d time.Duration) bool {
	return d > -24*time.Hour && d < 24*time.Hour && d%time.Microsecond == 0
}

// tgAppendSeconds writes d as seconds: an integer, or a fraction when d has
// microseconds (3600.5, -0.000001).
func tgAppendSeconds(b []byte, d time.Duration) []byte {
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	us := int64(d / time.Microsecond)
	b = strconv.AppendInt(b, us/1e6, 10)
	if frac := us % 1e6; frac != 0 {
		b = append(b, '.')
		b = isoAppendPad(b, int(frac), 6)
		for b[len(b)-1] == '0' {
			b = b[:len(b)-1]
		}
	}
	return b
}

func (e *taggedEncoder) offsetMember(name string, d time.Duration) error {
	if !tzValidOffset(d) {
		return taggedUnsupported("tzinfo %s %v out of range", name, d)
	}
	e.member(name)
	e.buf = tgAppendSeconds(e.buf, d)
	return nil
}

// tzOpen writes {"kind":"name".
func (e *taggedEncoder) tzOpen(kind string) {
	e.open('{')
	e.buf = append(e.buf, `"kind":"`...)
	e.buf = append(e.buf, kind...)
	e.buf = append(e.buf, '"')
}

func (e *taggedEncoder) stringMember(name, s string) error {
	e.member(name)
	return e.str(s)
}

func (e *taggedEncoder) tz(tz *TZInfo) error {
	if tz == nil {
		e.buf = append(e.buf, "null"...)
		return nil
	}
	switch tz.Kind {
	case TZFixed:
		e.tzOpen("fixed")
		if err := e.offsetMember("offset", tz.Offset); err != nil {
			return err
		}
		if tz.Name != "" {
			if err := e.stringMember("name", tz.Name); err != nil {
				return err
			}
		}
	case TZZoneInfo:
		if tz.Name == "" {
			return taggedUnsupported("zoneinfo tzinfo without a key")
		}
		e.tzOpen("zoneinfo")
		if err := e.stringMember("key", tz.Name); err != nil {
			return err
		}
	case TZPytzUTC:
		e.tzOpen("pytz_utc")
	case TZPytz:
		e.tzOpen("pytz")
		if err := e.stringMember("zone", tz.Name); err != nil {
			return err
		}
		if err := e.offsetMember("offset", tz.Offset); err != nil {
			return err
		}
		if err := e.offsetMember("dst", tz.DST); err != nil {
			return err
		}
		if err := e.stringMember("abbrev", tz.Abbrev); err != nil {
			return err
		}
	case TZOther:
		e.tzOpen("other")
		if tz.Offset == 0 {
			e.member("offset")
			e.buf = append(e.buf, "null"...)
		} else if err := e.offsetMember("offset", tz.Offset); err != nil {
			return err
		}
		e.member("object")
		if tz.Raw == nil {
			e.buf = append(e.buf, "null"...)
		} else if err := e.object(tz.Raw); err != nil {
			return err
		}
	default:
		return taggedUnsupported("tzinfo kind %d", tz.Kind)
	}
	e.close('}')
	return nil
}

var tgBuildNames = [...]string{
	BuildReduce:   "reduce",
	BuildNewObj:   "newobj",
	BuildNewObjEx: "newobj_ex",
	BuildGlobal:   "global",
	BuildInst:     "inst",
}

func (e *taggedEncoder) object(o *Object) error {
	if o == nil {
		return taggedUnsupported("nil *Object")
	}
	if int(o.Build) >= len(tgBuildNames) {
		return taggedUnsupported("object build %d", o.Build)
	}
	if err := e.enter(); err != nil {
		return err
	}
	defer e.leave()
	e.tag("object")
	if err := e.stringMember("class", o.QualName()); err != nil {
		return err
	}
	if tgNeedsModule(o.Name) {
		if err := e.stringMember("module", o.Module); err != nil {
			return err
		}
	}
	e.asciiMember("build", tgBuildNames[o.Build])
	e.member("args")
	if err := e.array(o.Args); err != nil {
		return err
	}
	if o.Kwargs != nil {
		e.member("kwargs")
		if err := e.dict(o.Kwargs); err != nil {
			return err
		}
	}
	if o.State != nil {
		e.member("state")
		if err := e.value(o.State); err != nil {
			return err
		}
	}
	if o.ListItems != nil {
		e.member("listitems")
		if err := e.array(o.ListItems); err != nil {
			return err
		}
	}
	if o.DictItems != nil {
		e.member("dictitems")
		if err := e.items(o.DictItems); err != nil {
			return err
		}
	}
	e.close('}')
	return nil
}

// tgNeedsModule reports whether "class" alone, split at its last ".",
// would not give back the module and name.
func tgNeedsModule(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] == '.' {
			return true
		}
	}
	return false
}

// plainASCII reports whether s is printable ASCII without '"' or '\\',
// which a JSON string holds as it is: eight bytes at a time (the last
// word overlapping the one before), or byte by byte below eight.
func plainASCII(s string) bool {
	if len(s) < 8 {
		for i := 0; i < len(s); i++ {
			if !jsonStrPlain[s[i]] {
				return false
			}
		}
		return true
	}
	for i := 0; i+8 < len(s); i += 8 {
		if jsonSpecial8(jsonLoad8(s, i)) != 0 {
			return false
		}
	}
	return jsonSpecial8(jsonLoad8(s, len(s)-8)) == 0
}

// appendTaggedString writes s (valid UTF-8) as a JSON string, escaped as
// encoding/json escapes with HTML escaping off.
func appendTaggedString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// tgValidPyStr reports whether s is a Str Python could hold: UTF-8 in which
// lone surrogates may appear as their 3-byte encodings.
func tgValidPyStr(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if i+2 < len(s) && s[i] == 0xED && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2] >= 0x80 && s[i+2] <= 0xBF {
				i += 3
				continue
			}
			return false
		}
		i += size
	}
	return true
}

// tgValidTimeDelta reports whether td is normalized and within Python's range.
func tgValidTimeDelta(td TimeDelta) bool {
	return td.Days >= -999999999 && td.Days <= 999999999 &&
		td.Seconds >= 0 && td.Seconds < 86400 && td.Microseconds >= 0 && td.Microseconds < 1000000
}

// tgValidDecimal reports whether s is a string decimal.Decimal accepts, in
// ASCII and without spaces or underscores: [sign] digits [. digits]
// [e [sign] digits], or Infinity, Inf, NaN, sNaN (any case; NaN and sNaN
// may carry diagnostic digits).
func tgValidDecimal(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	lower := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	ls := string(lower)
	switch {
	case ls == "inf" || ls == "infinity":
		return true
	case len(ls) >= 3 && ls[:3] == "nan":
		return tgAllDigits(ls[3:])
	case len(ls) >= 4 && ls[:4] == "snan":
		return tgAllDigits(ls[4:])
	}
	i, n := 0, 0
	for i < len(ls) && ls[i] >= '0' && ls[i] <= '9' {
		i++
		n++
	}
	if i < len(ls) && ls[i] == '.' {
		i++
		for i < len(ls) && ls[i] >= '0' && ls[i] <= '9' {
			i++
			n++
		}
	}
	if n == 0 {
		return false
	}
	if i < len(ls) && ls[i] == 'e' {
		i++
		if i < len(ls) && (ls[i] == '+' || ls[i] == '-') {
			i++
		}
		if i == len(ls) || !tgAllDigits(ls[i:]) {
			return false
		}
		return true
	}
	return i == len(ls)
}

func tgAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
