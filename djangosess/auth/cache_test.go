package auth_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// userTable is a SQLite database with a user table holding user 1, whose
// password is "pbkdf2_sha256$1$a$old".
func userTable(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "db.sqlite3"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		`CREATE TABLE auth_user (id integer PRIMARY KEY, password varchar(128) NOT NULL, is_active bool NOT NULL)`,
		`INSERT INTO auth_user VALUES (1, 'pbkdf2_sha256$1$a$old', 1)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// TestCachedUsers, over a real user table: answers are reused within the
// TTL (a password changed in the table is seen only after it), a missing
// user is cached as missing, and a failure (the table gone) is never
// cached.
func TestCachedUsers(t *testing.T) {
	ctx := context.Background()
	db := userTable(t)
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	c := &auth.CachedUsers{Users: auth.SQLUsers{DB: db}, TTL: time.Second, Now: func() time.Time { return now }}
	password := func() string {
		t.Helper()
		u, err := c.User(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		return u.Password
	}
	if p := password(); p != "pbkdf2_sha256$1$a$old" {
		t.Fatalf("first lookup: %q", p)
	}
	if _, err := db.ExecContext(ctx, `UPDATE auth_user SET password = 'pbkdf2_sha256$1$a$new' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	now = now.Add(999 * time.Millisecond)
	if p := password(); p != "pbkdf2_sha256$1$a$old" {
		t.Errorf("within the TTL: %q, want the cached answer", p)
	}
	now = now.Add(time.Millisecond)
	if p := password(); p != "pbkdf2_sha256$1$a$new" {
		t.Errorf("after the TTL: %q, want the table's", p)
	}
	if _, err := c.User(ctx, "2"); !errors.Is(err, auth.ErrNoUser) {
		t.Fatalf("missing user: %v", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO auth_user VALUES (2, 'x', 1)`); err != nil {
		t.Fatal(err)
	}
	if _, err := c.User(ctx, "2"); !errors.Is(err, auth.ErrNoUser) {
		t.Errorf("a missing user within the TTL: %v, want ErrNoUser (cached)", err)
	}
	// A failure is not an answer: with the table gone every lookup after
	// the TTL fails, and none is remembered.
	if _, err := db.ExecContext(ctx, `ALTER TABLE auth_user RENAME TO auth_user_gone`); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	for range 2 {
		if _, err := c.User(ctx, "1"); !errors.Is(err, djangosess.ErrUnavailable) {
			t.Errorf("with the table gone: %v, want ErrUnavailable", err)
		}
	}
	if _, err := db.ExecContext(ctx, `ALTER TABLE auth_user_gone RENAME TO auth_user`); err != nil {
		t.Fatal(err)
	}
	if p := password(); p != "pbkdf2_sha256$1$a$new" {
		t.Errorf("after the failure: %q", p)
	}
}
