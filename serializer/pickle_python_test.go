package serializer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"github.com/djangosess/djangosess/internal/pyrun"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Differential tests against CPython (/usr/bin/python3, which has Django
// 3.2, pytz and zoneinfo): one interpreter per test, fed a batch of inputs
// one per line, answering one JSON object per line.

// pktPreamble is shared by the scripts: it loads the tagged JSON codec
// (testdata/tagged.py) and defines canon, which gives a decoded value the
// object identities Pickle.Marshal assumes: equal str dict keys are one
// object (json.loads already shares the keys of plain objects; this extends
// it to the keys of dicts written as item lists).
const pktPreamble = `
import sys, json, base64, pickle, collections, datetime, decimal, uuid
sys.path.insert(0, TESTDATA)
import tagged

def canon(v, memo):
    t = type(v)
    if t is dict or t is collections.OrderedDict:
        out = t()
        for k, x in v.items():
            if type(k) is str:
                k = memo.setdefault(k, k)
            else:
                k = canon(k, memo)
            out[k] = canon(x, memo)
        return out
    if t is list:
        return [canon(x, memo) for x in v]
    if t is tuple:
        return tuple(canon(x, memo) for x in v)
    if t is set:
        return set(canon(x, memo) for x in v)
    if t is frozenset:
        return frozenset(canon(x, memo) for x in v)
    return v

def b64(b):
    return base64.b64encode(b).decode("ascii")
`

// pktRunPython runs script with one input per line and returns one decoded
// JSON object per input.
func pktRunPython(t testing.TB, script string, lines []string) []map[string]any {
	t.Helper()
	testdata, err := filepath.Abs("../testdata")
	if err != nil {
		t.Fatal(err)
	}
	src := "TESTDATA = " + pyQuote(testdata) + "\n" + pktPreamble + script
	outLines := pyrun.Lines(t, src, []string{"PYTHONHASHSEED=0", "PYTHONIOENCODING=utf-8"}, lines)
	res := make([]map[string]any, len(lines))
	for i, l := range outLines {
		if err := json.Unmarshal([]byte(l), &res[i]); err != nil {
			t.Fatalf("python output line %d %q: %v", i, l, err)
		}
	}
	return res
}

func pyQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func pktB64(t testing.TB, m map[string]any, k string) []byte {
	t.Helper()
	s, ok := m[k].(string)
	if !ok {
		t.Fatalf("python result has no %q: %v", k, m)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ---------------------------------------------------------------- values

// pktGen makes random values of every type Marshal must write as CPython
// does, with a fixed seed.
type pktGen struct {
	r *rand.Rand
}

var pktStrPieces = []string{"a", "Z", "0", " ", "_", "é", "ÿ", "\u0100", "ā", "€", "\u2028", "😀", "\U0010FFFF",
	"\x00", "\n", "\\", "'", "\"", "\xed\xa0\x80", "\xed\xbf\xbf", "\x7f", "\u00a0"}

func (g *pktGen) str() Str {
	switch g.r.IntN(12) {
	case 0:
		return ""
	case 1, 2:
		return Str(pktStrPieces[g.r.IntN(len(pktStrPieces))])
	case 3:
		n := []int{254, 255, 256, 257, 1000}[g.r.IntN(5)]
		return Str(strings.Repeat("x", n-1) + pktStrPieces[g.r.IntN(3)])
	case 4:
		n := []int{84, 85, 86, 127, 128}[g.r.IntN(5)]
		return Str(strings.Repeat("é", n)) // around 255 and 256 bytes
	}
	var b strings.Builder
	for n := g.r.IntN(12) + 2; n > 0; n-- {
		b.WriteString(pktStrPieces[g.r.IntN(len(pktStrPieces))])
	}
	return Str(b.String())
}

func (g *pktGen) bytes() []byte {
	n := []int{0, 1, 1, 2, 3, 10, 255, 256, 300}[g.r.IntN(9)]
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.IntN(256))
	}
	return b
}

var pktIntEdges = []int64{0, 1, 2, 127, 128, 255, 256, 257, 32767, 32768, 65535, 65536, 65537,
	1<<24 - 1, 1 << 24, 1<<31 - 1, 1 << 31, 1<<32 - 1, 1 << 32, 1<<40 + 3, 1<<47 - 1, 1 << 47, 1<<55 - 1,
	1 << 55, 1<<63 - 1, -1, -2, -127, -128, -129, -255, -256, -257, -32768, -32769, -65536, -65537,
	-1 << 31, -1<<31 - 1, -1<<32 + 1, -1 << 32, -1 << 47, -1<<47 - 1, -1 << 55, -1<<55 - 1, -1 << 63, -1<<63 + 1}

func (g *pktGen) int() Value {
	switch g.r.IntN(4) {
	case 0:
		return Int(pktIntEdges[g.r.IntN(len(pktIntEdges))])
	case 1:
		return Int(g.r.Int64() >> g.r.IntN(64))
	case 2:
		return Int(-(g.r.Int64() >> g.r.IntN(64)))
	}
	// Beyond int64: around every byte boundary, up to LONG4 (256+ bytes).
	bits := []int{63, 64, 65, 71, 72, 127, 128, 129, 2039, 2040, 2041, 2047, 2048, 2049, 5000}[g.r.IntN(15)]
	x := new(big.Int).Lsh(big.NewInt(1), uint(bits))
	x.Add(x, big.NewInt(int64(g.r.IntN(3)-1)))
	if g.r.IntN(2) == 0 {
		x.Neg(x)
	}
	return NewBigInt(x)
}

func (g *pktGen) float() Float {
	switch g.r.IntN(8) {
	case 0:
		return Float([]float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), 1, -1.5, 1e300, 5e-324, 1e16}[g.r.IntN(9)])
	case 1:
		return Float(math.Float64frombits(0x7ff8000000000000)) // Python's float('nan')
	case 2:
		return Float(math.Float64frombits(g.r.Uint64()&^(0x7ff<<52) | uint64(g.r.IntN(0x7ff))<<52))
	}
	return Float(g.r.NormFloat64() * math.Pow(10, float64(g.r.IntN(40)-20)))
}

