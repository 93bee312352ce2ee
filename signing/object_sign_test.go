package signing

import (
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/zlibx"
	"github.com/djangosess/djangosess/serializer"
)

// fixedCodec marshals every value to the same bytes.
type fixedCodec []byte

func (f fixedCodec) Marshal(serializer.Value) ([]byte, error) { return append([]byte(nil), f...), nil }
func (fixedCodec) Unmarshal([]byte) (serializer.Value, error) { return serializer.None{}, nil }
func (fixedCodec) Name() string                               { return "fixed" }

// TestSignObjectBuiltInPlace checks the signed strings that SignObject
// builds in one buffer against Sign and SignAt of the payload built the
// plain way: the serializer's bytes, compressed when that saves two bytes,
// base64, with "." in front when compressed. Payloads of every length
// around the compression threshold, an empty one, and separators longer
// than one byte are covered.
func TestSignObjectBuiltInPlace(t *testing.T) {
	payload := func(data []byte, compress bool) string {
		if compress {
			if z := zlibx.Deflate(nil, data); len(z) < len(data)-1 {
				return "." + B64Encode(z)
			}
		}
		return B64Encode(data)
	}
	var inputs [][]byte
	for n := range 120 {
		inputs = append(inputs, []byte(strings.Repeat("ab", n/2)+strings.Repeat("x", n%2)))
	}
	inputs = append(inputs, []byte(`{"_auth_user_id":"1","cart":{"items":[1,2,3]}}`))
	for _, sep := range []string{"", "~", "::"} {
		for _, data := range inputs {
			cfg := Config{Key: []byte("secret"), Sep: sep, Serializer: fixedCodec(data)}
			s, err := NewSigner(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ts, err := NewTimestampSigner(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, compress := range []bool{false, true} {
				p := payload(data, compress)
				got, err := s.SignObject(serializer.None{}, compress)
				if want := s.Sign(p); err != nil || got != want {
					t.Fatalf("sep %q, %d bytes, compress %v: Signer.SignObject = %q, %v; want %q", sep, len(data), compress, got, err, want)
				}
				got, err = ts.SignObjectAt(serializer.None{}, compress, 1700000000)
				if want := ts.SignAt(p, 1700000000); err != nil || got != want {
					t.Fatalf("sep %q, %d bytes, compress %v: SignObjectAt = %q, %v; want %q", sep, len(data), compress, got, err, want)
				}
			}
		}
	}
}
