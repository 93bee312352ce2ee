package serializer

import (
	"strings"
	"testing"
	"time"
)

func tgSessionValue() *Dict {
	return DictOf(
		"_auth_user_id", Str("42"),
		"_auth_user_backend", Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", Str("4f1c1f3f1f3e1b0c6f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778"),
		"_session_expiry", DateTime{Year: 2030, Month: 1, Day: 2, Hour: 3, Minute: 4, Second: 5, Microsecond: 6, TZ: UTC},
		"cart", List{DictOf("sku", Str("A-1"), "qty", Int(2), "price", Decimal("9.99")), DictOf("sku", Str("B-2"), "qty", Int(1), "price", Decimal("19.50"))},
		"seen", Set{Int(1), Int(2), Int(3)},
		"ratio", Float(0.75),
		"token", Bytes("0123456789abcdef"),
		"ttl", TimeDeltaOf(90*time.Minute),
	)
}

func BenchmarkMarshalTaggedSession(b *testing.B) {
	v := tgSessionValue()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MarshalTagged(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalTaggedSession(b *testing.B) {
	data, err := MarshalTagged(tgSessionValue())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UnmarshalTagged(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalTaggedDeep(b *testing.B) {
	data := []byte(strings.Repeat("[", 100000))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UnmarshalTagged(data); err == nil {
			b.Fatal("no error")
		}
	}
}

// BenchmarkAppendTaggedTypical writes the typical session of the codec
// benchmarks (djangosess/testdata/typical_session.txt) as decode --lines
// prints it.
func BenchmarkAppendTaggedTypical(b *testing.B) {
	v, err := JSON{}.Unmarshal([]byte(`{"_auth_user_id":"1","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"0000000000000000000000000000000000000000000000009e3779b97f4a7c15","cart":{"items":[{"sku":"A-1","qty":2,"price":"9.99"},{"sku":"B-7","qty":1,"price":"24.50"}],"currency":"EUR"}}`))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		if buf, err = AppendTagged(buf[:0], v); err != nil {
			b.Fatal(err)
		}
	}
}
