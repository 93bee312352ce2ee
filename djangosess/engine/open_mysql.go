package engine

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	_ "github.com/go-sql-driver/mysql" // registers "mysql"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/mysql"
)

func openMySQL(dsn, table string, codec *djangosess.Codec, loc *time.Location, s Settings, o *Opened) (djangosess.Store, func(context.Context) error, error) {
	conn, err := openMySQLDB(dsn)
	if err != nil {
		return nil, nil, err
	}
	o.closers = append(o.closers, conn.Close)
	st, err := mysql.New(conn, mysql.Config{Table: table, Codec: codec, CookieAge: s.CookieAge, Location: loc, Now: s.Now, Prepare: true})
	if err != nil {
		return nil, nil, err
	}
	o.closers = append(o.closers, st.Close)
	return st, func(ctx context.Context) error { return mysql.Migrate(ctx, conn, table) }, nil
}

// openMySQLDB opens a go-sql-driver DSN with the options Django's own
// connection has (found rows counted, utf8mb4), unless the URL set them.
func openMySQLDB(dsn string) (*sql.DB, error) {
	opts := map[string]string{"clientFoundRows": "true", "charset": "utf8mb4", "interpolateParams": "true"}
	base, query, _ := strings.Cut(dsn, "?")
	for _, kv := range strings.Split(query, "&") {
		k, _, _ := strings.Cut(kv, "=")
		delete(opts, k)
	}
	var extra []string
	for _, k := range []string{"clientFoundRows", "charset", "interpolateParams"} {
		if v, ok := opts[k]; ok {
			extra = append(extra, k+"="+v)
		}
	}
	if query != "" {
		extra = append([]string{query}, extra...)
	}
	if len(extra) > 0 {
		base += "?" + strings.Join(extra, "&")
	}
	db, err := sql.Open("mysql", base)
	if err != nil {
		return nil, fmt.Errorf("%w: DATABASE_URL is not a MySQL DSN the driver reads", djangosess.ErrConfig)
	}
	return db, nil
}
