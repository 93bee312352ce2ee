package djangosess

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// serializerFor returns the serializer a vector names, or nil when this
// package cannot run it yet.
func serializerFor(name string) serializer.Codec {
	switch name {
	case "", "json":
		return serializer.JSON{}
	}
	return pickleSerializer()
}

func vectorCodec(t *testing.T, vf djangotest.VectorFile, c djangotest.Case, strict bool) *Codec {
	t.Helper()
	v := mustVersion(t, vf.Django)
	cfg := CodecConfig{
		SecretKey:        []byte(vf.SecretKey),
		SessionClass:     c.Str("session_class"),
		Serializer:       serializerFor(c.Str("serializer")),
		Target:           v,
		HashingAlgorithm: c.Str("hashing_algorithm"),
	}
	fallbacks := vf.FallbackKeys
	if fs, ok := c.Params["fallback_keys_setting"].([]any); ok { // SECRET_KEY_FALLBACKS for this case
		fallbacks = nil
		for _, k := range fs {
			fallbacks = append(fallbacks, k.(string))
		}
	}
	for _, k := range fallbacks {
		cfg.FallbackKeys = append(cfg.FallbackKeys, []byte(k))
	}
	if strict {
		cfg.Accept = Strict(v)
	}
	return mustCodec(t, cfg)
}

