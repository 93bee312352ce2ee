package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/internal/sqlstore"
)

// Migrate creates the session table (default "django_session" when table
// is empty) and its indexes as Django's migration sessions.0001_initial
// does on PostgreSQL, in the search_path's first schema, unless they
// exist. It does not record the migration in django_migrations: a
// Django project that later migrates the same database should run
// "manage.py migrate --fake-initial" (or "migrate sessions 0001 --fake").
func Migrate(ctx context.Context, db DB, table string) error {
	return MigrateSchema(ctx, db, "", table)
}

// MigrateSchema is Migrate in schema ("" meaning the search_path's).
func MigrateSchema(ctx context.Context, db DB, schema, table string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: migrate: %w", engine.Name, err)
	}
	if db == nil {
		return fmt.Errorf("%s: migrate: %w: no database", engine.Name, djangosess.ErrConfig)
	}
	stmts, err := ddl(schema, table)
	if err != nil {
		return err
	}
	sqls := make([]string, len(stmts))
	for i, s := range stmts {
		sqls[i] = s.SQL(true)
	}
	// One simple-protocol message: PostgreSQL runs it as one transaction.
	if _, err := db.Exec(ctx, strings.Join(sqls, "; "), pgx.QueryExecModeSimpleProtocol); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("%s: migrate: %w (%w)", engine.Name, cerr, err)
		}
		return fmt.Errorf("%s: migrate: %w: %w", engine.Name, djangosess.ErrUnavailable, err)
	}
	return nil
}

// MigrateSQL returns the statements of Django's migration
// sessions.0001_initial for a session model in schema.table (both may be
// empty: the search_path's schema, "django_session"), as "manage.py
// sqlmigrate" prints them for PostgreSQL, without the semicolons. Migrate
// runs them with IF NOT EXISTS.
func MigrateSQL(schema, table string) ([]string, error) {
	stmts, err := ddl(schema, table)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(stmts))
	for i, s := range stmts {
		out[i] = s.SQL(false)
	}
	return out, nil
}

func ddl(schema, table string) ([]sqlstore.Statement, error) {
	q, err := engine.Qualified(schema, table)
	if err != nil {
		return nil, err
	}
	if table == "" {
		table = sqlstore.DefaultTable
	}
	return engine.DDL(table, q), nil
}