var pktPytzZones = []TZInfo{
	{Kind: TZPytz, Name: "Europe/Paris", Offset: time.Hour, Abbrev: "CET"},
	{Kind: TZPytz, Name: "Europe/Paris", Offset: 2 * time.Hour, DST: time.Hour, Abbrev: "CEST"},
	{Kind: TZPytz, Name: "America/New_York", Offset: -5 * time.Hour, Abbrev: "EST"},
	{Kind: TZPytz, Name: "America/New_York", Offset: -4 * time.Hour, DST: time.Hour, Abbrev: "EDT"},
	{Kind: TZPytz, Name: "Asia/Kolkata", Offset: 330 * time.Minute, Abbrev: "IST"},
	{Kind: TZPytz, Name: "EST", Offset: -5 * time.Hour, Abbrev: "EST"},
	{Kind: TZPytz, Name: "Etc/GMT+5", Offset: -5 * time.Hour, Abbrev: "-05"},
}

func (g *pktGen) tz() *TZInfo {
	switch g.r.IntN(8) {
	case 0:
		return nil
	case 1:
		return UTC
	case 2:
		return &TZInfo{Kind: TZFixed} // another utc: the same object in Python
	case 3:
		off := time.Duration(g.r.IntN(2*86400-1)-86399) * time.Second
		if g.r.IntN(4) == 0 {
			off += time.Duration(g.r.IntN(1000000)) * time.Microsecond
		}
		tz := &TZInfo{Kind: TZFixed, Offset: off}
		if g.r.IntN(2) == 0 {
			tz.Name = string(g.str())
		}
		return tz
	case 4:
		return &TZInfo{Kind: TZPytzUTC}
	case 5:
		z := pktPytzZones[g.r.IntN(len(pktPytzZones))]
		return &z
	}
	return &TZInfo{Kind: TZZoneInfo, Name: []string{"Europe/Paris", "UTC", "America/New_York"}[g.r.IntN(3)]}
}

func (g *pktGen) dateTime() DateTime {
	return DateTime{Year: 1 + g.r.IntN(9999), Month: 1 + g.r.IntN(12), Day: 1 + g.r.IntN(28),
		Hour: g.r.IntN(24), Minute: g.r.IntN(60), Second: g.r.IntN(60), Microsecond: g.r.IntN(2) * g.r.IntN(1000000),
		Fold: g.r.IntN(4) / 3, TZ: g.tz()}
}

var pktDecimals = []Decimal{"0", "-0", "1.10", "1E+3", "1.5E-7", "NaN", "-sNaN12", "Infinity", "-Infinity",
	"123456789012345678901234567890.000", "0.000001", "1E-7", "0E-7", "-0.00", "1.25E+101"}

// scalar returns a hashable value: keys, set elements.
func (g *pktGen) scalar(depth int) Value {
	switch g.r.IntN(14) {
	case 0:
		return None{}
	case 1:
		return Bool(g.r.IntN(2) == 0)
	case 2, 3:
		return g.int()
	case 4:
		f := g.float()
		if math.IsNaN(float64(f)) {
			f = 0.5
		}
		return f
	case 5, 6, 7, 8:
		return g.str()
	case 9:
		return Bytes(g.bytes())
	case 10:
		if depth < 3 {
			t := make(Tuple, g.r.IntN(5))
			for i := range t {
				t[i] = g.scalar(depth + 1)
			}
			return t
		}
		return Tuple{}
	case 11:
		return Date{Year: 1 + g.r.IntN(9999), Month: 1 + g.r.IntN(12), Day: 1 + g.r.IntN(28)}
	case 12:
		// Not integral: Python's Decimal("1E+3") == 1000 (one key), which
		// HashKey does not know.
		return []Decimal{"1.10", "1.5E-7", "0.000001", "-2.5"}[g.r.IntN(4)]
	}
	var u UUID
	for i := range u {
		u[i] = byte(g.r.IntN(256))
	}
	if g.r.IntN(3) == 0 {
		u = UUID{15: byte(g.r.IntN(256))}
	}
	return u
}

