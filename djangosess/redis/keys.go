package redis

import (
	"context"
	"iter"
	"strings"
	"sync"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/keys"
)

// scanCount is the COUNT hint of each SCAN: how many keys a page may hold.
const scanCount = 500

type scanner interface {
	Scan(ctx context.Context, cursor uint64, match string, count int64) *goredis.ScanCmd
}

// Keys iterates over the keys of the sessions in the cache with SCAN
// MATCH on the store's key pattern, page by page (memory stays that of one
// page), on every master of a cluster (MasterRanger) or shard of a ring
// (ShardRanger), one after the other. Glob characters in KEY_PREFIX are
// escaped as django-redis escapes them. Each Redis key is turned back into
// a session key by undoing the key function; keys that do not come back
// to themselves, and the cached_db copies that the cache engine's pattern
// also matches ("django.contrib.sessions.cache" is a prefix of
// "django.contrib.sessions.cached_db"), are skipped.
//
// SCAN's guarantee applies: a session present for the whole iteration is
// given, and one may be given twice if the cluster is resharded or the
// keyspace resized meanwhile.
func (s *Store) Keys(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if s.keysErr != nil {
			yield("", s.keysErr)
			return
		}
		nodes, err := s.nodes(ctx)
		if err != nil {
			yield("", err)
			return
		}
		for _, n := range nodes {
			var cursor uint64
			for {
				page, next, err := n.Scan(ctx, cursor, s.pattern, scanCount).Result()
				if err != nil {
					yield("", s.fail(ctx, "SCAN", err))
					return
				}
				for _, rk := range page {
					if k, ok := s.sessionKey(rk); ok && !yield(k, nil) {
						return
					}
				}
				if next == 0 {
					break
				}
				cursor = next
			}
		}
	}
}

// nodes returns what to scan: every master or shard, or the client.
func (s *Store) nodes(ctx context.Context) ([]scanner, error) {
	var (
		mu  sync.Mutex
		out []scanner
	)
	collect := func(_ context.Context, c *goredis.Client) error {
		mu.Lock()
		out = append(out, c)
		mu.Unlock()
		return nil
	}
	switch c := s.c.(type) {
	case MasterRanger:
		if err := c.ForEachMaster(ctx, collect); err != nil {
			return nil, s.fail(ctx, "cluster nodes", err)
		}
	case ShardRanger:
		if err := c.ForEachShard(ctx, collect); err != nil {
			return nil, s.fail(ctx, "ring shards", err)
		}
	default:
		out = append(out, s.c)
	}
	return out, nil
}

// sessionKey undoes the key function: the session key in Redis key rk.
func (s *Store) sessionKey(rk string) (string, bool) {
	if len(rk) < len(s.before)+len(s.after) || !strings.HasPrefix(rk, s.before) || !strings.HasSuffix(rk, s.after) {
		return "", false
	}
	k := rk[len(s.before) : len(rk)-len(s.after)]
	if !s.cachedDB && strings.HasPrefix(keys.CachePrefix+k, keys.CachedDBCachePrefix) {
		return "", false
	}
	if keys.Validate(k) != nil || (s.keyFunc != nil && s.RedisKey(k) != rk) {
		return "", false
	}
	return k, true
}

// globEscape escapes the characters special in a Redis glob pattern: * ?
// and [ as django-redis does ("[*]"), and the backslash, which
// django-redis leaves alone (so a prefix with one never matches there).
func globEscape(s string) string {
	if !strings.ContainsAny(s, `*?[\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '*', '?', '[':
			b.WriteByte('[')
			b.WriteByte(c)
			b.WriteByte(']')
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
