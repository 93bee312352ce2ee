package cacheddb_test

import (
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/cacheddb"
	"github.com/djangosess/djangosess/internal/faulttest"
	"github.com/djangosess/djangosess/serializer"
)

// TestDirtyKeys: writes made while the cache is down mark their keys
// dirty; after the cache is back, a dirty key's old cached copy is never
// served, and past MaxDirty keys the store reads the database only,
// saying so once through the hook.
func TestDirtyKeys(t *testing.T) {
	for _, maxDirty := range []int{10, 2} {
		srv := faulttest.StartRedis(t, faulttest.RedisOptions{Durable: true})
		client := goredis.NewClient(&goredis.Options{Addr: srv.Addr(), MaxRetries: -1, DialerRetries: 1, DialTimeout: 200 * time.Millisecond})
		t.Cleanup(func() { client.Close() })
		_, p := newParts(t, client)
		s, err := cacheddb.New(cacheddb.Config{DB: p.db, Cache: p.cache, OnCacheError: p.errs.hook, MaxDirty: maxDirty})
		if err != nil {
			t.Fatal(err)
		}
		keys := []string{"dirtydirtydirtydirty000000000001", "dirtydirtydirtydirty000000000002", "dirtydirtydirtydirty000000000003"}
		exp := time.Now().Add(time.Hour)
		for _, k := range keys {
			if err := s.Create(ctx, k, djangosess.Record{Data: serializer.DictOf("v", serializer.Str("before")), Expiry: exp}); err != nil {
				t.Fatal(err)
			}
		}
		srv.Kill(t)
		for _, k := range keys[:2] {
			if err := s.Save(ctx, k, djangosess.Record{Data: serializer.DictOf("v", serializer.Str("during")), Expiry: exp}); err != nil {
				t.Fatalf("Save with the cache down: %v", err)
			}
		}
		if err := s.Delete(ctx, keys[2]); err != nil {
			t.Fatalf("Delete with the cache down: %v", err)
		}
		srv.Start(t) // appendfsync: the "before" copies come back
		if r, err := p.cache.Load(ctx, keys[0]); err != nil || !hasValue(r, "before") {
			t.Fatalf("the restarted cache does not hold the old copy (%v, %v): the test proves nothing", r.Data, err)
		}
		overflow := false
		for _, e := range p.errs.snapshot() {
			overflow = overflow || strings.Contains(e, "reading the database only")
		}
		if overflow != (maxDirty < 3) {
			t.Errorf("MaxDirty %d: overflow reported %v", maxDirty, overflow)
		}
		for _, k := range keys[:2] {
			r, err := s.Load(ctx, k)
			if v, _ := r.Data.String("v"); err != nil || v != "during" {
				t.Errorf("MaxDirty %d: Load after the outage = %q, %v; want the database's \"during\"", maxDirty, v, err)
			}
		}
		if r, err := s.Load(ctx, keys[2]); err == nil {
			t.Errorf("MaxDirty %d: the session deleted during the outage loads: %v", maxDirty, r.Data)
		}
		if ok, err := s.Exists(ctx, keys[2]); err != nil || ok {
			t.Errorf("MaxDirty %d: Exists of the deleted session = %v, %v", maxDirty, ok, err)
		}
		// Below the bound the marks are cleared by the delete of the stale
		// copy and the cache is used again (Load filled it).
		_, err = p.cache.Load(ctx, keys[0])
		if maxDirty >= 3 && err != nil {
			t.Errorf("the cache was not refilled after the stale copy was deleted: %v", err)
		}
	}
}

func hasValue(r djangosess.Record, want string) bool {
	v, _ := r.Data.String("v")
	return v == want
}

func (l *errLog) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errs...)
}
