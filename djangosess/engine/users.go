package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// UserTable describes the user model's table (defaults: Django's
// auth_user with an integer id).
type UserTable struct {
	Table      string
	StringKeys bool
}

// OpenUsers returns the Users source for the user table in the database
// at databaseURL (empty: DefaultDatabaseURL), and its closer.
func OpenUsers(ctx context.Context, databaseURL string, t UserTable) (auth.Users, func() error, error) {
	if databaseURL == "" {
		databaseURL = DefaultDatabaseURL
	}
	db, err := ParseDatabaseURL(databaseURL)
	if err != nil {
		return nil, nil, err
	}
	switch db.Engine {
	case "sqlite":
		conn, err := sqlite.Open(db.DSN)
		if err != nil {
			return nil, nil, err
		}
		return auth.SQLUsers{DB: conn, Table: t.Table, StringKeys: t.StringKeys}, conn.Close, nil
	case "mysql":
		conn, err := openMySQLDB(db.DSN)
		if err != nil {
			return nil, nil, err
		}
		return auth.SQLUsers{DB: conn, Table: t.Table, StringKeys: t.StringKeys, Dialect: "mysql"}, conn.Close, nil
	case "postgres":
		pool, err := pgxpool.New(ctx, db.DSN)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", djangosess.ErrUnavailable, err)
		}
		table := t.Table
		if table == "" {
			table = "auth_user"
		}
		q := `SELECT id::text, password, is_active FROM ` + pgx.Identifier{table}.Sanitize() + ` WHERE id = $1`
		var mode []any // the URL's default_query_exec_mode, else pgx.QueryExecModeExec
		if !pgExecModeChosen(db.DSN) {
			mode = []any{pgx.QueryExecModeExec}
		}
		users := auth.UsersFunc(func(ctx context.Context, id string) (auth.User, error) {
			var arg any = id
			if !t.StringKeys {
				n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
				if err != nil {
					return auth.User{}, auth.ErrNoUser
				}
				arg = n
			}
			var u auth.User
			err := pool.QueryRow(ctx, q, append(mode[:len(mode):len(mode)], arg)...).Scan(&u.ID, &u.Password, &u.Active)
			switch {
			case errors.Is(err, pgx.ErrNoRows):
				return auth.User{}, auth.ErrNoUser
			case err != nil && ctx.Err() == nil:
				return auth.User{}, fmt.Errorf("%w: reading the user: %w", djangosess.ErrUnavailable, err)
			}
			return u, err
		})
		return users, func() error { pool.Close(); return nil }, nil
	}
	return nil, nil, fmt.Errorf("%w: unknown database engine %q", djangosess.ErrConfig, db.Engine)
}
