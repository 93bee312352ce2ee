package gateway_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/internal/faulttest"
)

// TestFaultRedisKilled: sixteen clients send alice's cookie at once (so
// their session loads are coalesced) to a gateway whose sessions are in a
// private Redis, which is killed (SIGKILL) and started again. While it is
// down every answer is 503 within the request's 1 s deadline — never 401,
// which would tell nginx the user is logged out, and never a hang behind
// a shared load; once it is back every client gets 200 again.
func TestFaultRedisKilled(t *testing.T) {
	r := faulttest.StartRedis(t, faulttest.RedisOptions{Durable: true})
	c := goredis.NewClient(&goredis.Options{Addr: r.Addr(), ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })

	db, secret, demoStore := demoDB(t)
	alice, err := demoStore.Load(context.Background(), demoAlice)
	if err != nil {
		t.Fatal(err)
	}
	store, err := redis.New(c, redis.Config{})
	if err != nil {
		t.Fatal(err)
	}
	alice.Expiry = time.Now().Add(time.Hour)
	if err := store.Create(context.Background(), demoAlice, alice); err != nil {
		t.Fatal(err)
	}
	h := coalescedHandler(t, db, secret, store)

	const clients = 16
	var phase atomic.Int32 // 0 up, 1 down, 2 back
	var mu sync.Mutex
	counts := map[[2]int]int{} // phase, status → answers
	var okAfter [clients]atomic.Bool
	var maxTook atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), time.Second)
				req := httptest.NewRequestWithContext(ctx, "GET", "/auth", nil)
				req.AddCookie(&http.Cookie{Name: "sessionid", Value: demoAlice})
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, req)
				took := time.Since(start)
				cancel()
				p := int(phase.Load()) // as the request ended: one in flight at the kill counts as down
				for {
					m := maxTook.Load()
					if int64(took) <= m || maxTook.CompareAndSwap(m, int64(took)) {
						break
					}
				}
				mu.Lock()
				counts[[2]int{p, rec.Code}]++
				mu.Unlock()
				if p == 2 && rec.Code == http.StatusOK {
					okAfter[w].Store(true)
				}
				if rec.Code != http.StatusOK {
					time.Sleep(5 * time.Millisecond) // back off from a dead server (pacing, not an assertion)
				}
			}
		})
	}
	count := func(p, status int) int {
		mu.Lock()
		defer mu.Unlock()
		return counts[[2]int{p, status}]
	}
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				close(stop)
				wg.Wait()
				t.Fatalf("waiting for %s: gave up after 20 s; answers %v", what, counts)
			}
			runtime.Gosched()
			time.Sleep(time.Millisecond)
		}
	}
	waitUntil("200s before the kill", func() bool { return count(0, 200) >= 200 })
	r.Kill(t)
	phase.Store(1)
	waitUntil("503s while Redis is down", func() bool { return count(1, 503) >= 50 })
	r.Start(t)
	phase.Store(2)
	waitUntil("every client answered 200 again", func() bool {
		for i := range okAfter {
			if !okAfter[i].Load() {
				return false
			}
		}
		return true
	})
	close(stop)
	wg.Wait()

	mu.Lock()
	defer mu.Unlock()
	t.Logf("answers by phase (0 up, 1 down, 2 back) and status: %v; longest request %v", counts, time.Duration(maxTook.Load()).Round(time.Millisecond))
	for k, n := range counts {
		switch p, status := k[0], k[1]; {
		case status == http.StatusUnauthorized:
			t.Errorf("phase %d: %d answers 401 for a logged-in user (a store failure must be 503)", p, n)
		case p == 0 && status != http.StatusOK:
			t.Errorf("before the kill: %d answers %d", n, status)
		case status != http.StatusOK && status != http.StatusServiceUnavailable:
			t.Errorf("phase %d: %d answers %d", p, n, status)
		}
	}
	if took := time.Duration(maxTook.Load()); took > 1500*time.Millisecond {
		t.Errorf("a request took %v with a 1 s deadline", took)
	}
}
