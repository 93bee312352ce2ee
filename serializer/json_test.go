package serializer

import (
	"errors"
	"math"
	"math/big"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

func jsonBig(s string) Value {
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic("jsonBig: " + s)
	}
	return NewBigInt(b)
}

// jsonDict builds a dict with keys of any type, in order.
func jsonDict(kv ...Value) *Dict {
	d := NewDict(len(kv) / 2)
	for i := 0; i < len(kv); i += 2 {
		if err := d.Set(kv[i], kv[i+1]); err != nil {
			panic(err)
		}
	}
	return d
}

var (
	jsonDigits4300 = strings.Repeat("9", 4300)
	jsonDigits4301 = "1" + strings.Repeat("0", 4300)
)

type jsonUnmarshalTest struct {
	name string
	in   string
	opts JSON
	want Value
}

// The expectations here are also checked against CPython's json.loads by
// TestJSONUnmarshalMatchesPython (cases with zero opts).
var jsonUnmarshalTests = []jsonUnmarshalTest{
	{name: "null", in: "null", want: None{}},
	{name: "true", in: "true", want: Bool(true)},
	{name: "false", in: "false", want: Bool(false)},
	{name: "zero", in: "0", want: Int(0)},
	{name: "minus zero int", in: "-0", want: Int(0)},
	{name: "int", in: "123", want: Int(123)},
	{name: "negative int", in: "-123", want: Int(-123)},
	{name: "18 digits", in: "999999999999999999", want: Int(999999999999999999)},
	{name: "int64 max", in: "9223372036854775807", want: Int(math.MaxInt64)},
	{name: "int64 min", in: "-9223372036854775808", want: Int(math.MinInt64)},
	{name: "int64 max+1", in: "9223372036854775808", want: jsonBig("9223372036854775808")},
	{name: "int64 min-1", in: "-9223372036854775809", want: jsonBig("-9223372036854775809")},
	{name: "big int", in: "123456789012345678901234567890", want: jsonBig("123456789012345678901234567890")},
	{name: "4300 digits", in: jsonDigits4300, want: jsonBig(jsonDigits4300)},
	{name: "-4300 digits", in: "-" + jsonDigits4300, want: jsonBig("-" + jsonDigits4300)},
	{name: "float", in: "1.5", want: Float(1.5)},
	{name: "float minus zero", in: "-0.0", want: Float(math.Copysign(0, -1))},
	{name: "exponent", in: "1E+2", want: Float(100)},
	{name: "exponent lower", in: "1e2", want: Float(100)},
	{name: "negative exponent", in: "25e-1", want: Float(2.5)},
	{name: "zero exponent", in: "0e0", want: Float(0)},
	{name: "overflow", in: "1e400", want: Float(math.Inf(1))},
	{name: "negative overflow", in: "-1e400", want: Float(math.Inf(-1))},
	{name: "underflow", in: "1e-400", want: Float(0)},
	{name: "negative underflow", in: "-1e-400", want: Float(math.Copysign(0, -1))},
	{name: "smallest subnormal", in: "5e-324", want: Float(5e-324)},
	{name: "rounds up to subnormal", in: "2.4703282292062328e-324", want: Float(5e-324)},
	{name: "rounds down to zero", in: "2.4703282292062327e-324", want: Float(0)},
	{name: "max float", in: "1.7976931348623157e308", want: Float(math.MaxFloat64)},
	{name: "huge exponent", in: "0e99999999999999999999", want: Float(0)},
	{name: "long mantissa", in: "0.1000000000000000055511151231257827021181583404541015625", want: Float(0.1)},
	{name: "NaN", in: "NaN", want: Float(math.NaN())},
	{name: "Infinity", in: "Infinity", want: Float(math.Inf(1))},
	{name: "-Infinity", in: "-Infinity", want: Float(math.Inf(-1))},
	{name: "empty string", in: `""`, want: Str("")},
	{name: "string", in: `"abc"`, want: Str("abc")},
	{name: "short escapes", in: `"\"\\\/\b\f\n\r\t"`, want: Str("\"\\/\b\f\n\r\t")},
	{name: "u escape", in: `"\u00e9"`, want: Str("é")},
	{name: "u escape upper hex", in: `"\u00E9\uABCD"`, want: Str("é\uabcd")},
	{name: "u escape NUL", in: `"\u0000"`, want: Str("\x00")},
	{name: "u escape controls", in: `"\u0001\u001f\u007f"`, want: Str("\x01\x1f\x7f")},
	{name: "surrogate pair", in: `"\ud83d\ude00"`, want: Str("😀")},
	{name: "surrogate pair max", in: `"\uDBFF\uDFFF"`, want: Str("\U0010ffff")},
	{name: "lone high", in: `"\ud800"`, want: Str("\xed\xa0\x80")},
	{name: "lone low", in: `"\udfff"`, want: Str("\xed\xbf\xbf")},
	{name: "high then char", in: `"\ud800x"`, want: Str("\xed\xa0\x80x")},
	{name: "high then BMP escape", in: `"\ud800\u0041"`, want: Str("\xed\xa0\x80A")},
	{name: "high high low", in: `"\ud800\ud800\udc00"`, want: Str("\xed\xa0\x80\U00010000")},
	{name: "low high", in: `"\udc00\ud800"`, want: Str("\xed\xb0\x80\xed\xa0\x80")},
	{name: "high then short escape", in: `"\ud800\n"`, want: Str("\xed\xa0\x80\n")},
	{name: "latin-1 byte", in: "\"caf\xe9\"", want: Str("café")},
	{name: "latin-1 C1 control", in: "\"\x80\x9f\"", want: Str("\u0080\u009f")},
	{name: "latin-1 nbsp and ff", in: "\"\xa0\xff\"", want: Str("\u00a0\u00ff")},
	{name: "utf-8 mojibake", in: "\"caf\xc3\xa9\"", want: Str("cafÃ©")},
	{name: "utf-8 astral mojibake", in: "\"\xf0\x9f\x98\x80\"", want: Str("ð\u009f\u0098\u0080")},
	{name: "raw DEL", in: "\"\x7f\"", want: Str("\x7f")},
	{name: "html chars", in: `"</script>&"`, want: Str("</script>&")},
	{name: "whitespace", in: " \t\n\r1 \t\n\r", want: Int(1)},
	{name: "empty list", in: "[]", want: List{}},
	{name: "empty list spaces", in: "[ \n ]", want: List{}},
	{name: "empty dict", in: "{}", want: NewDict(0)},
	{name: "empty dict spaces", in: "{ \t }", want: NewDict(0)},
	{name: "list", in: `[1,"a",[true,null],{"b":[]}]`, want: List{Int(1), Str("a"), List{Bool(true), None{}}, DictOf("b", List{})}},
	{name: "spaced", in: ` [ 1 , { "a" : 2 } ] `, want: List{Int(1), DictOf("a", Int(2))}},
	{name: "dict order", in: `{"b":1,"a":2,"c":3}`, want: DictOf("b", Int(1), "a", Int(2), "c", Int(3))},
	{name: "duplicate key keeps first position", in: `{"a":1,"b":2,"a":3}`, want: DictOf("a", Int(3), "b", Int(2))},
	{name: "empty key", in: `{"":0}`, want: DictOf("", Int(0))},
	{name: "escaped key", in: `{"\u00e9\n":1}`, want: DictOf("é\n", Int(1))},
	{name: "mojibake key", in: "{\"\xc3\xa9\":1}", want: DictOf("Ã©", Int(1))},
	{name: "nested", in: `{"a":{"b":{"c":[[[]]]}}}`, want: DictOf("a", DictOf("b", DictOf("c", List{List{List{}}})))},
	{name: "floats in list", in: `[NaN,Infinity,-Infinity,-0.0]`, want: List{Float(math.NaN()), Float(math.Inf(1)), Float(math.Inf(-1)), Float(math.Copysign(0, -1))}},
	{name: "big dict", in: jsonBigDictIn(40), want: jsonBigDictWant(40)},
	{name: "500 deep", in: strings.Repeat("[", 500) + strings.Repeat("]", 500), want: jsonNested(500)},
	{name: "at MaxDepth", in: "[[1]]", opts: JSON{MaxDepth: 2}, want: List{List{Int(1)}}},
	{name: "at MaxIntDigits", in: "-123", opts: JSON{MaxIntDigits: 3}, want: Int(-123)},
	{name: "at MaxSize", in: "1234", opts: JSON{MaxSize: 4}, want: Int(1234)},
	{name: "session", in: jsonSessionText, want: jsonSessionValue()},
}

