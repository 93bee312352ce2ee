package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/sqlite"
	"github.com/djangosess/djangosess/serializer"
)

// A store on a Django project's db.sqlite3: create a session as Django's
// SessionStore.create() would, and load it back.
func ExampleNew() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(filepath.Join(dir, "db.sqlite3"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	ctx := context.Background()
	// Django's "manage.py migrate" makes the table; for a Go-first
	// deployment Migrate makes the same one.
	if err := sqlite.Migrate(ctx, db, ""); err != nil {
		panic(err)
	}

	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte("django-insecure-example")})
	if err != nil {
		panic(err)
	}
	store, err := sqlite.New(db, sqlite.Config{Codec: codec})
	if err != nil {
		panic(err)
	}
	key, err := djangosess.CreateNew(ctx, store, djangosess.Record{
		Data: serializer.DictOf("_auth_user_id", serializer.Str("1")),
	})
	if err != nil {
		panic(err)
	}
	r, err := store.Load(ctx, key)
	if err != nil {
		panic(err)
	}
	uid, _ := r.Data.String("_auth_user_id")
	fmt.Println(uid, r.Stored.Serializer, time.Until(r.Expiry).Round(time.Hour))
	// Output: 1 json 336h0m0s
}

// The statements Django's "manage.py sqlmigrate sessions 0001" prints,
// for a custom session model's table.
func ExampleMigrateSQL() {
	stmts, err := sqlite.MigrateSQL("myapp_customsession")
	if err != nil {
		panic(err)
	}
	for _, s := range stmts {
		fmt.Println(s + ";")
	}
	// Output:
	// CREATE TABLE "myapp_customsession" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" datetime NOT NULL);
	// CREATE INDEX "myapp_customsession_expire_date_a781bc99" ON "myapp_customsession" ("expire_date");
}
