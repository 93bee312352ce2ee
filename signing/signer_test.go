package signing

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

func isBadSignature(err error) bool {
	return errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrExpired)
}

func TestNewSignerErrors(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want error
	}{
		{"no key", Config{}, ErrNoKey},
		{"empty key", Config{Key: []byte{}}, ErrNoKey},
		{"empty fallback key", Config{Key: []byte("k"), FallbackKeys: [][]byte{[]byte("a"), nil}}, ErrNoKey},
		{"unsafe sep", Config{Key: []byte("k"), Sep: "abc"}, ErrUnsafeSeparator},
		{"bad algorithm", Config{Key: []byte("k"), Algorithm: "sha512_256"}, ErrInvalidAlgorithm},
		{"bad legacy algorithm", Config{Key: []byte("k"), LegacyAlgorithms: []string{"sha1", "crc32"}}, ErrInvalidAlgorithm},
	}
	for _, c := range cases {
		if _, err := NewSigner(c.cfg); !errors.Is(err, c.want) {
			t.Errorf("NewSigner %s: %v, want %v", c.name, err, c.want)
		}
		if _, err := NewTimestampSigner(c.cfg); !errors.Is(err, c.want) {
			t.Errorf("NewTimestampSigner %s: %v, want %v", c.name, err, c.want)
		}
	}
}

// sepCases are separators with whether Django rejects them; they are also
// checked against Django's regex in TestSeparatorsMatchDjango.
var sepCases = []struct {
	sep    string
	unsafe bool
}{
	{"", true}, {":", false}, {"\n", true}, {"a\n", true}, {"\n\n", false}, {":\n", false},
	{"[", true}, {"`", true}, {"^", true}, {"\\", true}, {"]", true}, {"_", true}, {"-", true},
	{"=", true}, {"A", true}, {"z", true}, {"09", true}, {"a-_=Z", true}, {"a b", false},
	{"/", false}, {".", false}, {"é", false}, {"::", false}, {"a:", false}, {"{", false},
	{"@", false}, {"\t", false}, {"a\n\n", false}, {"~", false}, {"+", false}, {"|", false},
	{"\n:", false}, {"ß", false}, {"1\n", true},
}

func TestSeparators(t *testing.T) {
	for _, c := range sepCases {
		if got := unsafeSep(c.sep); got != c.unsafe {
			t.Errorf("unsafeSep(%q) = %v, want %v", c.sep, got, c.unsafe)
		}
		if c.sep == "" {
			continue // Config.Sep "" means ":"
		}
		_, err := NewSigner(Config{Key: []byte("k"), Sep: c.sep})
		if c.unsafe != errors.Is(err, ErrUnsafeSeparator) || !c.unsafe && err != nil {
			t.Errorf("NewSigner(Sep %q): %v", c.sep, err)
		}
	}
	// Every single byte, against the definition.
	for b := range 256 {
		ch := byte(b)
		want := 'A' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '=' || ch == '\n'
		if got := unsafeSep(string([]byte{ch})); got != want {
			t.Errorf("unsafeSep(%q) = %v", ch, got)
		}
	}
	s := mustSigner(t, Config{Key: []byte("k"), Sep: ""})
	if got := s.Sign("v"); !strings.HasPrefix(got, "v:") {
		t.Errorf("empty Sep: %q", got)
	}
}

func TestSeparatorsMatchDjango(t *testing.T) {
	for _, d := range djangos(t) {
		ops := make([]op, len(sepCases))
		for i, c := range sepCases {
			ops[i] = op{"op": "sep", "sep": c.sep}
		}
		for i, r := range d.oracle(t, ops) {
			if django := r.Err == "ValueError"; django != sepCases[i].unsafe {
				t.Errorf("Django %s: sep %q raises %q; table says unsafe=%v", d.name, sepCases[i].sep, r.Err, sepCases[i].unsafe)
			}
		}
	}
}

func TestSignUnsign(t *testing.T) {
	s := mustSigner(t, Config{Key: []byte("secret"), Salt: "salt", Sep: "::"})
	for _, v := range []string{"", "v", "a::b", "::", "é:ü", strings.Repeat("x", 1000), "with\nnewline", "\x00\xff"} {
		signed := s.Sign(v)
		if want := v + "::" + s.Signature(v); signed != want {
			t.Fatalf("Sign(%q) = %q, want %q", v, signed, want)
		}
		got, err := s.Unsign(signed)
		if err != nil || got != v {
			t.Errorf("Unsign(Sign(%q)) = %q, %v", v, got, err)
		}
	}
}