// jsonBigDictIn has more keys than Dict scans linearly, with duplicates.
func jsonBigDictIn(n int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		b.WriteString(`"k`)
		b.WriteString(strings.Repeat("x", i%(n/2)))
		b.WriteString(`":`)
		b.WriteString(strconv.Itoa(i))
		if i < n-1 {
			b.WriteByte(',')
		}
	}
	b.WriteByte('}')
	return b.String()
}

func jsonBigDictWant(n int) *Dict {
	d := NewDict(n)
	for i := range n {
		d.SetStr("k"+strings.Repeat("x", i%(n/2)), Int(i))
	}
	return d
}

func jsonNested(depth int) Value {
	v := List{}
	for range depth - 1 {
		v = List{v}
	}
	return v
}

const jsonSessionText = `{"_auth_user_id":"1","_auth_user_backend":"django.contrib.auth.backends.ModelBackend",` +
	`"_auth_user_hash":"3e0b8f5b8a2c4d6e9f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8",` +
	`"cart":{"items":[{"sku":"A-1","qty":2,"price":"9.99"},{"sku":"B-7","qty":1,"price":"24.50"}],"currency":"EUR"},` +
	`"_session_expiry":1209600}`

func jsonSessionValue() *Dict {
	return DictOf(
		"_auth_user_id", Str("1"),
		"_auth_user_backend", Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", Str("3e0b8f5b8a2c4d6e9f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7a8"),
		"cart", DictOf(
			"items", List{
				DictOf("sku", Str("A-1"), "qty", Int(2), "price", Str("9.99")),
				DictOf("sku", Str("B-7"), "qty", Int(1), "price", Str("24.50")),
			},
			"currency", Str("EUR"),
		),
		"_session_expiry", Int(1209600),
	)
}

