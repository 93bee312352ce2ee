package redis_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// The store for a Django project with
//
//	SESSION_ENGINE = "django.contrib.sessions.backends.cache"
//	CACHES = {"default": {
//	    "BACKEND": "django_redis.cache.RedisCache",
//	    "LOCATION": "redis://127.0.0.1:6379/0",
//	    "KEY_PREFIX": "shop",
//	    "OPTIONS": {"COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor"},
//	}}
//
// New does not talk to Redis.
func ExampleNew() {
	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:6379"})
	defer client.Close()
	store, err := redis.New(client, redis.Config{
		Value:     cachevalue.Codec{Client: cachevalue.DjangoRedis, Compressor: "zlib"},
		KeyPrefix: "shop",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(store.RedisKey("abcdefghijklmnopqrstuvwxyz012345"))
	// Output:
	// shop:1:django.contrib.sessions.cacheabcdefghijklmnopqrstuvwxyz012345
}

// Reading the session of a request's cookie, on a Redis Cluster with
// Django's own RedisCache format (Django 4.0+).
func ExampleStore_Load() {
	client := goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: []string{"10.0.0.1:6379", "10.0.0.2:6379"}})
	defer client.Close()
	store, err := redis.New(client, redis.Config{Value: cachevalue.Codec{Client: cachevalue.Django}})
	if err != nil {
		log.Fatal(err)
	}
	r, err := store.Load(context.TODO(), "cookie value of sessionid")
	switch {
	case errors.Is(err, djangosess.ErrNotFound):
		fmt.Println("no session: log in again")
	case err != nil:
		log.Fatal(err)
	default:
		uid, _ := r.Data.String("_auth_user_id")
		fmt.Println("user", uid, "until", r.Expiry)
	}
}
