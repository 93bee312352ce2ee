package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/serializer"
)

// benchSession is a typical session: the auth keys and a small cart.
func benchSession() *serializer.Dict {
	item := func(sku string, qty int64, price string) *serializer.Dict {
		return serializer.DictOf("sku", serializer.Str(sku), "qty", serializer.Int(qty), "price", serializer.Str(price))
	}
	return serializer.DictOf(
		"_auth_user_id", serializer.Str("1"),
		"_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", serializer.Str(strings.Repeat("3f9a", 16)),
		"cart", serializer.DictOf(
			"items", serializer.List{item("A-1", 2, "9.99"), item("B-7", 1, "24.50")},
			"currency", serializer.Str("EUR"),
		),
	)
}

const benchSalt = "django.contrib.sessions.SessionStore"

// sessionParts returns the signer, the signed compressed session and its
// parts: the signed bytes (payload:ts), the base64 payload without ".",
// the zlib bytes and the JSON.
func sessionParts(b *testing.B) (s *TimestampSigner, signed, signedPart, payload string, z, js []byte) {
	s = mustTimestampSigner(b, Config{Key: []byte(vecSecret), Salt: benchSalt, Now: vecClock})
	signed, err := s.SignObject(benchSession(), true)
	if err != nil {
		b.Fatal(err)
	}
	if signed[0] != '.' {
		b.Fatal("session not compressed")
	}
	signedPart = signed[:strings.LastIndex(signed, ":")]
	payload = signedPart[1:strings.Index(signedPart, ":")]
	z, err = B64Decode(payload)
	if err != nil {
		b.Fatal(err)
	}
	js, err = serializer.JSON{}.Marshal(benchSession())
	if err != nil {
		b.Fatal(err)
	}
	return
}

func BenchmarkSign(b *testing.B) {
	s := mustSigner(b, Config{Key: []byte(vecSecret)})
	v := strings.Repeat("v", 200)
	b.ReportAllocs()
	for b.Loop() {
		s.Sign(v)
	}
}

func BenchmarkUnsign(b *testing.B) {
	s := mustSigner(b, Config{Key: []byte(vecSecret)})
	signed := s.Sign(strings.Repeat("v", 200))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Unsign(signed); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignObjectSession(b *testing.B) {
	s := mustTimestampSigner(b, Config{Key: []byte(vecSecret), Salt: benchSalt, Now: vecClock})
	v := benchSession()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.SignObject(v, true); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnsignObjectSession decodes a compressed session; compare with
// the sum of the four BenchmarkSessionPart benchmarks below.
func BenchmarkUnsignObjectSession(b *testing.B) {
	s, signed, _, _, _, _ := sessionParts(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.UnsignObject(signed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionPart1HMAC: HMAC-SHA256 over the signed bytes of the
// session, with a keyed HMAC reused through Reset.
func BenchmarkSessionPart1HMAC(b *testing.B) {
	_, _, signedPart, _, _, _ := sessionParts(b)
	m := hmac.New(sha256.New, []byte("0123456789abcdef0123456789abcdef"))
	msg := []byte(signedPart)
	var sum [32]byte
	b.ReportAllocs()
	for b.Loop() {
		m.Reset()
		m.Write(msg)
		m.Sum(sum[:0])
	}
}

// BenchmarkSessionPart2B64: base64 decoding of the session payload.
func BenchmarkSessionPart2B64(b *testing.B) {
	_, _, _, payload, _, _ := sessionParts(b)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = b64DecodeAppend(buf[:0], payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionPart3Inflate: inflating the session's zlib bytes.
func BenchmarkSessionPart3Inflate(b *testing.B) {
	_, _, _, _, z, _ := sessionParts(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := inflate(nil, z, DefaultMaxDecompressed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSessionPart4JSON: parsing the session's JSON.
func BenchmarkSessionPart4JSON(b *testing.B) {
	_, _, _, _, _, js := sessionParts(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (serializer.JSON{}).Unmarshal(js); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnsignObjectBomb rejects a validly signed 1 GiB zlib bomb; see
// B/op for the memory it takes.
func BenchmarkUnsignObjectBomb(b *testing.B) {
	s, signed := gibBomb(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.UnsignObject(signed); err == nil {
			b.Fatal("bomb accepted")
		}
	}
}