func (tt jsonUnmarshalTest) run(t *testing.T) {
	got, err := tt.opts.Unmarshal([]byte(tt.in))
	if err != nil {
		t.Fatalf("Unmarshal(%.80q) error: %v", tt.in, err)
	}
	if !Equal(got, tt.want) {
		t.Fatalf("Unmarshal(%.80q) = %#v, want %#v", tt.in, got, tt.want)
	}
}

func TestJSONUnmarshal(t *testing.T) {
	for _, tt := range jsonUnmarshalTests {
		t.Run(tt.name, tt.run)
	}
}

type jsonErrorTest struct {
	name string
	in   string
	opts JSON
	want error // ErrMalformed or ErrTooLarge
}

// Every input here is also checked to fail in CPython's json.loads by
// TestJSONUnmarshalMatchesPython (cases with zero opts).
var jsonErrorTests = []jsonErrorTest{
	{name: "empty", in: "", want: ErrMalformed},
	{name: "only whitespace", in: " \n", want: ErrMalformed},
	{name: "truncated null", in: "nul", want: ErrMalformed},
	{name: "truncated true", in: "tru", want: ErrMalformed},
	{name: "truncated false", in: "fals", want: ErrMalformed},
	{name: "null extra", in: "nulll", want: ErrMalformed},
	{name: "True", in: "True", want: ErrMalformed},
	{name: "None", in: "None", want: ErrMalformed},
	{name: "nan lowercase", in: "nan", want: ErrMalformed},
	{name: "-NaN", in: "-NaN", want: ErrMalformed},
	{name: "inf", in: "inf", want: ErrMalformed},
	{name: "-Inf", in: "-Inf", want: ErrMalformed},
	{name: "Infinity truncated", in: "Infinit", want: ErrMalformed},
	{name: "-Infinity extra", in: "-Infinityx", want: ErrMalformed},
	{name: "plus sign", in: "+1", want: ErrMalformed},
	{name: "leading point", in: ".5", want: ErrMalformed},
	{name: "trailing point", in: "1.", want: ErrMalformed},
	{name: "point exponent", in: "1.e5", want: ErrMalformed},
	{name: "leading zero", in: "01", want: ErrMalformed},
	{name: "negative leading zero", in: "-01", want: ErrMalformed},
	{name: "double zero", in: "00", want: ErrMalformed},
	{name: "minus", in: "-", want: ErrMalformed},
	{name: "minus space", in: "- 1", want: ErrMalformed},
	{name: "double minus", in: "--1", want: ErrMalformed},
	{name: "bare exponent", in: "1e", want: ErrMalformed},
	{name: "signed bare exponent", in: "1e+", want: ErrMalformed},
	{name: "hex", in: "0x10", want: ErrMalformed},
	{name: "underscore", in: "1_000", want: ErrMalformed},
	{name: "open list", in: "[", want: ErrMalformed},
	{name: "list no close", in: "[1", want: ErrMalformed},
	{name: "list comma", in: "[1,", want: ErrMalformed},
	{name: "list trailing comma", in: "[1,]", want: ErrMalformed},
	{name: "list leading comma", in: "[,1]", want: ErrMalformed},
	{name: "list no comma", in: "[1 2]", want: ErrMalformed},
	{name: "list wrong close", in: "[1}", want: ErrMalformed},
	{name: "open dict", in: "{", want: ErrMalformed},
	{name: "dict key only", in: `{"a"`, want: ErrMalformed},
	{name: "dict colon only", in: `{"a":`, want: ErrMalformed},
	{name: "dict no close", in: `{"a":1`, want: ErrMalformed},
	{name: "dict trailing comma", in: `{"a":1,}`, want: ErrMalformed},
	{name: "dict unquoted key", in: `{a:1}`, want: ErrMalformed},
	{name: "dict single quotes", in: `{'a':1}`, want: ErrMalformed},
	{name: "dict no colon", in: `{"a" 1}`, want: ErrMalformed},
	{name: "dict int key", in: `{1:1}`, want: ErrMalformed},
	{name: "dict wrong close", in: `{"a":1]`, want: ErrMalformed},
	{name: "dict no value", in: `{"a":}`, want: ErrMalformed},
	{name: "unterminated string", in: `"abc`, want: ErrMalformed},
	{name: "unterminated latin-1 string", in: "\"\xe9", want: ErrMalformed},
	{name: "lone backslash", in: `"\`, want: ErrMalformed},
	{name: "bad escape", in: `"\x"`, want: ErrMalformed},
	{name: "bad escape quote", in: `"\'"`, want: ErrMalformed},
	{name: "bad escape U", in: `"\U0041"`, want: ErrMalformed},
	{name: "short u escape", in: `"\u12"`, want: ErrMalformed},
	{name: "u escape at end", in: `"\u1234`, want: ErrMalformed},
	{name: "bad hex", in: `"\u12g4"`, want: ErrMalformed},
	{name: "bad hex in low", in: `"\ud800\uzzzz"`, want: ErrMalformed},
	{name: "short low", in: `"\ud800\u12"`, want: ErrMalformed},
	{name: "NUL in string", in: "\"a\x00b\"", want: ErrMalformed},
	{name: "raw tab in string", in: "\"a\tb\"", want: ErrMalformed},
	{name: "raw newline in string", in: "\"a\nb\"", want: ErrMalformed},
	{name: "0x1f in string", in: "\"\x1f\"", want: ErrMalformed},
	{name: "control after escape", in: "\"\\n\x01\"", want: ErrMalformed},
	{name: "extra data", in: "1 2", want: ErrMalformed},
	{name: "extra dict", in: "{} {}", want: ErrMalformed},
	{name: "extra close", in: "[]]", want: ErrMalformed},
	{name: "two strings", in: `"a""b"`, want: ErrMalformed},
	{name: "extra after list", in: "[1]x", want: ErrMalformed},
	{name: "utf-8 BOM", in: "\xef\xbb\xbf{}", want: ErrMalformed},
	{name: "nbsp is not whitespace", in: "\xa01", want: ErrMalformed},
	{name: "form feed is not whitespace", in: "\f1", want: ErrMalformed},
	{name: "vertical tab is not whitespace", in: "1\v", want: ErrMalformed},
	{name: "comment", in: "/* */ 1", want: ErrMalformed},
	{name: "NaN trailing comma", in: "[NaN,]", want: ErrMalformed},
	{name: "single quoted string", in: `'a'`, want: ErrMalformed},
	{name: "4301 digits", in: jsonDigits4301, want: ErrTooLarge},
	{name: "-4301 digits", in: "-" + jsonDigits4301, want: ErrTooLarge},
	{name: "4301 digits in dict", in: `{"a":[` + jsonDigits4301 + `]}`, want: ErrTooLarge},
	{name: "100000 deep list", in: strings.Repeat("[", 100000), want: ErrTooLarge},
	{name: "100000 deep closed list", in: strings.Repeat("[", 100000) + strings.Repeat("]", 100000), want: ErrTooLarge},
	{name: "100000 deep dict", in: strings.Repeat(`{"a":`, 100000), want: ErrTooLarge},
	{name: "over MaxDepth", in: "[[[1]]]", opts: JSON{MaxDepth: 2}, want: ErrTooLarge},
	{name: "empty list over MaxDepth", in: "[[[]]]", opts: JSON{MaxDepth: 2}, want: ErrTooLarge},
	{name: "empty dict over MaxDepth", in: `{"a":{"b":{}}}`, opts: JSON{MaxDepth: 2}, want: ErrTooLarge},
	{name: "over MaxIntDigits", in: "1234", opts: JSON{MaxIntDigits: 3}, want: ErrTooLarge},
	{name: "over MaxSize", in: "12345", opts: JSON{MaxSize: 4}, want: ErrTooLarge},
	{name: "over default MaxSize", in: strings.Repeat(" ", 16<<20) + "1", want: ErrTooLarge},
}

func (tt jsonErrorTest) run(t *testing.T) {
	v, err := tt.opts.Unmarshal([]byte(tt.in))
	if !errors.Is(err, tt.want) {
		t.Fatalf("Unmarshal(%.80q) = %#v, %v; want error %v", tt.in, v, err, tt.want)
	}
	if v != nil {
		t.Fatalf("Unmarshal(%.80q) returned %#v with the error", tt.in, v)
	}
}

func TestJSONUnmarshalErrors(t *testing.T) {
	for _, tt := range jsonErrorTests {
		t.Run(tt.name, tt.run)
	}
}

func TestJSONUnmarshalErrorOffset(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{"", "Expecting value at offset 0"},
		{"[1,]", "Expecting value at offset 3"},
		{"1 2", "Extra data at offset 2"},
		{`{"a" 1}`, "Expecting ':' delimiter at offset 5"},
		{`{"a":1,}`, "Expecting property name enclosed in double quotes at offset 7"},
		{"[1 2]", "Expecting ',' delimiter at offset 3"},
		{`["abc`, "Unterminated string starting at offset 1"},
		{"\"ab\x01\"", "Invalid control character at offset 3"},
		{`"ab\x"`, "Invalid \\escape at offset 3"},
		{`"\u12x4"`, "Invalid \\uXXXX escape at offset 1"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			_, err := JSON{}.Unmarshal([]byte(tt.in))
			if !errors.Is(err, ErrMalformed) || !strings.HasSuffix(err.Error(), tt.want) {
				t.Fatalf("Unmarshal(%q) error = %v, want ErrMalformed ending in %q", tt.in, err, tt.want)
			}
		})
	}
}

