package faulttest_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/internal/faulttest"
)

var ctx = context.Background()

func TestMain(m *testing.M) {
	// go-redis logs every failed dial; the tests make some on purpose.
	goredis.SetLogger(quiet{})
	m.Run()
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func redisClient(t *testing.T, r *faulttest.Redis) *goredis.Client {
	c := goredis.NewClient(&goredis.Options{Addr: r.Addr(), MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	t.Cleanup(func() { c.Close() })
	return c
}

// A durable server keeps an acknowledged write through SIGKILL and a
// graceful stop, on the same address; a volatile one comes back empty.
func TestRedis(t *testing.T) {
	for _, durable := range []bool{true, false} {
		r := faulttest.StartRedis(t, faulttest.RedisOptions{Durable: durable})
		c := redisClient(t, r)
		addr := r.Addr()
		if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		r.Kill(t)
		if r.Running() {
			t.Fatal("Running after Kill")
		}
		if err := c.Ping(ctx).Err(); err == nil {
			t.Fatal("PING answered after Kill")
		}
		r.Start(t)
		if r.Addr() != addr || !r.Running() {
			t.Fatalf("after Start: %s (was %s), running %v", r.Addr(), addr, r.Running())
		}
		got, err := c.Get(ctx, "k").Result()
		switch {
		case durable && (err != nil || got != "v"):
			t.Errorf("durable, after SIGKILL: %q, %v; want v", got, err)
		case !durable && err != goredis.Nil:
			t.Errorf("volatile, after SIGKILL: %q, %v; want nothing", got, err)
		}
		if err := c.Set(ctx, "k2", "v2", 0).Err(); err != nil {
			t.Fatal(err)
		}
		r.Restart(t)
		got, err = c.Get(ctx, "k2").Result()
		switch {
		case durable && (err != nil || got != "v2"):
			t.Errorf("durable, after a restart: %q, %v; want v2", got, err)
		case !durable && err != goredis.Nil:
			t.Errorf("volatile, after a restart: %q, %v; want nothing", got, err)
		}
	}
}

// Committed rows survive every way of stopping the cluster, which comes
// back on the same port.
func TestPostgres(t *testing.T) {
	pg := faulttest.StartPostgres(t)
	exec := func(sql string, args ...any) {
		t.Helper()
		c, err := pgx.Connect(ctx, pg.DSN())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	count := func() int {
		t.Helper()
		c, err := pgx.Connect(ctx, pg.DSN())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		var n int
		if err := c.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	exec("CREATE TABLE t (n int)")
	// A connection open across the restart sees it end.
	held, err := pgx.Connect(ctx, pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close(ctx)
	want := 0
	for _, stop := range []struct {
		name string
		do   func()
	}{
		{"fast", func() { pg.Stop(t, faulttest.Fast) }},
		{"immediate", func() { pg.Stop(t, faulttest.Immediate) }},
		{"smart", func() { pg.Stop(t, faulttest.Smart) }},
		{"kill", func() { pg.Kill(t) }},
	} {
		exec("INSERT INTO t VALUES ($1)", want)
		want++
		if stop.name == "smart" {
			held.Close(ctx) // smart waits for every client
		}
		stop.do()
		if pg.Running() {
			t.Fatalf("%s: running after the stop", stop.name)
		}
		if stop.name == "fast" {
			var one int
			err := held.QueryRow(ctx, "SELECT 1").Scan(&one)
			if err == nil || !strings.Contains(err.Error(), "57P01") && !strings.Contains(err.Error(), "closed") &&
				!strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "reset") {
				t.Errorf("a connection held across a fast stop: %v", err)
			}
		}
		pg.Start(t)
		if n := count(); n != want {
			t.Errorf("after a %s stop and a start: %d rows, want %d", stop.name, n, want)
		}
	}
}

// The load counts what it is given: typed errors, unexpected ones, panics,
// and reads that go back before an acknowledged write.
func TestLoad(t *testing.T) {
	var (
		mu    sync.Mutex
		vals  = map[int]int64{}
		down  atomic.Bool
		stale atomic.Bool
		panik atomic.Bool
	)
	errDown := errors.New("down")
	l := faulttest.StartLoad(t, faulttest.LoadConfig{
		Workers: 4,
		Timeout: 10 * time.Second,
		Write: func(ctx context.Context, w int, n int64) error {
			if panik.Load() && w == 0 {
				panik.Store(false)
				panic("boom")
			}
			if down.Load() {
				return errDown
			}
			mu.Lock()
			defer mu.Unlock()
			vals[w] = n
			return nil
		},
		Read: func(ctx context.Context, w int) (int64, error) {
			if down.Load() {
				return 0, errDown
			}
			mu.Lock()
			defer mu.Unlock()
			if stale.Load() {
				return vals[w] - 1, nil
			}
			return vals[w], nil
		},
		Allowed: func(err error) bool { return errors.Is(err, errDown) },
	})
	l.WaitSuccesses(t, 10, 10*time.Second)
	down.Store(true)
	l.Mark("down")
	l.WaitFailures(t, 3, 10*time.Second)
	down.Store(false)
	l.Mark("up")
	l.WaitSuccesses(t, 10, 10*time.Second)
	stale.Store(true)
	l.Mark("stale")
	l.WaitSuccesses(t, 4, 10*time.Second)
	stale.Store(false)
	panik.Store(true)
	l.Mark("panic")
	l.WaitSuccesses(t, 4, 10*time.Second)
	s := l.Stop()
	t.Log(s)
	if s.Unexpected != 1 || !strings.Contains(s.UnexpectedSamples[0], "boom") {
		t.Errorf("unexpected errors: %d %q; want only the panic", s.Unexpected, s.UnexpectedSamples)
	}
	if s.Lost == 0 || s.Phantom != 0 {
		t.Errorf("the stale reads were not seen")
	}
	down2, _ := s.Phase("down")
	up, _ := s.Phase("up")
	if down2.Failures < 12 || up.Recovered != 4 || s.MaxOverrun > 0 {
		t.Errorf("phases: %+v %+v, overrun %v", down2, up, s.MaxOverrun)
	}
	for w, a := range s.Acked {
		if a != vals[w] || s.Attempted[w] < a {
			t.Errorf("worker %d: acked %d, attempted %d, stored %d", w, a, s.Attempted[w], vals[w])
		}
	}
}
