package cachevalue_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// TestMsgpackExtRoundTrip: msgpack ExtType and Timestamp values (every
// header size, the three Timestamp widths) decode and encode back to the
// bytes msgpack-python's Packer writes for what django-redis decoded.
func TestMsgpackExtRoundTrip(t *testing.T) {
	ins := []string{
		"\xd4\x01\x00", "\xd5\x02ab", "\xd6\x03abcd", "\xd7\x04abcdefgh", "\xd8\x07" + strings.Repeat("x", 16),
		"\xc7\x03\x05abc", "\xc7\x00\x7f", "\xc8\x01\x00\x05" + strings.Repeat("y", 256),
		"\xd6\xff\x65\x53\xf1\x00", "\xd7\xff\x00\x00\x00\x14\x65\x53\xf1\x00",
		"\xc7\x0c\xff\x00\x00\x00\x05\xff\xff\xff\xff\xff\xff\xff\xff",
		"\x82\xa1e\xc7\x03\x05abc\xa1t\xd6\xff\x65\x53\xf1\x00",
	}
	var cases []liveCase
	for _, s := range ins {
		cases = append(cases, liveCase{Backend: "django_redis", Serializer: "msgpack", Compressor: "none",
			B64: base64.StdEncoding.EncodeToString([]byte(s))})
	}
	c := cachevalue.Codec{Serializer: "msgpack"}
	for i, r := range runLive(t, cases) {
		if r.Error != nil || r.EncodedB64 == nil {
			t.Errorf("%q: django-redis: %v", ins[i], r.Error)
			continue
		}
		v, err := c.Decode([]byte(ins[i]))
		if err != nil {
			t.Errorf("%q: Decode: %v", ins[i], err)
			continue
		}
		got, err := c.Encode(v)
		want, _ := base64.StdEncoding.DecodeString(*r.EncodedB64)
		if err != nil || string(got) != string(want) {
			t.Errorf("%q: Encode = %q, %v; msgpack-python packs %q", ins[i], got, err, want)
		}
	}
}
