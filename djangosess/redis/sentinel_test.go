package redis_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/djangosess/storetest"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/faulttest"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// The tests below reach Redis only through Sentinel: the CACHE_URL
// names the sentinels and the master's name, never the master, so every
// call that works found the master through them.

const sentinelMaster = "mymaster"

// sentinelURL is the CACHE_URL of database db behind the sentinels.
func sentinelURL(s *faulttest.Sentinel, db int) string {
	return "redis+sentinel://" + strings.Join(s.Addrs(), ",") + "/" + s.MasterName() + "/" + strconv.Itoa(db)
}

// sentinelClient is the client engine builds for url (a go-redis failover
// client), closed when the test ends.
func sentinelClient(t *testing.T, url string) goredis.UniversalClient {
	t.Helper()
	c, err := engine.RedisClient(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// openSentinel opens the cache engine on the cache b describes at url,
// with KEY_PREFIX prefix, as engine.Open does for Django's settings.
func openSentinel(t *testing.T, url string, b backend, prefix string) *redis.Store {
	t.Helper()
	st := engine.Settings{Engine: "django.contrib.sessions.backends.cache", CacheURL: url, CacheKeyPrefix: prefix,
		CacheSerializer: b.codec.Serializer, Compressor: b.codec.Compressor}
	if b.codec.Client == cachevalue.Django {
		st.CacheClient = "django"
	}
	o, err := engine.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	s, ok := o.Store.(*redis.Store)
	if !ok {
		t.Fatalf("engine.Open gave a %T", o.Store)
	}
	return s
}

// TestSentinelConformance: the conformance suite on stores engine.Open
// builds from a redis+sentinel:// CACHE_URL, and the sessions land in the
// URL's database on the master.
func TestSentinelConformance(t *testing.T) {
	master := faulttest.StartRedis(t, faulttest.RedisOptions{})
	sen := faulttest.StartSentinel(t, master, 2, sentinelMaster)
	url := sentinelURL(sen, 0)
	c := sentinelClient(t, url)
	for _, b := range []backend{djangoRedisBackends[0], djangoRedisBackends[6], djangoBackend} {
		t.Run(b.name, func(t *testing.T) {
			storetest.Run(t, storetest.Config{
				New: func(t *testing.T) djangosess.Store {
					return openSentinel(t, url, b, redistest.Prefix(t, c))
				},
				Precision:     time.Second,
				Pickle:        b.rich(),
				NoExpiredRows: true,
			})
		})
	}
	t.Run("database", func(t *testing.T) {
		s := openSentinel(t, sentinelURL(sen, 3), djangoRedisBackends[0], "db3")
		k, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: session(1, true)})
		if err != nil {
			t.Fatal(err)
		}
		for db, want := range map[int]int64{3: 1, 0: 0} {
			direct := goredis.NewClient(&goredis.Options{Addr: master.Addr(), DB: db})
			n, err := direct.Exists(ctx, s.RedisKey(k)).Result()
			direct.Close()
			if err != nil || n != want {
				t.Errorf("the session in database %d on the master: %d, %v; want %d", db, n, err, want)
			}
		}
	})
}

// sentinelSettings is the oracle's --settings for Django's cache session
// engine on b, under KEY_PREFIX prefix, in database db: for django-redis
// through the sentinels (SentinelConnectionFactory and SentinelClient,
// with LOCATION redis://MASTER_NAME/db, a host name that does not
// resolve); Django's own RedisCache has no Sentinel client, so it is
// pointed at the master itself.
func sentinelSettings(t *testing.T, b backend, prefix string, sen *faulttest.Sentinel, master *faulttest.Redis, db int) string {
	t.Helper()
	entry := map[string]any{"KEY_PREFIX": prefix}
	s := map[string]any{"SESSION_ENGINE": "django.contrib.sessions.backends.cache", "CACHES": map[string]any{"default": entry}}
	if b.codec.Client == cachevalue.Django {
		entry["BACKEND"] = "django.core.cache.backends.redis.RedisCache"
		entry["LOCATION"] = fmt.Sprintf("redis://%s/%d", master.Addr(), db)
	} else {
		var sentinels [][]any
		for _, a := range sen.Addrs() {
			host, port, _ := strings.Cut(a, ":")
			p, _ := strconv.Atoi(port)
			sentinels = append(sentinels, []any{host, p})
		}
		s["DJANGO_REDIS_CONNECTION_FACTORY"] = "django_redis.pool.SentinelConnectionFactory"
		entry["BACKEND"] = "django_redis.cache.RedisCache"
		entry["LOCATION"] = fmt.Sprintf("redis://%s/%d", sen.MasterName(), db)
		entry["OPTIONS"] = map[string]any{
			"CLIENT_CLASS": "django_redis.client.SentinelClient",
			"SENTINELS":    sentinels,
			"SERIALIZER":   djangoRedisPaths[b.serializer()],
			"COMPRESSOR":   djangoRedisPaths[b.compressor()],
		}
	}
	out, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return "--settings=" + string(out)
}

