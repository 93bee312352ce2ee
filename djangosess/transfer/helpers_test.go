package transfer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/internal/servertest"
	"github.com/djangosess/djangosess/serializer"
)

var ctx = context.Background()

const (
	oldKey = "transfer-old-secret-key-0123456789-abcdefghijklmnop"
	newKey = "transfer-new-secret-key-9876543210-qrstuvwxyzabcdef"
)

// open opens the store s describes and closes it when the test ends.
func open(t *testing.T, s engine.Settings) djangosess.Store {
	t.Helper()
	o, err := engine.Open(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	if o.Migrate != nil {
		if err := o.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return o.Store
}

func fileStore(t *testing.T, dir, ser, key string, fallbacks ...string) djangosess.Store {
	return open(t, engine.Settings{Engine: "file", FilePath: dir, Serializer: ser, SecretKey: []byte(key), FallbackKeys: bytesList(fallbacks)})
}

func sqliteSettings(path, ser, key string, fallbacks ...string) engine.Settings {
	return engine.Settings{DatabaseURL: "sqlite:///" + path, Serializer: ser, SecretKey: []byte(key), FallbackKeys: bytesList(fallbacks)}
}

func pgStore(t *testing.T, ser, key string) djangosess.Store {
	pg := servertest.Postgres(t)
	return open(t, engine.Settings{DatabaseURL: pg.DSN, Serializer: ser, SecretKey: []byte(key)})
}

func redisLocal(t *testing.T) djangosess.Store {
	c := redistest.Local(t)
	return open(t, engine.Settings{Engine: "cache", CacheURL: "redis://" + redistest.Addr() + "/0", CacheKeyPrefix: redistest.Prefix(t, c)})
}

func bytesList(ss []string) [][]byte {
	var out [][]byte
	for _, s := range ss {
		out = append(out, []byte(s))
	}
	return out
}

func tagged(t *testing.T, v serializer.Value) json.RawMessage {
	t.Helper()
	b, err := serializer.MarshalTagged(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// session is the i-th test session: a login, a cart, unicode, nesting;
// with rich, a datetime and a set that JSON cannot hold.
func session(i int, rich bool) *serializer.Dict {
	d := serializer.NewDict(0)
	if i%3 == 0 {
		d.SetStr("_auth_user_id", serializer.Str(fmt.Sprint(i%40)))
		d.SetStr("_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"))
		d.SetStr("_auth_user_hash", serializer.Str(strings.Repeat("ab", 32)))
	}
	d.SetStr("cart", serializer.List{serializer.Int(int64(i)), serializer.Int(7), serializer.Float(1.5)})
	d.SetStr("name", serializer.Str(fmt.Sprintf("ünï-%d ☃", i)))
	d.SetStr("nested", serializer.DictOf("a", serializer.List{serializer.Bool(true), serializer.None{}}, "b", serializer.Str("x")))
	if rich {
		d.SetStr("when", serializer.DateTimeOf(time.Date(2024, 5, 6, 7, 8, 9, 123000, time.UTC)))
		d.SetStr("tags", serializer.Set{serializer.Int(1), serializer.Int(2)})
	}
	return d
}

// djangoWrite has Django (3.2, with the given flags) create n sessions in
// a session directory, and returns their keys.
func djangoWrite(t *testing.T, dj djangotest.Django, dir string, n, offset int, rich bool, flags ...string) []string {
	t.Helper()
	settings, _ := json.Marshal(map[string]any{"SESSION_ENGINE": "django.contrib.sessions.backends.file", "SESSION_FILE_PATH": dir})
	o := dj.Start(t, append([]string{"--settings=" + string(settings), "--secret-key=" + oldKey}, flags...)...)
	var reqs []map[string]any
	for i := range n {
		r := map[string]any{"op": "store_create", "value": tagged(t, session(offset+i, rich))}
		if i%4 == 1 {
			r["params"] = map[string]any{"set_expiry": 3600 + i}
		}
		reqs = append(reqs, r)
	}
	var keys []string
	for _, a := range o.Do(t, reqs...) {
		if !a.OK {
			t.Fatalf("store_create: %s %s", a.Error, a.Message)
		}
		var k string
		if err := json.Unmarshal(a.Value, &k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	return keys
}

// djangoLoad has Django load keys from the SQLite database at path.
func djangoLoad(t *testing.T, dj djangotest.Django, path, key string, keys []string, flags ...string) []*serializer.Dict {
	t.Helper()
	settings, _ := json.Marshal(map[string]any{
		"SESSION_ENGINE": "django.contrib.sessions.backends.db",
		"DATABASES":      map[string]any{"default": map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": path}},
	})
	o := dj.Start(t, append([]string{"--settings=" + string(settings), "--secret-key=" + key, "--serializer=json"}, flags...)...)
	var reqs []map[string]any
	for _, k := range keys {
		reqs = append(reqs, map[string]any{"op": "store_load", "data": k})
	}
	var out []*serializer.Dict
	for i, a := range o.Do(t, reqs...) {
		if !a.OK {
			t.Fatalf("store_load: %s %s", a.Error, a.Message)
		}
		res, _ := a.Tagged(t).(*serializer.Dict)
		found, _ := res.Bool("found")
		data, _ := res.Dict("data")
		if !found {
			t.Errorf("Django did not find session %d on the target", i)
		}
		out = append(out, data)
	}
	return out
}

func newestDjango(t *testing.T) djangotest.Django {
	vs := djangotest.Versions(t)
	return vs[len(vs)-1]
}

func system32(t *testing.T) djangotest.Django {
	for _, v := range djangotest.Versions(t) {
		if djangotest.Series(v.Version) == "3.2" {
			return v
		}
	}
	djangotest.Missing(t, "Django 3.2 not found")
	return djangotest.Django{}
}

func sqlitePath(t *testing.T) string { return filepath.Join(t.TempDir(), "db.sqlite3") }