// TestJSONDeepNestingIsCheap checks that absurd nesting is refused early:
// quickly and without memory growing with the depth.
func TestJSONDeepNestingIsCheap(t *testing.T) {
	for _, open := range []string{"[", `{"a":`, "[{\"\":"} {
		in := []byte(strings.Repeat(open, 100000))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, err := JSON{}.Unmarshal(in)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("%q×100000: error %v, want ErrTooLarge", open, err)
		}
		// One copy of the input plus the bounded stacks.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(len(in))+256<<10 {
			t.Errorf("%q×100000: allocated %d bytes for %d of input", open, alloc, len(in))
		}
		if elapsed > time.Second {
			t.Errorf("%q×100000: took %v", open, elapsed)
		}
	}
}

// TestJSONLimits checks the documented defaults and that a limit is
// inclusive. (Not in the CPython-checked tables: CPython's json gives up a
// few levels short of its recursion limit of 1000.)
func TestJSONLimits(t *testing.T) {
	nested := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	for _, tt := range []struct {
		name string
		opts JSON
		in   string
		want error // nil: decodes
	}{
		{"default MaxDepth", JSON{}, nested(1000), nil},
		{"over default MaxDepth", JSON{}, nested(1001), ErrTooLarge},
		{"negative MaxDepth is default", JSON{MaxDepth: -1}, nested(1000), nil},
		{"MaxDepth 1", JSON{MaxDepth: 1}, "[1]", nil},
		{"over MaxDepth 1", JSON{MaxDepth: 1}, "[{}]", ErrTooLarge},
		{"default MaxSize", JSON{}, strings.Repeat(" ", 16<<20-1) + "1", nil},
		{"default MaxIntDigits", JSON{}, jsonDigits4300, nil},
		{"over default MaxIntDigits", JSON{}, jsonDigits4301, ErrTooLarge},
		{"MaxIntDigits counts no sign", JSON{MaxIntDigits: 2}, "-99", nil},
		{"MaxIntDigits is not for floats", JSON{MaxIntDigits: 2}, "123.0", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := tt.opts.Unmarshal([]byte(tt.in))
			if tt.want == nil && (err != nil || v == nil) {
				t.Fatalf("Unmarshal: %v", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Unmarshal = %v; want %v", err, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		name string
		opts JSON
		v    Value
		ok   bool
	}{
		{"default MaxDepth", JSON{}, jsonDeepList(1000), true},
		{"over default MaxDepth", JSON{}, jsonDeepList(1001), false},
		{"MaxDepth 3", JSON{MaxDepth: 3}, List{Tuple{DictOf("a", Int(1))}}, true},
		{"MaxIntDigits 3", JSON{MaxIntDigits: 3}, jsonDict(Int(-123), Int(999)), true},
		{"over MaxIntDigits 3 in key", JSON{MaxIntDigits: 3}, jsonDict(Int(1000), Int(1)), false},
	} {
		t.Run("Marshal "+tt.name, func(t *testing.T) {
			_, err := tt.opts.Marshal(tt.v)
			if tt.ok != (err == nil) || err != nil && (!errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrUnsupported)) {
				t.Fatalf("Marshal: %v; want success %v", err, tt.ok)
			}
		})
	}
}

type jsonMarshalTest struct {
	name string
	v    Value
	want string
}

// Every want here is also checked against CPython's json.dumps by
// TestJSONMarshalMatchesPython.
var jsonMarshalTests = []jsonMarshalTest{
	{"None", None{}, "null"},
	{"true", Bool(true), "true"},
	{"false", Bool(false), "false"},
	{"zero", Int(0), "0"},
	{"negative", Int(-5), "-5"},
	{"int64 max", Int(math.MaxInt64), "9223372036854775807"},
	{"int64 min", Int(math.MinInt64), "-9223372036854775808"},
	{"big", jsonBig("18446744073709551616"), "18446744073709551616"},
	{"negative big", jsonBig("-18446744073709551616"), "-18446744073709551616"},
	{"4300 digits", jsonBig(jsonDigits4300), jsonDigits4300},
	{"-4300 digits", jsonBig("-" + jsonDigits4300), "-" + jsonDigits4300},
	{"float one", Float(1), "1.0"},
	{"float minus zero", Float(math.Copysign(0, -1)), "-0.0"},
	{"float zero", Float(0), "0.0"},
	{"1e16", Float(1e16), "1e+16"},
	{"1e15", Float(1e15), "1000000000000000.0"},
	{"below 1e16", Float(9999999999999998), "9999999999999998.0"},
	{"1.5e-05", Float(1.5e-5), "1.5e-05"},
	{"1e-07", Float(1e-7), "1e-07"},
	{"0.0001", Float(0.0001), "0.0001"},
	{"0.00011", Float(0.00011), "0.00011"},
	{"15 digits", Float(123456789012345), "123456789012345.0"},
	{"0.1", Float(0.1), "0.1"},
	{"0.1+0.2", Float(0.30000000000000004), "0.30000000000000004"},
	{"1/3", Float(1.0 / 3), "0.3333333333333333"},
	{"2.5", Float(2.5), "2.5"},
	{"-1.25e+100", Float(-1.25e100), "-1.25e+100"},
	{"1e22", Float(1e22), "1e+22"},
	{"1e100", Float(1e100), "1e+100"},
	{"smallest subnormal", Float(5e-324), "5e-324"},
	{"smallest normal", Float(2.2250738585072014e-308), "2.2250738585072014e-308"},
	{"max float", Float(math.MaxFloat64), "1.7976931348623157e+308"},
	{"2^53", Float(1 << 53), "9007199254740992.0"},
	{"2^63", Float(1 << 63), "9.223372036854776e+18"},
	{"NaN", Float(math.NaN()), "NaN"},
	{"Infinity", Float(math.Inf(1)), "Infinity"},
	{"-Infinity", Float(math.Inf(-1)), "-Infinity"},
	{"empty str", Str(""), `""`},
	{"str", Str("abc"), `"abc"`},
	{"quote backslash", Str(`a"b\c`), `"a\"b\\c"`},
	{"not escaped", Str("/<>&'"), `"/<>&'"`},
	{"short escapes", Str("\b\f\n\r\t"), `"\b\f\n\r\t"`},
	{"controls", Str("\x00\x01\x1b\x1f"), `"\u0000\u0001\u001b\u001f"`},
	{"DEL", Str("\x7f"), `"\u007f"`},
	{"latin-1", Str("café"), `"caf\u00e9"`},
	{"C1", Str("\u0080\u009f"), `"\u0080\u009f"`},
	{"BMP", Str("\u0100\u07ff\u0800\u2028\u2029\ufeff\ufffd\uffff"), `"\u0100\u07ff\u0800\u2028\u2029\ufeff\ufffd\uffff"`},
	{"astral", Str("😀"), `"\ud83d\ude00"`},
	{"astral first and last", Str("\U00010000\U0010ffff"), `"\ud800\udc00\udbff\udfff"`},
	{"lone high", Str("\xed\xa0\x80"), `"\ud800"`},
	{"lone low", Str("x\xed\xbf\xbfy"), `"x\udfffy"`},
	{"high and low as two", Str("\xed\xa0\x80\xed\xb0\x80"), `"\ud800\udc00"`},
	{"empty list", List{}, "[]"},
	{"nil list", List(nil), "[]"},
	{"list", List{Int(1), Str("a"), None{}, Bool(false), Float(0.5)}, `[1,"a",null,false,0.5]`},
	{"tuple", Tuple{Int(1), Tuple{}}, "[1,[]]"},
	{"empty dict", NewDict(0), "{}"},
	{"dict order", DictOf("b", Int(1), "a", List{}, "é", NewDict(0)), `{"b":1,"a":[],"\u00e9":{}}`},
	{"int key", jsonDict(Int(1), Str("x"), Int(-2), None{}), `{"1":"x","-2":null}`},
	{"big int key", jsonDict(jsonBig("18446744073709551616"), Int(0)), `{"18446744073709551616":0}`},
	{"float keys", jsonDict(Float(1.5), Int(1), Float(1e16), Int(2), Float(math.Copysign(0, -1)), Int(3)), `{"1.5":1,"1e+16":2,"-0.0":3}`},
	{"non-finite keys", jsonDict(Float(math.NaN()), Int(1), Float(math.Inf(1)), Int(2), Float(math.Inf(-1)), Int(3)), `{"NaN":1,"Infinity":2,"-Infinity":3}`},
	{"bool and None keys", jsonDict(Bool(true), Int(1), Bool(false), Int(2), None{}, Int(3)), `{"true":1,"false":2,"null":3}`},
	{"key escapes", jsonDict(Str("\"\n\x7f😀"), Int(1)), `{"\"\n\u007f\ud83d\ude00":1}`},
	{"session", jsonSessionValue(), jsonSessionText},
}

func TestJSONMarshal(t *testing.T) {
	for _, tt := range jsonMarshalTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := JSON{}.Marshal(tt.v)
			if err != nil {
				t.Fatalf("Marshal(%#v) error: %v", tt.v, err)
			}
			if string(got) != tt.want {
				t.Fatalf("Marshal(%#v)\n got %.200s\nwant %.200s", tt.v, got, tt.want)
			}
		})
	}
}