// TestSentinelDjangoInterop: Django's cache session engine on
// django-redis's Sentinel client and the store opened from a
// redis+sentinel:// CACHE_URL read each other's sessions with the same
// values and TTLs and see each other's deletes and expiries, for each
// Django version; under 4.2 and 5.2 also Django's RedisCache, which
// Django points at the master (it has no Sentinel client) while the
// store goes through the sentinels.
func TestSentinelDjangoInterop(t *testing.T) {
	versions := djangotest.Versions(t)
	master := faulttest.StartRedis(t, faulttest.RedisOptions{})
	sen := faulttest.StartSentinel(t, master, 2, sentinelMaster)
	const db = 2
	url := sentinelURL(sen, db)
	c := sentinelClient(t, url)
	for _, v := range versions {
		bs := []backend{djangoRedisBackends[0], djangoRedisBackends[6], djangoRedisBackends[7]}
		if djangotest.Series(v.Version) != "3.2" {
			bs = []backend{djangoRedisBackends[0], djangoBackend}
		}
		for _, b := range bs {
			t.Run(v.Version+"/"+b.name, func(t *testing.T) {
				prefix := redistest.Prefix(t, c)
				d := dj{v.Start(t, sentinelSettings(t, b, prefix, sen, master, db))}
				info := d.do(t, map[string]any{"op": "version"}).(*serializer.Dict)
				un, _ := info.GetStr("unavailable")
				for _, part := range un.(serializer.List) {
					if p := string(part.(serializer.Str)); p == "django_redis" || p == b.serializer() || p == b.compressor() {
						djangotest.Missing(t, "Django %s: %s cannot be imported", v.Version, p)
					}
				}
				s := openSentinel(t, url, b, prefix)
				interop(t, c, d, s, b, djangotest.Series(v.Version))
			})
		}
	}
}

// errNotReplicated: a write the master took but the replica was not seen
// to have.
var errNotReplicated = errors.New("write not seen on the replica")

