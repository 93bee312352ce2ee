package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/djangosess/djangosess/djangosess"
)

// RowQuerier is the part of *sql.DB (or *sql.Conn, *sql.Tx) SQLUsers uses.
type RowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// SQLUsers reads users from Django's user table through database/sql.
type SQLUsers struct {
	// DB runs the query.
	DB RowQuerier
	// Table is the user model's table (default "auth_user").
	Table string
	// IDColumn, PasswordColumn and ActiveColumn name the columns
	// (defaults "id", "password", "is_active"); ActiveColumn "-" means the
	// model has no is_active (every user is active, as Django's getattr
	// default).
	IDColumn, PasswordColumn, ActiveColumn string
	// StringKeys is set for primary keys that are not integers (UUIDs,
	// usernames): the id is then passed as text. Integer keys are parsed,
	// and a session id that is not an integer is no user (Django's
	// to_python would raise a ValidationError there).
	StringKeys bool
	// Dialect is "sqlite" (the default), "postgres" or "mysql": it picks
	// the parameter marker and the identifier quotes.
	Dialect string
}

func (u SQLUsers) quote(s string) string {
	if u.Dialect == "mysql" {
		return "`" + strings.ReplaceAll(s, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// User implements Users.
func (u SQLUsers) User(ctx context.Context, id string) (User, error) {
	var arg any = id
	if !u.StringKeys {
		n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64)
		if err != nil {
			return User{}, ErrNoUser
		}
		arg = n
	}
	q := u.query()
	var out User
	var active sql.NullBool
	dest := []any{&out.ID, &out.Password, &active}
	if u.ActiveColumn == "-" {
		dest = dest[:2]
	}
	err := u.DB.QueryRowContext(ctx, q, arg).Scan(dest...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return User{}, ErrNoUser
	case err != nil:
		if ctx.Err() != nil {
			return User{}, err
		}
		return User{}, fmt.Errorf("%w: reading the user: %w", djangosess.ErrUnavailable, err)
	}
	out.Active = u.ActiveColumn == "-" || !active.Valid || active.Bool
	return out, nil
}

func (u SQLUsers) query() string {
	q := "SELECT " + u.quote(or(u.IDColumn, "id")) + ", " + u.quote(or(u.PasswordColumn, "password"))
	if u.ActiveColumn != "-" {
		q += ", " + u.quote(or(u.ActiveColumn, "is_active"))
	}
	param := "?"
	if u.Dialect == "postgres" {
		param = "$1"
	}
	return q + " FROM " + u.quote(or(u.Table, "auth_user")) + " WHERE " + u.quote(or(u.IDColumn, "id")) + " = " + param
}
