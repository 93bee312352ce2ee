package signing

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/djangosess/djangosess/serializer"
)

// checkErr fails unless err is nil or matches one of the package's
// sentinels.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range []error{ErrBadSignature, ErrMalformed, ErrTooLarge} {
		if errors.Is(err, s) {
			if !strings.HasPrefix(err.Error(), "signing: ") {
				t.Fatalf("message %q", err)
			}
			return
		}
	}
	t.Fatalf("unexpected error %v", err)
}

func fuzzSigners(t testing.TB) (*Signer, *TimestampSigner) {
	cfg := Config{Key: []byte(vecSecret), FallbackKeys: [][]byte{[]byte(vecOldKey)}, LegacyAlgorithms: []string{"sha1"}, Now: vecClock, MaxInput: 1 << 16, MaxDecompressed: 1 << 16}
	return mustSigner(t, cfg), mustTimestampSigner(t, cfg)
}

// FuzzUnsign: arbitrary strings never panic, and whatever verifies is what
// signing the value gives.
func FuzzUnsign(f *testing.F) {
	for _, c := range vecStringCases {
		f.Add(c.sha256)
		f.Add(c.sha1)
	}
	for _, c := range vecDumpsCases {
		f.Add(c.sha256)
	}
	f.Add(vecDCompressed + ":1r31eq:uZiD5hBh_vSpm39sPbuBqPjIuMY-6uUNoV9TmWzahmw")
	f.Add("")
	f.Add(":")
	f.Add("a:b:c")
	s, ts := fuzzSigners(f)
	f.Fuzz(func(t *testing.T, in string) {
		v, err := s.Verify(in)
		checkErr(t, err)
		if err == nil && v.KeyIndex == 0 && v.Algorithm == "sha256" && s.Sign(v.Value) != in {
			t.Fatalf("Verify(%q) = %+v but Sign gives %q", in, v, s.Sign(v.Value))
		}
		tv, err := ts.VerifyMaxAge(in, time.Hour)
		checkErr(t, err)
		if err == nil && tv.KeyIndex == 0 && tv.Algorithm == "sha256" {
			// in is value:ts:sig where ts may be a non-canonical spelling
			// ("0001", "-0") of tv.Timestamp.
			inner := in[:strings.LastIndex(in, ":")]
			raw, ok := strings.CutPrefix(inner, tv.Value+":")
			n, e := B62Decode(raw)
			if !ok || e != nil || n != tv.Timestamp || inner+":"+ts.Signature(inner) != in {
				t.Fatalf("VerifyMaxAge(%q) = %+v", in, tv)
			}
		}
		_, err = s.UnsignObject(in)
		checkErr(t, err)
		_, err = ts.UnsignObject(in)
		checkErr(t, err)
	})
}

// FuzzUnsignObject signs fuzzed payloads, so that the base64, inflate and
// JSON paths are reached behind a valid signature. mode picks how the
// payload is built: 0 the raw string, 1 base64, 2 "." + base64 of the
// bytes as a zlib stream, 3 "." + base64 of their zlib compression.
func FuzzUnsignObject(f *testing.F) {
	f.Add([]byte(`{"a":1}`), uint8(1))
	f.Add([]byte(`{"a":1}`), uint8(3))
	f.Add([]byte(`"hello"`), uint8(1))
	f.Add([]byte(`[1,2.5,"\u00e9",null,true,{"k":[]}]`), uint8(3))
	f.Add([]byte(vecDCompressed[1:]), uint8(0))
	f.Add([]byte(vecDCompressed), uint8(0))
	f.Add(zlibOf([]byte(`{"x":"`+strings.Repeat("y", 300)+`"}`)), uint8(2))
	f.Add(zlibBomb(1<<17), uint8(2))
	f.Add([]byte("eyJ"), uint8(0))
	_, ts := fuzzSigners(f)
	readers := sync.Pool{New: func() any { return ts.NewObjectReader() }}
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		var payload string
		switch mode % 4 {
		case 0:
			payload = string(data)
		case 1:
			payload = B64Encode(data)
		case 2:
			payload = "." + B64Encode(data)
		default:
			payload = "." + B64Encode(zlibOf(data))
		}
		signed := signPayload(ts, payload)
		v, ver, err := ts.VerifyObjectMaxAge(signed, 0)
		// An ObjectReader, reused from earlier inputs, agrees.
		r := readers.Get().(*ObjectReader)
		rv, rver, rerr := r.VerifyObjectMaxAge(signed, 0)
		if fmt.Sprint(rerr) != fmt.Sprint(err) || rver != ver || !serializer.Equal(rv, v) {
			t.Fatalf("ObjectReader: %#v, %+v, %v; signer: %#v, %+v, %v", rv, rver, rerr, v, ver, err)
		}
		readers.Put(r)
		checkErr(t, err)
		if errors.Is(err, ErrBadSignature) {
			t.Fatalf("valid signature rejected: %v", err)
		}
		if err != nil {
			return
		}
		if ver.Value != payload {
			t.Fatalf("payload %q, want %q", ver.Value, payload)
		}
		// What decoded re-encodes and decodes to the same value.
		again, err := ts.SignObject(v, mode%2 == 1)
		if err != nil {
			t.Fatalf("SignObject(%#v): %v", v, err)
		}
		w, err := ts.UnsignObject(again)
		if err != nil || !serializer.Equal(v, w) {
			t.Fatalf("round trip of %#v: %#v, %v", v, w, err)
		}
	})
}
