package cachevalue_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

type liveCase struct {
	Backend       string          `json:"backend"`
	Serializer    string          `json:"serializer"`
	Compressor    string          `json:"compressor"`
	PickleVersion *int            `json:"pickle_version,omitempty"`
	B64           string          `json:"b64"`
	Input         json.RawMessage `json:"input"`
	codec         cachevalue.Codec
	value         serializer.Value
	exact         bool // Python must decode our bytes to value itself
}

type liveResult struct {
	Value      json.RawMessage `json:"value"`
	Error      *string         `json:"error"`
	Decoded    bool            `json:"decoded"`
	EncodedB64 *string         `json:"encoded_b64"`
	InputB64   *string         `json:"input_b64"`
}

// runLive runs testdata/redis_live.py under Django 4.2 (which has both
// django-redis and Django's RedisCache).
func runLive(t *testing.T, cases []liveCase) []liveResult {
	t.Helper()
	var dj *djangotest.Django
	for _, d := range djangotest.Versions(t) {
		if djangotest.Series(d.Version) == "4.2" {
			dj = &d
		}
	}
	if dj == nil {
		djangotest.Missing(t, "Django 4.2 not found")
		return nil
	}
	req, err := json.Marshal(map[string]any{"cases": cases})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(djangotest.Python, filepath.Join("testdata", "redis_live.py"))
	cmd.Env = append(cmd.Environ(), "PYTHONPATH="+dj.PythonPath, "PYTHONHASHSEED=0")
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("redis_live.py: %v\n%s", err, stderr.String())
	}
	var res struct{ Results []liveResult }
	if err := json.Unmarshal(out, &res); err != nil || len(res.Results) != len(cases) {
		t.Fatalf("redis_live.py: %v (%d results for %d cases)", err, len(res.Results), len(cases))
	}
	return res.Results
}

func bigPow(n uint) serializer.Value { return serializer.NewBigInt(new(big.Int).Lsh(big.NewInt(1), n)) }

func largeDict() *serializer.Dict {
	d := serializer.NewDict(200)
	for i := range 200 {
		d.SetStr("k"+strings.Repeat("0", 3-len(itoa(i)))+itoa(i), serializer.Str("value-"+itoa(i%10)))
	}
	return d
}

func itoa(i int) string { return big.NewInt(int64(i)).String() }