type jsonMarshalErrorTest struct {
	name string
	v    Value
	opts JSON
	want []error // every one must match
}

func jsonSelfDict() *Dict {
	d := NewDict(1)
	d.SetStr("self", d)
	return d
}

func jsonDeepList(depth int) Value {
	var v Value = List{}
	for range depth - 1 {
		v = List{v}
	}
	return v
}

var (
	jsonErrUnsupported = []error{ErrUnsupported}
	jsonErrOverLimit   = []error{ErrUnsupported, ErrTooLarge}
)

// The cases that CPython can represent are also checked to raise in
// CPython's json.dumps by TestJSONMarshalMatchesPython.
var jsonMarshalErrorTests = []jsonMarshalErrorTest{
	{name: "bytes", v: Bytes("a"), want: jsonErrUnsupported},
	{name: "bytearray", v: ByteArray("a"), want: jsonErrUnsupported},
	{name: "set", v: Set{Int(1)}, want: jsonErrUnsupported},
	{name: "frozenset", v: FrozenSet{Int(1)}, want: jsonErrUnsupported},
	{name: "datetime", v: DateTime{Year: 2020, Month: 1, Day: 2}, want: jsonErrUnsupported},
	{name: "date", v: Date{Year: 2020, Month: 1, Day: 2}, want: jsonErrUnsupported},
	{name: "time", v: Time{Hour: 1}, want: jsonErrUnsupported},
	{name: "timedelta", v: TimeDelta{Days: 1}, want: jsonErrUnsupported},
	{name: "decimal", v: Decimal("1.5"), want: jsonErrUnsupported},
	{name: "uuid", v: UUID{}, want: jsonErrUnsupported},
	{name: "object", v: &Object{Module: "m", Name: "C"}, want: jsonErrUnsupported},
	{name: "nil value", v: nil, want: jsonErrUnsupported},
	{name: "nil in list", v: List{nil}, want: jsonErrUnsupported},
	{name: "bytes in list", v: List{Int(1), Bytes("a")}, want: jsonErrUnsupported},
	{name: "decimal in dict", v: DictOf("a", Decimal("1")), want: jsonErrUnsupported},
	{name: "tuple key", v: jsonDict(Tuple{Int(1)}, Int(1)), want: jsonErrUnsupported},
	{name: "bytes key", v: jsonDict(Bytes("k"), Int(1)), want: jsonErrUnsupported},
	{name: "decimal key", v: jsonDict(Decimal("1"), Int(1)), want: jsonErrUnsupported},
	{name: "invalid utf-8", v: Str("\xff"), want: jsonErrUnsupported},
	{name: "truncated utf-8", v: Str("a\xc3"), want: jsonErrUnsupported},
	{name: "overlong utf-8", v: Str("\xc0\x80"), want: jsonErrUnsupported},
	{name: "truncated surrogate", v: Str("\xed\xa0"), want: jsonErrUnsupported},
	{name: "invalid utf-8 key", v: DictOf("\xff", Int(1)), want: jsonErrUnsupported},
	{name: "4301 digits", v: jsonBig(jsonDigits4301), want: jsonErrOverLimit},
	{name: "-4301 digits", v: jsonBig("-" + jsonDigits4301), want: jsonErrOverLimit},
	{name: "huge int", v: NewBigInt(new(big.Int).Lsh(big.NewInt(1), 1<<20)), want: jsonErrOverLimit},
	{name: "4301 digits key", v: jsonDict(jsonBig(jsonDigits4301), Int(1)), want: jsonErrOverLimit},
	{name: "over MaxIntDigits", v: Int(-1234), opts: JSON{MaxIntDigits: 3}, want: jsonErrOverLimit},
	{name: "over MaxDepth", v: List{Tuple{DictOf("a", List{})}}, opts: JSON{MaxDepth: 3}, want: jsonErrOverLimit},
	{name: "100000 deep", v: jsonDeepList(100000), want: jsonErrOverLimit},
	{name: "dict containing itself", v: jsonSelfDict(), want: jsonErrOverLimit},
}

