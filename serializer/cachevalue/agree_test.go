package cachevalue_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

func nested(open, close string, n int, inner string) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

// TestLiveDecodeAgrees feeds crafted bytes to django-redis's decode and to
// Decode: both must fail, or both give the same value.
func TestLiveDecodeAgrees(t *testing.T) {
	type in struct {
		ser, comp string
		b         string
	}
	var ins []in
	for _, s := range []string{" 42 ", "\t-7\n", "+5", "1_000", "1__0", "_1", "1_", "0x10", "", " ", "-", "+",
		"\u0663", "\x0b5\x0c", "\x1c5", "5\x1f", "\xa05", strings.Repeat("4", 4300), "-" + strings.Repeat("4", 4300),
		strings.Repeat("4", 4301), strings.Repeat("4_", 4300) + "4", "007", "-0", "9223372036854775807",
		"9223372036854775808", "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "1 2", "1\x00", "1.0", "1e3"} {
		ins = append(ins, in{"pickle", "none", s}, in{"json", "zlib", s})
	}
	for _, s := range []string{
		"\x91\x01", nested("\x91", "", 1023, "\x90"), nested("\x91", "", 1024, "\x90"), nested("\x91", "", 1025, "\x90"),
		nested("\x91", "", 1023, "\x01"), nested("\x91", "", 1024, "\x01"), nested("\x91", "", 1024, "\x80"),
		"\x81\x01\x02", "\x81\xc0\x02", "\x81\xc4\x01k\x02", "\x81\xa1k\x02", "\x82\xa1k\x01\xa1k\x02", "\x81\x91\x01\x02",
		"\xd4\x01\x00", "\xd6\xff\x00\x00\x00\x01",
		// msgpack extensions: a negative code, Timestamps of a bad length,
		// of 64 and 96 bits, with nanoseconds out of range, ext 8 and 16.
		"\xd4\xfe\x01", "\xc7\x03\xff\x01\x02\x03", "\xd7\xff\x00\x00\x00\x14\x65\x53\xf1\x00",
		"\xc7\x0c\xff\x00\x00\x00\x05\xff\xff\xff\xff\xff\xff\xff\xff", "\xd7\xff\xee\x6b\x28\x00\x00\x00\x00\x05",
		"\xc7\x03\x05abc", "\xd8\x07" + strings.Repeat("x", 16), "\xc8\x01\x00\x05" + strings.Repeat("y", 256), "\xc1", "\x01\x02", "\x92\x01", "\xa2\xff\xfe", "\xa3\xed\xa0\x80",
		"\xca\x3f\xc0\x00\x00", "\xdd\xff\xff\xff\xff", "\xdb\xff\xff\xff\xff", "\xcf\xff\xff\xff\xff\xff\xff\xff\xff",
		"\xd3\x80\x00\x00\x00\x00\x00\x00\x00", "", "\xc0",
	} {
		ins = append(ins, in{"msgpack", "none", s})
	}
	for _, s := range []string{`{"a": 1}`, `"\u00e9"`, `"` + "\u00e9\U0001F600" + `"`, "\u00e9", `["a"` + "\u00e9]", `"\` + "\u00e9" + `"`,
		`"\ud800"`, `"\ud83d` + "\U0001F600" + `\ude00"`, "\"\xff\"", "\ufeff1", "NaN", "[-Infinity]", nested("[", "]", 900, "1"),
		nested("[", "]", 1100, "1"), `{"a": 1, "a": 2, "b": 3}`, `{"a" : [1 , 2.50, 1e400, -0.0, true, null]}`, "1 ", " \n1", "[1,]", "\"\x01\""} {
		ins = append(ins, in{"json", "none", s})
	}
	for _, s := range []string{"\x78\x9c garbage", "\x78\x9c", "\x78", "\x28\xb5\x2f\xfd\x00", "\x04\x22\x4d\x18\x00", "\xfd7zXZ\x00\x00"} {
		for _, comp := range []string{"zlib", "lzma", "lz4", "zstd"} {
			ins = append(ins, in{"pickle", comp, s}, in{"json", comp, s})
		}
	}
	// Streams with something after them: garbage, zero padding, a second
	// stream, a truncated second stream.
	pk, _ := cachevalue.Codec{Compressor: "none"}.Encode(serializer.Str(strings.Repeat("session ", 30)))
	for _, comp := range []string{"zlib", "lzma", "lz4", "zstd"} {
		s, err := cachevalue.Codec{Compressor: comp}.Encode(serializer.Str(strings.Repeat("session ", 30)))
		if err != nil || len(s) >= len(pk) {
			t.Fatalf("%s: %v (%d bytes)", comp, err, len(s))
		}
		for _, tail := range []string{"garbage!", "\x00\x00\x00\x00", string(s), string(s[:len(s)/2]), string(pk),
			"\xfd7z", "\xfd7zXZ\x00\x00\x04", "\xe1xx", "\x5d\x00\x00\x10\x00", "\x5d\x00\x00\x10\x00" + strings.Repeat("\xff", 8) + "\x00\x01",
			"\x5d\x00\x00\x10\x00" + strings.Repeat("\xff", 8) + "\x01", "\x5d\x00\x00\x10\x00" + strings.Repeat("\x00", 7) + "\x40\x00"} {
			ins = append(ins, in{"pickle", comp, string(s) + tail})
		}
	}
	var cases []liveCase
	for _, x := range ins {
		cases = append(cases, liveCase{Backend: "django_redis", Serializer: x.ser, Compressor: x.comp,
			B64: base64.StdEncoding.EncodeToString([]byte(x.b))})
	}
	results := runLive(t, cases)
	for i, r := range results {
		x := ins[i]
		c := cachevalue.Codec{Serializer: x.ser, Compressor: x.comp}
		got, err := c.Decode([]byte(x.b))
		name := x.ser + "/" + x.comp + "/" + short(x.b)
		switch {
		case r.Decoded && r.Error != nil:
			// Decoded, but the value is too deep for tagged JSON.
			if err != nil {
				t.Errorf("%s: django-redis decodes it, Decode fails: %v", name, err)
			}
		case r.Error != nil && err == nil:
			t.Errorf("%s: django-redis raises %s, Decode gives %s", name, *r.Error, short(got))
		case r.Error == nil && err != nil:
			t.Errorf("%s: django-redis gives %.200s, Decode fails: %v", name, r.Value, err)
		case r.Error == nil && !serializer.Equal(got, tagged(t, r.Value)):
			t.Errorf("%s: django-redis gives %.200s, Decode %s", name, r.Value, short(got))
		}
	}
	t.Logf("%d crafted values", len(ins))
}