// distinct keeps the first of each group of elements Python considers equal.
func pktDistinct(vs []Value) []Value {
	seen := map[string]bool{}
	out := vs[:0]
	for _, v := range vs {
		h, err := HashKey(v)
		if err != nil || seen[h] {
			continue
		}
		seen[h] = true
		out = append(out, v)
	}
	return out
}

func (g *pktGen) size() int {
	switch g.r.IntN(20) {
	case 0:
		return []int{999, 1000, 1001, 2000, 2001}[g.r.IntN(5)]
	case 1, 2, 3:
		return g.r.IntN(4)
	}
	return g.r.IntN(8)
}

func (g *pktGen) value(depth int) Value {
	if depth >= 4 {
		return g.scalar(depth)
	}
	n := g.size()
	if depth > 0 && n > 100 {
		n = g.r.IntN(8)
	}
	switch g.r.IntN(22) {
	case 0:
		l := make(List, n)
		for i := range l {
			l[i] = g.value(depth + 1)
		}
		return l
	case 1:
		t := make(Tuple, n)
		for i := range t {
			t[i] = g.value(depth + 1)
		}
		return t
	case 2, 3:
		s := make([]Value, n)
		for i := range s {
			if n > 100 {
				s[i] = Int(i * 7)
			} else {
				s[i] = g.scalar(depth + 1)
			}
		}
		s = pktDistinct(s)
		if g.r.IntN(2) == 0 {
			return Set(s)
		}
		return FrozenSet(s)
	case 4, 5, 6:
		d := NewDict(n)
		d.OrderedDict = g.r.IntN(5) == 0
		for i := 0; i < n; i++ {
			var k Value = g.str()
			if n > 100 {
				k = Str(fmt.Sprint("k", i))
			} else if g.r.IntN(4) == 0 {
				k = g.scalar(depth + 1)
			}
			_ = d.Set(k, g.value(depth+1))
		}
		return d
	case 7:
		return ByteArray(g.bytes())
	case 8:
		return g.dateTime()
	case 9:
		return Time{Hour: g.r.IntN(24), Minute: g.r.IntN(60), Second: g.r.IntN(60), Microsecond: g.r.IntN(1000000),
			Fold: g.r.IntN(4) / 3, TZ: g.tz()}
	case 10:
		v, _ := pkNormTimeDelta(big.NewInt(int64(g.r.IntN(2*999999999)-999999999)), big.NewInt(int64(g.r.IntN(86400))),
			big.NewInt(int64(g.r.IntN(1000000))))
		return v
	case 11:
		return pktDecimals[g.r.IntN(len(pktDecimals))]
	case 12:
		return g.float()
	}
	return g.scalar(depth)
}