func TestJSONMarshalErrors(t *testing.T) {
	for _, tt := range jsonMarshalErrorTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.opts.Marshal(tt.v)
			for _, want := range tt.want {
				if !errors.Is(err, want) {
					t.Fatalf("Marshal = %q, %v; want an error matching %v", got, err, tt.want)
				}
			}
			if got != nil {
				t.Fatalf("Marshal returned %q with the error", got)
			}
		})
	}
}

func TestJSONMarshalErrorNamesPythonType(t *testing.T) {
	for _, tt := range []struct {
		v    Value
		want string
	}{
		{Bytes("a"), "Object of type bytes is not JSON serializable"},
		{Set{}, "Object of type set is not JSON serializable"},
		{DateTime{}, "Object of type datetime is not JSON serializable"},
		{Decimal("1"), "Object of type Decimal is not JSON serializable"},
		{jsonDict(Tuple{}, Int(1)), "keys must be str, int, float, bool or None, not tuple"},
	} {
		_, err := JSON{}.Marshal(tt.v)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Marshal(%#v) error = %v, want it to contain %q", tt.v, err, tt.want)
		}
	}
}

func TestJSONName(t *testing.T) {
	if got := (JSON{}).Name(); got != "json" {
		t.Fatalf("Name() = %q", got)
	}
}

