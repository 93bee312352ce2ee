package postgres_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/internal/sqlstore/interoptest"
	"github.com/djangosess/djangosess/djangosess/postgres"
	"github.com/djangosess/djangosess/internal/servertest"
)

// BenchmarkLoad: Load through the store against the bare pgx pool running
// the same SELECT in the same query mode and the same decode, on one
// session, sequentially and from parallel goroutines. "exec" is the
// default, PgBouncer-safe pgx.QueryExecModeExec; "cached" is the pool's
// default mode (cached prepared statements: Config.ConnExecMode).
func BenchmarkLoad(b *testing.B) {
	pg := servertest.Postgres(b)
	db := pool(b, pg.DSN)
	if err := postgres.Migrate(ctx, db, ""); err != nil {
		b.Fatal(err)
	}
	c := codec(b, nil)
	const q = `SELECT "session_data", "expire_date" FROM "django_session" WHERE "session_key" = $1 AND "expire_date" > $2`
	for _, mode := range []struct {
		name string
		conn bool
		args []any
	}{
		{"exec", false, []any{pgx.QueryExecModeExec}},
		{"cached", true, nil},
	} {
		s, err := postgres.New(db, postgres.Config{Codec: c, ConnExecMode: mode.conn})
		if err != nil {
			b.Fatal(err)
		}
		key, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: interoptest.BenchSession()})
		if err != nil {
			b.Fatal(err)
		}
		bare := func() error {
			var data string
			var exp time.Time
			args := append(append([]any{}, mode.args...), key, time.Now())
			if err := db.QueryRow(ctx, q, args...).Scan(&data, &exp); err != nil {
				return err
			}
			_, err := c.DecodeInfo(data)
			return err
		}
		store := func() error {
			_, err := s.Load(ctx, key)
			return err
		}
		benchPair(b, mode.name, store, bare)
	}
}

// benchPair runs store and bare sequentially and in parallel.
func benchPair(b *testing.B, prefix string, store, bare func() error) {
	for _, f := range []struct {
		name string
		fn   func() error
	}{{"store", store}, {"bare", bare}} {
		b.Run(prefix+"/"+f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := f.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(prefix+"/"+f.name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(interoptest.BenchParallelism())
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := f.fn(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
