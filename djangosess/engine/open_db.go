package engine

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/postgres"
	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// DefaultDatabaseURL is Django's default database: db.sqlite3 in the
// current directory.
const DefaultDatabaseURL = "sqlite:///db.sqlite3"

// openDB opens the db engine's store and Migrate.
func openDB(ctx context.Context, s Settings, o *Opened) error {
	st, migrate, err := dbStore(ctx, s, o)
	if err != nil {
		return err
	}
	o.Store, o.Migrate = st, migrate
	return nil
}

func dbStore(ctx context.Context, s Settings, o *Opened) (djangosess.Store, func(context.Context) error, error) {
	u := s.DatabaseURL
	if u == "" {
		u = DefaultDatabaseURL
	}
	db, err := ParseDatabaseURL(u)
	if err != nil {
		return nil, nil, err
	}
	codec, err := s.codec()
	if err != nil {
		return nil, nil, err
	}
	loc, err := s.location()
	if err != nil {
		return nil, nil, err
	}
	table := s.Table
	if table == "" {
		table = "django_session"
	}
	switch db.Engine {
	case "sqlite":
		conn, err := sqlite.Open(db.DSN)
		if err != nil {
			return nil, nil, err
		}
		o.closers = append(o.closers, conn.Close)
		st, err := sqlite.New(conn, sqlite.Config{Table: table, Codec: codec, CookieAge: s.CookieAge, Location: loc, Now: s.Now, Prepare: true})
		if err != nil {
			return nil, nil, err
		}
		o.closers = append(o.closers, st.Close)
		return st, func(ctx context.Context) error { return sqlite.Migrate(ctx, conn, table) }, nil
	case "postgres":
		cfg, err := pgxpool.ParseConfig(db.DSN)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: DATABASE_URL is not a PostgreSQL URL pgx reads", djangosess.ErrConfig)
		}
		cfg.MaxConnIdleTime = time.Minute
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", djangosess.ErrUnavailable, err)
		}
		o.closers = append(o.closers, func() error { pool.Close(); return nil })
		st, err := postgres.New(pool, postgres.Config{Table: table, Codec: codec, CookieAge: s.CookieAge, Location: loc, Now: s.Now,
			ConnExecMode: pgExecModeChosen(db.DSN)})
		if err != nil {
			return nil, nil, err
		}
		return st, func(ctx context.Context) error { return postgres.Migrate(ctx, pool, table) }, nil
	case "mysql":
		return openMySQL(db.DSN, table, codec, loc, s, o)
	}
	return nil, nil, fmt.Errorf("%w: unknown database engine %q", djangosess.ErrConfig, db.Engine)
}

// pgExecModeChosen reports whether a PostgreSQL URL names pgx's
// default_query_exec_mode (cache_statement, say): the stores and user
// lookups then use it. Otherwise every statement goes as
// pgx.QueryExecModeExec, which any PgBouncer accepts.
func pgExecModeChosen(dsn string) bool {
	u, err := url.Parse(dsn)
	return err == nil && u.Query().Has("default_query_exec_mode")
}
