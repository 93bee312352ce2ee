package serializer

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
)

var fuzzJSONDecoders = sync.Pool{New: func() any { return JSON{}.NewDecoder() }}

// FuzzJSONUnmarshal: Unmarshal never panics and fails only with
// ErrMalformed or ErrTooLarge; what it decodes marshals to ASCII, and reads
// back as the same value.
func FuzzJSONUnmarshal(f *testing.F) {
	for _, tt := range jsonUnmarshalTests {
		if len(tt.in) <= 1<<12 {
			f.Add([]byte(tt.in))
		}
	}
	for _, tt := range jsonErrorTests {
		if len(tt.in) <= 1<<12 {
			f.Add([]byte(tt.in))
		}
	}
	for _, tt := range jsonMarshalTests {
		if len(tt.want) <= 1<<12 {
			f.Add([]byte(tt.want))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := JSON{}.Unmarshal(data)
		// A JSONDecoder, reused from earlier inputs, agrees.
		dec := fuzzJSONDecoders.Get().(*JSONDecoder)
		r, rerr := dec.Unmarshal(data)
		if fmt.Sprint(err) != fmt.Sprint(rerr) || err == nil && !Equal(v, r) {
			t.Fatalf("JSONDecoder.Unmarshal(%q) = %#v, %v; Unmarshal %#v, %v", data, r, rerr, v, err)
		}
		fuzzJSONDecoders.Put(dec)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Unmarshal(%q): untyped error %v", data, err)
			}
			if v != nil {
				t.Fatalf("Unmarshal(%q) returned a value with error %v", data, err)
			}
			return
		}
		out, err := JSON{}.Marshal(v)
		if err != nil {
			t.Fatalf("Marshal of decoded %q: %v", data, err)
		}
		for i, c := range out {
			if c < 0x20 || c > 0x7E {
				t.Fatalf("Marshal of decoded %q: byte %#02x at %d in %q", data, c, i, out)
			}
		}
		v2, err := JSON{}.Unmarshal(out)
		if err != nil {
			t.Fatalf("Unmarshal(Marshal(Unmarshal(%q))) = %q: %v", data, out, err)
		}
		if !Equal(v, v2) {
			t.Fatalf("round trip of %q through %q: %#v != %#v", data, out, v2, v)
		}
		if out2, err := (JSON{}).Marshal(v2); err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("Marshal not stable for %q: %q then %q (%v)", data, out, out2, err)
		}
	})
}

// FuzzJSONMarshalRoundTrip: Marshal of strings, floats and ints either
// refuses a Str that no Python str encodes to, or writes ASCII that
// Unmarshal reads back as the same value (adjacent high and low surrogates
// come back joined, as in Python).
func FuzzJSONMarshalRoundTrip(f *testing.F) {
	for _, s := range jsonStrSample()[:300] {
		f.Add(string(s), "k"+string(s), uint64(0), int64(0))
	}
	for i, x := range jsonFloatSample()[:200] {
		f.Add("", "", math.Float64bits(x), int64(i)*1e15)
	}
	f.Add("\xff", "", uint64(0), int64(math.MinInt64))
	f.Add("\xed\xa0\x80\xed\xb0\x80", "\xed\xa0", math.Float64bits(math.NaN()), int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, s, key string, bits uint64, n int64) {
		v := List{Str(s), Float(math.Float64frombits(bits)), Int(n), DictOf(key, Str(s)), Tuple{}}
		out, err := JSON{}.Marshal(v)
		if !jsonPythonStr(s) || !jsonPythonStr(key) {
			if !errors.Is(err, ErrUnsupported) || out != nil {
				t.Fatalf("Marshal with invalid UTF-8 %q/%q = %q, %v; want ErrUnsupported", s, key, out, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("Marshal(%#v): %v", v, err)
		}
		for i, c := range out {
			if c < 0x20 || c > 0x7E {
				t.Fatalf("Marshal(%#v): byte %#02x at %d", v, c, i)
			}
		}
		got, err := JSON{}.Unmarshal(out)
		if err != nil {
			t.Fatalf("Unmarshal(%q): %v", out, err)
		}
		js := Str(jsonJoinSurrogates(s))
		want := List{js, v[1], v[2], DictOf(jsonJoinSurrogates(key), js), List{}}
		if !Equal(got, want) {
			t.Fatalf("Unmarshal(%q) = %#v, want %#v", out, got, want)
		}
	})
}

// jsonJoinSurrogates replaces each high surrogate directly followed by a low
// one (3-byte forms) with the character they encode together.
func jsonJoinSurrogates(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if i+6 <= len(s) && s[i] == 0xED && s[i+1] >= 0xA0 && s[i+1] <= 0xAF && s[i+2]&0xC0 == 0x80 &&
			s[i+3] == 0xED && s[i+4] >= 0xB0 && s[i+4] <= 0xBF && s[i+5]&0xC0 == 0x80 {
			hi := 0xD000 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
			lo := 0xD000 | rune(s[i+4]&0x3F)<<6 | rune(s[i+5]&0x3F)
			b = jsonAppendCodePoint(b, 0x10000+(hi-0xD800)<<10+(lo-0xDC00))
			i += 5
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}
