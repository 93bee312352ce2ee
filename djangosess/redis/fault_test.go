package redis_test

import (
	"context"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/internal/faulttest"
)

// TestFaultServerKilled: eight workers Save and Load their own sessions
// on a private Redis with appendfsync always while it is killed (SIGKILL)
// or stopped (SIGTERM) and started again on the same port. Every failing
// call returns ErrUnavailable or its context's error within its 1 s
// deadline (never a panic or a hang), every worker succeeds again once the
// server is back, and every acknowledged Save is still there: each
// worker's first successful call after the restart is a Load, which must
// return its last acknowledged value (or a later one that was in flight).
func TestFaultServerKilled(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop func(*faulttest.Redis, *testing.T)
	}{
		{"sigkill", func(r *faulttest.Redis, t *testing.T) { r.Kill(t) }},
		{"sigterm", func(r *faulttest.Redis, t *testing.T) { r.Stop(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := faulttest.StartRedis(t, faulttest.RedisOptions{Durable: true})
			// go-redis's defaults, with the context's deadline on the socket.
			c := goredis.NewClient(&goredis.Options{Addr: r.Addr(), ContextTimeoutEnabled: true})
			t.Cleanup(func() { c.Close() })
			s := newStore(t, c, redis.Config{})
			const workers = 8
			keys := make([]string, workers)
			for w := range keys {
				keys[w] = newKey(t)
				if err := s.Create(ctx, keys[w], faulttest.Counter(0)); err != nil {
					t.Fatal(err)
				}
			}
			l := faulttest.StartLoad(t, faulttest.LoadConfig{
				Workers: workers,
				Timeout: time.Second,
				Write: func(ctx context.Context, w int, n int64) error {
					return s.Save(ctx, keys[w], faulttest.Counter(n))
				},
				Read: func(ctx context.Context, w int) (int64, error) {
					return faulttest.CounterOrZero(s.Load(ctx, keys[w]))
				},
				Allowed: faulttest.Typed,
				Kind:    faulttest.Kind,
			})
			l.WaitSuccesses(t, 50, 20*time.Second)
			tc.stop(r, t)
			l.Mark("down")
			l.WaitFailures(t, 2, 20*time.Second)
			r.Start(t)
			l.Mark("up")
			l.WaitSuccesses(t, 20, 20*time.Second)
			st := l.Stop()
			down, _ := st.Phase("down")
			up, _ := st.Phase("up")
			t.Logf("redis cache engine, %s under load: %d workers, ops=%d errors=%d %v (down: %d of %d calls failed) unexpected=%d "+
				"recovered=%d/%d after <=%d failed calls, <=%v; max deadline overrun %v; lost=%d phantom=%d",
				tc.name, workers, st.Calls, st.Failures, st.Kinds, down.Failures, down.Calls, st.Unexpected,
				up.Recovered, workers, up.MaxFailuresBeforeSuccess, up.MaxTimeToSuccess.Round(time.Millisecond),
				max(st.MaxOverrun, 0).Round(time.Millisecond), st.Lost, st.Phantom)
			st.Check(t, time.Second)
			if down.Failures == 0 || up.Recovered != workers {
				t.Errorf("down: %+v; up: %+v", down, up)
			}
			// And the final state is what the workers wrote last.
			for w, k := range keys {
				r, err := s.Load(ctx, k)
				n, _ := r.Data.Int64("n")
				if err != nil || n < st.Acked[w] || n > st.Attempted[w] {
					t.Errorf("worker %d's session after the load: %d, %v; acknowledged %d, attempted %d",
						w, n, err, st.Acked[w], st.Attempted[w])
				}
			}
		})
	}
}
