package cachevalue_test

import (
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/pyrun"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// encodeLimitScript tells, for each input line "<serializer> <depth> <digits>",
// whether django-redis's serializer dumps a list nested depth deep around an
// int of that many digits: "ok" or the exception's name.
const encodeLimitScript = `
import sys
from django.conf import settings
settings.configure()
from django_redis.serializers.json import JSONSerializer
from django_redis.serializers.msgpack import MSGPackSerializer
class Repr:
    # redis-py's Encoder writes an int as repr(value): what Django's
    # RedisCache stores for an int.
    def dumps(self, v):
        return repr(v).encode()
sers = {"json": JSONSerializer({}), "msgpack": MSGPackSerializer({}), "django-int": Repr()}
for line in sys.stdin:
    name, depth, digits = line.split()
    v = 10 ** int(digits) - 1
    for _ in range(int(depth)):
        v = [v]
    try:
        sers[name].dumps(v)
        print("ok")
    except Exception as e:
        print(type(e).__name__)
`

func nestedInts(depth, digits int) serializer.Value {
	n, _ := new(big.Int).SetString(strings.Repeat("9", digits), 10)
	v := serializer.NewBigInt(n)
	for range depth {
		v = serializer.List{v}
	}
	return v
}

// TestEncodeLimits: Encode refuses what django-redis or Django could not
// write either (ErrUnsupported and ErrTooLarge): msgpack nested deeper than
// msgpack-python's nest_limit of 511, and an int of more than 4300 digits
// (CPython's int-to-str limit) in JSON or stored bare by Django's
// RedisCache, exactly where Python fails. JSON nesting is bounded at 1000 levels; CPython's
// json.dumps gives up a few levels earlier, depending on its stack (at 993
// from a fresh interpreter), so that boundary is checked on our side only.
func TestEncodeLimits(t *testing.T) {
	cases := []struct {
		ser           string
		depth, digits int
	}{
		{"msgpack", 511, 1}, {"msgpack", 512, 1},
		{"json", 1, 4300}, {"json", 1, 4301},
		{"json", 900, 1},
		{"django-int", 0, 4300}, {"django-int", 0, 4301},
	}
	lines := make([]string, len(cases))
	for i, c := range cases {
		lines[i] = c.ser + " " + strconv.Itoa(c.depth) + " " + strconv.Itoa(c.digits)
	}
	py := pyrun.Lines(t, encodeLimitScript, nil, lines)
	for i, c := range cases {
		codec := cachevalue.Codec{Serializer: c.ser}
		if c.ser == "django-int" {
			codec = cachevalue.Codec{Client: cachevalue.Django}
		}
		_, err := codec.Encode(nestedInts(c.depth, c.digits))
		refused := errors.Is(err, serializer.ErrUnsupported) && errors.Is(err, serializer.ErrTooLarge)
		if (py[i] == "ok") != (err == nil) || (err != nil && !refused) {
			t.Errorf("%s: django-redis: %s; Encode: %v", lines[i], py[i], err)
		}
	}
	for depth, ok := range map[int]bool{1000: true, 1001: false} {
		_, err := cachevalue.Codec{Serializer: "json"}.Encode(nestedInts(depth, 1))
		if ok != (err == nil) || (err != nil && !errors.Is(err, serializer.ErrTooLarge)) {
			t.Errorf("json nested %d deep: %v", depth, err)
		}
	}
}