// TestJSONRoundTrip: decoding what Marshal wrote gives the value back, for
// every marshal case that is a value json.loads can produce.
func TestJSONRoundTrip(t *testing.T) {
	for _, tt := range jsonMarshalTests {
		if !jsonLoadable(tt.v) {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			got, err := JSON{}.Unmarshal([]byte(tt.want))
			if err != nil {
				t.Fatalf("Unmarshal(%.80q) error: %v", tt.want, err)
			}
			if !Equal(got, tt.v) {
				t.Fatalf("Unmarshal(%.80q) = %#v, want %#v", tt.want, got, tt.v)
			}
		})
	}
}

// jsonLoadable reports whether v could come out of json.loads: no tuples, no
// non-str keys, no high surrogate directly followed by a low one.
func jsonLoadable(v Value) bool {
	switch v := v.(type) {
	case Str:
		return !jsonHasSurrogatePair(string(v))
	case Tuple:
		return false
	case List:
		for _, e := range v {
			if !jsonLoadable(e) {
				return false
			}
		}
	case *Dict:
		for _, it := range v.Items() {
			if _, ok := it.Key.(Str); !ok || !jsonLoadable(it.Key) || !jsonLoadable(it.Value) {
				return false
			}
		}
	}
	return true
}

// jsonHasSurrogatePair reports whether s holds a high surrogate directly
// followed by a low one, each in its 3-byte form.
func jsonHasSurrogatePair(s string) bool {
	for i := 0; i+6 <= len(s); i++ {
		if s[i] == 0xED && s[i+1] >= 0xA0 && s[i+1] <= 0xAF && s[i+3] == 0xED && s[i+4] >= 0xB0 && s[i+4] <= 0xBF {
			return true
		}
	}
	return false
}

