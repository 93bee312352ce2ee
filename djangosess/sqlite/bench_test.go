package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/internal/sqlstore/interoptest"
	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// BenchmarkLoad: Load through the store against bare database/sql running
// the same SELECT (with now as Django's text) and the same decode, on one
// session in a file opened by Open (Django's default journal mode),
// sequentially and from parallel goroutines; "plain" parses the statement
// each time, "prepared" is Config.Prepare against a prepared *sql.Stmt.
func BenchmarkLoad(b *testing.B) {
	db := open(b, filepath.Join(b.TempDir(), "db.sqlite3"))
	if err := sqlite.Migrate(ctx, db, ""); err != nil {
		b.Fatal(err)
	}
	c := codec(b, nil)
	const q = `SELECT "session_data", "expire_date" FROM "django_session" WHERE "session_key" = ? AND "expire_date" > ?`
	stmt, err := db.Prepare(q)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	for _, prepared := range []bool{false, true} {
		s, err := sqlite.New(db, sqlite.Config{Codec: c, Prepare: prepared})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		key, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: interoptest.BenchSession()})
		if err != nil {
			b.Fatal(err)
		}
		bare := func() error {
			var data string
			var exp any
			now := time.Now().UTC().Format("2006-01-02 15:04:05.000000")
			var row *sql.Row
			if prepared {
				row = stmt.QueryRowContext(ctx, key, now)
			} else {
				row = db.QueryRowContext(ctx, q, key, now)
			}
			if err := row.Scan(&data, &exp); err != nil {
				return err
			}
			_, err := c.DecodeInfo(data)
			return err
		}
		store := func() error {
			_, err := s.Load(ctx, key)
			return err
		}
		name := "plain"
		if prepared {
			name = "prepared"
		}
		benchPair(b, name, store, bare)
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