func tagged(t *testing.T, raw json.RawMessage) serializer.Value {
	t.Helper()
	v, err := serializer.UnmarshalTagged(raw)
	if err != nil {
		t.Fatalf("tagged %s: %v", raw, err)
	}
	return v
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// typedError reports whether err is one of the errors Decode documents.
func typedError(err error) bool {
	for _, target := range []error{signing.ErrBadSignature, signing.ErrMalformed, signing.ErrTooLarge, serializer.ErrUnsupported} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// TestVectorsSessionDecode decodes every session_data string of the vector
// files as the Django that made the file would (Strict), and requires what
// that Django's SessionStore.decode gave: the same dict, or — where Django
// logged the data as corrupt and returned {} — a typed error.
func TestVectorsSessionDecode(t *testing.T) {
	for _, vf := range djangotest.Vectors(t) {
		t.Run(vf.Django, func(t *testing.T) {
			n, skipped := 0, 0
			for _, c := range vf.Cases {
				if c.Op != "session_decode" {
					continue
				}
				if serializerFor(c.Str("serializer")) == nil {
					skipped++
					continue
				}
				n++
				t.Run(c.Name, func(t *testing.T) {
					data := c.InputString(t)
					got, err := vectorCodec(t, vf, c, true).Decode(data)
					switch {
					case !isNull(c.Value) && c.Value[0] != '{':
						// Django's decode returns a payload that is not a
						// dict as it is, and the session breaks on first use;
						// we refuse it (a session is a dict).
						if !errors.Is(err, signing.ErrMalformed) {
							t.Fatalf("Decode = %s, %v; want ErrMalformed for the non-dict %s", show(got), err, c.Value)
						}
					case !isNull(c.Value): // signing.loads succeeded
						want := tagged(t, c.Value)
						if err != nil || !serializer.Equal(got, want) {
							t.Fatalf("Decode = %s, %v; Django: %s", show(got), err, c.Value)
						}
					case !isNull(c.Legacy): // Django 3.2 read it as legacy data
						want := tagged(t, c.Legacy)
						if err != nil || !serializer.Equal(got, want) {
							t.Fatalf("Decode = %s, %v; Django's legacy decode: %s", show(got), err, c.Legacy)
						}
					case c.DjangoDecodeError == nil && !isNull(c.DjangoDecode) && string(c.DjangoDecode) != "{}":
						// Not pinned by the fields above, yet Django found data.
						t.Fatalf("Django decoded %s but the vector records no value", c.DjangoDecode)
					default:
						// Django logged the data as corrupt and gave {} (or,
						// on 3.2, raised out of decode): we give a typed error.
						if err == nil {
							t.Fatalf("Decode = %s; Django rejected it (%s: %s)", show(got), deref(c.Error), c.Message)
						}
						if !typedError(err) {
							t.Fatalf("Decode error %v is not typed", err)
						}
						if deref(c.Error) == "BadSignature" && !strings.Contains(data, ":") == false && !errors.Is(err, signing.ErrBadSignature) {
							t.Fatalf("Decode error %v; Django: BadSignature", err)
						}
					}
				})
			}
			if n == 0 {
				t.Fatal("no session_decode vectors")
			}
			t.Logf("%d session_decode vectors (%d need a serializer not built yet)", n, skipped)
		})
	}
}

// jsonStable reports whether v survives a trip through JSON unchanged
// (dicts with int keys, tuples and the like do not, in Python either).
func jsonStable(v serializer.Value) bool {
	b, err := serializer.JSON{}.Marshal(v)
	if err != nil {
		return false
	}
	back, err := serializer.JSON{}.Unmarshal(b)
	return err == nil && serializer.Equal(back, v)
}

// show prints a value as tagged JSON, for failure messages.
func show(v serializer.Value) string {
	b, err := serializer.MarshalTagged(v)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return string(b)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestVectorsSessionEncode encodes what Django encoded, for the Django that
// made the file: byte for byte where Django did not compress (C zlib and Go
// zlib differ), and to the same value otherwise.
func TestVectorsSessionEncode(t *testing.T) {
	for _, vf := range djangotest.Vectors(t) {
		t.Run(vf.Django, func(t *testing.T) {
			exact := 0
			for _, c := range vf.Cases {
				if c.Op != "session_encode" || serializerFor(c.Str("serializer")) == nil {
					continue
				}
				codec := vectorCodec(t, vf, c, false)
				ts := int64(1700000000)
				if f, ok := c.Params["timestamp"].(float64); ok {
					ts = int64(f)
				}
				if deref(c.Error) != "" {
					if c.Has("set_expiry") {
						continue // set_expiry(datetime) is the session object's; its error is not the codec's
					}
					in, ok := tagged(t, c.Input).(*serializer.Dict)
					if !ok {
						continue
					}
					if _, err := codec.EncodeAt(in, ts); !errors.Is(err, serializer.ErrUnsupported) {
						t.Errorf("%s: EncodeAt error %v; Django: %s: %s", c.Name, err, *c.Error, c.Message)
					}
					continue
				}
				want := c.OutputString(t)
				// Django's own string, decoded (the decode vectors vouch for
				// Decode), is the whole session, _session_expiry included.
				d, err := codec.Decode(want)
				if err != nil {
					t.Fatalf("%s: Decode(Django's output): %v", c.Name, err)
				}
				if !c.Has("set_expiry") && jsonStable(tagged(t, c.Input)) && !serializer.Equal(d, tagged(t, c.Input)) {
					t.Fatalf("%s: Django's output decodes to %v, not the input %s", c.Name, d, c.Input)
				}
				got, err := codec.EncodeAt(d, ts)
				if err != nil {
					t.Fatalf("%s: EncodeAt: %v", c.Name, err)
				}
				if (c.Compressed != nil && *c.Compressed) || c.IdentityDependent {
					back, err := codec.Decode(got)
					if err != nil || !serializer.Equal(back, d) {
						t.Fatalf("%s: our compressed output %q decodes to %v, %v", c.Name, got, back, err)
					}
					continue
				}
				if got != want {
					t.Fatalf("%s: EncodeAt = %q; Django: %q", c.Name, got, want)
				}
				exact++
			}
			if exact == 0 {
				t.Fatal("no uncompressed session_encode vector compared")
			}
			t.Logf("%d session_encode vectors byte-identical", exact)
		})
	}
}

// TestDjangoDecodesOurSessions sends sessions we encode — every encode
// vector's input and a property-based sample of random JSON values — to
// real Django (each available version), whose SessionStore.decode must
// give back the same value. Legacy writing is checked against Django 3.2.
func TestDjangoDecodesOurSessions(t *testing.T) {
	values := randomSessions(rand.New(rand.NewPCG(7, 11)), 300)
	var pickled []*serializer.Dict // values only pickle holds: datetimes, sets, Decimal...
	for _, vf := range djangotest.Vectors(t) {
		for _, c := range vf.Cases {
			if c.Op != "session_encode" || deref(c.Error) != "" {
				continue
			}
			d, ok := tagged(t, c.Input).(*serializer.Dict)
			switch {
			case !ok:
			case jsonStable(d):
				values = append(values, d)
			case c.Str("serializer") == "pickle":
				pickled = append(pickled, d)
			}
		}
	}
	type target struct{ version, hashing, serializer string }
	for _, dj := range djangotest.Versions(t) {
		targets := []target{{dj.Version, "", "json"}}
		switch djangotest.Series(dj.Version) {
		case "3.2":
			targets = append(targets, target{dj.Version, "sha1", "json"}, target{"2.2", "", "json"}, target{dj.Version, "", "pickle"}, target{"2.2", "", "pickle"})
		case "4.2":
			targets = append(targets, target{dj.Version, "", "pickle"})
		}
		for _, tg := range targets {
			name := fmt.Sprintf("django-%s/target-%s%s/%s", dj.Version, tg.version, tg.hashing, tg.serializer)
			t.Run(name, func(t *testing.T) {
				settings := []string{"--secret-key=" + docSecret, "--serializer=" + tg.serializer}
				if tg.hashing != "" {
					settings = append(settings, "--hashing-algorithm="+tg.hashing)
				}
				oracle := dj.Start(t, settings...)
				codec := mustCodec(t, CodecConfig{Target: mustVersion(t, tg.version), HashingAlgorithm: tg.hashing, Serializer: serializerFor(tg.serializer)})
				sessions := values
				if tg.serializer == "pickle" {
					sessions = append(append([]*serializer.Dict(nil), values...), pickled...)
				}
				reqs := make([]map[string]any, len(sessions))
				compressed := 0
				for i, v := range sessions {
					s, err := codec.Encode(v)
					if err != nil {
						t.Fatalf("Encode(%s): %v", show(v), err)
					}
					if strings.HasPrefix(s, ".") {
						compressed++
					}
					reqs[i] = map[string]any{"op": "session_decode_django", "data": s}
				}
				for i, a := range oracle.Do(t, reqs...) {
					if !a.OK {
						t.Fatalf("Django %s rejected %q: %s: %s", dj.Version, reqs[i]["data"], a.Error, a.Message)
					}
					if got := a.Tagged(t); !serializer.Equal(got, sessions[i]) {
						t.Fatalf("Django %s decoded %q to %s; we encoded %s", dj.Version, reqs[i]["data"], show(got), show(sessions[i]))
					}
				}
				t.Logf("%d sessions (%d compressed) read back by Django %s", len(sessions), compressed, dj.Version)
			})
		}
	}
}

// randomSessions makes n random session dicts of everything JSON holds:
// nested dicts and lists, ints of any size, floats (nan and inf
// included), and strings with controls, non-ASCII, astral characters and
// lone surrogates.
func randomSessions(r *rand.Rand, n int) []*serializer.Dict {
	out := make([]*serializer.Dict, n)
	for i := range out {
		out[i] = randomDict(r, 0)
	}
	return out
}

func randomDict(r *rand.Rand, depth int) *serializer.Dict {
	d := serializer.NewDict(4)
	for range r.IntN(6) {
		d.SetStr(string(randomStr(r)), randomValue(r, depth+1))
	}
	return d
}

func randomValue(r *rand.Rand, depth int) serializer.Value {
	k := r.IntN(10)
	if depth > 4 && k >= 8 {
		k = r.IntN(8)
	}
	switch k {
	case 0:
		return serializer.None{}
	case 1:
		return serializer.Bool(r.IntN(2) == 0)
	case 2:
		return serializer.Int(r.Int64() >> r.IntN(64))
	case 3:
		b := new(big.Int).Lsh(big.NewInt(r.Int64()), uint(64+r.IntN(200)))
		return serializer.NewBigInt(b.Neg(b))
	case 4:
		switch r.IntN(6) {
		case 0:
			return serializer.Float(math.NaN())
		case 1:
			return serializer.Float(math.Inf(1 - 2*r.IntN(2)))
		case 2:
			return serializer.Float(math.Float64frombits(r.Uint64()))
		}
		return serializer.Float(r.NormFloat64() * math.Pow(10, float64(r.IntN(40)-20)))
	case 5, 6:
		return randomStr(r)
	case 7:
		return serializer.Str(strings.Repeat("cart-item ", r.IntN(60))) // compresses
	case 8:
		l := make(serializer.List, r.IntN(5))
		for i := range l {
			l[i] = randomValue(r, depth+1)
		}
		return l
	default:
		return randomDict(r, depth)
	}
}

func randomStr(r *rand.Rand) serializer.Str {
	runes := []rune{'a', 'Z', '0', ' ', '"', '\\', '/', '<', '&', '\n', '\t', 0, 0x1f, 0x7f, 0xe9, 0x20ac, 0xffff, 0x1f600, 0x10ffff}
	var b []byte
	for range r.IntN(12) {
		if r.IntN(8) == 0 { // a lone surrogate, as Python's surrogatepass encodes it
			s := 0xd800 + r.IntN(0x800)
			b = append(b, 0xed, byte(0x80|(s>>6)&0x3f), byte(0x80|s&0x3f))
			if s < 0xdc00 {
				// A high surrogate followed by a low one is a pair that
				// json.loads joins into one character: keep it lone.
				b = append(b, 'x')
			}
			continue
		}
		b = fmt.Append(b, string(runes[r.IntN(len(runes))]))
	}
	return serializer.Str(b)
}
