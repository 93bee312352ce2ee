package interoptest

import (
	"os"
	"strconv"

	"github.com/djangosess/djangosess/serializer"
)

// BenchSession is session() in bench/django_db_store_bench.py: a
// logged-in user with a small cart.
func BenchSession() *serializer.Dict {
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

// BenchParallelism is how many goroutines per GOMAXPROCS the parallel
// benchmarks run ($DJANGOSESS_BENCH_PARALLELISM, default 4), so that the
// concurrency matches the Django side's.
func BenchParallelism() int {
	if n, err := strconv.Atoi(os.Getenv("DJANGOSESS_BENCH_PARALLELISM")); err == nil && n > 0 {
		return n
	}
	return 4
}
