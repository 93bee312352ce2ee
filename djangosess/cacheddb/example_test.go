package cacheddb_test

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/cacheddb"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// SESSION_ENGINE = "django.contrib.sessions.backends.cached_db" with the
// default database on SQLite and the default cache on django-redis.
func ExampleNew() {
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte("django-insecure-example-key")})
	if err != nil {
		panic(err)
	}
	conn, err := sqlite.Open("db.sqlite3")
	if err != nil {
		panic(err)
	}
	db, err := sqlite.New(conn, sqlite.Config{Codec: codec})
	if err != nil {
		panic(err)
	}
	cache, err := redis.New(goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379"}), redis.Config{CachedDB: true})
	if err != nil {
		panic(err)
	}
	store, err := cacheddb.New(cacheddb.Config{DB: db, Cache: cache})
	if err != nil {
		panic(err)
	}
	r, err := store.Load(context.Background(), "9vrgtn74d7ae0lh1ign1ey65wrpzel66")
	fmt.Println(r.Data, err)
}
