package serializer

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"runtime"
	"strings"
	"testing"
	"time"
)

func pktHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pktMustNotPanic fails when an error is the recover guard's: every failure
// must have its own check.
func pktMustNotPanic(t testing.TB, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), "internal error") {
		t.Fatalf("a panic was recovered: %v", err)
	}
}

// The django-formats.md §13 vectors, made by Python 3.11:
// pickle.dumps({"_auth_user_id": "1"}, protocol).
func TestPickleReferenceVectors(t *testing.T) {
	want := DictOf("_auth_user_id", Str("1"))
	for _, tc := range []struct {
		proto int
		hex   string
	}{
		{5, "80059518000000000000007d948c0d5f617574685f757365725f6964948c013194732e"},
		{4, "80049518000000000000007d948c0d5f617574685f757365725f6964948c013194732e"},
	} {
		data := pktHex(t, tc.hex)
		v, err := Pickle{}.Unmarshal(data)
		if err != nil || !Equal(v, want) {
			t.Fatalf("protocol %d: Unmarshal = %v, %v", tc.proto, v, err)
		}
		out, err := Pickle{Protocol: tc.proto}.Marshal(want)
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("protocol %d: Marshal = %x, %v", tc.proto, out, err)
		}
	}
	out, _ := Pickle{}.Marshal(want)
	if out[1] != 5 {
		t.Fatalf("default protocol %d, want 5", out[1])
	}
}

// pktPy2Cases are pickles as Python 2.7 writes them (Django 1.11), built by
// hand from the pickletools opcode documentation: Python 2 cannot be run
// here. TestPickleUnmarshalPython2MatchesCPython checks the expected values
// against CPython 3 reading the same bytes.
var pktPy2Cases = []struct {
	name string
	hex  string
	want Value
}{
	{"session protocol 2",
		// {'_auth_user_id': u'1', '_auth_user_backend': 'django...ModelBackend', '_auth_user_hash': u'ab12'}
		"80 02 7d 71 01 28 55 0d 5f617574685f757365725f6964 71 02 58 01000000 31 71 03" +
			" 55 12 5f617574685f757365725f6261636b656e64 71 04 55 29 646a616e676f2e636f6e747269622e617574682e6261636b656e64732e4d6f64656c4261636b656e64 71 05" +
			" 55 0f 5f617574685f757365725f68617368 71 06 58 04000000 61623132 71 07 75 2e",
		DictOf("_auth_user_id", Str("1"), "_auth_user_backend", Str("django.contrib.auth.backends.ModelBackend"),
			"_auth_user_hash", Str("ab12"))},
	{"str and unicode",
		// [u'\xe9', '\xc3\xa9', 'plain', T-string 'x']
		"80 02 5d 71 01 28 58 02000000 c3a9 55 02 c3a9 55 05 706c61696e 54 01000000 78 65 2e",
		List{Str("é"), Bytes("é"), Str("plain"), Str("x")}},
	{"datetime with pytz.utc",
		// datetime(2020, 1, 2, 3, 4, 5, 6, tzinfo=pytz.utc); the state is a py2 str
		"80 02 63 6461746574696d65 0a 6461746574696d65 0a 71 01 55 0a 07e4010203040500 0006 71 02" +
			" 63 7079747a 0a 5f555443 0a 71 03 29 52 71 04 86 52 71 05 2e",
		DateTime{Year: 2020, Month: 1, Day: 2, Hour: 3, Minute: 4, Second: 5, Microsecond: 6, TZ: &TZInfo{Kind: TZPytzUTC}}},
	{"date with an ASCII state",
		// date(2020, 1, 2) would be non-ASCII; date(1, 2, 3) has the state '\x00\x01\x02\x03'
		"80 02 63 6461746574696d65 0a 64617465 0a 71 01 55 04 00010203 85 52 71 02 2e",
		Date{Year: 1, Month: 2, Day: 3}},
	{"set, long, float, bool",
		"80 02 5d 71 01 28 63 5f5f6275696c74696e5f5f 0a 736574 0a 71 02 5d 71 03 28 4b 01 4b 02 65 85 52 71 04" +
			" 8a 09 0000000000000000 01 47 3ff8000000000000 88 89 4e 65 2e",
		List{Set{Int(1), Int(2)}, NewBigInt(new(big.Int).Lsh(big.NewInt(1), 64)), Float(1.5), Bool(true), Bool(false), None{}}},
	{"OrderedDict",
		// OrderedDict([('a', 1), ('b', 2)]).__reduce__() in Python 2: (OrderedDict, ([['a', 1], ['b', 2]],))
		"80 02 63 636f6c6c656374696f6e73 0a 4f726465726564446963740a 71 01 5d 71 02 28 5d 71 03 28 55 01 61 4b 01 65" +
			" 5d 71 04 28 55 01 62 4b 02 65 65 85 52 71 05 2e",
		&Dict{OrderedDict: true, items: []Item{{Str("a"), Int(1)}, {Str("b"), Int(2)}}}},
	{"Decimal",
		"80 02 63 646563696d616c 0a 446563696d616c 0a 71 01 55 04 312e3130 85 52 71 02 2e",
		Decimal("1.10")},
	{"SafeText",
		"80 02 63 646a616e676f2e7574696c732e73616665737472696e67 0a 5361666554657874 0a 71 01 58 03000000 616263 85 81 71 02 2e",
		&Object{Module: "django.utils.safestring", Name: "SafeText", Build: BuildNewObj, Args: Tuple{Str("abc")}}},
	{"protocol 0 dict",
		// (dp0 S'_auth_user_id' p1 V1 p2 s S'n' I42 s S'l' L12345678901234567890L s S'b' I01 s S'f' F1.5 s S'e' S'\xe9\n\'' s .
		hex.EncodeToString([]byte("(dp0\nS'_auth_user_id'\np1\nV1\np2\nsS'n'\nI42\nsS'l'\nL12345678901234567890L\nsS'b'\nI01\nsS'f'\nF1.5\nsS'e'\nS'\\xe9\\n\\''\nsS'u'\nVa\\u20acb\\U0001f600\np3\ns.")),
		DictOf("_auth_user_id", Str("1"), "n", Int(42), "l", NewBigInt(new(big.Int).SetUint64(12345678901234567890)),
			"b", Bool(true), "f", Float(1.5), "e", Bytes("\xe9\n'"), "u", Str("a€b😀"))},
	{"protocol 0 UUID through copy_reg._reconstructor",
		hex.EncodeToString([]byte("ccopy_reg\n_reconstructor\np0\n(cuuid\nUUID\np1\nc__builtin__\nobject\np2\nNtp3\nRp4\n(dp5\nS'int'\np6\nL5L\nsb.")),
		UUID{15: 5}},
	{"protocol 1 list of tuples and a memo GET",
		hex.EncodeToString([]byte("]q\x00(K\x01U\x01aq\x01\x86q\x02h\x02e.")),
		List{Tuple{Int(1), Str("a")}, Tuple{Int(1), Str("a")}}},
}

