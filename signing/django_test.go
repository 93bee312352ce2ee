package signing

import (
	"encoding/base64"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/serializer"
)

// djCase is one random signing case for TestMatchesDjango.
type djCase struct {
	kind     string // "sign", "tsign", "object", "tobject", "dumps"
	key      []byte
	salt     string
	sep      string
	alg      string
	value    string           // sign, tsign
	obj      serializer.Value // object, tobject, dumps
	json     string           // obj as JSON
	compress bool
	nowSec   int64 // the clock: nowSec + nowEighths/8 seconds (negative: -(…))
	eighths  int64
}

func (c *djCase) now() time.Time {
	d := time.Duration(c.nowSec)*time.Second + time.Duration(c.eighths)*(time.Second/8)
	if c.nowSec < 0 {
		d = time.Duration(c.nowSec)*time.Second - time.Duration(c.eighths)*(time.Second/8)
	}
	return time.Unix(0, 0).Add(d)
}

func (c *djCase) nowFloat() float64 {
	f := float64(abs(c.nowSec)) + float64(c.eighths)/8
	if c.nowSec < 0 {
		return -f
	}
	return f
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func (c *djCase) config() Config {
	return Config{Key: c.key, Salt: c.salt, Sep: c.sep, Algorithm: c.alg, Now: c.now}
}

func (c *djCase) op(name string) op {
	o := op{"op": name, "key": base64.StdEncoding.EncodeToString(c.key), "salt": c.salt,
		"sep": orDefault(c.sep, ":"), "algorithm": orDefault(c.alg, "sha256"), "now": c.nowFloat()}
	return o
}

// ours produces our output for the case.
func (c *djCase) ours(t *testing.T) string {
	t.Helper()
	var out string
	var err error
	switch c.kind {
	case "sign":
		out = mustSigner(t, c.config()).Sign(c.value)
	case "tsign":
		out = mustTimestampSigner(t, c.config()).Sign(c.value)
	case "object":
		out, err = mustSigner(t, c.config()).SignObject(c.obj, c.compress)
	case "tobject":
		out, err = mustTimestampSigner(t, c.config()).SignObject(c.obj, c.compress)
	case "dumps":
		out, err = Dumps(c.obj, DumpsOptions{Config: Config{Key: c.key, Salt: c.salt, Now: c.now}, Compress: c.compress})
	}
	if err != nil {
		t.Fatalf("%s: %v", c.kind, err)
	}
	return out
}

// oracleOp is the op that makes Django produce the case's output.
func (c *djCase) oracleOp() op {
	switch c.kind {
	case "sign", "tsign":
		o := c.op(c.kind)
		o["value"] = c.value
		return o
	case "dumps":
		return op{"op": "dumps", "key": base64.StdEncoding.EncodeToString(c.key), "salt": c.salt, "json": c.json, "compress": c.compress, "now": c.nowFloat()}
	}
	o := c.op("sign_object")
	o["json"], o["compress"], o["timestamp"] = c.json, c.compress, c.kind == "tobject"
	return o
}

// readOp is the op that makes Django read signed as the case's kind.
func (c *djCase) readOp(signed string) op {
	switch c.kind {
	case "sign":
		o := c.op("unsign")
		o["value"] = signed
		return o
	case "tsign":
		o := c.op("tunsign")
		o["value"] = signed
		return o
	case "dumps":
		return op{"op": "loads", "key": base64.StdEncoding.EncodeToString(c.key), "salt": c.salt, "value": signed, "now": c.nowFloat()}
	}
	o := c.op("unsign_object")
	o["value"], o["timestamp"] = signed, c.kind == "tobject"
	return o
}

// read reads signed (Django's output) with our code and returns what the
// oracle returns for the same read: the value, or our JSON of the object.
func (c *djCase) read(t *testing.T, signed string) (string, error) {
	t.Helper()
	var v serializer.Value
	var err error
	switch c.kind {
	case "sign":
		return mustSigner(t, c.config()).Unsign(signed)
	case "tsign":
		return mustTimestampSigner(t, c.config()).Unsign(signed)
	case "object":
		v, err = mustSigner(t, c.config()).UnsignObject(signed)
	case "tobject":
		v, err = mustTimestampSigner(t, c.config()).UnsignObject(signed)
	case "dumps":
		v, err = Loads(signed, LoadsOptions{Config: Config{Key: c.key, Salt: c.salt, Now: c.now}})
	}
	if err != nil {
		return "", err
	}
	b, err := serializer.JSON{}.Marshal(v)
	return string(b), err
}

// safeSeps are separators Django accepts.
var safeSeps = func() []string {
	seps := []string{"", ":", ":", ":"}
	for _, c := range sepCases {
		if !c.unsafe {
			seps = append(seps, c.sep)
		}
	}
	return seps
}()

// randValue returns a random JSON-able value, compressible about half the
// time.
func randValue(r *rand.Rand, depth int) serializer.Value {
	k := r.IntN(10)
	if depth >= 3 && k >= 7 {
		k = r.IntN(7)
	}
	switch k {
	case 0:
		return serializer.None{}
	case 1:
		return serializer.Bool(r.IntN(2) == 0)
	case 2:
		return serializer.Int(int64(r.Uint64()) >> r.IntN(64))
	case 3:
		return serializer.Float([]float64{1.5, 0.1, -2.25, 3.0, 1e100, 123456.789}[r.IntN(6)])
	case 4, 5:
		return serializer.Str(randString(r, r.IntN(12)))
	case 6:
		return serializer.Str(strings.Repeat(randString(r, 1+r.IntN(4)), r.IntN(60)))
	case 7:
		l := serializer.List{}
		for range r.IntN(5) {
			l = append(l, randValue(r, depth+1))
		}
		return l
	default:
		d := serializer.NewDict(0)
		for range r.IntN(6) {
			d.SetStr(randString(r, r.IntN(8)), randValue(r, depth+1))
		}
		return d
	}
}

func randCase(r *rand.Rand) *djCase {
	c := &djCase{
		key:     randBytes(r, 1+r.IntN(64)),
		sep:     safeSeps[r.IntN(len(safeSeps))],
		alg:     Algorithms()[r.IntN(len(Algorithms()))],
		nowSec:  vecTS + r.Int64N(1e6),
		eighths: r.Int64N(8),
	}
	if r.IntN(3) == 0 {
		c.alg = ""
	}
	if r.IntN(10) == 0 {
		c.nowSec = -r.Int64N(1e6) // before 1970: int() truncates toward zero
	}
	if r.IntN(4) != 0 {
		c.salt = randString(r, 1+r.IntN(20))
	}
	c.kind = []string{"sign", "tsign", "object", "tobject", "dumps"}[r.IntN(5)]
	switch c.kind {
	case "sign", "tsign":
		c.value = randString(r, r.IntN(30))
		if r.IntN(3) == 0 {
			c.value += orDefault(c.sep, ":") + randString(r, 3)
		}
	default:
		c.obj = randValue(r, 0)
		b, err := serializer.JSON{}.Marshal(c.obj)
		if err != nil {
			panic(err)
		}
		c.json = string(b)
		c.compress = r.IntN(3) != 0
	}
	if c.kind == "dumps" {
		c.sep, c.alg = "", "" // dumps takes neither
	}
	return c
}

// TestMatchesDjango signs random values with random keys, salts,
// separators, algorithms and clocks, with Django 3.2, 4.2 and 5.2 and with
// this package. Without compression the outputs must be byte-identical;
// with it, Django must read what we wrote and we must read what Django
// wrote. Django then reads all our outputs back (a second batch).
func TestMatchesDjango(t *testing.T) {
	for i, d := range djangos(t) {
		t.Run(d.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(i)))
			cases := make([]*djCase, 400)
			ops := make([]op, len(cases))
			for j := range cases {
				cases[j] = randCase(r)
				ops[j] = cases[j].oracleOp()
			}
			res := d.oracle(t, ops)
			var readBack []op
			var readCases []*djCase
			var readWant []string
			identical, compressed := 0, 0
			for j, c := range cases {
				if res[j].Err != "" {
					t.Fatalf("case %d %s: Django raised %s", j, c.kind, res[j].Err)
				}
				theirs := res[j].str(t)
				ours := c.ours(t)
				ourZ, theirZ := strings.HasPrefix(ours, "."), strings.HasPrefix(theirs, ".")
				if c.kind == "sign" || c.kind == "tsign" {
					ourZ, theirZ = false, false
				}
				if !ourZ && !theirZ {
					if ours != theirs {
						t.Errorf("case %d %s (sep %q alg %q salt %q): ours %q, Django %q", j, c.kind, c.sep, c.alg, c.salt, ours, theirs)
					}
					identical++
				} else {
					compressed++
				}
				// We read Django's output.
				want := c.value
				if c.obj != nil {
					want = c.json
				}
				got, err := c.read(t, theirs)
				if err != nil || got != want {
					t.Errorf("case %d %s: reading Django's %q: %q, %v; want %q", j, c.kind, theirs, got, err, want)
				}
				// Django reads ours (second batch).
				readBack = append(readBack, c.readOp(ours))
				readCases = append(readCases, c)
				readWant = append(readWant, want)
			}
			res = d.oracle(t, readBack)
			for j, c := range readCases {
				if res[j].Err != "" || res[j].str(t) != readWant[j] {
					t.Errorf("case %d %s: Django read our %v as %+v, want %q", j, c.kind, readBack[j]["value"], res[j], readWant[j])
				}
			}
			t.Logf("%d cases: %d byte-identical, %d compressed", len(cases), identical, compressed)
			if compressed < 20 || identical < 200 {
				t.Fatalf("coverage: %d compressed, %d identical", compressed, identical)
			}
		})
	}
}