// TestTampered flips every byte of signed strings, truncates them at every
// length, and extends them: nothing but the original verifies.
func TestTampered(t *testing.T) {
	cfg := Config{Key: []byte("secret"), FallbackKeys: [][]byte{[]byte("old")}, LegacyAlgorithms: []string{"sha1"}}
	s := mustSigner(t, cfg)
	ts := mustTimestampSigner(t, cfg)
	for _, signed := range []string{s.Sign("hello:world"), ts.SignAt("hello", vecTS), s.Sign("")} {
		unsign := s.Unsign
		if strings.Count(signed, ":") == 2 && !strings.HasPrefix(signed, "hello:world") {
			unsign = ts.Unsign
		}
		if _, err := unsign(signed); err != nil {
			t.Fatalf("%q: %v", signed, err)
		}
		var bad []string
		for i := range len(signed) {
			for _, repl := range []string{string(signed[i] ^ 1), string(signed[i] ^ 0x20), "é", ""} {
				bad = append(bad, signed[:i]+repl+signed[i+1:])
			}
			bad = append(bad, signed[:i])
		}
		bad = append(bad, signed+"A", signed+":", signed+" ", " "+signed, signed+"\n", strings.ToUpper(signed))
		for _, b := range bad {
			if b == signed {
				continue
			}
			if got, err := unsign(b); !isBadSignature(err) {
				t.Errorf("Unsign(%q) = %q, %v; want ErrBadSignature", b, got, err)
			}
		}
	}
}

func TestWrongKeySaltAlgorithm(t *testing.T) {
	base := Config{Key: []byte("secret"), Salt: "salt"}
	signed := mustSigner(t, base).Sign("value")
	for name, cfg := range map[string]Config{
		"key":        {Key: []byte("secreT"), Salt: "salt"},
		"key prefix": {Key: []byte("secre"), Salt: "salt"},
		"salt":       {Key: []byte("secret"), Salt: "salT"},
		"no salt":    {Key: []byte("secret")},
		"salt+key":   {Key: []byte("ltsecret"), Salt: "sa"}, // same H(salt+"signer"+key) input? no: "signer" sits between
		"algorithm":  {Key: []byte("secret"), Salt: "salt", Algorithm: "sha1"},
		"sha512":     {Key: []byte("secret"), Salt: "salt", Algorithm: "sha512", LegacyAlgorithms: []string{"sha384"}},
		"fallbacks":  {Key: []byte("x"), Salt: "salt", FallbackKeys: [][]byte{[]byte("y"), []byte("z")}},
	} {
		if got, err := mustSigner(t, cfg).Unsign(signed); !isBadSignature(err) {
			t.Errorf("%s: Unsign = %q, %v", name, got, err)
		}
	}
}

func TestUnsignInputs(t *testing.T) {
	s := mustSigner(t, Config{Key: []byte("k"), MaxInput: 100})
	for _, in := range []string{"", ":", "::", "value", "value:", ":sig", "é", "\xff:\xff"} {
		if _, err := s.Unsign(in); !isBadSignature(err) {
			t.Errorf("Unsign(%q): %v", in, err)
		}
	}
	if _, err := s.Unsign(""); err == nil || !strings.Contains(err.Error(), `no ":" found in value`) {
		t.Errorf("Unsign(\"\"): %v, want Django's message", err)
	}
	ok := s.Sign(strings.Repeat("a", 100-44))
	if len(ok) != 100 {
		t.Fatalf("len %d", len(ok))
	}
	if _, err := s.Unsign(ok); err != nil {
		t.Errorf("Unsign at MaxInput: %v", err)
	}
	long := s.Sign(strings.Repeat("a", 100-43))
	if _, err := s.Unsign(long); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Unsign over MaxInput: %v", err)
	}
	// The default limit.
	d := mustSigner(t, Config{Key: []byte("k")})
	if _, err := d.Unsign(d.Sign(strings.Repeat("a", DefaultMaxInput))); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Unsign over DefaultMaxInput: %v", err)
	}
}

