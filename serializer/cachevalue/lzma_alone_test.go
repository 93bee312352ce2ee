package cachevalue_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"runtime"
	"testing"

	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// lzmaAlone has CPython write values in the legacy .lzma format
// (lzma.FORMAT_ALONE) and has django-redis's LzmaCompressor read each
// back; it returns, per value, the compressed bytes and the pickle they
// hold.
const lzmaAlone = `
import base64, json, lzma, pickle
from django_redis.compressors.lzma import LzmaCompressor
vals = [{"a": 1, "cart": [1, 2, 3], "who": "x" * 300}, {"k%d" % i: "v" * i for i in range(60)}, b"\0" * 40000000]
out = []
for v in vals:
    raw = pickle.dumps(v, 4)
    comp = lzma.compress(raw, format=lzma.FORMAT_ALONE)
    assert LzmaCompressor(None).decompress(comp) == raw
    out.append({"comp": base64.b64encode(comp).decode(), "raw": base64.b64encode(raw).decode() if len(raw) < 1000000 else None})
print(json.dumps(out))
`

// TestLzmaAlone: values in the legacy .lzma format, which django-redis's
// LzmaCompressor reads (lzma.decompress accepts it), decode to the
// pickle they hold; a header asking for a 4 GiB dictionary costs no more
// than the output; one that inflates past MaxSize is ErrTooLarge.
func TestLzmaAlone(t *testing.T) {
	var dj *djangotest.Django
	for _, d := range djangotest.Versions(t) {
		if djangotest.Series(d.Version) == "4.2" {
			dj = &d
		}
	}
	if dj == nil {
		djangotest.Missing(t, "Django 4.2 not found")
		return
	}
	out, err := dj.Command(t, "-c", lzmaAlone).Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var cases []struct {
		Comp string
		Raw  *string
	}
	if err := json.Unmarshal(out, &cases); err != nil || len(cases) != 3 {
		t.Fatalf("python output: %v", err)
	}
	codec := cachevalue.Codec{Compressor: "lzma", MaxSize: 1 << 20}
	for i, c := range cases[:2] {
		comp, _ := base64.StdEncoding.DecodeString(c.Comp)
		raw, _ := base64.StdEncoding.DecodeString(*c.Raw)
		want, err := serializer.Pickle{}.Unmarshal(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := codec.Decode(comp)
		if err != nil || !serializer.Equal(got, want) {
			t.Errorf("value %d: %v, %v; want %v", i, got, err, want)
		}
		// The same stream claiming a 4 GiB dictionary.
		big := append([]byte(nil), comp...)
		binary.LittleEndian.PutUint32(big[1:5], 0xFFFFFFFF)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		got, err = codec.Decode(big)
		runtime.ReadMemStats(&after)
		if err != nil || !serializer.Equal(got, want) {
			t.Errorf("value %d with a 4 GiB dictionary: %v, %v", i, got, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 8<<20 {
			t.Errorf("value %d with a 4 GiB dictionary allocated %d MiB", i, n>>20)
		}
		// Cut short: lzma.decompress fails, django-redis takes the value
		// as uncompressed, which is no pickle.
		if _, err := codec.Decode(comp[:len(comp)-5]); err == nil || errors.Is(err, serializer.ErrTooLarge) {
			t.Errorf("value %d truncated: %v, want a pickle error", i, err)
		}
	}
	bomb, _ := base64.StdEncoding.DecodeString(cases[2].Comp)
	if _, err := codec.Decode(bomb); !errors.Is(err, serializer.ErrTooLarge) {
		t.Errorf("40 MB of zeros with MaxSize 1 MiB: %v, want ErrTooLarge", err)
	}
	if !bytes.HasPrefix(bomb, []byte{0x5d}) {
		t.Errorf("CPython's FORMAT_ALONE header starts %#x, want 0x5d", bomb[0])
	}
}