func pktPy2Hex(t testing.TB, name string) []byte {
	for _, tc := range pktPy2Cases {
		if tc.name == name {
			return pktHex(t, tc.hex)
		}
	}
	t.Fatalf("no case %q", name)
	return nil
}

func TestPickleUnmarshalPython2(t *testing.T) {
	for _, tc := range pktPy2Cases {
		v, err := Pickle{}.Unmarshal(pktHex(t, tc.hex))
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !Equal(v, tc.want) {
			got, _ := MarshalTagged(v)
			want, _ := MarshalTagged(tc.want)
			t.Errorf("%s:\ngot  %s\nwant %s", tc.name, got, want)
		}
	}
}

func TestPickleSafeString(t *testing.T) {
	v, err := Pickle{}.Unmarshal(pktPy2Hex(t, "SafeText"))
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := v.(*Object).StrValue(); !ok || s != "abc" {
		t.Fatalf("StrValue = %q, %v", s, ok)
	}
	rec := &Object{Module: "copy_reg", Name: "_reconstructor", Build: BuildReduce, Args: Tuple{
		&Object{Module: "app", Name: "MyStr", Build: BuildGlobal}, &Object{Module: "__builtin__", Name: "unicode", Build: BuildGlobal}, Str("x")}}
	if s, ok := rec.StrValue(); !ok || s != "x" {
		t.Fatalf("reconstructor StrValue = %q, %v", s, ok)
	}
	if _, ok := (&Object{Module: "app", Name: "Thing", Build: BuildNewObj, Args: Tuple{Str("x")}}).StrValue(); ok {
		t.Fatal("StrValue of an unknown class")
	}
}

// pktOps builds a pickle from opcodes and arguments.
func pktOps(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case byte:
			b = append(b, p)
		case int:
			b = append(b, byte(p))
		case string:
			b = append(b, p...)
		case []byte:
			b = append(b, p...)
		}
	}
	return b
}

func pktRepeat(s string, n int) string { return strings.Repeat(s, n) }

// pktDeepList is n nested lists: [[[...]]].
func pktDeepList(n int) []byte {
	return []byte("\x80\x02" + pktRepeat("]", n) + pktRepeat("a", n-1) + ".")
}

// pktDoubling is t0 = (); t(i+1) = (ti, ti) through the memo, n times: a
// small pickle of a value whose tree has 2**n leaves.
func pktDoubling(n int) []byte {
	b := []byte("\x80\x02]q\x00")
	for i := 0; i < n; i++ {
		b = append(b, 'h', byte(i), 'h', byte(i), 0x86, 'q', byte(i+1))
	}
	return append(b, '.')
}

