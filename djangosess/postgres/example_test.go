package postgres_test

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/postgres"
)

// Reading the session of a Django request: the key is the sessionid cookie.
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "postgres://django@db.example/app")
	if err != nil {
		panic(err)
	}
	defer pool.Close()
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte("the Django SECRET_KEY")})
	if err != nil {
		panic(err)
	}
	store, err := postgres.New(pool, postgres.Config{Codec: codec})
	if err != nil {
		panic(err)
	}
	r, err := store.Load(ctx, "sessionid cookie value")
	if err != nil {
		panic(err) // djangosess.ErrNotFound: no such session, or expired
	}
	uid, _ := r.Data.String("_auth_user_id")
	fmt.Println("user", uid, "until", r.Expiry)
}

// The statements Django's "manage.py sqlmigrate sessions 0001" prints on
// PostgreSQL.
func ExampleMigrateSQL() {
	stmts, err := postgres.MigrateSQL("", "")
	if err != nil {
		panic(err)
	}
	for _, s := range stmts {
		fmt.Println(s + ";")
	}
	// Output:
	// CREATE TABLE "django_session" ("session_key" varchar(40) NOT NULL PRIMARY KEY, "session_data" text NOT NULL, "expire_date" timestamp with time zone NOT NULL);
	// CREATE INDEX "django_session_session_key_c0390e0f_like" ON "django_session" ("session_key" varchar_pattern_ops);
	// CREATE INDEX "django_session_expire_date_a5c62663" ON "django_session" ("expire_date");
}
