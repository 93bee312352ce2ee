package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/internal/pyrun"
)

// DefaultAddr is the local server the tests use unless
// $DJANGOSESS_REDIS_ADDR names another.
const DefaultAddr = "127.0.0.1:6379"

// Addr returns the address of the local server.
func Addr() string {
	if a := os.Getenv("DJANGOSESS_REDIS_ADDR"); a != "" {
		return a
	}
	return DefaultAddr
}

// Missing reports a missing prerequisite: a skip outside CI, a failure in it.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	pyrun.Missing(tb, format, args...)
}

// Local returns a client of the local server (database 0), closed when the
// test ends. An unreachable server is Missing.
func Local(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: Addr(), DB: 0})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		Missing(tb, "redistest: no Redis at %s: %v", Addr(), err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// Prefix returns a fresh key prefix ("djangosess-test-<hex>") and removes
// every key starting with it from c when the test ends.
func Prefix(tb testing.TB, c redis.UniversalClient) string {
	tb.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	p := "djangosess-test-" + hex.EncodeToString(b[:])
	tb.Cleanup(func() {
		if err := DeletePrefix(context.Background(), c, p); err != nil {
			tb.Errorf("redistest: removing the keys of %s: %v", p, err)
		}
	})
	return p
}

// DeletePrefix deletes the keys starting with prefix (which must hold no
// glob characters), on every master of a cluster or shard of a ring.
func DeletePrefix(ctx context.Context, c redis.UniversalClient, prefix string) error {
	del := func(ctx context.Context, n *redis.Client) error {
		it := n.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for it.Next(ctx) {
			if err := n.Del(ctx, it.Val()).Err(); err != nil {
				return err
			}
		}
		return it.Err()
	}
	switch c := c.(type) {
	case *redis.ClusterClient:
		return c.ForEachMaster(ctx, del)
	case *redis.Ring:
		return c.ForEachShard(ctx, del)
	case *redis.Client:
		return del(ctx, c)
	}
	return fmt.Errorf("redistest: cannot delete keys through a %T", c)
}