// TestAgeAndKeysMatchDjango checks max_age at and around the boundary,
// fallback keys (4.1+) and the SHA-1 legacy acceptance of 3.1/3.2 against
// each Django version.
func TestAgeAndKeysMatchDjango(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, d := range djangos(t) {
		t.Run(d.name, func(t *testing.T) {
			var ops []op
			var checks []func(result)
			expired, valid := 0, 0
			for range 60 {
				c := randCase(r)
				c.kind, c.value = "tsign", randString(r, 5)
				ts := c.nowSec - r.Int64N(1000)
				s := mustTimestampSigner(t, c.config())
				signed := s.SignAt(c.value, ts)
				age := c.nowFloat() - float64(ts)
				for _, maxAge := range []float64{age, age - 0.125, age + 0.125, 0, -1} {
					o := c.readOp(signed)
					o["max_age"] = maxAge
					ops = append(ops, o)
					_, err := s.UnsignMaxAge(signed, time.Duration(maxAge*8)*time.Second/8)
					checks = append(checks, func(res result) {
						wantExpired := res.Err == "SignatureExpired"
						if wantExpired {
							expired++
						} else {
							valid++
						}
						if res.Err != "" && !wantExpired {
							t.Errorf("Django raised %s", res.Err)
						}
						if gotExpired := errors.Is(err, ErrExpired); gotExpired != wantExpired || !wantExpired && err != nil {
							t.Errorf("age %v max_age %v: %v, Django %+v", age, maxAge, err, res)
						}
					})
				}
			}
			// Keys and algorithms: Django reads our signatures made with a
			// key it has only as a fallback (4.1+), and made with SHA-1 while
			// configured for SHA-256 (3.1/3.2 only).
			for range 40 {
				c := randCase(r)
				c.kind, c.value, c.alg = "sign", randString(r, 8), "sha256"
				other := randBytes(r, 10)
				fb := c.op("unsign")
				fb["value"] = mustSigner(t, c.config()).Sign(c.value)
				fb["key"] = base64.StdEncoding.EncodeToString(other)
				fb["fallback"] = []string{base64.StdEncoding.EncodeToString(randBytes(r, 3)), base64.StdEncoding.EncodeToString(c.key)}
				if d.name != "3.2" {
					ops = append(ops, fb)
					value := c.value
					checks = append(checks, func(res result) {
						if res.Err != "" || res.str(t) != value {
							t.Errorf("fallback key: Django %+v", res)
						}
					})
				}
				sha1cfg := c.config()
				sha1cfg.Algorithm = "sha1"
				legacy := c.op("unsign")
				legacy["value"] = mustSigner(t, sha1cfg).Sign(c.value)
				ops = append(ops, legacy)
				value := c.value
				checks = append(checks, func(res result) {
					if d.name == "3.2" {
						if res.Err != "" || res.str(t) != value {
							t.Errorf("3.2 SHA-1 legacy: Django %+v", res)
						}
					} else if res.Err != "BadSignature" {
						t.Errorf("%s SHA-1: Django %+v, want BadSignature", d.name, res)
					}
				})
			}
			res := d.oracle(t, ops)
			for j, check := range checks {
				check(res[j])
			}
			if expired < 50 || valid < 50 {
				t.Fatalf("max_age coverage: %d expired, %d valid", expired, valid)
			}
		})
	}
}

// TestCookieKeyFallbackMatchesDjango: Django ≥ 4.1's get_cookie_signer
// prefixes fallback keys as CookieKey does.
func TestCookieKeyFallbackMatchesDjango(t *testing.T) {
	for _, d := range djangos(t)[1:] {
		signed := mustTimestampSigner(t, Config{Key: CookieKey([]byte("old")), Salt: "name", Now: vecClock}).Sign("v")
		o := op{"op": "tunsign", "key": base64.StdEncoding.EncodeToString(CookieKey([]byte("new"))),
			"fallback": []string{base64.StdEncoding.EncodeToString(CookieKey([]byte("old")))}, "salt": "name", "value": signed}
		if res := d.oracle(t, []op{o}); res[0].Err != "" || res[0].str(t) != "v" {
			t.Errorf("Django %s: %+v", d.name, res[0])
		}
	}
}
