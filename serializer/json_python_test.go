package serializer

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/djangosess/djangosess/internal/pyrun"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// Differential tests: the expected bytes and values come from CPython's json
// module, run once per test on a batch of inputs.

// jsonPyMaxDepth is the deepest value sent to CPython's json.dumps, well
// within its recursion limit.
const jsonPyMaxDepth = 200

// jsonPyTag is shared by the scripts: it turns a Python value into the
// tagged form jsonTag builds on the Go side (and back, for dumps).
const jsonPyTag = `
import sys, json, struct, base64, datetime, decimal, uuid

def tag(v):
    if v is None: return "N"
    if v is True: return "T"
    if v is False: return "F"
    if isinstance(v, int): return "i" + format(v, "x")
    if isinstance(v, float):
        if v != v: return "fnan"
        return "f" + struct.pack(">d", v).hex()
    if isinstance(v, str): return "s" + v.encode("utf-8", "surrogatepass").hex()
    if isinstance(v, list): return ["l"] + [tag(e) for e in v]
    if isinstance(v, dict): return ["d"] + [[tag(k), tag(e)] for k, e in v.items()]
    raise TypeError(type(v).__name__)

OTHER = {
    "datetime": datetime.datetime(2020, 1, 2), "date": datetime.date(2020, 1, 2),
    "time": datetime.time(1), "timedelta": datetime.timedelta(1),
    "Decimal": decimal.Decimal("1.5"), "UUID": uuid.UUID(int=0), "object": object(),
}

def untag(x):
    if isinstance(x, str):
        t, r = x[0], x[1:]
        if t == "N": return None
        if t == "T": return True
        if t == "F": return False
        if t == "i": return int(r, 16)
        if t == "f": return float("nan") if r == "nan" else struct.unpack(">d", bytes.fromhex(r))[0]
        if t == "s": return bytes.fromhex(r).decode("utf-8", "surrogatepass")
        if t == "b": return bytes.fromhex(r)
        if t == "B": return bytearray.fromhex(r)
        raise ValueError(t)
    t, rest = x[0], x[1:]
    if t == "l": return [untag(e) for e in rest]
    if t == "t": return tuple(untag(e) for e in rest)
    if t == "S": return set(untag(e) for e in rest)
    if t == "Z": return frozenset(untag(e) for e in rest)
    if t == "d": return {untag(k): untag(v) for k, v in rest}
    if t == "X": return OTHER[rest[0]]
    raise ValueError(t)
`

// json.loads runs under the default recursion limit; tagging the result
// (two frames a level) gets more room.
const jsonPyLoads = jsonPyTag + `
LIMIT = sys.getrecursionlimit()
for line in sys.stdin:
    data = base64.b64decode(line)
    try:
        v = json.loads(data.decode("latin-1"))
    except json.JSONDecodeError:
        out = {"err": "JSONDecodeError"}
    except ValueError:
        out = {"err": "ValueError"}
    except RecursionError:
        out = {"err": "RecursionError"}
    else:
        sys.setrecursionlimit(10 * LIMIT)
        out = {"ok": tag(v)}
    print(json.dumps(out))
    sys.setrecursionlimit(LIMIT)
`

const jsonPyDumps = jsonPyTag + `
for line in sys.stdin:
    v = untag(json.loads(line))
    try:
        out = {"ok": json.dumps(v, separators=(",", ":"))}
    except (TypeError, ValueError) as e:
        out = {"err": type(e).__name__}
    print(json.dumps(out))
`

type jsonPyResult struct {
	OK  any    `json:"ok"`
	Err string `json:"err"`
}

// jsonRunPython runs script under CPython once, feeding it one input per
// line, and returns one decoded result per input.
func jsonRunPython(t *testing.T, script string, lines []string) []jsonPyResult {
	t.Helper()
	outLines := pyrun.Lines(t, script, nil, lines)
	res := make([]jsonPyResult, len(lines))
	for i, l := range outLines {
		if err := json.Unmarshal([]byte(l), &res[i]); err != nil {
			t.Fatalf("python output line %d %q: %v", i, l, err)
		}
	}
	return res
}

