package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/internal/sqlstore/interoptest"
	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// Real Django and the Go store on one SQLite file.
func TestDjangoInterop(t *testing.T) {
	interoptest.Run(t, interoptest.Engine{
		Name: "sqlite",
		Place: func(t *testing.T) interoptest.Place {
			path := filepath.Join(t.TempDir(), "db.sqlite3")
			db := open(t, path)
			return interoptest.Place{
				Django:  map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": path},
				Migrate: func(ctx context.Context) error { return sqlite.Migrate(ctx, db, "") },
				Store: func(t *testing.T, codec *djangosess.Codec, loc *time.Location) djangosess.Store {
					s, err := sqlite.New(db, sqlite.Config{Codec: codec, Location: loc})
					if err != nil {
						t.Fatal(err)
					}
					return s
				},
				RawExpiry: func(t *testing.T, key string) string { return rawExpiry(t, db, key) },
			}
		},
	})
}

// rawExpiry is the stored expire_date text; it must be text.
func rawExpiry(t *testing.T, db *sql.DB, key string) string {
	t.Helper()
	var typ, text string
	err := db.QueryRow(`SELECT typeof(expire_date), expire_date || '' FROM django_session WHERE session_key = ?`, key).Scan(&typ, &text)
	if err != nil {
		t.Fatal(err)
	}
	if typ != "text" {
		t.Errorf("expire_date is stored as %s", typ)
	}
	return text
}
