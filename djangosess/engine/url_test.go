package engine

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
)

func TestParseDatabaseURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Database
	}{
		{"sqlite:///db.sqlite3", Database{"sqlite", "db.sqlite3"}},
		{"sqlite:////var/lib/app/db.sqlite3", Database{"sqlite", "/var/lib/app/db.sqlite3"}},
		{"sqlite://:memory:", Database{"sqlite", ":memory:"}},
		{"sqlite://", Database{"sqlite", ":memory:"}},
		{"postgres://u:p@127.0.0.1:5432/test?sslmode=disable", Database{"postgres", "postgres://u:p@127.0.0.1:5432/test?sslmode=disable"}},
		{"postgresql://127.0.0.1/test", Database{"postgres", "postgres://127.0.0.1/test"}},
		{"pgsql://127.0.0.1/test", Database{"postgres", "postgres://127.0.0.1/test"}},
		{"mysql://root:secret@127.0.0.1:3306/app", Database{"mysql", "root:secret@tcp(127.0.0.1:3306)/app"}},
		{"mysql://root@db/app?charset=utf8mb4", Database{"mysql", "root@tcp(db:3306)/app?charset=utf8mb4"}},
		{"mariadb://root@[::1]:3307/app", Database{"mysql", "root@tcp([::1]:3307)/app"}},
	} {
		got, err := ParseDatabaseURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDatabaseURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "db.sqlite3", "oracle://x/y", "sqlite://relative", "postgres://u:hunter2@%zz/db"} {
		_, err := ParseDatabaseURL(in)
		if !errors.Is(err, djangosess.ErrConfig) {
			t.Errorf("ParseDatabaseURL(%q) = %v, want ErrConfig", in, err)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error repeats the password: %v", err)
		}
	}
}

func TestParseCacheURL(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want CacheLocation
	}{
		{"redis://127.0.0.1:6379/1", CacheLocation{Mode: "single", Network: "tcp", Addrs: []string{"127.0.0.1:6379"}, DB: 1}},
		{"redis://localhost", CacheLocation{Mode: "single", Network: "tcp", Addrs: []string{"localhost:6379"}}},
		{"redis://[::1]:6380/0", CacheLocation{Mode: "single", Network: "tcp", Addrs: []string{"[::1]:6380"}}},
		{"redis://[::1]", CacheLocation{Mode: "single", Network: "tcp", Addrs: []string{"[::1]:6379"}}},
		{"rediss://:pw@cache:6380?db=2", CacheLocation{Mode: "single", Network: "tcp", Addrs: []string{"cache:6380"}, Password: "pw", DB: 2, TLS: true}},
		{"redis://user:p%40ss@h:1/0", CacheLocation{Mode: "single", Network: "tcp", Addrs: []string{"h:1"}, Username: "user", Password: "p@ss"}},
		{"unix:///run/redis.sock?db=3", CacheLocation{Mode: "single", Network: "unix", Addrs: []string{"/run/redis.sock"}, DB: 3}},
		{"redis+cluster://127.0.0.1:7001,127.0.0.1:7002", CacheLocation{Mode: "cluster", Network: "tcp", Addrs: []string{"127.0.0.1:7001", "127.0.0.1:7002"}}},
		{"redis+sentinel://:pw@s1:26379,s2:26379/mymaster/4", CacheLocation{Mode: "sentinel", Network: "tcp", Addrs: []string{"s1:26379", "s2:26379"}, Password: "pw", MasterName: "mymaster", DB: 4}},
	} {
		got, err := ParseCacheURL(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseCacheURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"", "memcached://x", "redis://a:1,b:2", "redis+sentinel://s:1", "redis+cluster://a:1/0", "redis://h/x", "redis+foo://h", "redis://:hunter2@h/-1",
		"redis://:hunter2@[::1/0", "redis://h:0/0", "redis://h:99999", "redis://h:port/0", "redis://[]:6379", "redis+cluster://a:1,[b"} {
		_, err := ParseCacheURL(in)
		if !errors.Is(err, djangosess.ErrConfig) {
			t.Errorf("ParseCacheURL(%q) = %v, want ErrConfig", in, err)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error repeats the password: %v", err)
		}
	}
}
