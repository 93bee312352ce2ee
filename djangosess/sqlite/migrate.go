package sqlite

import (
	"context"
	"fmt"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/internal/sqlstore"
)

// Migrate creates the session table (default "django_session" when table
// is empty) and its index as Django's migration sessions.0001_initial does
// on SQLite, unless they exist. It does not record the migration in
// django_migrations: a Django project that later migrates the same
// database should run "manage.py migrate --fake-initial" (or "migrate
// sessions 0001 --fake").
func Migrate(ctx context.Context, db DB, table string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: migrate: %w", engine.Name, err)
	}
	if db == nil {
		return fmt.Errorf("%s: migrate: %w: no database", engine.Name, djangosess.ErrConfig)
	}
	stmts, err := ddl(table)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		// SQLite stores the statement without IF NOT EXISTS.
		if _, err := db.ExecContext(ctx, s.SQL(true)); err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return fmt.Errorf("%s: migrate: %w (%w)", engine.Name, cerr, err)
			}
			return fmt.Errorf("%s: migrate: %w: %w", engine.Name, djangosess.ErrUnavailable, err)
		}
	}
	return nil
}

// MigrateSQL returns the statements of Django's migration
// sessions.0001_initial for a session model in table ("" for
// "django_session"), as "manage.py sqlmigrate" prints them for SQLite,
// without the semicolons.
func MigrateSQL(table string) ([]string, error) {
	stmts, err := ddl(table)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = s.SQL(false)
	}
	return out, nil
}

func ddl(table string) ([]sqlstore.Statement, error) {
	q, err := engine.Qualified("", table)
	if err != nil {
		return nil, err
	}
	if table == "" {
		table = sqlstore.DefaultTable
	}
	return engine.DDL(table, q), nil
}
