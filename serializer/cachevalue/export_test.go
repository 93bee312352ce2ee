package cachevalue

import "testing"

// Decompress inflates b with the named compressor, failing the test when it
// does not decompress.
func Decompress(t testing.TB, name string, b []byte) []byte {
	t.Helper()
	c := compressorNamed(name)
	if c == nil {
		t.Fatalf("no compressor %q", name)
	}
	out, ok, err := c.decompress(b, DefaultMaxSize)
	if err != nil || !ok {
		t.Fatalf("%s: does not decompress (ok=%v, err=%v)", name, ok, err)
	}
	return out
}
