package mysql

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-sql-driver/mysql"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/internal/sqlstore"
)

// Migrate creates the session table (default "django_session" when table
// is empty) and its index as Django's migration sessions.0001_initial does
// on MySQL and MariaDB, unless they exist, in the connection's database.
// It does not record the migration in django_migrations: a Django project
// that later migrates the same database should run "manage.py migrate
// --fake-initial" (or "migrate sessions 0001 --fake"). MySQL commits DDL
// at once, so a failure may leave the table without its index; running
// Migrate again completes it.
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
	fail := func(err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("%s: migrate: %w (%w)", engine.Name, cerr, err)
		}
		return fmt.Errorf("%s: migrate: %w: %w", engine.Name, djangosess.ErrUnavailable, err)
	}
	if _, err := db.ExecContext(ctx, stmts[0].SQL(true)); err != nil {
		return fail(err)
	}
	tableName := stmts[0].Name
	for _, s := range stmts[1:] {
		// MySQL has no CREATE INDEX IF NOT EXISTS (MariaDB has): look first.
		var n int
		err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.statistics
			WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ?`, tableName, s.Name).Scan(&n)
		if err != nil {
			return fail(err)
		}
		if n > 0 {
			continue
		}
		if _, err := db.ExecContext(ctx, s.SQL(false)); err != nil && !isDuplicateKeyName(err) {
			return fail(err)
		}
	}
	return nil
}

// MigrateSQL returns the statements of Django's migration
// sessions.0001_initial for a session model in table ("" for
// "django_session"), as "manage.py sqlmigrate" prints them for MySQL,
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

// isDuplicateKeyName reports ER_DUP_KEYNAME: another Migrate made the
// index meanwhile.
func isDuplicateKeyName(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1061
}
