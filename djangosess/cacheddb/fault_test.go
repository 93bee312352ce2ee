package cacheddb_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/cacheddb"
	"github.com/djangosess/djangosess/djangosess/postgres"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/internal/faulttest"
	"github.com/djangosess/djangosess/internal/servertest"
)

// cacheRestartServesStale: a cache that persists its data (appendfsync)
// comes back after an outage with the copies it held before it; Django's
// cached_db serves them although the database changed meanwhile (the
// write-through's Set and its fallback Delete both failed while the cache
// was down). Ours remembers those keys as dirty and does not (see
// cacheddb.Store); true would only report stale reads, false requires
// fresh ones.
const cacheRestartServesStale = false

// hookLog counts the cache failures cached_db reports.
type hookLog struct {
	mu      sync.Mutex
	n       int
	byOp    map[string]int
	samples []string
}

func (h *hookLog) hook(_ context.Context, op, _ string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	if h.byOp == nil {
		h.byOp = map[string]int{}
	}
	h.byOp[op]++
	if len(h.samples) < 4 {
		h.samples = append(h.samples, op+": "+err.Error())
	}
}

func (h *hookLog) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// TestFaultCacheKilled: cached_db on PostgreSQL with its cache on a
// private Redis, under load from eight workers, while the Redis is killed
// (SIGKILL) and started again. With the cache down every Save and Load
// still succeeds from the database and returns the latest value, and the
// failures reach OnCacheError only. After the restart: with a cache that
// persists nothing, no stale copy is served; with appendfsync always, the
// copies cached before the kill come back, including that of a session
// deleted during the outage, and are not served either (the keys are
// dirty; see cacheRestartServesStale). Once the
// workers write again, the cache is written through and agrees with the
// database.
func TestFaultCacheKilled(t *testing.T) {
	// A cache client that gives up quickly: cached_db needs the cache to
	// fail well within the caller's deadline to have time left for the
	// database.
	quick := goredis.Options{ContextTimeoutEnabled: true, MaxRetries: -1, DialerRetries: 1, DialTimeout: 200 * time.Millisecond}
	t.Run("volatile", func(t *testing.T) { faultCacheKilled(t, false, quick, true) })
	t.Run("appendfsync", func(t *testing.T) { faultCacheKilled(t, true, quick, true) })
	// go-redis's defaults retry a command 3 times, each dial 5 times
	// 100 ms apart: a cache call could take the caller's whole deadline,
	// but cached_db bounds each one by its CacheTimeout and asks the
	// database in time.
	t.Run("go-redis-defaults", func(t *testing.T) {
		faultCacheKilled(t, false, goredis.Options{ContextTimeoutEnabled: true}, true)
	})
}