// pktValues is the sample: edge values, then random ones.
func pktValues() []Value {
	seed := uint64(20240501)
	if s := os.Getenv("PKT_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	g := &pktGen{r: rand.New(rand.NewPCG(seed, 7))}
	vals := []Value{None{}, Bool(true), Bool(false), Str(""), Bytes{}, ByteArray{}, List{}, Tuple{}, Set{}, FrozenSet{},
		NewDict(0), &Dict{OrderedDict: true}, Str(strings.Repeat("y", 70000)), Bytes(bytes.Repeat([]byte{7}, 65536)),
		ByteArray(bytes.Repeat([]byte{8}, 65535)), ByteArray(bytes.Repeat([]byte{9}, 65536)),
		List{Str(strings.Repeat("a", 40000)), Str(strings.Repeat("b", 40000)), Str("c"), Bytes(bytes.Repeat([]byte{1}, 70000)), Int(5)},
		pktSession(),
		List{Str("a"), Str("a"), Str("ab"), Str("ab"), Str("é"), Str("é"), Str("ā"), Str("ā"), Bytes("a"), Bytes("a"), Bytes("ab"), Bytes("ab"), Str("")},
		List{DictOf("ab", Int(1)), DictOf("ab", Int(2)), Str("ab"), DictOf("x", Str("ab"))},
		List{UUID{15: 1}, UUID{0: 0x80}, DictOf("int", Int(1))},
		List{Bytes("a"), Str("a"), ByteArray("a"), ByteArray("xyz"), Bytes("")},
	}
	for _, n := range pktIntEdges {
		vals = append(vals, Int(n))
	}
	for i := 0; i < 2000; i++ {
		vals = append(vals, g.value(0))
	}
	return vals
}

func pktSession() *Dict {
	return DictOf("_auth_user_id", Str("1"), "_auth_user_backend", Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", Str("2b5f1c0e8e4a7a0a3b8c1f0e6d5c4b3a2918171615141312111009080706050"),
		"_session_expiry", Int(1209600), "cart", List{Int(1), Int(2), Int(3)}, "_language", Str("en"))
}

// pktHasSet reports whether v holds a set or frozenset of two or more
// elements, whose order CPython decides.
func pktHasSet(v Value) bool {
	switch v := v.(type) {
	case Set:
		if len(v) > 1 {
			return true
		}
		return pktAnySet(v)
	case FrozenSet:
		if len(v) > 1 {
			return true
		}
		return pktAnySet(v)
	case List:
		return pktAnySet(v)
	case Tuple:
		return pktAnySet(v)
	case *Dict:
		for _, it := range v.Items() {
			if pktHasSet(it.Key) || pktHasSet(it.Value) {
				return true
			}
		}
	}
	return false
}

func pktAnySet(vs []Value) bool {
	for _, v := range vs {
		if pktHasSet(v) {
			return true
		}
	}
	return false
}

// pktEqualAnyOrderFold is Equal with sets compared as sets, and a pytz zone
// known by name only (a StaticTzInfo) equal to the same zone with offsets.
// With fold false, the folds of datetimes and times are not compared
// (protocols 2 and 3 do not write them).
func pktEqualAnyOrderFold(a, b Value, fold bool) bool {
	switch a := a.(type) {
	case Set:
		b, ok := b.(Set)
		return ok && pktSameElements(a, b, fold)
	case FrozenSet:
		b, ok := b.(FrozenSet)
		return ok && pktSameElements(a, b, fold)
	case List:
		b, ok := b.(List)
		return ok && pktEqualSeq(a, b, fold)
	case Tuple:
		b, ok := b.(Tuple)
		return ok && pktEqualSeq(a, b, fold)
	case *Dict:
		b, ok := b.(*Dict)
		if !ok || a.Len() != b.Len() || a.OrderedDict != b.OrderedDict {
			return false
		}
		for i, it := range a.Items() {
			jt := b.Items()[i]
			if !pktEqualAnyOrderFold(it.Key, jt.Key, fold) || !pktEqualAnyOrderFold(it.Value, jt.Value, fold) {
				return false
			}
		}
		return true
	case DateTime:
		b, ok := b.(DateTime)
		if !ok {
			return false
		}
		a.TZ, b.TZ = pktStaticTZ(a.TZ), pktStaticTZ(b.TZ)
		if !fold {
			a.Fold, b.Fold = 0, 0
		}
		return Equal(a, b)
	case Time:
		b, ok := b.(Time)
		if !ok {
			return false
		}
		a.TZ, b.TZ = pktStaticTZ(a.TZ), pktStaticTZ(b.TZ)
		if !fold {
			a.Fold, b.Fold = 0, 0
		}
		return Equal(a, b)
	}
	return Equal(a, b)
}

func pktStaticTZ(tz *TZInfo) *TZInfo {
	if tz != nil && tz.Kind == TZPytz && pkStaticPytzZone(tz.Name) {
		return &TZInfo{Kind: TZPytz, Name: tz.Name}
	}
	return tz
}

func pktEqualSeq(a, b []Value, fold bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !pktEqualAnyOrderFold(a[i], b[i], fold) {
			return false
		}
	}
	return true
}

func pktSameElements(a, b []Value, fold bool) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
outer:
	for _, x := range a {
		for j, y := range b {
			if !used[j] && pktEqualAnyOrderFold(x, y, fold) {
				used[j] = true
				continue outer
			}
		}
		return false
	}
	return true
}

// ---------------------------------------------------------------- tests

const pktDumpsScript = `
for line in sys.stdin:
    try:
        v = canon(tagged.loads(line), {})
        out = {"p%d" % p: b64(pickle.dumps(v, p)) for p in (2, 3, 4, 5)}
    except Exception as e:
        out = {"err": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(out))
`

// TestPickleMarshalMatchesCPython: for every sample value and protocols 2
// to 5, Marshal writes the bytes of CPython's pickle.dumps.
func TestPickleMarshalMatchesCPython(t *testing.T) {
	vals := pktValues()
	lines := make([]string, len(vals))
	for i, v := range vals {
		b, err := MarshalTagged(v)
		if err != nil {
			t.Fatalf("value %d: MarshalTagged: %v", i, err)
		}
		lines[i] = string(b)
	}
	res := pktRunPython(t, pktDumpsScript, lines)
	matched, viaDecode := 0, 0
	for i, v := range vals {
		if e, ok := res[i]["err"]; ok {
			t.Fatalf("value %d: python: %v\n%s", i, e, pktShort(lines[i]))
		}
		for p := 2; p <= 5; p++ {
			want := pktB64(t, res[i], fmt.Sprint("p", p))
			got, err := Pickle{Protocol: p}.Marshal(v)
			if err != nil {
				t.Fatalf("value %d protocol %d: Marshal: %v", i, p, err)
			}
			if bytes.Equal(got, want) {
				matched++
				continue
			}
			if pktHasSet(v) {
				// CPython writes sets in hash order: compare with the same
				// value in CPython's order.
				v2, err := Pickle{}.Unmarshal(want)
				if err != nil {
					t.Fatalf("value %d protocol %d: Unmarshal of CPython's pickle: %v", i, p, err)
				}
				if !pktEqualAnyOrderFold(v, v2, p >= 4) {
					t.Fatalf("value %d protocol %d: CPython's pickle reads back as another value: %s", i, p, pktExplain(v, v2, p >= 4))
				}
				if got, err = (Pickle{Protocol: p}).Marshal(v2); err == nil && bytes.Equal(got, want) {
					viaDecode++
					continue
				}
			}
			if dir := os.Getenv("PKT_DUMP"); dir != "" {
				_ = os.WriteFile(filepath.Join(dir, "got.pickle"), got, 0o644)
				_ = os.WriteFile(filepath.Join(dir, "want.pickle"), want, 0o644)
			}
			t.Fatalf("value %d protocol %d: Marshal differs from pickle.dumps at byte %d\nvalue: %s\ngot:  %q\nwant: %q",
				i, p, pktFirstDiff(got, want), pktShort(lines[i]), pktShortB(got), pktShortB(want))
		}
	}
	t.Logf("%d values × 4 protocols: %d identical as generated, %d identical in CPython's set order", len(vals), matched, viaDecode)
}

func pktFirstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func pktShort(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

func pktShortB(b []byte) []byte {
	if len(b) > 400 {
		return b[:400]
	}
	return b
}

// pktExplain describes where a and b first differ for pktEqualAnyOrderFold.
func pktExplain(a, b Value, fold bool) string {
	if pktEqualAnyOrderFold(a, b, fold) {
		return ""
	}
	seq := func(x, y []Value) string {
		if len(x) != len(y) {
			return fmt.Sprintf("lengths %d and %d", len(x), len(y))
		}
		for i := range x {
			if s := pktExplain(x[i], y[i], fold); s != "" {
				return fmt.Sprintf("[%d] %s", i, s)
			}
		}
		return ""
	}
	switch a := a.(type) {
	case List:
		if b, ok := b.(List); ok {
			return seq(a, b)
		}
	case Tuple:
		if b, ok := b.(Tuple); ok {
			return seq(a, b)
		}
	case *Dict:
		if b, ok := b.(*Dict); ok && a.Len() == b.Len() {
			for i, it := range a.Items() {
				if s := pktExplain(it.Key, b.Items()[i].Key, fold); s != "" {
					return fmt.Sprintf("key %d: %s", i, s)
				}
				if s := pktExplain(it.Value, b.Items()[i].Value, fold); s != "" {
					return fmt.Sprintf("value %d: %s", i, s)
				}
			}
		}
	case Set, FrozenSet:
		xs, _ := pkIterItems(a)
		ys, _ := pkIterItems(b)
		for _, x := range xs {
			found := false
			for _, y := range ys {
				if pktEqualAnyOrderFold(x, y, fold) {
					found = true
				}
			}
			if !found {
				t, _ := MarshalTagged(x)
				return fmt.Sprintf("set element %s missing", t)
			}
		}
	}
	ta, _ := MarshalTagged(a)
	tb, _ := MarshalTagged(b)
	return fmt.Sprintf("%.300s != %.300s", ta, tb)
}

// pktDjango configures a minimal Django 3.2 (auth's User model, no
// database) so that model instances and lazy strings can be pickled.
const pktDjango = `
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
                   USE_I18N=False, USE_TZ=True, SECRET_KEY="x")
django.setup()
import pytz, zoneinfo, fractions, argparse, enum
from django.contrib.auth.models import User
from django.utils.safestring import mark_safe, SafeString
from django.utils.translation import gettext_lazy

def diff(a, b, fold=True, depth=0):
    """Where a and b differ (None: the same value, types all the way down).
    fold=False ignores the fold of datetimes and times (protocols 2 and 3
    do not write it)."""
    if depth > 200:
        return "too deep"
    if type(a) is not type(b) and (type(a).__module__, type(a).__qualname__) != (type(b).__module__, type(b).__qualname__):
        # (Django's lazy() makes a new __proxy__ class each time it unpickles one.)
        return "types %s and %s" % (type(a).__name__, type(b).__name__)
    t = type(a)
    if t is float:
        return None if (a != a and b != b) or (a == b and str(a) == str(b)) else "%r != %r" % (a, b)
    if t in (list, tuple):
        if len(a) != len(b):
            return "lengths %d and %d" % (len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, fold, depth + 1)
            if d:
                return "[%d] %s" % (i, d)
        return None
    if t in (dict, collections.OrderedDict):
        if list(a.keys()) != list(b.keys()):
            return "keys %r and %r" % (list(a.keys())[:20], list(b.keys())[:20])
        for k in a:
            d = diff(a[k], b[k], fold, depth + 1)
            if d:
                return "[%r] %s" % (k, d)
        return None
    if t in (set, frozenset):
        return None if a == b else "%r != %r" % (a, b)
    if t in (datetime.datetime, datetime.time):
        if fold is False:
            a, b = a.replace(fold=0), b.replace(fold=0)
        if a != b or a.fold != b.fold or str(a) != str(b):
            return "%r != %r" % (a, b)
        return diff(a.tzinfo, b.tzinfo, fold, depth + 1)
    if isinstance(a, datetime.tzinfo):
        return None if a is b or a == b else diff(a.__reduce__(), b.__reduce__(), fold, depth + 1)
    if t is decimal.Decimal:
        return None if str(a) == str(b) else "%s != %s" % (a, b)
    if t in (int, str, bytes, bytearray, bool, type(None), datetime.date, datetime.timedelta, uuid.UUID):
        return None if a == b and str(a) == str(b) else "%r != %r" % (a, b)
    if callable(a) and hasattr(a, "__qualname__"):
        return None if a is b else "%r is not %r" % (a, b)
    if hasattr(a, "__dict__"):
        d = diff(vars(a), vars(b), fold, depth + 1)
        if d:
            return "%s: %s" % (t.__name__, d)
    if t.__eq__ is not object.__eq__:
        return None if a == b else "%r != %r" % (a, b)
    return diff(a.__reduce_ex__(4)[1:3], b.__reduce_ex__(4)[1:3], fold, depth + 1)

P = pytz.timezone("Europe/Paris")
shared_list = [1, 2]
shared_dict = {"k": "v"}
now = datetime.datetime(2024, 5, 1, 12, 30, 45, 123456, tzinfo=datetime.timezone.utc)

CASES = {
    "session": {"_auth_user_id": "1", "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                "_auth_user_hash": "f" * 64, "_session_expiry": 1209600},
    "scalars": [None, True, False, 0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**31, 2**63 - 1,
                -2**63, 2**64, -2**64 - 1, 2**2048 + 1, -(2**2048), 1.5, -0.0, float("inf"), float("-inf"),
                float("nan"), 1e-310],
    "strings": ["", "a", "é", "ā", "😀", "\ud800", "a\udfffb", "x" * 255, "x" * 256, "line\nbreak\\",
                "\x00\r\x1a", "€" * 100],
    "bytes": [b"", b"a", b"\x00\xff" * 200, bytearray(b""), bytearray(b"xyz")],
    "containers": [[], (), {}, set(), frozenset(), [1, [2, [3]]], (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4),
                   {1: "a", (1, 2): None, None: 0.5, "s": {}}, {1, "a", (2, 3)}, frozenset({"x"}),
                   list(range(2500)), {str(i): i for i in range(1001)}, set(range(1000))],
    "ordered": collections.OrderedDict([("b", 1), ("a", [2])]),
    "ordered_big": collections.OrderedDict((str(i), i) for i in range(1500)),
    "datetimes": [datetime.datetime(2020, 1, 2, 3, 4, 5, 6), now,
                  datetime.datetime(2021, 11, 7, 1, 30, fold=1),
                  datetime.datetime(2021, 11, 7, 1, 30, fold=1, tzinfo=zoneinfo.ZoneInfo("America/New_York")),
                  datetime.datetime(1, 1, 1), datetime.datetime(9999, 12, 31, 23, 59, 59, 999999),
                  datetime.datetime(2030, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=5, minutes=30), "IST")),
                  datetime.datetime(2030, 1, 2, tzinfo=datetime.timezone(-datetime.timedelta(seconds=1, microseconds=5))),
                  datetime.datetime(2030, 1, 2, tzinfo=pytz.utc),
                  P.localize(datetime.datetime(2030, 1, 2)), P.localize(datetime.datetime(2030, 7, 2)),
                  datetime.datetime(2030, 1, 2, tzinfo=pytz.timezone("EST")),
                  datetime.datetime(2030, 1, 2, tzinfo=pytz.timezone("Etc/GMT+5")),
                  datetime.datetime(2030, 1, 2, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")),
                  datetime.date(2024, 2, 29), datetime.time(23, 59, 59, 999999),
                  datetime.time(1, 2, fold=1, tzinfo=datetime.timezone.utc),
                  datetime.timedelta(days=-1, seconds=5), datetime.timedelta(999999999, 86399, 999999),
                  datetime.timedelta(-999999999)],
    "decimals": [decimal.Decimal(s) for s in ("0", "-0", "1.10", "1E+3", "1.5e-7", "NaN", "-sNaN12",
                 "Infinity", "-Inf", "123456789012345678901234567890.000", "0E-7")],
    "uuids": [uuid.UUID(int=0), uuid.UUID(int=2**128 - 1), uuid.UUID("12345678-1234-5678-1234-567812345678"),
              uuid.UUID(int=7, is_safe=uuid.SafeUUID.safe), uuid.UUID(int=8, is_safe=uuid.SafeUUID.unsafe)],
    "shared": [shared_list, shared_list, shared_dict, shared_dict, now, now, (shared_list,), (shared_list,)],
    "tz_shared": [now, now.replace(second=1), P.localize(datetime.datetime(2030, 1, 2)),
                  P.localize(datetime.datetime(2030, 1, 3))],
    "safestring": [mark_safe("<b>bold</b>"), SafeString("")],
    "lazy": gettext_lazy("Hello"),
    "model": User(id=3, username="bob", date_joined=now),
    "others": [fractions.Fraction(1, 3), collections.Counter("abca"), argparse.Namespace(a=1, b=[2]),
               uuid.SafeUUID.safe, complex(1, 2), range(3), slice(1, 2), datetime.timezone.utc,
               datetime.datetime(2030, 1, 2, tzinfo=pytz.FixedOffset(90))],
}
CASES["session_all"] = dict(CASES["session"], **{k: v for k, v in CASES.items() if k != "session"})
`

const pktLoadsScript = pktDjango + `
for name in sys.stdin:
    name = name.strip()
    v = CASES[name]
    out = {}
    for p in range(6):
        try:
            b = pickle.dumps(v, p)
        except RecursionError:
            continue  # Django's lazy strings cannot be pickled below protocol 2
        out["p%d" % p] = b64(b)
        out["t%d" % p] = tagged.dumps(pickle.loads(b))
    print(json.dumps(out))
`

const pktSameScript = pktDjango + `
for line in sys.stdin:
    req = json.loads(line)
    orig = pickle.loads(base64.b64decode(req["in"]))
    errs = []
    for p, b in req["out"].items():
        try:
            back = pickle.loads(base64.b64decode(b))
        except Exception as e:
            errs.append("protocol %s: %s: %s" % (p, type(e).__name__, e))
            continue
        if req.get("edit"):
            if back.pop("edited", None) != "yes":
                errs.append("protocol %s: the edited key is missing" % p)
        d = diff(back, orig, int(p) >= 4 or req["p"] < 4)
        if d:
            errs.append("protocol %s: loads to another value: %s" % (p, d))
    print(json.dumps({"err": errs}))
`

// pktSameLoads asks CPython whether every pickle in outs loads to the value
// pickle in loads to ("edited": "yes" aside, when edit is set).
type pktSameReq struct {
	In   string            `json:"in"`
	Out  map[string]string `json:"out"`
	Edit bool              `json:"edit,omitempty"`
	P    int               `json:"p"`
}

var pktCases = []string{"session", "scalars", "strings", "bytes", "containers", "ordered", "ordered_big",
	"datetimes", "decimals", "uuids", "shared", "tz_shared", "safestring", "lazy", "model", "others", "session_all"}

// TestPickleUnmarshalCPython decodes CPython's pickles of every case at
// protocols 0 to 5: the value must be what pickle.loads gives (compared as
// tagged JSON, which testdata/tagged.py writes from CPython's value), and
// Marshal at protocols 2 to 5 must write pickles that CPython loads to that
// same value, opaque objects included. The session holding every case is
// also edited (one key added) before it is written back.
func TestPickleUnmarshalCPython(t *testing.T) {
	res := pktRunPython(t, pktLoadsScript, pktCases)
	var reqs, same, differ []string
	var names []string
	for i, name := range pktCases {
		for p := 0; p <= 5; p++ {
			if _, ok := res[i][fmt.Sprint("p", p)]; !ok {
				if p >= 2 {
					t.Fatalf("%s: CPython cannot pickle it at protocol %d", name, p)
				}
				continue
			}
			in := pktB64(t, res[i], fmt.Sprint("p", p))
			v, err := Pickle{}.Unmarshal(in)
			if err != nil {
				t.Fatalf("%s protocol %d: Unmarshal: %v", name, p, err)
			}
			// tagged.py describes an object by its __reduce_ex__(2), which is
			// what protocols 2+ record; it cannot describe a global (lazy,
			// others) or a tzinfo's offset it does not know (others).
			if pktComparable(name, p) {
				want, err := UnmarshalTagged([]byte(res[i][fmt.Sprint("t", p)].(string)))
				if err != nil {
					t.Fatalf("%s protocol %d: UnmarshalTagged of tagged.py's output: %v", name, p, err)
				}
				if !Equal(v, want) {
					t.Errorf("%s protocol %d: decoded value differs from pickle.loads: %s", name, p, pktExplain(v, want, true))
				}
			}
			req := pktSameReq{In: base64.StdEncoding.EncodeToString(in), Out: map[string]string{}, P: p}
			if name == "session_all" {
				v.(*Dict).SetStr("edited", Str("yes"))
				req.Edit = true
			}
			for q := 2; q <= 5; q++ {
				out, err := Pickle{Protocol: q}.Marshal(v)
				if err != nil {
					t.Fatalf("%s protocol %d: Marshal at %d: %v", name, p, q, err)
				}
				req.Out[fmt.Sprint(q)] = base64.StdEncoding.EncodeToString(out)
				if q == p && name != "session_all" {
					if bytes.Equal(out, in) {
						same = append(same, fmt.Sprintf("%s/%d", name, p))
					} else {
						differ = append(differ, fmt.Sprintf("%s/%d", name, p))
					}
				}
			}
			b, _ := json.Marshal(req)
			reqs = append(reqs, string(b))
			names = append(names, fmt.Sprintf("%s protocol %d", name, p))
		}
	}
	// Not a requirement beyond the types byte identity is promised for:
	// how often a CPython pickle comes back byte for byte.
	t.Logf("written back byte-identical at the same protocol: %v; not: %v", same, differ)
	for i, r := range pktRunPython(t, pktSameScript, reqs) {
		if errs, _ := r["err"].([]any); len(errs) > 0 {
			t.Errorf("%s, written back: %s", names[i], pktShort(fmt.Sprint(errs)))
		}
	}
}

func pktComparable(name string, protocol int) bool {
	switch name {
	case "lazy", "others", "session_all":
		return false
	case "safestring", "model":
		return protocol >= 2
	}
	return true
}

const pktPy2Script = `
def ascii_to_str(v):
    t = type(v)
    if t is bytes:
        try:
            return v.decode("ascii")
        except UnicodeDecodeError:
            return v
    if t in (dict, collections.OrderedDict):
        return t((ascii_to_str(k), ascii_to_str(x)) for k, x in v.items())
    if t in (list, tuple, set, frozenset):
        return t(ascii_to_str(x) for x in v)
    return v

for line in sys.stdin:
    b = base64.b64decode(line)
    try:
        v = pickle.loads(b)  # encoding="ASCII", what Django on Python 3 does
    except UnicodeDecodeError:
        v = ascii_to_str(pickle.loads(b, encoding="bytes"))
    print(json.dumps({"t": tagged.dumps(v)}))
`

// TestPickleUnmarshalPython2MatchesCPython checks the hand-made Python 2
// pickles against CPython 3 reading them: with its default encoding="ASCII"
// when it can, else with encoding="bytes" and every ASCII str taken as text,
// which is the rule Unmarshal follows.
func TestPickleUnmarshalPython2MatchesCPython(t *testing.T) {
	var lines []string
	var cases []int
	for i, tc := range pktPy2Cases {
		if _, ok := tc.want.(*Object); ok {
			continue // tagged.py names a SafeText by its class, SafeString
		}
		lines = append(lines, base64.StdEncoding.EncodeToString(pktHex(t, tc.hex)))
		cases = append(cases, i)
	}
	res := pktRunPython(t, pktPy2Script, lines)
	for j, i := range cases {
		want, err := UnmarshalTagged([]byte(res[j]["t"].(string)))
		if err != nil {
			t.Fatal(err)
		}
		if !Equal(pktPy2Cases[i].want, want) {
			t.Errorf("%s: CPython reads %s", pktPy2Cases[i].name, res[j]["t"])
		}
	}
}

const pktOddScript = `
for line in sys.stdin:
    b = base64.b64decode(line)
    try:
        try:
            v = pickle.loads(b)
        except UnicodeDecodeError:
            v = pickle.loads(b, encoding="bytes")
        try:
            out = {"t": tagged.dumps(v)}
        except Exception as e:
            out = {"t": None, "repr": repr(v)}
    except Exception as e:
        out = {"err": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(out))
`

// pktStricter are the malformed inputs CPython loads anyway; Unmarshal
// refuses them on purpose (values Python could not have pickled).
var pktStricter = map[string]bool{
	"datetime February 30": true, // CPython copies a pickled state without checking it
}

// TestPickleOddInputsMatchCPython: the unusual inputs Unmarshal accepts load
// in CPython to the same value, and the inputs it calls malformed fail in
// CPython too (except the few it is stricter about, listed).
func TestPickleOddInputsMatchCPython(t *testing.T) {
	var lines []string
	for _, tc := range pktOddValid {
		lines = append(lines, base64.StdEncoding.EncodeToString(tc.data))
	}
	var malformed []string
	for _, tc := range pktErrorTests {
		if len(tc.want) > 0 && tc.want[0] == ErrMalformed && tc.p.MaxSize == 0 && tc.p.MaxItems == 0 {
			lines = append(lines, base64.StdEncoding.EncodeToString(tc.data))
			malformed = append(malformed, tc.name)
		}
	}
	res := pktRunPython(t, pktOddScript, lines)
	for i, tc := range pktOddValid {
		r := res[i]
		if _, ok := tc.want.(*Object); ok {
			continue // kept opaque on purpose: CPython builds (or fails to build) the object
		}
		if e, ok := r["err"]; ok {
			t.Errorf("%s: CPython fails: %v", tc.name, e)
			continue
		}
		s, ok := r["t"].(string)
		if !ok {
			t.Errorf("%s: CPython reads %v", tc.name, r["repr"])
			continue
		}
		want, err := UnmarshalTagged([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		if !Equal(want, tc.want) && !pktBytesAsStr(want, tc.want) {
			t.Errorf("%s: CPython reads %s", tc.name, s)
		}
	}
	for j, name := range malformed {
		r := res[len(pktOddValid)+j]
		if _, ok := r["err"]; !ok && !pktStricter[name] {
			t.Errorf("%s: CPython loads it: %v%v", name, r["t"], r["repr"])
		}
	}
}

// pktBytesAsStr: CPython's encoding="bytes" gives bytes for a Python 2 str
// that Unmarshal reads as an ASCII str.
func pktBytesAsStr(py, ours Value) bool {
	b, ok := py.(Bytes)
	s, ok2 := ours.(Str)
	return ok && ok2 && string(b) == string(s)
}
