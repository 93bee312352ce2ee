package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/internal/sqlstore/interoptest"
	"github.com/djangosess/djangosess/djangosess/postgres"
	"github.com/djangosess/djangosess/internal/servertest"
)

// Real Django and the Go store on one PostgreSQL schema.
func TestDjangoInterop(t *testing.T) {
	interoptest.Run(t, interoptest.Engine{
		Name: "postgres",
		Place: func(t *testing.T) interoptest.Place {
			pg := servertest.Postgres(t)
			db := pool(t, pg.DSN)
			return interoptest.Place{
				Django: djangoDatabase(pg),
				Migrate: func(ctx context.Context) error {
					return postgres.MigrateSchema(ctx, db, pg.Schema, "")
				},
				Store: func(t *testing.T, codec *djangosess.Codec, loc *time.Location) djangosess.Store {
					s, err := postgres.New(db, postgres.Config{Schema: pg.Schema, Codec: codec, Location: loc})
					if err != nil {
						t.Fatal(err)
					}
					return s
				},
			}
		},
	})
}

// djangoDatabase is DATABASES["default"] for the schema.
func djangoDatabase(pg servertest.PG) map[string]any {
	return map[string]any{
		"ENGINE": "django.db.backends.postgresql", "NAME": pg.Database, "USER": pg.User,
		"PASSWORD": pg.Password, "HOST": pg.Host, "PORT": pg.Port,
		"OPTIONS": map[string]any{"options": "-c search_path=" + pg.Schema},
	}
}
