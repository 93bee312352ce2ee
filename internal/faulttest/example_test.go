package faulttest_test

import (
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/internal/faulttest"
)

// A test kills its private Redis under a client and brings it back on the
// same address; the client reconnects, and the acknowledged write is
// still there.
func ExampleStartRedis() {
	test := func(t *testing.T) {
		r := faulttest.StartRedis(t, faulttest.RedisOptions{Durable: true})
		c := goredis.NewClient(&goredis.Options{Addr: r.Addr()})
		defer c.Close()
		if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		r.Kill(t)
		r.Start(t)
		if v, err := c.Get(ctx, "k").Result(); err != nil || v != "v" {
			t.Errorf("after SIGKILL: %q, %v", v, err)
		}
	}
	_ = test
}
