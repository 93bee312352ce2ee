package djangosess

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"

	"github.com/djangosess/djangosess/serializer"
)

// FuzzDecode feeds arbitrary session_data to a codec that accepts every
// format: no panic, and every failure is one of the documented errors.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{docSHA256D, docLegacyD, docExpiry41, "", ":", "::", ".:1:x", "garbage", "e30:1r31eq:I_lzTiPndLeCNM1aHTOTlBIASx97zx-I-h5XZ0FtLXg"} {
		f.Add(s)
	}
	c := mustCodec(f, CodecConfig{FallbackKeys: [][]byte{[]byte("old-secret-key")}})
	decs := sync.Pool{New: func() any { return c.NewDecoder() }}
	f.Fuzz(func(t *testing.T, data string) {
		d, err := c.Decode(data)
		// A Decoder, reused from earlier inputs, agrees.
		dec := decs.Get().(*Decoder)
		r, rerr := dec.Decode(data)
		if fmt.Sprint(rerr) != fmt.Sprint(err) || !serializer.Equal(r, d) {
			t.Fatalf("Decoder.Decode(%q) = %v, %v; Codec.Decode %v, %v", data, r, rerr, d, err)
		}
		decs.Put(dec)
		if err != nil {
			if !typedError(err) {
				t.Fatalf("Decode(%q): untyped error %v", data, err)
			}
			return
		}
		if d == nil {
			t.Fatalf("Decode(%q): nil dict without error", data)
		}
	})
}

// FuzzLegacyDecode signs fuzzed payloads with the legacy MAC, so that the
// base64, split and JSON stages behind a valid signature are reached.
func FuzzLegacyDecode(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `[1]`, `{"a":`, "\xff", `{"a":NaN}`, `{"a":"\ud800"}`} {
		f.Add([]byte(s))
	}
	c := mustCodec(f, CodecConfig{})
	k := sha1.Sum([]byte("django.contrib.sessionsSessionStore" + docSecret))
	f.Fuzz(func(t *testing.T, payload []byte) {
		m := hmac.New(sha1.New, k[:])
		m.Write(payload)
		raw := append([]byte(hex.EncodeToString(m.Sum(nil))+":"), payload...)
		data := base64.StdEncoding.EncodeToString(raw)
		d, err := c.Decode(data)
		if err != nil {
			if !typedError(err) {
				t.Fatalf("Decode: untyped error %v", err)
			}
			return
		}
		// What decodes encodes back (as legacy, for 3.0) and decodes equal.
		old := mustCodec(t, CodecConfig{Target: Version{3, 0, 0}})
		again, err := old.Encode(d)
		if err != nil {
			return // a value JSON cannot write back (e.g. invalid UTF-8 read as latin-1 is fine; NaN keys are not)
		}
		back, err := c.Decode(again)
		if err != nil || !serializer.Equal(back, d) {
			t.Fatalf("round trip of %q: %v, %v", payload, back, err)
		}
	})
}