// TestJSONDecoderReuse checks that pooled decoder state does not leak
// between calls, including after an error midway.
func TestJSONDecoderReuse(t *testing.T) {
	for range 3 {
		if _, err := (JSON{}).Unmarshal([]byte(`{"a":[1,{"b":"\u00e9`)); !errors.Is(err, ErrMalformed) {
			t.Fatalf("error = %v", err)
		}
		got, err := JSON{}.Unmarshal([]byte(`[{"c":"d"}]`))
		if err != nil || !Equal(got, List{DictOf("c", Str("d"))}) {
			t.Fatalf("after an error: %#v, %v", got, err)
		}
	}
}

// AppendMarshal writes what Marshal returns after dst's bytes, in dst's
// spare room when it has enough, and leaves dst as it was on error.
func TestJSONAppendMarshal(t *testing.T) {
	d := NewDict(2)
	d.SetStr("a", List{Int(1), Str("é\x00"), Float(0.5)})
	d.SetStr("b", None{})
	want, err := JSON{}.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 3, 256)
	copy(buf, "xyz")
	got, err := JSON{}.AppendMarshal(buf, d)
	if err != nil || string(got) != "xyz"+string(want) {
		t.Fatalf("AppendMarshal = %q, %v; want %q", got, err, "xyz"+string(want))
	}
	if &got[0] != &buf[0] {
		t.Error("AppendMarshal allocated although dst had room")
	}
	got, err = JSON{}.AppendMarshal(buf[:1], List{Bytes("x")})
	if !errors.Is(err, ErrUnsupported) || string(got) != "x" {
		t.Fatalf("AppendMarshal(bytes) = %q, %v; want %q and ErrUnsupported", got, err, "x")
	}
}