// TestSentinelFailover: a master, its replica and three sentinels
// (quorum 2); eight workers Save and Load their own sessions through a
// store engine.Open built from a redis+sentinel:// CACHE_URL while the
// master is killed (SIGKILL) and the sentinels promote the replica.
// Before the kill a write counts as acknowledged only once the replica
// has it (the replication offsets, as WAIT 1 compares them). Every call
// that fails returns ErrUnavailable or its context's error within its
// 1 s deadline, never a panic or a hang; once the replica is promoted
// the same store works again without being reopened, every worker
// succeeds, no acknowledged write is lost, and every session written
// before the kill is there, with its data and TTL.
func TestSentinelFailover(t *testing.T) {
	master := faulttest.StartRedis(t, faulttest.RedisOptions{})
	replica := faulttest.StartRedis(t, faulttest.RedisOptions{})
	faulttest.ReplicaOf(t, replica, master)
	sen := faulttest.StartSentinel(t, master, 3, sentinelMaster)
	s := openSentinel(t, sentinelURL(sen, 0), djangoRedisBackends[0], "failover")

	// Sessions written before the kill, replicated.
	before := time.Now()
	pre := make([]string, 20)
	for i := range pre {
		k, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: session(i, true)})
		if err != nil {
			t.Fatal(err)
		}
		pre[i] = k
	}
	after := time.Now()
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := faulttest.WaitReplicated(wctx, master, replica); err != nil {
		t.Fatal(err)
	}

	const workers = 8
	keys := make([]string, workers)
	for w := range keys {
		keys[w] = newKey(t)
		if err := s.Create(ctx, keys[w], faulttest.Counter(0)); err != nil {
			t.Fatal(err)
		}
	}
	var replicate atomic.Bool
	replicate.Store(true)
	// When the sentinels reported the promotion, and when the last call
	// that failed after it ended (Unix ns).
	var promotedAt, lastFailure atomic.Int64
	var lastError atomic.Pointer[string]
	l := faulttest.StartLoad(t, faulttest.LoadConfig{
		Workers: workers,
		Timeout: time.Second,
		Write: func(ctx context.Context, w int, n int64) error {
			// Read before the Save: a write that starts after the kill
			// cannot reach the old master.
			mustReplicate := replicate.Load()
			if err := s.Save(ctx, keys[w], faulttest.Counter(n)); err != nil {
				return err
			}
			if mustReplicate {
				if err := faulttest.WaitReplicated(ctx, master, replica); err != nil {
					return fmt.Errorf("%w: %w", errNotReplicated, err)
				}
			}
			return nil
		},
		Read: func(ctx context.Context, w int) (int64, error) {
			return faulttest.CounterOrZero(s.Load(ctx, keys[w]))
		},
		Allowed: func(err error) bool { return faulttest.Typed(err) || errors.Is(err, errNotReplicated) },
		Kind: func(err error) string {
			if promotedAt.Load() != 0 {
				msg := err.Error()
				lastError.Store(&msg)
				lastFailure.Store(time.Now().UnixNano())
			}
			if errors.Is(err, errNotReplicated) {
				return "not-replicated"
			}
			return faulttest.Kind(err)
		},
	})
	l.WaitSuccesses(t, 20, 20*time.Second)

	killed := time.Now()
	master.Kill(t)
	replicate.Store(false)
	l.Mark("down")
	failover := sen.WaitMaster(t, replica.Addr(), 30*time.Second)
	l.Mark("promoted")
	promotedAt.Store(time.Now().UnixNano())
	l.WaitSuccesses(t, 20, 20*time.Second)
	recovered := time.Since(killed)
	st := l.Stop()
	down, _ := st.Phase("down")
	up, _ := st.Phase("promoted")
	t.Logf("sentinel failover under load: %d workers; the sentinels reported the replica as the master %v after SIGKILL; "+
		"failed calls: %d of %d while the master was down (%v), %d of %d after the promotion, before each worker's first success "+
		"(<=%v after the promotion); every worker had 20 successes %v after the kill",
		workers, failover.Round(time.Millisecond), down.Failures, down.Calls, st.Kinds, up.Failures, up.Calls,
		up.MaxTimeToSuccess.Round(time.Millisecond), recovered.Round(time.Millisecond))
	if last := lastFailure.Load(); last != 0 {
		// go-redis's pool fails fast with its last dial error (to the
		// old master) once PoolSize dials have failed, and dials again
		// once a second.
		t.Logf("after the promotion, calls failed for %v (the last failure: %q)",
			time.Duration(last-promotedAt.Load()).Round(time.Millisecond), *lastError.Load())
	}
	t.Logf("load: %v", st)
	st.Check(t, time.Second)
	if down.Failures == 0 || up.Recovered != workers {
		t.Errorf("down: %+v; promoted: %+v", down, up)
	}

	// The same store, after the failover: the sessions written before
	// the kill, and the workers' last values.
	age := djangosess.DefaultCookieAge
	for i, k := range pre {
		r, err := s.Load(ctx, k)
		if err != nil {
			t.Errorf("session %d written before the kill: %v", i, err)
			continue
		}
		sameData(t, "a session written before the failover", r.Data, session(i, true))
		within(t, "its expiry", r.Expiry, before.Add(age-time.Second), after.Add(age+time.Second))
	}
	for w, k := range keys {
		r, err := s.Load(ctx, k)
		n, _ := r.Data.Int64("n")
		if err != nil || n < st.Acked[w] || n > st.Attempted[w] {
			t.Errorf("worker %d's session after the failover: %d, %v; acknowledged %d, attempted %d",
				w, n, err, st.Acked[w], st.Attempted[w])
		}
	}
	// And every operation works on the new master.
	k, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: session(99, true)})
	if err != nil {
		t.Fatalf("CreateNew after the failover: %v", err)
	}
	sameData(t, "a session created after the failover", mustLoad(t, s, k).Data, session(99, true))
	direct := goredis.NewClient(&goredis.Options{Addr: replica.Addr()})
	defer direct.Close()
	if n, err := direct.Exists(ctx, s.RedisKey(k)).Result(); err != nil || n != 1 {
		t.Errorf("the session created after the failover on the promoted replica: %d, %v", n, err)
	}
	if err := s.Delete(ctx, k); err != nil {
		t.Fatalf("Delete after the failover: %v", err)
	}
	if ok, err := s.Exists(ctx, k); ok || err != nil {
		t.Errorf("Exists after Delete: %v, %v", ok, err)
	}
}