var pktErrorTests = []struct {
	name string
	data []byte
	p    Pickle
	want []error
}{
	{"empty", nil, Pickle{}, []error{ErrMalformed}},
	{"no STOP", []byte("\x80\x04K\x01"), Pickle{}, []error{ErrMalformed}},
	{"unknown opcode", []byte("\x80\x04\xff."), Pickle{}, []error{ErrMalformed}},
	{"unknown opcode 0x99", []byte("\x80\x05\x99."), Pickle{}, []error{ErrMalformed}},
	{"protocol 6", []byte("\x80\x06N."), Pickle{}, []error{ErrUnsupported}},
	{"over MaxSize", []byte("\x80\x04N." + pktRepeat(" ", 100)), Pickle{MaxSize: 50}, []error{ErrTooLarge}},

	{"os.system", []byte("cos\nsystem\n(S'echo hi'\ntR."), Pickle{}, []error{ErrForbiddenGlobal, ErrUnsupported}},
	{"posix.system", []byte("\x80\x02cposix\nsystem\nX\x02\x00\x00\x00id\x85R."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"nt.system", []byte("cnt\nsystem\n(S'x'\ntR."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"subprocess.Popen", []byte("\x80\x04\x8c\nsubprocess\x8c\x05Popen\x93)R."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"subprocess.check_output", []byte("csubprocess\ncheck_output\n(tR."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"builtins.eval", []byte("cbuiltins\neval\n(S'1'\ntR."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"__builtin__.eval", []byte("c__builtin__\neval\n(S'1'\ntR."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"builtins.exec", []byte("cbuiltins\nexec\n(S'1'\ntR."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"builtins.__import__", []byte("cbuiltins\n__import__\n(S'os'\ntR."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"builtins.open", []byte("cbuiltins\nopen\n(S'/etc/passwd'\ntR."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"builtins.compile", []byte("cbuiltins\ncompile\n."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"getattr of an attribute named system", []byte("cbuiltins\ngetattr\n(cdatetime\ndatetime\nS'system'\ntR."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"getattr of an instance", []byte("\x80\x02cbuiltins\ngetattr\n]X\x06\x00\x00\x00append\x86R."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"getattr left as a value", []byte("cbuiltins\ngetattr\n."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"posixpath.os", []byte("cposixpath\nos\n."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"dunder attribute", []byte("\x80\x04\x8c\x03app\x8c\x11Thing.__globals__\x93."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"pickle.loads", []byte("cpickle\nloads\n(S''\ntR."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"django call_command", []byte("cdjango.core.management\ncall_command\n(S'shell'\ntR."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"INST os.system", []byte("(S'id'\nios\nsystem\n."), Pickle{}, []error{ErrForbiddenGlobal}},
	{"custom policy refuses", []byte("\x80\x04\x8c\x03app\x8c\x05Thing\x93)\x81."),
		Pickle{AllowGlobal: func(m, n string) bool { return strings.HasPrefix(m, "myapp.") }}, []error{ErrForbiddenGlobal}},

	{"FRAME with a huge length", []byte("\x80\x04\x95\xff\xff\xff\xff\xff\xff\xff\x7f."), Pickle{}, []error{ErrMalformed}},
	{"BINUNICODE8 huge", []byte("\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7f."), Pickle{}, []error{ErrMalformed}},
	{"BINUNICODE8 2**64-1", []byte("\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\xff."), Pickle{}, []error{ErrMalformed}},
	{"BINBYTES8 huge", []byte("\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\x7f."), Pickle{}, []error{ErrMalformed}},
	{"BYTEARRAY8 huge", []byte("\x80\x05\x96\xff\xff\xff\xff\xff\xff\xff\x7f."), Pickle{}, []error{ErrMalformed}},
	{"BINUNICODE huge", []byte("\x80\x03X\xff\xff\xff\xff."), Pickle{}, []error{ErrMalformed}},
	{"BINBYTES huge", []byte("\x80\x03B\xff\xff\xff\xff."), Pickle{}, []error{ErrMalformed}},
	{"BINSTRING huge", []byte("\x80\x02T\xff\xff\xff\x7f."), Pickle{}, []error{ErrMalformed}},
	{"LONG4 huge", []byte("\x80\x02\x8b\xff\xff\xff\x7f."), Pickle{}, []error{ErrMalformed}},
	{"LONG4 negative", []byte("\x80\x02\x8b\xff\xff\xff\xff."), Pickle{}, []error{ErrMalformed}},
	{"LONG1 longer than the input", []byte("\x80\x02\x8a\x09\x01."), Pickle{}, []error{ErrMalformed}},
	{"odd SETITEMS", []byte("\x80\x02}(K\x01u."), Pickle{}, []error{ErrMalformed}},
	{"odd DICT", []byte("(K\x01d."), Pickle{}, []error{ErrMalformed}},
	{"set of a list", []byte("\x80\x04\x8f(]\x90."), Pickle{}, []error{ErrMalformed, ErrUnhashable}},
	{"frozenset of a dict", []byte("\x80\x04(}\x91."), Pickle{}, []error{ErrMalformed, ErrUnhashable}},
	{"dict keyed by a list", []byte("\x80\x02}]K\x01s."), Pickle{}, []error{ErrMalformed, ErrUnhashable}},
	{"dict keyed by a tuple holding a list", []byte("\x80\x02}]\x85K\x01s."), Pickle{}, []error{ErrMalformed, ErrUnhashable}},
	{"set() of a list of lists", []byte("\x80\x02c__builtin__\nset\n]]a\x85R."), Pickle{}, []error{ErrMalformed, ErrUnhashable}},
	{"APPEND to an empty stack", []byte("a."), Pickle{}, []error{ErrMalformed}},
	{"APPEND to an int", []byte("K\x01K\x02a."), Pickle{}, []error{ErrMalformed}},
	{"APPEND across a MARK", []byte("](K\x01a."), Pickle{}, []error{ErrMalformed}},
	{"SETITEM to a list", []byte("]K\x01K\x02s."), Pickle{}, []error{ErrMalformed}},
	{"ADDITEMS to a list", []byte("\x80\x04](K\x01\x90."), Pickle{}, []error{ErrMalformed}},
	{"POP of nothing", []byte("0."), Pickle{}, []error{ErrMalformed}},
	{"STOP of nothing", []byte("."), Pickle{}, []error{ErrMalformed}},
	{"STOP inside a MARK", []byte("K\x01(."), Pickle{}, []error{ErrMalformed}},
	{"TUPLE without MARK", []byte("K\x01t."), Pickle{}, []error{ErrMalformed}},
	{"APPENDS without MARK", []byte("]K\x01e."), Pickle{}, []error{ErrMalformed}},
	{"SETITEMS without MARK", []byte("}K\x01K\x02u."), Pickle{}, []error{ErrMalformed}},
	{"POP_MARK without MARK", []byte("1."), Pickle{}, []error{ErrMalformed}},
	{"TUPLE3 of two", []byte("\x80\x02K\x01K\x02\x87."), Pickle{}, []error{ErrMalformed}},
	{"BINGET miss", []byte("\x80\x02h\x05."), Pickle{}, []error{ErrMalformed}},
	{"LONG_BINGET miss", []byte("\x80\x02j\x00\x00\x00\x01."), Pickle{}, []error{ErrMalformed}},
	{"GET miss", []byte("g5\n."), Pickle{}, []error{ErrMalformed}},
	{"GET not a number", []byte("gx\n."), Pickle{}, []error{ErrMalformed}},
	{"PUT of nothing", []byte("p0\n."), Pickle{}, []error{ErrMalformed}},
	{"BINUNICODE not UTF-8", []byte("\x80\x03X\x01\x00\x00\x00\xff."), Pickle{}, []error{ErrMalformed}},
	{"STACK_GLOBAL of ints", []byte("\x80\x04K\x01K\x02\x93."), Pickle{}, []error{ErrMalformed}},
	{"REDUCE of an int", []byte("K\x01)R."), Pickle{}, []error{ErrMalformed}},
	{"REDUCE with a list of arguments", []byte("\x80\x02cdecimal\nDecimal\n]R."), Pickle{}, []error{ErrMalformed}},
	{"REDUCE of a REDUCE result", []byte("\x80\x02capp\nf\n)R)R."), Pickle{}, []error{ErrUnsupported}},
	{"NEWOBJ of an int", []byte("\x80\x02K\x01)\x81."), Pickle{}, []error{ErrMalformed}},
	{"BUILD on a list", []byte("\x80\x02]}b."), Pickle{}, []error{ErrUnsupported}},
	{"BUILD on a class", []byte("\x80\x02capp\nThing\n}b."), Pickle{}, []error{ErrUnsupported}},
	{"two BUILDs", []byte("\x80\x02capp\nThing\n)\x81}b}b."), Pickle{}, []error{ErrUnsupported}},
	{"STRING unquoted", []byte("Sabc\n."), Pickle{}, []error{ErrMalformed}},
	{"STRING bad \\x", []byte("S'\\x4'\n."), Pickle{}, []error{ErrMalformed}},
	{"UNICODE truncated \\u", []byte("Vab\\u12\n."), Pickle{}, []error{ErrMalformed}},
	{"UNICODE \\U out of range", []byte("V\\U00110000\n."), Pickle{}, []error{ErrMalformed}},
	{"INT not a number", []byte("I12a\n."), Pickle{}, []error{ErrMalformed}},
	{"INT too long", []byte("I" + pktRepeat("9", 5000) + "\n."), Pickle{}, []error{ErrTooLarge}},
	{"LONG with leading zeros", []byte("L0123L\n."), Pickle{}, []error{ErrMalformed}},
	{"FLOAT not a number", []byte("F1.5x\n."), Pickle{}, []error{ErrMalformed}},
	{"FLOAT hex", []byte("F0x1p3\n."), Pickle{}, []error{ErrMalformed}},
	{"FLOAT out of range", []byte("F1e400\n."), Pickle{}, []error{ErrMalformed}},
	{"persistent id", []byte("Pabc\n."), Pickle{}, []error{ErrUnsupported}},
	{"binary persistent id", []byte("K\x01Q."), Pickle{}, []error{ErrUnsupported}},
	{"extension registry", []byte("\x80\x02\x82\x01."), Pickle{}, []error{ErrUnsupported}},
	{"out-of-band buffer", []byte("\x80\x05\x97."), Pickle{}, []error{ErrUnsupported}},
	{"readonly buffer", []byte("\x80\x05C\x01a\x98."), Pickle{}, []error{ErrUnsupported}},
	{"datetime February 30", []byte("\x80\x03cdatetime\ndatetime\nC\x0a\x07\xe4\x02\x1e\x00\x00\x00\x00\x00\x00\x85R."), Pickle{}, []error{ErrMalformed}},
	{"datetime with an int tzinfo", []byte("\x80\x03cdatetime\ndatetime\nC\x0a\x07\xe4\x02\x01\x00\x00\x00\x00\x00\x00K\x01\x86R."), Pickle{}, []error{ErrMalformed}},
	{"timedelta out of range", []byte("\x80\x02cdatetime\ntimedelta\nJ\x00\xca\x9a\x3b\x85R."), Pickle{}, []error{ErrMalformed}},
	{"_codecs.encode of a non-Latin-1 str", []byte("\x80\x02c_codecs\nencode\nX\x02\x00\x00\x00\xc4\x81X\x06\x00\x00\x00latin1\x86R."), Pickle{}, []error{ErrMalformed}},
	{"_codecs.encode rot13", []byte("\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00rot13\x86R."), Pickle{}, []error{ErrUnsupported}},
	{"bytes(n)", []byte("\x80\x02c__builtin__\nbytes\nJ\x00\x00\x00\x7f\x85R."), Pickle{}, []error{ErrUnsupported}},

	{"a list that contains itself", []byte("\x80\x04]\x94h\x00a."), Pickle{}, []error{ErrUnsupported}},
	{"a dict that contains itself", []byte("\x80\x04}\x94K\x01h\x00s."), Pickle{}, []error{ErrUnsupported}},
	{"an object whose state contains it", []byte("\x80\x02capp\nThing\n)\x81q\x00}X\x01\x00\x00\x00xh\x00sb."), Pickle{}, []error{ErrUnsupported}},
	{"a tuple in a list in the tuple", []byte("\x80\x02]q\x00h\x00\x85q\x01ah\x01."), Pickle{}, []error{ErrUnsupported}},
	{"100000 nested lists", pktDeepList(100000), Pickle{}, []error{ErrTooLarge}},
	{"1001 nested lists", pktDeepList(1001), Pickle{}, []error{ErrTooLarge}},
	{"100000 nested tuples", []byte("\x80\x02K\x01" + pktRepeat("\x85", 100000) + "."), Pickle{}, []error{ErrTooLarge}},
	{"100000 MARKs", []byte(pktRepeat("(", 100000) + "."), Pickle{}, []error{ErrTooLarge}},
	{"2**60 leaves through the memo", pktDoubling(60), Pickle{}, []error{ErrTooLarge}},
	{"a string referenced 50 times", pktOps("\x80\x04\x8e", "\x00\x00\x01\x00\x00\x00\x00\x00", pktRepeat("x", 1<<16), "\x94(", pktRepeat("h\x00", 50), "l."),
		Pickle{MaxSize: 1 << 17}, []error{ErrTooLarge}},
	{"over MaxItems", []byte("\x80\x02](" + pktRepeat("K\x01", 1001) + "e."), Pickle{MaxItems: 1000}, []error{ErrTooLarge}},
	{"over the push budget", []byte("\x80\x02" + pktRepeat("N", 5000) + "."), Pickle{MaxItems: 1000}, []error{ErrTooLarge}},
}

func TestPickleUnmarshalErrors(t *testing.T) {
	for _, tc := range pktErrorTests {
		v, err := tc.p.Unmarshal(tc.data)
		if err == nil {
			t.Errorf("%s: no error, value %v", tc.name, v)
			continue
		}
		pktMustNotPanic(t, err)
		for _, w := range tc.want {
			if !errors.Is(err, w) {
				t.Errorf("%s: error %q does not match %q", tc.name, err, w)
			}
		}
	}
}

// TestPickleBombsBoundedMemory: the inputs that declare huge sizes or nest
// deeply fail quickly and allocate little (gopickle allocates a huge FRAME's
// length before reading it).
func TestPickleBombsBoundedMemory(t *testing.T) {
	for _, tc := range pktErrorTests {
		if len(tc.data) > 1<<20 {
			continue
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		_, err := tc.p.Unmarshal(tc.data)
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if err == nil {
			continue // reported by TestPickleUnmarshalErrors
		}
		const limit = 64 << 20
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > limit {
			t.Errorf("%s: allocated %d bytes for %d bytes of input", tc.name, alloc, len(tc.data))
		}
		if elapsed > 5*time.Second {
			t.Errorf("%s: took %v", tc.name, elapsed)
		}
	}
}

func TestPickleTruncatedAtEveryByte(t *testing.T) {
	v := DictOf("_auth_user_id", Str("1"), "when", DateTime{Year: 2024, Month: 5, Day: 1, TZ: UTC},
		"set", Set{Int(1), Str("x")}, "big", NewBigInt(new(big.Int).Lsh(big.NewInt(1), 100)), "b", Bytes("xyz"),
		"obj", &Object{Module: "app.models", Name: "Thing", Build: BuildNewObj, Args: Tuple{}, State: DictOf("a", Int(1))})
	for p := 2; p <= 5; p++ {
		data, err := Pickle{Protocol: p}.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Count(data, []byte{pkStop}) != 1 && p >= 4 {
			t.Logf("protocol %d: STOP byte appears in the data too", p)
		}
		for i := 0; i < len(data); i++ {
			got, err := Pickle{}.Unmarshal(data[:i])
			if err == nil {
				t.Fatalf("protocol %d: %d of %d bytes decoded to %v", p, i, len(data), got)
			}
			pktMustNotPanic(t, err)
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("protocol %d: %d of %d bytes: %v", p, i, len(data), err)
			}
		}
		back, err := Pickle{}.Unmarshal(data)
		if err != nil || !Equal(back, v) {
			t.Fatalf("protocol %d: whole pickle: %v, %v", p, back, err)
		}
	}
}

// pktOddValid are inputs CPython loads although its pickler never writes
// them. TestPickleOddInputsMatchCPython checks the expected values.
var pktOddValid = []struct {
	name string
	data []byte
	want Value
}{
	{"LONG1 of zero bytes", []byte("\x80\x02\x8a\x00."), Int(0)},
	{"LONG4 of zero bytes", []byte("\x80\x02\x8b\x00\x00\x00\x00."), Int(0)},
	{"LONG1 -128", []byte("\x80\x02\x8a\x01\x80."), Int(-128)},
	{"LONG1 2**63", []byte("\x80\x02\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00."), NewBigInt(new(big.Int).Lsh(big.NewInt(1), 63))},
	{"set of bytes", []byte("\x80\x04\x8f(C\x01aC\x01a\x90."), Set{Bytes("a")}},
	{"set of 1, 1.0 and True", []byte("\x80\x04\x8f(K\x01G?\xf0\x00\x00\x00\x00\x00\x00\x88\x90."), Set{Int(1)}},
	{"trailing bytes after STOP", []byte("\x80\x04K\x07.garbage"), Int(7)},
	{"empty APPENDS on an int", []byte("K\x01(e."), Int(1)},
	{"POP of a MARK", []byte("K\x01(0."), Int(1)},
	{"DUP", []byte("K\x012\x86."), Tuple{Int(1), Int(1)}},
	{"POP_MARK", []byte("K\x01(K\x02K\x031."), Int(1)},
	{"MEMOIZE after a sparse PUT", []byte("\x80\x04K\x01r\x00\x00\x01\x00K\x02\x94h\x01j\x00\x00\x01\x00\x86."), Tuple{Int(2), Int(1)}},
	{"INT bools and octal", []byte("(I00\nI01\nI010\nI-0x1f\nI+7\nl."), List{Bool(false), Bool(true), Int(8), Int(-31), Int(7)}},
	{"LONG forms", []byte("(L0x10L\nL-5\nL0o17\nL1_000\nL00\nl."), List{Int(16), Int(-5), Int(15), Int(1000), Int(0)}},
	{"UNICODE escapes", []byte("V\\\\u0041\\u0041\\ud800\\U0001F600\xe9\n."), Str("\\\\u0041A\xed\xa0\x80😀é")},
	{"STRING escapes", []byte("S\"a\\x41\\101\\q\\t\"\n."), Str("aAA\\q\t")},
	{"datetime from ints", []byte("\x80\x02cdatetime\ndatetime\n(M\xe4\x07K\x02K\x1dK\x17tR."), DateTime{Year: 2020, Month: 2, Day: 29, Hour: 23}},
	{"timedelta normalized", []byte("\x80\x02cdatetime\ntimedelta\nK\x00J\xff\xff\xff\xffK\x00\x87R."), TimeDelta{Days: -1, Seconds: 86399}},
	{"bytearray from str and encoding", []byte("\x80\x02c__builtin__\nbytearray\nX\x02\x00\x00\x00\xc3\xa9X\x07\x00\x00\x00latin-1\x86R."), ByteArray{0xe9}},
	{"empty bytes reduction", []byte("\x80\x02c__builtin__\nbytes\n)R."), Bytes{}},
	{"non-canonical Decimal stays an object", []byte("\x80\x02cdecimal\nDecimal\nX\x03\x00\x00\x001e3\x85R."),
		&Object{Module: "decimal", Name: "Decimal", Build: BuildReduce, Args: Tuple{Str("1e3")}}},
	{"uuid with is_safe", []byte("\x80\x02cuuid\nUUID\n)\x81}(X\x03\x00\x00\x00intK\x07X\x07\x00\x00\x00is_safeK\x00ub."), UUID{15: 7}},
	{"uuid with another key stays an object", []byte("\x80\x02cuuid\nUUID\n)\x81}X\x01\x00\x00\x00xK\x07sb."),
		&Object{Module: "uuid", Name: "UUID", Build: BuildNewObj, Args: Tuple{}, State: DictOf("x", Int(7))}},
}

func TestPickleUnmarshalOddButValid(t *testing.T) {
	for _, tc := range pktOddValid {
		v, err := Pickle{}.Unmarshal(tc.data)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !Equal(v, tc.want) {
			got, _ := MarshalTagged(v)
			want, _ := MarshalTagged(tc.want)
			t.Errorf("%s: got %s, want %s", tc.name, got, want)
		}
	}
}

func TestPickleSharedReferences(t *testing.T) {
	// [l, l, d, d] with l = [1] and d = {}; l and d each memoized once.
	data := []byte("\x80\x04]\x94(]\x94K\x01ah\x01}\x94h\x02e.")
	v, err := Pickle{}.Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	l := v.(List)
	if !Equal(l[0], l[1]) || &l[0].(List)[0] != &l[1].(List)[0] {
		t.Fatalf("the shared list is not one slice: %v", l)
	}
	if l[2].(*Dict) != l[3].(*Dict) {
		t.Fatal("the shared dict is not one pointer")
	}
	// Written back, the sharing is kept.
	out, err := Pickle{Protocol: 4}.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out[11:], data[2:]) {
		t.Fatalf("written back as %q", out)
	}
	// Datetimes sharing a tzinfo share the TZInfo.
	dt := []byte("\x80\x02]q\x00(cdatetime\ntime\nq\x01C\x06\x01\x02\x03\x00\x00\x00cdatetime\ntimezone\nq\x02cdatetime\ntimedelta\nK\x00M\x10\x0eK\x00\x87Rq\x03\x85Rq\x04\x86Rh\x01C\x06\x01\x02\x04\x00\x00\x00h\x04\x86Re.")
	v, err = Pickle{}.Unmarshal(dt)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := v.(List)[0].(Time).TZ, v.(List)[1].(Time).TZ; a != b || a.Offset != time.Hour {
		t.Fatalf("tzinfos %+v and %+v", a, b)
	}
}

func TestPickleMarshalErrors(t *testing.T) {
	deep := Value(Int(1))
	for i := 0; i < 1001; i++ {
		deep = List{deep}
	}
	for _, tc := range []struct {
		name string
		v    Value
		p    Pickle
		want []error
	}{
		{"protocol 1", Int(1), Pickle{Protocol: 1}, []error{ErrUnsupported}},
		{"protocol 6", Int(1), Pickle{Protocol: 6}, []error{ErrUnsupported}},
		{"nil", nil, Pickle{}, []error{ErrUnsupported}},
		{"nil in a list", List{nil}, Pickle{}, []error{ErrUnsupported}},
		{"invalid UTF-8", Str("\xff"), Pickle{}, []error{ErrUnsupported}},
		{"February 30", Date{Year: 2020, Month: 2, Day: 30}, Pickle{}, []error{ErrUnsupported}},
		{"hour 24", DateTime{Year: 2020, Month: 1, Day: 1, Hour: 24}, Pickle{}, []error{ErrUnsupported}},
		{"fold 2", Time{Fold: 2}, Pickle{}, []error{ErrUnsupported}},
		{"offset of a day", DateTime{Year: 2020, Month: 1, Day: 1, TZ: &TZInfo{Kind: TZFixed, Offset: 24 * time.Hour}}, Pickle{}, []error{ErrUnsupported}},
		{"TZOther without its object", Time{TZ: &TZInfo{Kind: TZOther}}, Pickle{}, []error{ErrUnsupported}},
		{"bad Decimal", Decimal("1.2.3"), Pickle{}, []error{ErrUnsupported}},
		{"timedelta out of range", TimeDelta{Days: 1e9}, Pickle{}, []error{ErrUnsupported}},
		{"os.system object", &Object{Module: "os", Name: "system", Build: BuildReduce, Args: Tuple{Str("id")}}, Pickle{}, []error{ErrForbiddenGlobal, ErrUnsupported}},
		{"builtins.eval global", &Object{Module: "builtins", Name: "eval", Build: BuildGlobal}, Pickle{}, []error{ErrForbiddenGlobal}},
		{"getattr object", &Object{Module: "builtins", Name: "getattr", Build: BuildReduce, Args: Tuple{Str("x"), Str("y")}}, Pickle{}, []error{ErrForbiddenGlobal}},
		{"NEWOBJ_EX at protocol 3", &Object{Module: "app", Name: "T", Build: BuildNewObjEx}, Pickle{Protocol: 3}, []error{ErrUnsupported}},
		{"non-ASCII global at protocol 2", &Object{Module: "app", Name: "Café", Build: BuildGlobal}, Pickle{Protocol: 2}, []error{ErrUnsupported}},
		{"1001 nested lists", deep, Pickle{}, []error{ErrUnsupported, ErrTooLarge}},
	} {
		_, err := tc.p.Marshal(tc.v)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		pktMustNotPanic(t, err)
		for _, w := range tc.want {
			if !errors.Is(err, w) {
				t.Errorf("%s: error %q does not match %q", tc.name, err, w)
			}
		}
	}
}

// A dict or list that contains itself is written as CPython writes one (the
// memo makes the reference a GET); reading it back is refused.
func TestPickleMarshalSelfReference(t *testing.T) {
	l := make(List, 1)
	l[0] = l
	out, err := Pickle{Protocol: 4}.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	if want := pktHex(t, "80049506000000000000005d946800612e"); !bytes.Equal(out, want) {
		t.Fatalf("got %x", out)
	}
	if _, err := (Pickle{}).Unmarshal(out); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("Unmarshal: %v", err)
	}
	d := NewDict(1)
	d.SetStr("self", d)
	out, err = Pickle{Protocol: 4}.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	// pickle.dumps(d, 4) with d = {}; d["self"] = d
	if want := pktHex(t, "8004950d000000000000007d948c0473656c66946800732e"); !bytes.Equal(out, want) {
		t.Fatalf("got %x", out)
	}
	if _, err := (Pickle{}).Unmarshal(out); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("Unmarshal: %v", err)
	}
}

func TestSafePickleGlobal(t *testing.T) {
	for _, tc := range []struct {
		module, name string
		want         bool
	}{
		{"django.db.models.base", "model_unpickle", true},
		{"django.utils.functional", "_lazy_proxy_unpickle", true},
		{"app.models", "Outer.Inner", true},
		{"builtins", "set", true},
		{"__builtin__", "unicode", true},
		{"builtins", "ValueError", true},
		{"exceptions", "ValueError", true},
		{"copy_reg", "_reconstructor", true},
		{"builtins", "eval", false},
		{"builtins", "getattr", false},
		{"builtins", "__import__", false},
		{"__builtin__", "execfile", false},
		{"os", "system", false},
		{"os.path", "join", false},
		{"subprocess", "Popen", false},
		{"commands", "getoutput", false},
		{"copyreg", "add_extension", false},
		{"app", "x.__class__", false},
		{"app", "helpers.os", false},
		{"", "x", false},
		{"app", "", false},
	} {
		if got := SafePickleGlobal(tc.module, tc.name); got != tc.want {
			t.Errorf("SafePickleGlobal(%q, %q) = %v", tc.module, tc.name, got)
		}
	}
}

func TestPickleDecimalCanonical(t *testing.T) {
	for s, want := range map[string]bool{
		"0": true, "-0": true, "1.10": true, "1E+3": true, "1.5E-7": true, "0E-7": true, "0.000001": true,
		"1E-7": true, "NaN": true, "-sNaN12": true, "Infinity": true, "-Infinity": true, "123.456": true,
		"1e3": false, "1000E0": false, "01": false, "NaN0": false, "Inf": false, "0.0000001": false,
		"1.5e-7": false, "+1": false, " 1": false, "1_0": false, "": false, ".5": false,
	} {
		if got := pkDecimalCanonical(s); got != want {
			t.Errorf("pkDecimalCanonical(%q) = %v", s, got)
		}
	}
	for s, want := range map[string]bool{
		"1e3": true, " 1_000.5 ": true, ".5": true, "5.": true, "-inf": true, "snan": true, "nan12": true,
		"1.2.3": false, "e5": false, "1_": false, "abc": false, "": false, ".": false,
	} {
		if got := pkDecimalValid(s); got != want {
			t.Errorf("pkDecimalValid(%q) = %v", s, got)
		}
	}
}

func TestPickleName(t *testing.T) {
	if (Pickle{}).Name() != "pickle" {
		t.Fatal((Pickle{}).Name())
	}
}

func TestPickleAllowGlobal(t *testing.T) {
	p := Pickle{AllowGlobal: func(module, name string) bool { return strings.HasPrefix(module, "myapp.") }}
	ok := []byte("\x80\x04\x8c\x0cmyapp.models\x8c\x05Thing\x93)\x81.")
	v, err := p.Unmarshal(ok)
	if err != nil {
		t.Fatal(err)
	}
	if o := v.(*Object); o.QualName() != "myapp.models.Thing" || o.Build != BuildNewObj {
		t.Fatalf("%+v", o)
	}
	if _, err := p.Marshal(v); err != nil {
		t.Fatal(err)
	}
	// The modeled classes do not ask the policy.
	if _, err := p.Unmarshal(pktPy2Hex(t, "datetime with pytz.utc")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Unmarshal([]byte("\x80\x04\x8c\x03app\x8c\x05Thing\x93.")); !errors.Is(err, ErrForbiddenGlobal) {
		t.Fatalf("app.Thing: %v", err)
	}
	if _, err := p.Marshal(&Object{Module: "app", Name: "Thing", Build: BuildGlobal}); !errors.Is(err, ErrForbiddenGlobal) {
		t.Fatalf("Marshal app.Thing: %v", err)
	}
	// A policy may also let through what SafePickleGlobal refuses: it is
	// still only an opaque object.
	all := Pickle{AllowGlobal: func(string, string) bool { return true }}
	v, err = all.Unmarshal([]byte("cos\nsystem\n(S'id'\ntR."))
	if err != nil || v.(*Object).QualName() != "os.system" {
		t.Fatalf("%v, %v", v, err)
	}
}
