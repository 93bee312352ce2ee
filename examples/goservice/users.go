package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// users reads and touches Django's auth_user table.
type users struct {
	db *sql.DB
	// byID is what auth.Auth asks: the user behind _auth_user_id.
	byID    auth.SQLUsers
	dialect string
}

// openUsers connects to the database at databaseURL (Django's
// DATABASES["default"]).
func openUsers(databaseURL string) (*users, error) {
	if databaseURL == "" {
		databaseURL = engine.DefaultDatabaseURL
	}
	d, err := engine.ParseDatabaseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	var db *sql.DB
	switch d.Engine {
	case "postgres":
		cfg, err := pgx.ParseConfig(d.DSN)
		if err != nil {
			return nil, fmt.Errorf("%w: DATABASE_URL is not a PostgreSQL URL pgx reads", djangosess.ErrConfig)
		}
		db = stdlib.OpenDB(*cfg)
		// database/sql keeps 2 idle connections by default: under
		// concurrent requests every other query would open a new
		// PostgreSQL backend. Keep as many as the requests use.
		db.SetMaxOpenConns(4 * runtime.GOMAXPROCS(0))
		db.SetMaxIdleConns(4 * runtime.GOMAXPROCS(0))
		db.SetConnMaxIdleTime(5 * time.Minute)
	case "sqlite":
		if db, err = sqlite.Open(d.DSN); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: this example speaks PostgreSQL and SQLite, not %s", djangosess.ErrConfig, d.Engine)
	}
	return &users{db: db, byID: auth.SQLUsers{DB: db, Dialect: d.Engine}, dialect: d.Engine}, nil
}

func (u *users) Close() error { return u.db.Close() }

// param is the n-th query parameter marker of the dialect.
func (u *users) param(n int) string {
	if u.dialect == "postgres" {
		return fmt.Sprintf("$%d", n)
	}
	return "?"
}

// byUsername returns the user named username, or auth.ErrNoUser.
func (u *users) byUsername(ctx context.Context, username string) (auth.User, error) {
	var out auth.User
	q := `SELECT id, password, is_active FROM auth_user WHERE username = ` + u.param(1)
	err := u.db.QueryRowContext(ctx, q, username).Scan(&out.ID, &out.Password, &out.Active)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return auth.User{}, auth.ErrNoUser
	case err != nil:
		return auth.User{}, fmt.Errorf("%w: reading the user: %w", djangosess.ErrUnavailable, err)
	}
	return out, nil
}

// touchLogin sets last_login, as Django's user_logged_in receiver does.
func (u *users) touchLogin(ctx context.Context, id string, now time.Time) error {
	pk, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return auth.ErrNoUser
	}
	var at any = now.UTC()
	if u.dialect == "sqlite" {
		at = now.UTC().Format("2006-01-02 15:04:05.000000") // as Django's sqlite3 backend writes it
	}
	q := `UPDATE auth_user SET last_login = ` + u.param(1) + ` WHERE id = ` + u.param(2)
	if _, err := u.db.ExecContext(ctx, q, at, pk); err != nil {
		return fmt.Errorf("%w: updating last_login: %w", djangosess.ErrUnavailable, err)
	}
	return nil
}
