package cacheddb_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/cacheddb"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/djangosess/sqlite"
	"github.com/djangosess/djangosess/djangosess/storetest"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/serializer"
)

const secret = "test-secret-key-0123456789"

var ctx = context.Background()

type parts struct {
	db     *sqlite.Store
	cache  *redis.Store
	client *goredis.Client
	prefix string
	path   string
	errs   *errLog
}

type errLog struct {
	mu   sync.Mutex
	errs []string
}

func (l *errLog) hook(_ context.Context, op, key string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, op+": "+err.Error())
}

func newParts(t *testing.T, client *goredis.Client) (*cacheddb.Store, parts) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	conn, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := sqlite.Migrate(ctx, conn, "django_session"); err != nil {
		t.Fatal(err)
	}
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte(secret)})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.New(conn, sqlite.Config{Codec: codec})
	if err != nil {
		t.Fatal(err)
	}
	prefix := redistest.Prefix(t, client)
	cache, err := redis.New(client, redis.Config{KeyPrefix: prefix, CachedDB: true})
	if err != nil {
		t.Fatal(err)
	}
	log := &errLog{}
	s, err := cacheddb.New(cacheddb.Config{DB: db, Cache: cache, OnCacheError: log.hook})
	if err != nil {
		t.Fatal(err)
	}
	return s, parts{db: db, cache: cache, client: client, prefix: prefix, path: path, errs: log}
}

func TestConformance(t *testing.T) {
	client := redistest.Local(t)
	storetest.Run(t, storetest.Config{
		New: func(t *testing.T) djangosess.Store {
			s, _ := newParts(t, client)
			return s
		},
		// A cache hit gives the expiry from the TTL, in milliseconds.
		Precision: time.Second,
	})
}

