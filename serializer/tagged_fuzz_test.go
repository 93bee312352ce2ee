package serializer

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// FuzzTaggedUnmarshal: UnmarshalTagged never panics and fails only with its
// documented errors; whatever it returns is written back by MarshalTagged to
// text that reads back to an Equal value and is written the same again.
func FuzzTaggedUnmarshal(f *testing.F) {
	for _, tt := range tgMappingTests {
		f.Add([]byte(tt.want))
	}
	for _, tt := range tgBadInputs {
		if len(tt.in) < 1000 {
			f.Add([]byte(tt.in))
		}
	}
	r := rand.New(rand.NewPCG(9, 10))
	for range 20 {
		b, err := MarshalTagged(tgRandValue(r, 3))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := UnmarshalTagged(data)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("UnmarshalTagged: undocumented error %v", err)
			}
			return
		}
		b, err := MarshalTagged(v)
		if err != nil {
			t.Fatalf("MarshalTagged of a decoded value: %v\ninput %q", err, data)
		}
		back, err := UnmarshalTagged(b)
		if err != nil {
			t.Fatalf("UnmarshalTagged(%s): %v\ninput %q", b, err, data)
		}
		if !Equal(back, v) {
			t.Fatalf("round trip changed the value\ninput %q\nwritten %s", data, b)
		}
		if b2, err := MarshalTagged(back); err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("written twice differently\n%s\n%s (%v)", b, b2, err)
		}
	})
}