// TestSentinelDown: when the sentinel the store's client asks for the
// master dies, the store finds the master through another one (go-redis
// asks the others); with every sentinel gone, a call fails with
// ErrUnavailable or its context's error within its deadline. To make the
// client look the master up again, the master drops its client
// connections (CLIENT KILL TYPE normal) after each kill.
func TestSentinelDown(t *testing.T) {
	master := faulttest.StartRedis(t, faulttest.RedisOptions{})
	sen := faulttest.StartSentinel(t, master, 3, sentinelMaster)
	s := openSentinel(t, sentinelURL(sen, 0), djangoRedisBackends[0], "down")
	k, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: session(1, true)})
	if err != nil {
		t.Fatal(err)
	}
	direct := goredis.NewClient(&goredis.Options{Addr: master.Addr()})
	defer direct.Close()
	dropClients := func() {
		t.Helper()
		if err := direct.ClientKillByFilter(ctx, "TYPE", "normal", "SKIPME", "yes").Err(); err != nil {
			t.Fatal(err)
		}
	}
	load := func(d time.Duration) (time.Duration, error) {
		cctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		start := time.Now()
		r, err := s.Load(cctx, k)
		if err == nil {
			sameData(t, "the session", r.Data, session(1, true))
		}
		return time.Since(start), err
	}

	// The sentinel in use: the one the client subscribed to.
	var used []int
	deadline := time.Now().Add(10 * time.Second)
	for len(used) != 1 {
		if used, err = sen.Subscribed(ctx); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sentinels with a subscriber: %v, want one", used)
		}
		time.Sleep(10 * time.Millisecond)
	}
	sen.Kill(t, used[0])
	dropClients()
	var errs []error
	var took time.Duration
	for len(errs) < 3 {
		d, err := load(2 * time.Second)
		took += d
		if err == nil {
			break
		}
		if !faulttest.Typed(err) {
			t.Errorf("with the sentinel in use killed: %v, want ErrUnavailable or a context error", err)
		}
		errs = append(errs, err)
	}
	if len(errs) == 3 {
		t.Fatalf("with the sentinel in use killed, the store does not find the master: %v", errors.Join(errs...))
	}
	t.Logf("with the sentinel in use killed: the store found the master after %d failed calls (2 s deadline) %q, %v in all",
		len(errs), errs, took.Round(time.Millisecond))

	for i := range sen.Addrs() {
		if sen.Running(i) {
			sen.Kill(t, i)
		}
	}
	dropClients()
	took, err = load(time.Second)
	if err == nil {
		t.Fatal("Load with every sentinel killed succeeded")
	}
	if !faulttest.Typed(err) {
		t.Errorf("with every sentinel killed: %v, want ErrUnavailable or a context error", err)
	}
	if took > 2*time.Second {
		t.Errorf("with every sentinel killed, Load returned after %v (deadline 1 s)", took)
	}
	t.Logf("with every sentinel killed: %v after %v", err, took.Round(time.Millisecond))
}