// TestWriteThrough: every Go write reaches both halves, and every delete
// leaves no copy in the cache, so Django never reads a stale value.
func TestWriteThrough(t *testing.T) {
	s, p := newParts(t, redistest.Local(t))
	key := "abcdefghij0123456789abcdefghij01"
	d1 := serializer.DictOf("n", serializer.Int(1))
	if err := s.Create(ctx, key, djangosess.Record{Data: d1, Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for name, half := range map[string]djangosess.Store{"db": p.db, "cache": p.cache} {
		if r, err := half.Load(ctx, key); err != nil || !serializer.Equal(r.Data, d1) {
			t.Errorf("%s after Create: %v, %v", name, r.Data, err)
		}
	}
	d2 := serializer.DictOf("n", serializer.Int(2))
	if err := s.Save(ctx, key, djangosess.Record{Data: d2, Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if r, _ := p.cache.Load(ctx, key); !serializer.Equal(r.Data, d2) {
		t.Errorf("cache after Save holds %v", r.Data)
	}
	// A cache miss is filled from the database.
	if err := p.cache.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Load(ctx, key); err != nil || !serializer.Equal(r.Data, d2) {
		t.Fatalf("Load on a cache miss: %v, %v", r.Data, err)
	}
	if r, err := p.cache.Load(ctx, key); err != nil || !serializer.Equal(r.Data, d2) {
		t.Errorf("the miss did not refill the cache: %v, %v", r.Data, err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	for name, half := range map[string]djangosess.Store{"db": p.db, "cache": p.cache} {
		if _, err := half.Load(ctx, key); !errors.Is(err, djangosess.ErrNotFound) {
			t.Errorf("%s after Delete: %v", name, err)
		}
	}
	if len(p.errs.errs) != 0 {
		t.Errorf("cache errors reported: %v", p.errs.errs)
	}
}

// TestCacheDown: with the cache unreachable, reads and writes go to the
// database (Django 5.1+), and every cache failure reaches the hook.
func TestCacheDown(t *testing.T) {
	dead := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { dead.Close() })
	_, p := newParts(t, redistest.Local(t))
	cache, err := redis.New(dead, redis.Config{CachedDB: true})
	if err != nil {
		t.Fatal(err)
	}
	log := &errLog{}
	down, err := cacheddb.New(cacheddb.Config{DB: p.db, Cache: cache, OnCacheError: log.hook})
	if err != nil {
		t.Fatal(err)
	}
	key := "downdowndowndowndowndowndown0001"
	d := serializer.DictOf("ok", serializer.Bool(true))
	if err := down.Create(ctx, key, djangosess.Record{Data: d, Expiry: time.Now().Add(time.Hour)}); err != nil {
		t.Fatalf("Create with the cache down: %v", err)
	}
	if r, err := down.Load(ctx, key); err != nil || !serializer.Equal(r.Data, d) {
		t.Fatalf("Load with the cache down: %v, %v", r.Data, err)
	}
	if ok, err := down.Exists(ctx, key); err != nil || !ok {
		t.Errorf("Exists with the cache down: %v, %v", ok, err)
	}
	if err := down.Delete(ctx, key); err != nil {
		t.Errorf("Delete with the cache down: %v", err)
	}
	if r, err := p.db.Load(ctx, key); !errors.Is(err, djangosess.ErrNotFound) {
		t.Errorf("db after Delete: %v %v", r.Data, err)
	}
	if len(log.errs) < 4 {
		t.Errorf("cache failures reported: %v", log.errs)
	}
	for _, e := range log.errs {
		if strings.Contains(e, key) {
			t.Errorf("a cache error repeats the session key: %s", e)
		}
	}
}

// TestDjangoInterop: Django's cached_db engine and ours on the same SQLite
// file and Redis prefix: writes on either side are read by the other, and
// neither ever reads a stale cache copy after the other's write or delete.
func TestDjangoInterop(t *testing.T) {
	client := redistest.Local(t)
	for _, dj := range djangotest.Versions(t) {
		t.Run(dj.Version, func(t *testing.T) {
			s, p := newParts(t, client)
			settings, _ := json.Marshal(map[string]any{
				"SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
				"DATABASES":      map[string]any{"default": map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": p.path}},
				"CACHES": map[string]any{"default": map[string]any{"BACKEND": "django_redis.cache.RedisCache",
					"LOCATION": "redis://" + redistest.Addr() + "/0", "KEY_PREFIX": p.prefix}},
			})
			o := dj.Start(t, "--settings="+string(settings), "--secret-key="+secret)
			do := func(req map[string]any) serializer.Value {
				t.Helper()
				a := o.Do(t, req)[0]
				if !a.OK {
					t.Fatalf("Django %v: %s: %s", req["op"], a.Error, a.Message)
				}
				return a.Tagged(t)
			}
			djangoData := func(key string) *serializer.Dict {
				t.Helper()
				r := do(map[string]any{"op": "store_load", "data": key}).(*serializer.Dict)
				if f, _ := r.Bool("found"); !f {
					return nil
				}
				d, _ := r.Dict("data")
				return d
			}
			// Django creates; Go reads (from the cache Django filled).
			key := string(do(map[string]any{"op": "store_create", "value": json.RawMessage(`{"v":1}`)}).(serializer.Str))
			if r, err := s.Load(ctx, key); err != nil || !serializer.Equal(r.Data, serializer.DictOf("v", serializer.Int(1))) {
				t.Fatalf("Go Load of Django's session: %v, %v", r.Data, err)
			}
			// Go changes it; Django (which reads the cache first) sees it.
			if err := s.Save(ctx, key, djangosess.Record{Data: serializer.DictOf("v", serializer.Int(2))}); err != nil {
				t.Fatal(err)
			}
			if d := djangoData(key); !serializer.Equal(d, serializer.DictOf("v", serializer.Int(2))) {
				t.Errorf("Django after Go's Save: %v", d)
			}
			// Django changes it; Go sees it.
			do(map[string]any{"op": "store_save", "data": key, "value": json.RawMessage(`{"v":3}`)})
			if r, err := s.Load(ctx, key); err != nil || !serializer.Equal(r.Data, serializer.DictOf("v", serializer.Int(3))) {
				t.Errorf("Go after Django's save: %v, %v", r.Data, err)
			}
			// Go deletes; Django finds nothing, in cache or table.
			if err := s.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if d := djangoData(key); d != nil {
				t.Errorf("Django still reads %v after Go's Delete", d)
			}
			// Go creates; Django reads; Django deletes; Go finds nothing.
			k2, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: serializer.DictOf("go", serializer.Bool(true))})
			if err != nil {
				t.Fatal(err)
			}
			if d := djangoData(k2); !serializer.Equal(d, serializer.DictOf("go", serializer.Bool(true))) {
				t.Errorf("Django reads %v from Go's session", d)
			}
			do(map[string]any{"op": "store_delete", "data": k2})
			if _, err := s.Load(ctx, k2); !errors.Is(err, djangosess.ErrNotFound) {
				t.Errorf("Go after Django's delete: %v", err)
			}
			if len(p.errs.errs) != 0 {
				t.Errorf("cache errors: %v", p.errs.errs)
			}
		})
	}
}