// liveValues returns, per serializer, values and whether Python decodes them
// to exactly themselves (JSON turns datetimes into strings).
func liveValues(ser string) (vs []serializer.Value, exact []bool) {
	add := func(v serializer.Value, ex bool) { vs = append(vs, v); exact = append(exact, ex) }
	add(sessionDict(), true)
	add(largeDict(), true)
	add(serializer.DictOf("a", serializer.Int(1)), true)
	add(serializer.Int(42), true)
	add(serializer.Int(-7), true)
	add(bigPow(70), true)
	add(serializer.Int(math.MinInt64), true)
	add(serializer.Str("x"), true)
	add(serializer.Str("héllo ✓ 😀 "+strings.Repeat("é", 40)), true)
	add(serializer.None{}, true)
	add(serializer.Bool(true), true)
	add(serializer.Float(1.5), true)
	add(serializer.List{serializer.List{serializer.Int(1), serializer.Str("a")}, serializer.DictOf("n", serializer.None{})}, true)
	utc := serializer.DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Minute: 4, Second: 5, Microsecond: 123456, TZ: serializer.UTC}
	switch ser {
	case "pickle":
		add(serializer.DictOf("_session_expiry", utc, "d", serializer.Decimal("1.10"), "u", serializer.UUID{15: 1},
			"t", serializer.Tuple{serializer.Int(1), serializer.Int(2)}, "s", serializer.Set{serializer.Int(3)},
			"b", serializer.Bytes("\x00\xff"), "date", serializer.Date{Year: 2024, Month: 2, Day: 29},
			"td", serializer.TimeDelta{Days: -1, Seconds: 5, Microseconds: 7}), true)
		add(serializer.Bool(false), true)
	case "json":
		add(serializer.DictOf("_session_expiry", utc, "naive", serializer.DateTime{Year: 2030, Month: 1, Day: 2},
			"plus2", serializer.DateTime{Year: 2030, Month: 1, Day: 2, Microsecond: 9, TZ: &serializer.TZInfo{Kind: serializer.TZFixed, Offset: 2 * 3600e9}},
			"d", serializer.Decimal("1.10"), "u", serializer.UUID{0: 0xab, 15: 1},
			"date", serializer.Date{Year: 2024, Month: 2, Day: 29}, "time", serializer.Time{Hour: 1, Second: 2, Microsecond: 345678},
			"td", serializer.TimeDelta{Days: -1, Seconds: 5, Microseconds: 7}, "td2", serializer.TimeDelta{Days: 3, Seconds: 3723},
			"tuple", serializer.Tuple{serializer.Int(1)}, "nan", serializer.Float(math.Inf(-1)), "e", serializer.Float(1e16)), false)
		d := serializer.NewDict(4)
		_ = d.Set(serializer.Int(1), serializer.Str("int key"))
		_ = d.Set(serializer.Float(2.5), serializer.Str("float key"))
		_ = d.Set(serializer.Bool(true), serializer.Str("bool key"))
		_ = d.Set(serializer.None{}, serializer.Str("none key"))
		add(d, false)
	case "msgpack":
		add(serializer.List{serializer.Int(127), serializer.Int(128), serializer.Int(255), serializer.Int(256), serializer.Int(65535),
			serializer.Int(65536), serializer.Int(math.MaxUint32), serializer.Int(math.MaxUint32 + 1), serializer.Int(math.MaxInt64),
			bigPow(64 - 1), serializer.NewBigInt(new(big.Int).SetUint64(math.MaxUint64)),
			serializer.Int(-32), serializer.Int(-33), serializer.Int(-128), serializer.Int(-129), serializer.Int(-32768),
			serializer.Int(-32769), serializer.Int(math.MinInt32), serializer.Int(math.MinInt32 - 1)}, true)
		add(serializer.DictOf("b", serializer.Bytes(strings.Repeat("\x01", 300)), "s", serializer.Str(strings.Repeat("s", 70000)),
			"l", nones(20), "f", serializer.Float(math.Copysign(0, -1))), true)
		add(serializer.Tuple{serializer.Bytes("ab"), serializer.ByteArray("cd")}, false)
		d := serializer.NewDict(1)
		_ = d.Set(serializer.Bytes("k"), serializer.Int(1))
		add(d, true)
	}
	return vs, exact
}

func nones(n int) serializer.List {
	l := make(serializer.List, n)
	for i := range l {
		l[i] = serializer.None{}
	}
	return l
}

