package redis_test

import (
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// benchSession is session() in bench/django_redis_store_bench.py: a
// logged-in user with a small cart.
func benchSession() *serializer.Dict {
	item := func(sku string, qty int, price float64) *serializer.Dict {
		return serializer.DictOf("sku", serializer.Str(sku), "qty", serializer.Int(qty), "price", serializer.Float(price))
	}
	return serializer.DictOf(
		"_auth_user_id", serializer.Str("1"),
		"_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", serializer.Str("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
		"cart", serializer.DictOf(
			"items", serializer.List{item("A-1", 2, 9.99), item("B-22", 1, 120.5)},
			"coupon", serializer.None{},
		),
	)
}

// benchParallelism is how many goroutines per GOMAXPROCS the parallel
// benchmarks run ($DJANGOSESS_BENCH_PARALLELISM, default 4), so that the
// concurrency matches bench/django_redis_store_bench.py's.
func benchParallelism() int {
	if n, err := strconv.Atoi(os.Getenv("DJANGOSESS_BENCH_PARALLELISM")); err == nil && n > 0 {
		return n
	}
	return 4
}

// BenchmarkLoad: Load through the store against the bare go-redis client
// doing the same round trip (GET and PTTL, pipelined) and the same decode, on one
// session, sequentially and from parallel goroutines; for django-redis's
// default format and Django's RedisCache.
func BenchmarkLoad(b *testing.B) {
	c := redistest.Local(b)
	for _, codec := range []cachevalue.Codec{{}, {Client: cachevalue.Django}} {
		s, err := redis.New(c, redis.Config{Value: codec, KeyPrefix: redistest.Prefix(b, c)})
		if err != nil {
			b.Fatal(err)
		}
		key, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: benchSession()})
		if err != nil {
			b.Fatal(err)
		}
		rk := s.RedisKey(key)
		// The same round trip as Load: GET and PTTL in one pipeline.
		bare := func(c goredis.UniversalClient) error {
			var get *goredis.StringCmd
			var pttl *goredis.DurationCmd
			if _, err := c.Pipelined(ctx, func(p goredis.Pipeliner) error {
				get = p.Get(ctx, rk)
				pttl = p.PTTL(ctx, rk)
				return nil
			}); err != nil {
				return err
			}
			v, err := get.Bytes()
			if err != nil {
				return err
			}
			if _, err := pttl.Result(); err != nil {
				return err
			}
			d, err := codec.Decode(v)
			if err != nil {
				return err
			}
			_ = d.(*serializer.Dict)
			return nil
		}
		store := func() error {
			_, err := s.Load(ctx, key)
			return err
		}
		name := codec.Client.String()
		// Paired: each iteration times one store Load and one bare round
		// trip back to back, so a busy machine slows both alike; the
		// ratio of the two sums is the store's overhead.
		paired := func(b *testing.B, loop func(func() bool)) {
			var storeNS, bareNS atomic.Int64
			loop(func() bool {
				t0 := time.Now()
				if err := store(); err != nil {
					b.Error(err)
					return false
				}
				t1 := time.Now()
				if err := bare(c); err != nil {
					b.Error(err)
					return false
				}
				storeNS.Add(int64(t1.Sub(t0)))
				bareNS.Add(int64(time.Since(t1)))
				return true
			})
			b.ReportMetric(float64(storeNS.Load())/float64(b.N), "store-ns/op")
			b.ReportMetric(float64(bareNS.Load())/float64(b.N), "bare-ns/op")
			b.ReportMetric(float64(storeNS.Load())/float64(bareNS.Load()), "store/bare")
		}
		b.Run(name+"/paired", func(b *testing.B) {
			paired(b, func(op func() bool) {
				for b.Loop() {
					if !op() {
						return
					}
				}
			})
		})
		b.Run(name+"/paired-parallel", func(b *testing.B) {
			b.SetParallelism(benchParallelism())
			paired(b, func(op func() bool) {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if !op() {
							return
						}
					}
				})
			})
		})
		b.Run(name+"/store", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := store(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/bare", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := bare(c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/store-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(benchParallelism())
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := store(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
		b.Run(name+"/bare-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(benchParallelism())
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := bare(c); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