// jsonTag is the Go side of the scripts' tag/untag. It reports false for
// values CPython cannot hold (invalid UTF-8, nil) and for values nested
// deeper than maxDepth.
func jsonTag(v Value, maxDepth int) (any, bool) { return jsonTagDepth(v, 0, maxDepth) }

func jsonTagDepth(v Value, depth, maxDepth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	seq := func(t string, vs []Value) (any, bool) {
		out := []any{t}
		for _, e := range vs {
			x, ok := jsonTagDepth(e, depth+1, maxDepth)
			if !ok {
				return nil, false
			}
			out = append(out, x)
		}
		return out, true
	}
	switch v := v.(type) {
	case None:
		return "N", true
	case Bool:
		if v {
			return "T", true
		}
		return "F", true
	case Int:
		return "i" + strconv.FormatInt(int64(v), 16), true
	case BigInt:
		return "i" + v.V.Text(16), true
	case Float:
		if math.IsNaN(float64(v)) {
			return "fnan", true
		}
		return fmt.Sprintf("f%016x", math.Float64bits(float64(v))), true
	case Str:
		if !jsonPythonStr(string(v)) {
			return nil, false
		}
		return "s" + hex.EncodeToString([]byte(v)), true
	case Bytes:
		return "b" + hex.EncodeToString(v), true
	case ByteArray:
		return "B" + hex.EncodeToString(v), true
	case List:
		return seq("l", v)
	case Tuple:
		return seq("t", v)
	case Set:
		return seq("S", v)
	case FrozenSet:
		return seq("Z", v)
	case *Dict:
		out := []any{"d"}
		for _, it := range v.Items() {
			k, ok1 := jsonTagDepth(it.Key, depth+1, maxDepth)
			x, ok2 := jsonTagDepth(it.Value, depth+1, maxDepth)
			if !ok1 || !ok2 {
				return nil, false
			}
			out = append(out, []any{k, x})
		}
		return out, true
	case DateTime, Date, Time, TimeDelta, Decimal, UUID:
		return []any{"X", v.Kind().String()}, true
	case *Object:
		return []any{"X", "object"}, true
	}
	return nil, false
}

// jsonPythonStr reports whether s is UTF-8 with surrogates allowed, that
// is, the encoding of some Python str.
func jsonPythonStr(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			if i+2 < len(s) && s[i] == 0xED && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2]&0xC0 == 0x80 {
				n = 3
			} else {
				return false
			}
		}
		i += n
	}
	return true
}

func jsonTagString(t *testing.T, v Value) string {
	t.Helper()
	x, ok := jsonTag(v, jsonPyMaxDepth)
	if !ok {
		t.Fatalf("value has no Python form: %#v", v)
	}
	b, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// jsonFloatSample is a fixed pseudo-random sample of floats that covers
// every exponent, subnormals, short decimals and the repr thresholds.
func jsonFloatSample() []float64 {
	r := rand.New(rand.NewPCG(1, 2))
	fs := []float64{
		0, math.Copysign(0, -1), 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 0.5, 1, 1.5, 10, 100,
		1e15, 1e16, 1e17, 9999999999999998, 1e16 - 2, 1e16 + 2, 123456789012345, 1234567890123456,
		12345678901234567, 0.0001, 0.00011, 0.00001, 1.5e-5, 1e-7, 9.999999999999999e-05,
		5e-324, 1e-323, 2.225073858507201e-308, 2.2250738585072014e-308, math.MaxFloat64,
		math.SmallestNonzeroFloat64, 1 << 53, 1<<53 + 2, 1 << 63, 1 << 64, 1e22, 1e23, 1e100,
		1e300, 1e308, 9007199254740993, 4.35, 0.07, 1.1, 2.675, 1e-5, 5e-5, 123.456,
	}
	for e := -30; e <= 30; e++ {
		p := math.Pow(10, float64(e))
		fs = append(fs, p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1)))
	}
	for range 1000 { // any bit pattern: every exponent
		f := math.Float64frombits(r.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			fs = append(fs, f)
		}
	}
	for range 200 { // subnormals
		fs = append(fs, math.Float64frombits(r.Uint64N(1<<52)))
	}
	for range 500 { // short decimals, as humans and prices write them
		f := float64(r.IntN(10_000_000)) / math.Pow(10, float64(r.IntN(12)))
		if r.IntN(2) == 0 {
			f *= math.Pow(10, float64(r.IntN(40)-20))
		}
		fs = append(fs, f)
	}
	for range 200 { // near the 1e16 and 1e-4 thresholds
		fs = append(fs, 1e16*(0.9+0.2*r.Float64()), 1e-4*(0.9+0.2*r.Float64()))
	}
	neg := make([]float64, 0, len(fs))
	for i, f := range fs {
		if i%3 == 0 {
			neg = append(neg, -f)
		}
	}
	return append(fs, neg...)
}