// TestVerificationOrder: new signatures use Key and Algorithm; Verify
// reports the first matching pair in the order keys × algorithms.
func TestVerificationOrder(t *testing.T) {
	keys := [][]byte{[]byte("current"), []byte("old1"), []byte("old2")}
	cfg := Config{Key: keys[0], FallbackKeys: keys[1:], Algorithm: "sha512", LegacyAlgorithms: []string{"sha1", "sha256", "sha1"}}
	s := mustSigner(t, cfg)
	for ki, k := range keys {
		for _, alg := range []string{"sha512", "sha1", "sha256"} {
			signed := mustSigner(t, Config{Key: k, Algorithm: alg}).Sign("v")
			v, err := s.Verify(signed)
			if err != nil || v.Value != "v" || v.KeyIndex != ki || v.Algorithm != alg {
				t.Errorf("key %d %s: %+v, %v", ki, alg, v, err)
			}
		}
	}
	if got, want := s.Sign("v"), mustSigner(t, Config{Key: keys[0], Algorithm: "sha512"}).Sign("v"); got != want {
		t.Errorf("Sign uses %q, want %q", got, want)
	}
	if n := len(s.c.cands); n != 9 {
		t.Errorf("%d candidates, want 9 (duplicate algorithm dropped)", n)
	}
}

// TestNoKeyMaterial: keys never show in errors, String, or fmt verbs.
func TestNoKeyMaterial(t *testing.T) {
	const key, fb = "SUPERSECRETKEY", "OLDSECRETKEY"
	cfg := Config{Key: []byte(key), FallbackKeys: [][]byte{[]byte(fb)}, Salt: "salt"}
	s := mustSigner(t, cfg)
	ts := mustTimestampSigner(t, cfg)
	var outs []string
	for _, v := range []any{cfg, &cfg, s, ts, *s, *ts} {
		outs = append(outs, fmt.Sprintf("%v|%+v|%#v|%s", v, v, v, v))
	}
	_, e1 := s.Unsign("x:y")
	_, e2 := ts.UnsignObject(s.Sign("x"))
	_, e3 := NewSigner(Config{Key: []byte(key), Sep: "a"})
	_, e4 := NewSigner(Config{Key: []byte(key), Algorithm: key})
	_, e5 := ts.UnsignMaxAge(ts.SignAt("v", 0), 0)
	for _, e := range []error{e1, e2, e3, e4, e5} {
		if e == nil {
			t.Fatal("expected an error")
		}
		outs = append(outs, e.Error())
	}
	for _, o := range outs {
		// e4 names the algorithm the caller passed; only that may repeat it.
		o = strings.ReplaceAll(o, fmt.Sprintf("%q", key)+" is not an algorithm", "")
		if strings.Contains(o, key) || strings.Contains(o, fb) || strings.Contains(o, fmt.Sprint([]byte(key))) {
			t.Errorf("key material in %q", o)
		}
	}
	if !strings.Contains(fmt.Sprint(s), `Salt: "salt"`) {
		t.Errorf("String() = %q", s)
	}
}

func TestConcurrent(t *testing.T) {
	cfg := Config{Key: []byte("k"), FallbackKeys: [][]byte{[]byte("o")}, Now: vecClock}
	s := mustSigner(t, cfg)
	ts := mustTimestampSigner(t, cfg)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				v := fmt.Sprint(g, "/", i)
				if got, err := s.Unsign(s.Sign(v)); err != nil || got != v {
					t.Errorf("Signer: %q, %v", got, err)
					return
				}
				o, err := ts.SignObject(vecD(), i%2 == 0)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := ts.UnsignObjectMaxAge(o, 0); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestLastSep checks lastSep against strings.LastIndex wherever the
// separator is (or is not) relative to the place it looks first, for
// separators of one and more characters, overlapping ones among them.
func TestLastSep(t *testing.T) {
	for _, sep := range []string{":", "::", "a:", ":a", "aaa"} {
		for n := 0; n <= 6; n++ {
			for _, s := range []string{
				"", ":", "::", "value", "value:sig123", "va:lue:sig:12", "a:a:a:a:a:",
				"aaaaaaaaaa", "x" + sep + "123456", sep + sep + sep, "ts" + sep + "sig" + sep,
			} {
				if got, want := lastSep(s, sep, n), strings.LastIndex(s, sep); got != want {
					t.Errorf("lastSep(%q, %q, %d) = %d, want %d", s, sep, n, got, want)
				}
			}
		}
		// Random strings of separator characters and others.
		r := rand.New(rand.NewPCG(11, uint64(len(sep))))
		for range 20000 {
			b := make([]byte, r.IntN(16))
			for i := range b {
				b[i] = "a:b"[r.IntN(3)]
			}
			s, n := string(b), r.IntN(8)
			if got, want := lastSep(s, sep, n), strings.LastIndex(s, sep); got != want {
				t.Fatalf("lastSep(%q, %q, %d) = %d, want %d", s, sep, n, got, want)
			}
		}
	}
}
