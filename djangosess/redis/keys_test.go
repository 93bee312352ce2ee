package redis_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/internal/redistest"
)

func allKeys(t *testing.T, s *redis.Store) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for k, err := range s.Keys(ctx) {
		if err != nil {
			t.Fatalf("Keys: %v", err)
		}
		seen[k]++
	}
	return seen
}

func createN(t *testing.T, s *redis.Store, n int) map[string]int {
	t.Helper()
	want := map[string]int{}
	for i := range n {
		k, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: session(i, false), Expiry: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		want[k] = 1
	}
	return want
}

// TestKeys: Keys lists exactly the store's sessions: not the cached_db
// copies (whose keys the cache engine's pattern also matches), not other
// cache entries, not another prefix that a glob in this one would match.
func TestKeys(t *testing.T) {
	c := redistest.Local(t)
	testKeys(t, c)
}

func TestClusterKeys(t *testing.T) {
	testKeys(t, redistest.Cluster(t))
}

func testKeys(t *testing.T, c goredis.UniversalClient) {
	base := redistest.Prefix(t, c)
	cache := newStore(t, c, redis.Config{KeyPrefix: base + "[a]*?"})
	cachedDB := newStore(t, c, redis.Config{KeyPrefix: base + "[a]*?", CachedDB: true})
	// Keys a glob prefix "[a]*?" would match if it were not escaped.
	other := newStore(t, c, redis.Config{KeyPrefix: base + "a-other"})
	otherVersion := newStore(t, c, redis.Config{KeyPrefix: base + "[a]*?", Version: 2})

	want := createN(t, cache, 1200) // more than a SCAN page
	wantDB := createN(t, cachedDB, 7)
	createN(t, other, 5)
	createN(t, otherVersion, 5)
	// A cached_db session whose key starts like a cache one, and another
	// cache entry under the prefix.
	if err := cachedDB.Create(ctx, "d_db0123456789", djangosess.Record{Data: session(1, false)}); err != nil {
		t.Fatal(err)
	}
	wantDB["d_db0123456789"] = 1
	if err := c.Set(ctx, base+"[a]*?:1:django.contrib.sessions.cach", "x", time.Hour).Err(); err != nil {
		t.Fatal(err)
	}

	if got := allKeys(t, cache); !maps.Equal(got, want) {
		t.Errorf("Keys of the cache store: %d keys, want %d (extra or missing: %v)", len(got), len(want), diff(got, want))
	}
	if got := allKeys(t, cachedDB); !maps.Equal(got, wantDB) {
		t.Errorf("Keys of the cached_db store: %v, want %v", got, wantDB)
	}
	// Stopping early is fine.
	n := 0
	for range cache.Keys(ctx) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("stopped after %d keys", n)
	}
}

func diff(got, want map[string]int) []string {
	var out []string
	for k := range got {
		if want[k] != got[k] {
			out = append(out, k)
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	if len(out) > 5 {
		out = out[:5]
	}
	return out
}

// TestKeysKeyFunc: a KEY_FUNCTION that keeps the key is reversed; one that
// hashes it cannot be, and Keys says so while the other methods work.
func TestKeysKeyFunc(t *testing.T) {
	c := redistest.Local(t)
	prefix := redistest.Prefix(t, c)
	wrap := newStore(t, c, redis.Config{KeyPrefix: prefix, Version: 4,
		KeyFunc: func(p string, v int, k string) string { return "<" + k + ">" + p + "/" + string(rune('0'+v)) }})
	want := createN(t, wrap, 3)
	if got := allKeys(t, wrap); !maps.Equal(got, want) {
		t.Errorf("Keys with a wrapping key function: %v, want %v", got, want)
	}
	// KeyFunc output outside the prefix: clean it up by hand.
	t.Cleanup(func() {
		for k := range want {
			c.Del(ctx, wrap.RedisKey(k))
		}
	})

	hashed := newStore(t, c, redis.Config{KeyPrefix: prefix, KeyFunc: func(p string, v int, k string) string {
		h := sha256.Sum256([]byte(k))
		return p + ":" + hex.EncodeToString(h[:])
	}})
	k := newKey(t)
	if err := hashed.Create(ctx, k, djangosess.Record{Data: session(1, true)}); err != nil {
		t.Fatal(err)
	}
	sameData(t, "Load with a hashing key function", mustLoad(t, hashed, k).Data, session(1, true))
	for _, err := range hashed.Keys(ctx) {
		if !errors.Is(err, djangosess.ErrConfig) {
			t.Errorf("Keys with a hashing key function: %v, want ErrConfig", err)
		}
	}
}