// faultCacheKilled runs the test with a cache client made with opts;
// strict requires zero caller-visible errors (otherwise the context's
// errors are counted).
func faultCacheKilled(t *testing.T, durable bool, opts goredis.Options, strict bool) {
	pg := servertest.Postgres(t)
	pool, err := pgxpool.New(ctx, pg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := postgres.Migrate(ctx, pool, ""); err != nil {
		t.Fatal(err)
	}
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte(secret)})
	if err != nil {
		t.Fatal(err)
	}
	db, err := postgres.New(pool, postgres.Config{Codec: codec})
	if err != nil {
		t.Fatal(err)
	}
	r := faulttest.StartRedis(t, faulttest.RedisOptions{Durable: durable})
	opts.Addr = r.Addr()
	client := goredis.NewClient(&opts)
	t.Cleanup(func() { client.Close() })
	cache, err := redis.New(client, redis.Config{CachedDB: true})
	if err != nil {
		t.Fatal(err)
	}
	hooks := &hookLog{}
	s, err := cacheddb.New(cacheddb.Config{DB: db, Cache: cache, OnCacheError: hooks.hook})
	if err != nil {
		t.Fatal(err)
	}
	const workers = 8
	keys := make([]string, workers)
	for w := range keys {
		if keys[w], err = djangosess.CreateNew(ctx, s, faulttest.Counter(0)); err != nil {
			t.Fatal(err)
		}
	}
	gone, err := djangosess.CreateNew(ctx, s, faulttest.Counter(0)) // deleted during the outage
	if err != nil {
		t.Fatal(err)
	}
	load := func(start []int64) *faulttest.Load {
		return faulttest.StartLoad(t, faulttest.LoadConfig{
			Workers: workers,
			Timeout: 2 * time.Second,
			Start:   start,
			Write: func(ctx context.Context, w int, n int64) error {
				return s.Save(ctx, keys[w], faulttest.Counter(n))
			},
			Read: func(ctx context.Context, w int) (int64, error) {
				return faulttest.CounterValue(s.Load(ctx, keys[w]))
			},
			// The database is up throughout: no error is allowed, but
			// for the context's when the cache may use up the deadline.
			Allowed: func(err error) bool {
				return !strict && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled))
			},
		})
	}

	l := load(nil)
	l.WaitSuccesses(t, 40, 20*time.Second)
	r.Kill(t)
	l.Mark("cache down")
	l.WaitSuccesses(t, 20, 20*time.Second)
	hooksDown := hooks.count()
	if err := s.Delete(ctx, gone); err != nil {
		t.Errorf("Delete with the cache down: %v", err)
	}
	st := l.Stop()
	down, _ := st.Phase("cache down")
	t.Logf("cached_db, redis SIGKILLed under load (%s cache): %d workers, ops=%d (with the cache down: %d, the longest %v) caller-visible errors=%d lost=%d phantom=%d, "+
		"cache failures reported to the hook=%d %v, max deadline overrun %v",
		cacheKind(durable), workers, st.Calls, down.Calls, down.MaxCall.Round(time.Millisecond), st.Failures, st.Lost, st.Phantom, hooksDown, hooks.byOp,
		max(st.MaxOverrun, 0).Round(time.Millisecond))
	if !strict {
		t.Logf("caller-visible errors while the cache client learned the server was gone: %d, at most %d per worker before its first success; %q",
			st.Failures, down.MaxFailuresBeforeSuccess, st.ErrorSamples)
	}
	if st.Unexpected != 0 || st.Lost != 0 || st.Phantom != 0 {
		t.Errorf("with the cache down: %d caller-visible errors %q; %d lost, %d phantom reads %q",
			st.Unexpected, st.UnexpectedSamples, st.Lost, st.Phantom, st.ViolationSamples)
	}
	if hooksDown == 0 {
		t.Errorf("no cache failure reached OnCacheError")
	}

	// The cache comes back; wait until the store's client reaches it.
	r.Start(t)
	deadline := time.Now().Add(20 * time.Second)
	for client.Ping(ctx).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("the cache client did not reconnect within 20 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Before anyone writes: does cached_db serve what the database holds?
	hooksBefore := hooks.count()
	stale := 0
	for w, k := range keys {
		got, err := faulttest.CounterValue(s.Load(ctx, k))
		want, derr := faulttest.CounterValue(db.Load(ctx, k))
		if err != nil || derr != nil {
			t.Fatalf("worker %d's session after the restart: %v / database: %v", w, err, derr)
		}
		if want != st.Attempted[w] && want != st.Acked[w] {
			t.Errorf("worker %d: the database holds %d; acknowledged %d, attempted %d", w, want, st.Acked[w], st.Attempted[w])
		}
		if got != want {
			stale++
		}
	}
	_, err = s.Load(ctx, gone)
	resurrected := err == nil
	if !resurrected && !errors.Is(err, djangosess.ErrNotFound) {
		t.Errorf("Load of the session deleted during the outage: %v", err)
	}
	t.Logf("after the cache restart (%s cache), before any write: %d of %d sessions served stale from the cache; "+
		"the session deleted during the outage is served again: %v; cache failures reported meanwhile=%d",
		cacheKind(durable), stale, workers, resurrected, hooks.count()-hooksBefore)
	if stale != 0 || resurrected {
		if durable && cacheRestartServesStale {
			t.Logf("KNOWN (cacheRestartServesStale): a persistent cache brings back the copies the failed write-through could not replace or delete")
		} else {
			t.Errorf("stale reads after the cache restart: %d of %d, deleted session served: %v", stale, workers, resurrected)
		}
	}

	// Writing again repairs the cache: the write-through works.
	l = load(st.Attempted)
	l.WaitSuccesses(t, 20, 20*time.Second)
	st2 := l.Stop()
	t.Logf("after the restart: ops=%d caller-visible errors=%d lost=%d phantom=%d; cache failures reported=%d",
		st2.Calls, st2.Failures, st2.Lost, st2.Phantom, hooks.count()-hooksBefore)
	if st2.Unexpected != 0 || st2.Lost != 0 || st2.Phantom != 0 {
		t.Errorf("after the restart: %d errors %q; %d lost, %d phantom %q", st2.Unexpected, st2.UnexpectedSamples, st2.Lost, st2.Phantom, st2.ViolationSamples)
	}
	for w, k := range keys {
		inCache, err := faulttest.CounterValue(cache.Load(ctx, k))
		inDB, derr := faulttest.CounterValue(db.Load(ctx, k))
		if err != nil || derr != nil || inCache != inDB || inDB != st2.Acked[w] {
			t.Errorf("worker %d: cache %d (%v), database %d (%v), last acknowledged %d", w, inCache, err, inDB, derr, st2.Acked[w])
		}
	}
}

func cacheKind(durable bool) string {
	if durable {
		return "appendfsync"
	}
	return "volatile"
}
