package cachevalue_test

import (
	"errors"
	"testing"

	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// FuzzCacheValueDecode: Decode never panics and fails only with a typed
// error; what decodes re-encodes (where the format can hold it) and
// decodes to an equal value.
func FuzzCacheValueDecode(f *testing.F) {
	for _, seed := range [][]byte{
		[]byte(" 42 "), []byte("\x80\x04\x95\x0b\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01a\x94K\x01s."),
		[]byte(`{"a": [1, 2.5, null, "\u00e9"]}`), []byte("\x82\xa1a\x01\xa1b\x92\xc3\xc4\x01x"),
		[]byte("x\x9c\xcb\x00\x00\x00y\x00y"), []byte("\x28\xb5\x2f\xfd\x00"), []byte("\x04\x22\x4d\x18"),
		[]byte("\xfd7zXZ\x00\x00\x04"), []byte("\x1f\x8b\x08\x00"),
	} {
		for sel := range byte(18) {
			f.Add(sel, seed)
		}
	}
	sers := []string{"pickle", "json", "msgpack"}
	comps := []string{"none", "zlib", "gzip", "lzma", "lz4", "zstd"}
	f.Fuzz(func(t *testing.T, sel byte, b []byte) {
		c := cachevalue.Codec{Serializer: sers[int(sel)%3], Compressor: comps[int(sel)/3%6], MaxSize: 1 << 20}
		if sel >= 128 {
			c.Compressor = "auto"
		}
		v, err := c.Decode(b)
		if err != nil {
			if !errors.Is(err, serializer.ErrMalformed) && !errors.Is(err, serializer.ErrTooLarge) && !errors.Is(err, serializer.ErrUnsupported) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		enc := c
		if enc.Compressor == "auto" {
			enc.Compressor = "none"
		}
		out, err := enc.Encode(v)
		if err != nil {
			if !errors.Is(err, serializer.ErrUnsupported) {
				t.Fatalf("Encode(%#v): untyped error %v", v, err)
			}
			return // e.g. an opaque object whose global pickle refuses to write
		}
		back, err := c.Decode(out)
		if err != nil {
			t.Fatalf("Decode(Encode(%#v)) = %v (bytes %q)", v, err, out)
		}
		if !serializer.Equal(back, v) {
			t.Fatalf("round trip: %#v became %#v", v, back)
		}
	})
}
