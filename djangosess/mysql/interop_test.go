package mysql_test

import (
	"context"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/internal/sqlstore/interoptest"
	"github.com/djangosess/djangosess/djangosess/mysql"
	"github.com/djangosess/djangosess/internal/servertest"
)

// Real Django and the Go store on one MariaDB/MySQL database.
func TestDjangoInterop(t *testing.T) {
	interoptest.Run(t, interoptest.Engine{
		Name: "mysql",
		Place: func(t *testing.T) interoptest.Place {
			my := servertest.MySQL(t)
			db := open(t, my.DSN)
			return interoptest.Place{
				Django:  djangoDatabase(my),
				Migrate: func(ctx context.Context) error { return mysql.Migrate(ctx, db, "") },
				Store: func(t *testing.T, codec *djangosess.Codec, loc *time.Location) djangosess.Store {
					s, err := mysql.New(db, mysql.Config{Codec: codec, Location: loc})
					if err != nil {
						t.Fatal(err)
					}
					return s
				},
				RawExpiry: func(t *testing.T, key string) string {
					t.Helper()
					var text string
					err := db.QueryRow("SELECT CAST(expire_date AS CHAR) FROM django_session WHERE session_key = ?", key).Scan(&text)
					if err != nil {
						t.Fatal(err)
					}
					return text
				},
			}
		},
	})
}

func djangoDatabase(my servertest.My) map[string]any {
	return map[string]any{"ENGINE": "django.db.backends.mysql", "NAME": my.Database, "USER": my.User,
		"PASSWORD": my.Password, "HOST": my.Host, "PORT": my.Port}
}
