package cachevalue_test

import (
	"testing"

	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// benchSession is the value bench/django_redis_bench.py builds: a logged-in
// session with a small cart.
func benchSession() *serializer.Dict { return sessionDict() }

// BenchmarkCacheValueDecodeSession decodes what django-redis 5.2 stores for
// a logged-in session (pickle protocol 4, no compression). Compare with
// bench/django_redis_bench.py, which times django-redis's own decode of the
// same bytes.
func BenchmarkCacheValueDecodeSession(b *testing.B) {
	var c cachevalue.Codec
	data, err := c.Encode(benchSession())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCacheValueDecodeSessionZlib: the same with ZlibCompressor (the
// session pickle is over 15 bytes, so it is stored compressed).
func BenchmarkCacheValueDecodeSessionZlib(b *testing.B) {
	c := cachevalue.Codec{Compressor: "zlib"}
	data, err := c.Encode(benchSession())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCacheValueEncodeSession(b *testing.B) {
	var c cachevalue.Codec
	v := benchSession()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Encode(v); err != nil {
			b.Fatal(err)
		}
	}
}
