package gateway_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/gateway"
)

// gatedStore is the demo's real SQLite store, with a gate: the first Load
// reads the session, then waits for release before answering.
type gatedStore struct {
	djangosess.Store
	loads           atomic.Int32
	first           sync.Once
	loaded, release chan struct{}
}

func (g *gatedStore) Load(ctx context.Context, key string) (djangosess.Record, error) {
	g.loads.Add(1)
	r, err := g.Store.Load(ctx, key)
	g.first.Do(func() {
		close(g.loaded)
		<-g.release
	})
	return r, err
}

// TestGatewayCoalescedFresh: requests that arrive while a load of their
// session is in flight never get that load's answer. The session is
// deleted (a logout) while the first request's load is held after
// reading it: that request still sees alice, every later one sees
// nobody, and each gets its own copy of the session.
func TestGatewayCoalescedFresh(t *testing.T) {
	db, secret, real := demoDB(t)
	store := &gatedStore{Store: real, loaded: make(chan struct{}), release: make(chan struct{})}
	h := coalescedHandler(t, db, secret, store)
	get := func() (int, string) {
		req := httptest.NewRequest("GET", "/auth", nil)
		req.AddCookie(&http.Cookie{Name: "sessionid", Value: demoAlice})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Header().Get(gateway.UserIDHeader)
	}

	firstDone := make(chan [2]any)
	go func() { code, user := get(); firstDone <- [2]any{code, user} }()
	<-store.loaded
	if err := real.Delete(context.Background(), demoAlice); err != nil {
		t.Fatal(err)
	}
	const n = 32
	var wg sync.WaitGroup
	var stale atomic.Int32
	for range n {
		wg.Go(func() {
			if code, user := get(); code != http.StatusUnauthorized || user != "" {
				stale.Add(1)
			}
		})
	}
	close(store.release)
	if got := <-firstDone; got[0] != http.StatusOK || got[1] != "1" {
		t.Errorf("first request (loaded before the logout): %v, want 200 for user 1", got)
	}
	wg.Wait()
	if s := stale.Load(); s != 0 {
		t.Errorf("%d of %d requests made after the logout saw the deleted session", s, n)
	}
	t.Logf("%d requests, %d loads", n+1, store.loads.Load())
}

// TestGatewayConcurrent: with loads coalesced, every answer is right
// when two sessions are asked for at once by many requests.
func TestGatewayConcurrent(t *testing.T) {
	h, _, err := demo(t, true)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var wrong atomic.Int32
	for i := range 64 {
		wg.Go(func() {
			cookie, want := demoAlice, "1"
			if i%2 == 1 {
				cookie, want = demoAnon, ""
			}
			req := httptest.NewRequest("GET", "/auth", nil)
			req.AddCookie(&http.Cookie{Name: "sessionid", Value: cookie})
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Header().Get(gateway.UserIDHeader) != want {
				wrong.Add(1)
			}
		})
	}
	wg.Wait()
	if w := wrong.Load(); w != 0 {
		t.Errorf("%d wrong answers", w)
	}
}
