package redis_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// TestLoadStoredValues: what Load makes of values another client left.
func TestLoadStoredValues(t *testing.T) {
	c := redistest.Local(t)
	prefix := redistest.Prefix(t, c)
	s := newStore(t, c, redis.Config{KeyPrefix: prefix})
	put := func(raw string, ttl time.Duration) string {
		k := newKey(t)
		if err := c.Set(ctx, s.RedisKey(k), raw, ttl).Err(); err != nil {
			t.Fatal(err)
		}
		return k
	}
	// pickle.dumps({"a": 1}, 4) and pickle.dumps(None, 4), as CPython writes them.
	dict := "\x80\x04\x95\x0a\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x01a\x94K\x01s."
	none := "\x80\x04N."

	k := put(dict, 0)
	r := mustLoad(t, s, k)
	sameData(t, "a pickled dict", r.Data, serializer.DictOf("a", serializer.Int(1)))
	if !r.Expiry.IsZero() {
		t.Errorf("a key without a TTL loads with Expiry %v, want zero (never expires)", r.Expiry)
	}
	if r.Size != len(dict) || r.Stored.Serializer != "pickle" || r.Stored.Signed {
		t.Errorf("Size %d, Stored %+v; want %d, pickle, unsigned", r.Size, r.Stored, len(dict))
	}
	if _, err := s.Load(ctx, put(none, time.Hour)); !errors.Is(err, djangosess.ErrNotFound) {
		t.Errorf("a stored None: %v, want ErrNotFound (Django's cache engine treats it as a miss)", err)
	}
	for _, raw := range []string{"42", "\x80\x04\x8c\x01a\x94.", "\x80\x04\x95garbage", "not a pickle"} {
		if _, err := s.Load(ctx, put(raw, time.Hour)); !errors.Is(err, serializer.ErrMalformed) {
			t.Errorf("Load of %q = %v, want ErrMalformed", raw, err)
		}
	}
	// A value over the codec's MaxSize is refused before decoding.
	small := newStore(t, c, redis.Config{KeyPrefix: prefix, Value: cachevalue.Codec{MaxSize: 8}})
	if _, err := small.Load(ctx, k); !errors.Is(err, serializer.ErrTooLarge) {
		t.Errorf("Load over MaxSize = %v, want ErrTooLarge", err)
	}
	// Errors never carry the session key.
	bad := put(strings.Repeat("x", 10), 0)
	if _, err := s.Load(ctx, bad); err == nil || strings.Contains(err.Error(), bad) {
		t.Errorf("Load of a bad value = %v", err)
	}
}

// TestNewConfig: configurations Django could not have are ErrConfig.
func TestNewConfig(t *testing.T) {
	c := redistest.Local(t)
	for _, cfg := range []redis.Config{
		{Value: cachevalue.Codec{Compressor: "auto"}},
		{Value: cachevalue.Codec{Compressor: "brotli"}},
		{Value: cachevalue.Codec{Serializer: "yaml"}},
		{Value: cachevalue.Codec{Client: cachevalue.Django, Serializer: "json"}},
		{Value: cachevalue.Codec{Client: cachevalue.Django, Compressor: "zlib"}},
		{Value: cachevalue.Codec{PickleProtocol: 6}},
	} {
		if _, err := redis.New(c, cfg); !errors.Is(err, djangosess.ErrConfig) {
			t.Errorf("New(%+v) = %v, want ErrConfig", cfg.Value, err)
		}
	}
	if _, err := redis.New(nil, redis.Config{}); !errors.Is(err, djangosess.ErrConfig) {
		t.Errorf("New(nil) = %v, want ErrConfig", err)
	}
}

// TestRedisKey: the key layout of reference §7.2.
func TestRedisKey(t *testing.T) {
	c := redistest.Local(t)
	const k = "abcdefghijklmnopqrstuvwxyz012345"
	for _, tc := range []struct {
		cfg  redis.Config
		want string
	}{
		{redis.Config{}, ":1:django.contrib.sessions.cache" + k},
		{redis.Config{KeyPrefix: "site", Version: 3}, "site:3:django.contrib.sessions.cache" + k},
		{redis.Config{CachedDB: true}, ":1:django.contrib.sessions.cached_db" + k},
		{redis.Config{KeyFunc: func(p string, v int, key string) string { return key }}, "django.contrib.sessions.cache" + k},
	} {
		s := newStore(t, c, tc.cfg)
		if got := s.RedisKey(k); got != tc.want {
			t.Errorf("RedisKey = %q, want %q", got, tc.want)
		}
	}
}
