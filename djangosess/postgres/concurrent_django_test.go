package postgres_test

import (
	"testing"

	"github.com/djangosess/djangosess/djangosess/internal/djangorace"
	"github.com/djangosess/djangosess/djangosess/postgres"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/servertest"
)

// Go and Django save one session row at the same time, in two processes,
// while readers on both sides load it: every load is one complete value
// some writer saved, and the last save wins.
func TestConcurrentWithDjango(t *testing.T) {
	// One Django, the newest: the backend's save and load are the same code
	// from 3.2 to 5.2, and each run keeps two cores busy for about ten
	// seconds.
	versions := djangotest.Versions(t)
	for _, dj := range versions[len(versions)-1:] {
		t.Run(dj.Version, func(t *testing.T) {
			pg := servertest.Postgres(t)
			db := pool(t, pg.DSN)
			if err := postgres.MigrateSchema(ctx, db, pg.Schema, ""); err != nil {
				t.Fatal(err)
			}
			s, err := postgres.New(db, postgres.Config{Schema: pg.Schema, Codec: codec(t, nil)})
			if err != nil {
				t.Fatal(err)
			}
			settings := map[string]any{
				"SESSION_ENGINE": "django.contrib.sessions.backends.db",
				"DATABASES":      map[string]any{"default": djangoDatabase(pg)},
			}
			djangorace.Run(t, dj, settings, s)
		})
	}
}