// jsonStrSample covers every ASCII character, latin-1, the BMP edges,
// astral characters and lone surrogates.
func jsonStrSample() []Str {
	var ss []Str
	for c := range 0x80 {
		ss = append(ss, Str([]byte{byte(c)}), Str("a"+string(rune(c))+"b"))
	}
	for c := 0x80; c <= 0xFF; c++ {
		ss = append(ss, Str(string(rune(c))))
	}
	for _, r := range []rune{0x100, 0x7FF, 0x800, 0xFFF, 0x2028, 0x2029, 0xD7FF, 0xE000, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF,
		0x10000, 0x1F600, 0x1FFFF, 0x10FFFF} {
		ss = append(ss, Str(string(r)))
	}
	for _, r := range []rune{0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xDABC} {
		ss = append(ss, Str(jsonAppendCodePoint(nil, r)), Str("x"+string(jsonAppendCodePoint(nil, r))+"😀"))
	}
	ss = append(ss, Str(jsonAppendCodePoint(jsonAppendCodePoint(nil, 0xD800), 0xDC00)), Str(jsonAppendCodePoint(jsonAppendCodePoint(nil, 0xDFFF), 0xDBFF)))
	r := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		var b []byte
		for range r.IntN(12) {
			switch r.IntN(5) {
			case 0:
				b = append(b, byte(r.IntN(0x80)))
			case 1:
				b = jsonAppendCodePoint(b, rune(0x80+r.IntN(0x780)))
			case 2:
				b = jsonAppendCodePoint(b, rune(0x800+r.IntN(0xF800))) // surrogates included
			case 3:
				b = jsonAppendCodePoint(b, rune(0x10000+r.IntN(0x100000)))
			default:
				b = append(b, "\\\"/\n"[r.IntN(4)])
			}
		}
		ss = append(ss, Str(b))
	}
	return ss
}

type jsonMarshalCase struct {
	name string
	v    Value
	opts JSON
}

func TestJSONMarshalMatchesPython(t *testing.T) {
	var cases []jsonMarshalCase
	wants := map[int]string{} // case index → the table's expected output
	for _, tt := range jsonMarshalTests {
		wants[len(cases)] = tt.want
		cases = append(cases, jsonMarshalCase{name: tt.name, v: tt.v})
	}
	for _, tt := range jsonMarshalErrorTests {
		if _, ok := jsonTag(tt.v, jsonPyMaxDepth); ok && tt.opts == (JSON{}) {
			cases = append(cases, jsonMarshalCase{name: tt.name, v: tt.v})
		}
	}
	for _, f := range jsonFloatSample() {
		cases = append(cases, jsonMarshalCase{name: fmt.Sprintf("float %b", f), v: Float(f)})
	}
	for _, s := range jsonStrSample() {
		cases = append(cases, jsonMarshalCase{name: fmt.Sprintf("str %+q", s), v: s})
		cases = append(cases, jsonMarshalCase{name: fmt.Sprintf("key %+q", s), v: DictOf(string(s), s)})
	}
	for _, s := range []string{"1", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
		"340282366920938463463374607431768211456", "-" + jsonDigits4300, jsonDigits4300, jsonDigits4301, "-" + jsonDigits4301} {
		cases = append(cases, jsonMarshalCase{name: "int " + s[:min(len(s), 20)], v: jsonBig(s)})
	}

	lines := make([]string, len(cases))
	for i, c := range cases {
		lines[i] = jsonTagString(t, c.v)
	}
	py := jsonRunPython(t, jsonPyDumps, lines)
	for i, c := range cases {
		got, err := c.opts.Marshal(c.v)
		switch {
		case py[i].Err != "":
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: Python raised %s, Marshal = %.100q, %v", c.name, py[i].Err, got, err)
			}
		case err != nil:
			t.Errorf("%s: Marshal error %v, Python gave %.100q", c.name, err, py[i].OK)
		case string(got) != py[i].OK:
			t.Errorf("%s: Marshal\n  got %.200s\n want %.200v (CPython)", c.name, got, py[i].OK)
		}
		if want, ok := wants[i]; ok && py[i].OK != want {
			t.Errorf("%s: test table says %.100q, CPython says %.100v", c.name, want, py[i].OK)
		}
	}
	t.Logf("%d values compared with CPython", len(cases))
}

