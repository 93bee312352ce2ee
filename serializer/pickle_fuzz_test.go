package serializer

import (
	"errors"
	"testing"
)

// FuzzPickleUnmarshal: no input makes Unmarshal panic (or fail with
// anything but its three errors), and whatever it decodes, Marshal writes at
// protocol 5 and Unmarshal reads back to an Equal value.
func FuzzPickleUnmarshal(f *testing.F) {
	for _, tc := range pktPy2Cases {
		f.Add(pktHex(f, tc.hex))
	}
	for _, tc := range pktErrorTests {
		if len(tc.data) < 4096 {
			f.Add(tc.data)
		}
	}
	for _, tc := range pktOddValid {
		f.Add(tc.data)
	}
	for i, v := range pktValues() {
		if i%10 != 0 {
			continue
		}
		for p := 2; p <= 5; p++ {
			if b, err := (Pickle{Protocol: p}).Marshal(v); err == nil && len(b) < 4096 {
				f.Add(b)
			}
		}
	}
	dec := Pickle{MaxSize: 1 << 20, MaxItems: 100000}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := dec.Unmarshal(data)
		if err != nil {
			pktMustNotPanic(t, err)
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		out, err := Pickle{Protocol: 5}.Marshal(v)
		if err != nil {
			t.Fatalf("Marshal of a decoded value: %v", err)
		}
		back, err := dec.Unmarshal(out)
		if errors.Is(err, ErrTooLarge) {
			return // a shared str is written once per reference
		}
		if err != nil {
			t.Fatalf("Unmarshal of Marshal's output: %v\n%q", err, out)
		}
		if !Equal(v, back) {
			a, _ := MarshalTagged(v)
			b, _ := MarshalTagged(back)
			t.Fatalf("round trip changed the value:\n%s\n%s", a, b)
		}
	})
}