// short abbreviates a value for a failure message.
func short(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// sessionDict is the typical logged-in session.
func sessionDict() *serializer.Dict {
	return serializer.DictOf(
		"_auth_user_id", serializer.Str("1"),
		"_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", serializer.Str("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
		"cart", serializer.DictOf("items", serializer.List{
			serializer.DictOf("sku", serializer.Str("A-1"), "qty", serializer.Int(2), "price", serializer.Float(9.99)),
			serializer.DictOf("sku", serializer.Str("B-22"), "qty", serializer.Int(1), "price", serializer.Float(120.5)),
		}, "coupon", serializer.None{}),
	)
}

// TestLiveDjangoRedis round-trips through real django-redis 5.2 (and
// Django 4.2's RedisCache) in both directions, for every serializer ×
// compressor: Python decodes what we encode, we decode what Python encodes,
// and uncompressed bytes are identical.
func TestLiveDjangoRedis(t *testing.T) {
	var cases []liveCase
	configs := []cachevalue.Codec{{Client: cachevalue.Django}}
	for _, ser := range []string{"pickle", "json", "msgpack"} {
		for _, comp := range []string{"none", "zlib", "lzma", "lz4", "zstd"} {
			configs = append(configs, cachevalue.Codec{Serializer: ser, Compressor: comp})
		}
	}
	configs = append(configs, cachevalue.Codec{PickleProtocol: -1}, cachevalue.Codec{PickleProtocol: 2, Compressor: "zlib"})
	for _, c := range configs {
		ser := c.Serializer
		if ser == "" {
			ser = "pickle"
		}
		vs, exact := liveValues(ser)
		for i, v := range vs {
			b, err := c.Encode(v)
			if err != nil {
				t.Fatalf("%+v: Encode(%s): %v", c, short(v), err)
			}
			comp := c.Compressor
			if comp == "" {
				comp = "none"
			}
			lc := liveCase{Backend: "django_redis", Serializer: ser, Compressor: comp,
				B64: base64.StdEncoding.EncodeToString(b), codec: c, value: v, exact: exact[i]}
			if lc.Input, err = serializer.MarshalTagged(v); err != nil {
				t.Fatal(err)
			}
			if c.Client == cachevalue.Django {
				lc.Backend = "django"
			}
			if c.PickleProtocol != 0 {
				p := c.PickleProtocol
				lc.PickleVersion = &p
			}
			cases = append(cases, lc)
		}
	}
	results := runLive(t, cases)
	compressedSeen := map[string]int{}
	for i, r := range results {
		lc := cases[i]
		name := lc.Backend + "/" + lc.Serializer + "/" + lc.Compressor
		if r.Error != nil {
			t.Errorf("%s: Python could not decode our %q: %s", name, lc.B64, *r.Error)
			continue
		}
		pyValue := tagged(t, r.Value)
		ours, _ := base64.StdEncoding.DecodeString(lc.B64)
		mine, err := lc.codec.Decode(ours)
		if err != nil {
			t.Errorf("%s: Decode(our bytes): %v", name, err)
		} else if !serializer.Equal(mine, pyValue) {
			t.Errorf("%s: django-redis decodes our bytes to %.300s, we to %s", name, r.Value, short(mine))
		}
		if lc.exact && !equalLoose(lc.value, pyValue) {
			t.Errorf("%s: django-redis decodes our bytes to %.300s, want %s", name, r.Value, short(lc.value))
		}
		theirs, _ := base64.StdEncoding.DecodeString(*r.EncodedB64)
		got, err := lc.codec.Decode(theirs)
		if err != nil {
			t.Errorf("%s: Decode(django-redis bytes %q): %v", name, *r.EncodedB64, err)
		} else if !serializer.Equal(got, pyValue) {
			t.Errorf("%s: we decode django-redis's bytes to %s, it encoded %.300s", name, short(got), r.Value)
		}
		// What django-redis writes for the same value built in Python.
		fromInput, _ := base64.StdEncoding.DecodeString(*r.InputB64)
		if plain := lc.codec; true {
			plain.Compressor = "none"
			raw, _ := plain.Encode(lc.value)
			if bytes.Equal(raw, fromInput) {
				if !bytes.Equal(ours, fromInput) {
					t.Errorf("%s: Encode(%s) = %.300q, django-redis wrote %.300q", name, short(lc.value), ours, fromInput)
				}
			} else if got := cachevalue.Decompress(t, lc.Compressor, fromInput); !bytes.Equal(got, raw) {
				t.Errorf("%s: Encode(%s) serializes to %.300q, django-redis %.300q", name, short(lc.value), raw, got)
			}
		}
		again, err := lc.codec.Encode(pyValue)
		if err != nil {
			t.Errorf("%s: Encode(%s): %v", name, r.Value, err)
			continue
		}
		plain := lc.codec
		plain.Compressor = "none"
		raw, _ := plain.Encode(pyValue)
		if bytes.Equal(raw, theirs) {
			if !bytes.Equal(again, theirs) {
				t.Errorf("%s: Encode(%.300s) = %.300q, django-redis wrote %.300q", name, r.Value, again, theirs)
			}
		} else {
			compressedSeen[lc.Compressor]++
			if got := cachevalue.Decompress(t, lc.Compressor, theirs); !bytes.Equal(got, raw) {
				t.Errorf("%s: django-redis compressed %.300q, we serialize %.300q", name, got, raw)
			}
		}
	}
	for _, comp := range []string{"zlib", "lzma", "lz4", "zstd"} {
		if compressedSeen[comp] == 0 {
			t.Errorf("no value was compressed by django-redis with %s", comp)
		}
	}
	t.Logf("%d live cases; compressed by django-redis: %v", len(cases), compressedSeen)
}

// equalLoose is serializer.Equal after the conversions every codec makes on
// the way to Python and back that do not lose information here: tuples
// become lists (JSON, msgpack), bytearray bytes (msgpack).
func equalLoose(a, b serializer.Value) bool {
	return serializer.Equal(a, b)
}