type jsonLoadsCase struct {
	name string
	in   string
}

// jsonLoadsSample is input for json.loads: every byte in and after a
// string, every escape, numbers in all shapes.
func jsonLoadsSample() []jsonLoadsCase {
	var cs []jsonLoadsCase
	add := func(name, in string) { cs = append(cs, jsonLoadsCase{name, in}) }
	for c := range 256 {
		b := string([]byte{byte(c)})
		add(fmt.Sprintf("byte %#02x in string", c), `"a`+b+`b"`)
		add(fmt.Sprintf("escape %#02x", c), `"\`+b+`"`)
		add(fmt.Sprintf("byte %#02x alone", c), b)
		add(fmt.Sprintf("byte %#02x after value", c), "[1]"+b)
		add(fmt.Sprintf("byte %#02x before value", c), b+"1")
	}
	for c := range 0x20 {
		add(fmt.Sprintf("u escape %#02x", c), fmt.Sprintf(`"\u%04x"`, c))
	}
	for _, e := range []string{`\u007f`, `\u0080`, `\u00ff`, `\u0100`, `\uffff`, `\uFFFF`, `\ud800`, `\udbff`, `\udc00`, `\udfff`,
		`\ud83d\ude00`, `\uD83D\uDE00`, `\udbff\udfff`, `\ud800\udc00`, `\ud800\ud800\udc00`, `\udc00\ud800`, `\ud800\u0041`,
		`\ud800\n`, `\ud800x`, `\ud800\`, `\ud800\u`, `\ud800\u12`, `\ud800\udc0`, `\ud800\uzzzz`, `\ud800\udc00\udc00`,
		`\u12`, `\u12g4`, `\u`, `\u 123`, `\u-123`, `\u+123`, `\U0041`} {
		add("escape "+e, `"`+e+`"`)
		add("escape at end "+e, `"`+e)
	}
	add("raw utf-8", "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"")
	add("raw utf-8 key", "{\"\xc3\xa9\":\"\xe2\x82\xac\"}")
	for _, n := range []string{"0", "-0", "1", "-1", "0.0", "-0.0", "1.0", "1e5", "1E5", "1e+5", "1e-5", "1.5E-5", "0e0",
		"-0e-0", "1e400", "-1e400", "1e-400", "-1e-400", "1e309", "1.7976931348623157e308", "1.7976931348623158e308",
		"1.7976931348623159e308", "2.4703282292062328e-324", "2.4703282292062327e-324", "4.9406564584124654e-324",
		"2.2250738585072011e-308", "2.2250738585072012e-308", "9007199254740993", "9007199254740993.0",
		"0.1000000000000000055511151231257827021181583404541015625", "1" + strings.Repeat("0", 400) + ".0",
		"0." + strings.Repeat("0", 400) + "1", "1" + strings.Repeat("0", 400) + "e-400", "123456789012345678901234567890",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
		"18446744073709551615", "18446744073709551616", jsonDigits4300, "-" + jsonDigits4300, jsonDigits4301, "-" + jsonDigits4301,
		jsonDigits4301 + ".0", jsonDigits4301 + "e0", "01", "-01", "00", "0.", ".0", "-", "+0", "1e", "1e+", "1e-", "1.e1",
		"1.0e", "0x1", "1_0", "1ee1", "--1", "- 1", "1 ", " 1", "1.5.5", "Infinity", "-Infinity", "+Infinity",
		"NaN", "-NaN", "nan", "inf", "infinity", "INFINITY", "Infinityx", "NaNx"} {
		add("number "+n[:min(len(n), 30)], n)
		add("number in list "+n[:min(len(n), 30)], "["+n+"]")
		add("number in dict "+n[:min(len(n), 30)], `{"k":`+n+`}`)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 500 { // decimal strings that need correct rounding
		var b strings.Builder
		if r.IntN(2) == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(byte('1' + r.IntN(9)))
		for range r.IntN(6) {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		if r.IntN(2) == 0 {
			b.WriteByte('.')
			for range 1 + r.IntN(30) {
				b.WriteByte(byte('0' + r.IntN(10)))
			}
		}
		b.WriteString("e" + strconv.Itoa(r.IntN(660)-340))
		add("random float "+b.String(), b.String())
	}
	for _, s := range []string{"[]", "{}", "[[]]", `{"a":{}}`, `{"a":1,"a":2}`, `{"a":1,"b":2,"a":3}`,
		`{"a":1,"b":2,"a":3,"b":4,"c":5}`, `[1,[2,[3,[4]]]]`, ` [ 1 , 2 ] `, "\t{\r\"a\"\n:\n1\t}\r",
		jsonBigDictIn(60), strings.Repeat("[", 500) + strings.Repeat("]", 500),
		strings.Repeat(`{"a":`, 400) + "1" + strings.Repeat("}", 400)} {
		add("structure "+s[:min(len(s), 30)], s)
	}
	return cs
}

func TestJSONUnmarshalMatchesPython(t *testing.T) {
	var cases []jsonLoadsCase
	for _, tt := range jsonUnmarshalTests {
		if tt.opts == (JSON{}) {
			cases = append(cases, jsonLoadsCase{tt.name, tt.in})
		}
	}
	for _, tt := range jsonErrorTests {
		if tt.opts == (JSON{}) && len(tt.in) < 1<<20 {
			cases = append(cases, jsonLoadsCase{tt.name, tt.in})
		}
	}
	cases = append(cases, jsonLoadsSample()...)
	for _, tt := range jsonMarshalTests { // json.dumps output reads back
		cases = append(cases, jsonLoadsCase{"dumps " + tt.name, tt.want})
	}

	lines := make([]string, len(cases))
	for i, c := range cases {
		lines[i] = base64.StdEncoding.EncodeToString([]byte(c.in))
	}
	py := jsonRunPython(t, jsonPyLoads, lines)
	dec := JSON{}.NewDecoder() // reused across the cases, and checked against Unmarshal
	for i, c := range cases {
		got, err := JSON{}.Unmarshal([]byte(c.in))
		if r, rerr := dec.Unmarshal([]byte(c.in)); fmt.Sprint(rerr) != fmt.Sprint(err) || err == nil && !Equal(r, got) {
			t.Errorf("%s: JSONDecoder.Unmarshal(%.60q) = %.100v, %v; Unmarshal %.100v, %v", c.name, c.in, r, rerr, got, err)
		}
		switch py[i].Err {
		case "":
			if err != nil {
				t.Errorf("%s: Unmarshal(%.60q) error %v; CPython decoded it", c.name, c.in, err)
				continue
			}
			gotTag, ok := jsonTag(got, math.MaxInt)
			if !ok {
				t.Errorf("%s: Unmarshal(%.60q) = %.100v, not a Python value", c.name, c.in, got)
				continue
			}
			// Compare through encoding/json so both sides have the same types.
			b, _ := json.Marshal(gotTag)
			var norm any
			_ = json.Unmarshal(b, &norm)
			if !reflect.DeepEqual(norm, py[i].OK) {
				t.Errorf("%s: Unmarshal(%.60q)\n  got %.300v\n want %.300v (CPython)", c.name, c.in, norm, py[i].OK)
			}
		case "JSONDecodeError":
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: Unmarshal(%.60q) = %.100v, %v; CPython raised JSONDecodeError", c.name, c.in, got, err)
			}
		default: // ValueError (digit limit), RecursionError
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s: Unmarshal(%.60q) = %.100v, %v; CPython raised %s", c.name, c.in, got, err, py[i].Err)
			}
		}
	}
	t.Logf("%d inputs compared with CPython", len(cases))
}
