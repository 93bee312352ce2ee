package redis_test

import (
	"context"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/djangosess/storetest"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

func TestMain(m *testing.M) {
	// go-redis logs every failed dial; the tests of unreachable servers
	// make many, and the errors reach the tests anyway.
	goredis.SetLogger(quiet{})
	redistest.Main(m)
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// configs are the cache configurations every conformance run covers.
var configs = []struct {
	name   string
	cfg    redis.Config
	pickle bool // the value keeps every Python type
}{
	{"django-redis", redis.Config{}, true},
	{"django-redis-zlib", redis.Config{Value: cachevalue.Codec{Compressor: "zlib"}}, true},
	{"django-redis-json", redis.Config{Value: cachevalue.Codec{Serializer: "json"}}, false},
	{"django-redis-msgpack-lz4", redis.Config{Value: cachevalue.Codec{Serializer: "msgpack", Compressor: "lz4"}}, false},
	{"django", redis.Config{Value: cachevalue.Codec{Client: cachevalue.Django}}, true},
	{"cached_db-version-7", redis.Config{CachedDB: true, Version: 7}, true},
}

func run(t *testing.T, c goredis.UniversalClient, cfg redis.Config, pickle bool) {
	storetest.Run(t, storetest.Config{
		New: func(t *testing.T) djangosess.Store {
			cfg := cfg
			cfg.KeyPrefix = redistest.Prefix(t, c) + cfg.KeyPrefix
			s, err := redis.New(c, cfg)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		Precision:     time.Second,
		Pickle:        pickle,
		NoExpiredRows: true,
	})
}

func TestConformance(t *testing.T) {
	c := redistest.Local(t)
	for _, tc := range configs {
		t.Run(tc.name, func(t *testing.T) { run(t, c, tc.cfg, tc.pickle) })
	}
	t.Run("ring", func(t *testing.T) {
		ring := goredis.NewRing(&goredis.RingOptions{Addrs: map[string]string{"one": redistest.Addr()}})
		t.Cleanup(func() { ring.Close() })
		run(t, ring, redis.Config{}, true)
	})
	t.Run("glob-prefix-keyfunc", func(t *testing.T) {
		run(t, c, redis.Config{
			KeyPrefix: `*?[x]\`,
			KeyFunc:   func(p string, v int, k string) string { return "{app}|" + p + "|" + k + "|v" + string(rune('0'+v)) },
		}, true)
	})
}

func TestClusterConformance(t *testing.T) {
	c := redistest.Cluster(t)
	for _, tc := range configs {
		if tc.name == "django-redis" || tc.name == "django" {
			t.Run(tc.name, func(t *testing.T) { run(t, c, tc.cfg, tc.pickle) })
		}
	}
}
