package engine_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/internal/servertest"
	"github.com/djangosess/djangosess/serializer"
)

// TestOpenEveryEngine opens every engine on every database from settings
// alone, creates the table where there is one, and round-trips a session.
func TestOpenEveryEngine(t *testing.T) {
	ctx := context.Background()
	key := []byte("test-secret-key-0123456789")
	redisURL := "redis://" + redistest.Addr() + "/0"
	cases := map[string]func(t *testing.T) engine.Settings{
		"db/sqlite": func(t *testing.T) engine.Settings {
			return engine.Settings{DatabaseURL: "sqlite:///" + filepath.Join(t.TempDir(), "db.sqlite3")}
		},
		"db/postgres": func(t *testing.T) engine.Settings {
			pg := servertest.Postgres(t)
			return engine.Settings{Engine: "django.contrib.sessions.backends.db", DatabaseURL: pg.DSN}
		},
		"db/postgres-cache_statement": func(t *testing.T) engine.Settings {
			pg := servertest.Postgres(t)
			sep := "?"
			if strings.Contains(pg.DSN, "?") {
				sep = "&"
			}
			return engine.Settings{Engine: "db", DatabaseURL: pg.DSN + sep + "default_query_exec_mode=cache_statement"}
		},
		"db/mysql": func(t *testing.T) engine.Settings {
			my := servertest.MySQL(t)
			return engine.Settings{Engine: "db", DatabaseURL: "mysql://root@127.0.0.1:3306/" + my.Database}
		},
		"file": func(t *testing.T) engine.Settings {
			return engine.Settings{Engine: "file", FilePath: t.TempDir(), CookieName: "sid"}
		},
		"cache/django-redis": func(t *testing.T) engine.Settings {
			return engine.Settings{Engine: "cache", CacheURL: redisURL, CacheKeyPrefix: redistest.Prefix(t, redistest.Local(t)), Compressor: "zlib"}
		},
		"cache/django": func(t *testing.T) engine.Settings {
			return engine.Settings{Engine: "cache", CacheURL: redisURL, CacheKeyPrefix: redistest.Prefix(t, redistest.Local(t)), CacheClient: "django"}
		},
		"cached_db/sqlite": func(t *testing.T) engine.Settings {
			return engine.Settings{Engine: "cached_db", DatabaseURL: "sqlite:///" + filepath.Join(t.TempDir(), "db.sqlite3"),
				CacheURL: redisURL, CacheKeyPrefix: redistest.Prefix(t, redistest.Local(t))}
		},
		"signed_cookies": func(t *testing.T) engine.Settings {
			return engine.Settings{Engine: "signed_cookies", Serializer: "pickle"}
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			s.SecretKey = key
			o, err := engine.Open(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			if o.Migrate != nil {
				if err := o.Migrate(ctx); err != nil {
					t.Fatalf("Migrate: %v", err)
				}
				if err := o.Migrate(ctx); err != nil {
					t.Fatalf("Migrate twice: %v", err)
				}
			}
			d := serializer.DictOf("engine", serializer.Str(name))
			k, err := o.New(ctx, djangosess.Record{Data: d})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			r, err := o.Load(ctx, k)
			if err != nil || !serializer.Equal(r.Data, d) {
				t.Fatalf("Load: %v, %v", r.Data, err)
			}
			if left := time.Until(r.Expiry); left < djangosess.DefaultCookieAge-time.Minute || left > djangosess.DefaultCookieAge+time.Second {
				t.Errorf("expiry %v is not the default two weeks away", r.Expiry)
			}
			if o.Store != nil {
				if err := o.Store.Delete(ctx, k); err != nil {
					t.Fatal(err)
				}
				if _, err := o.Load(ctx, k); !errors.Is(err, djangosess.ErrNotFound) {
					t.Errorf("Load after Delete: %v", err)
				}
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	for _, s := range []engine.Settings{
		{Engine: "memcached", SecretKey: []byte("k")},
		{DatabaseURL: "oracle://x/y", SecretKey: []byte("k")},
		{Engine: "cache", CacheURL: "memcached://x"},
		{Engine: "cache", CacheClient: "django", Compressor: "zlib"},
		{Engine: "file", FilePath: "/nonexistent/dir", SecretKey: []byte("k")},
		{Engine: "db", SecretKey: []byte("k"), Serializer: "yaml"},
		{Engine: "db", SecretKey: []byte("k"), TimeZone: "Mars/Olympus"},
		{Engine: "db"},
	} {
		if o, err := engine.Open(context.Background(), s); err == nil {
			o.Close()
			t.Errorf("Open(%+v) accepted", s)
		}
	}
}
