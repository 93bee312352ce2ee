package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/djangosess/files"
	"github.com/djangosess/djangosess/djangosess/postgres"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/internal/servertest"
	"github.com/djangosess/djangosess/serializer"
)

// logins is how many sessions log in at once.
const logins = 1000

// loginUsers is how many users they log in as (each from many sessions,
// as one user on many devices).
const loginUsers = 5

// shared is one real store that Go and a Django oracle share: Django's
// users (created by Django) and its session engine on the same server.
type shared struct {
	store  djangosess.Store
	oracle *djangotest.Oracle
}

// settings is the oracle's --settings: the session engine and
// DATABASES (where auth_user lives), with a fast password hasher (the
// session hash is an HMAC of whatever the password field holds).
func settings(t *testing.T, s map[string]any) string {
	t.Helper()
	s["PASSWORD_HASHERS"] = []string{"django.contrib.auth.hashers.MD5PasswordHasher"}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return "--settings=" + string(b)
}

func sqliteDatabases(t *testing.T) map[string]any {
	return map[string]any{"default": map[string]any{"ENGINE": "django.db.backends.sqlite3",
		"NAME": filepath.Join(t.TempDir(), "db.sqlite3")}}
}

func newestDjango(t *testing.T) djangotest.Django {
	t.Helper()
	vs := djangotest.Versions(t)
	return vs[len(vs)-1]
}

func goCodec(t *testing.T) *djangosess.Codec {
	t.Helper()
	c, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte(secret)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sharedStores are the stores the login tests run on: PostgreSQL (db
// engine, a private schema), Redis (cache engine on django-redis, a
// private key prefix) and files (a private directory).
var sharedStores = []struct {
	name string
	open func(t *testing.T) shared
}{
	{"postgres", func(t *testing.T) shared {
		pg := servertest.Postgres(t)
		o := newestDjango(t).Start(t, "--secret-key="+secret, settings(t, map[string]any{
			"SESSION_ENGINE": "django.contrib.sessions.backends.db",
			"DATABASES": map[string]any{"default": map[string]any{
				"ENGINE": "django.db.backends.postgresql", "NAME": pg.Database, "USER": pg.User,
				"PASSWORD": pg.Password, "HOST": pg.Host, "PORT": pg.Port,
				"OPTIONS": map[string]any{"options": "-c search_path=" + pg.Schema},
			}},
		}))
		pool, err := pgxpool.New(ctx, pg.DSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		st, err := postgres.New(pool, postgres.Config{Schema: pg.Schema, Codec: goCodec(t)})
		if err != nil {
			t.Fatal(err)
		}
		return shared{st, o}
	}},
	{"redis", func(t *testing.T) shared {
		c := redistest.Local(t)
		prefix := redistest.Prefix(t, c)
		o := newestDjango(t).Start(t, "--secret-key="+secret, settings(t, map[string]any{
			"SESSION_ENGINE": "django.contrib.sessions.backends.cache",
			"CACHES": map[string]any{"default": map[string]any{
				"BACKEND":  "django_redis.cache.RedisCache",
				"LOCATION": "redis://" + redistest.Addr() + "/0", "KEY_PREFIX": prefix,
			}},
			"DATABASES": sqliteDatabases(t),
		}))
		st, err := redis.New(c, redis.Config{KeyPrefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		return shared{st, o}
	}},
	{"files", func(t *testing.T) shared {
		dir := t.TempDir()
		o := newestDjango(t).Start(t, "--secret-key="+secret, settings(t, map[string]any{
			"SESSION_ENGINE":    "django.contrib.sessions.backends.file",
			"SESSION_FILE_PATH": dir,
			"DATABASES":         sqliteDatabases(t),
		}))
		st, err := files.New(files.Config{Dir: dir, Codec: goCodec(t)})
		if err != nil {
			t.Fatal(err)
		}
		return shared{st, o}
	}},
}

// djangoUsers migrates and has Django create n users; it returns them
// with the session hash Django's get_session_auth_hash gives each.
func djangoUsers(t *testing.T, o *djangotest.Oracle, n int) ([]auth.User, []string) {
	t.Helper()
	do(t, o, map[string]any{"op": "call_command", "value": []string{"migrate", "--verbosity", "0"}})
	users := make([]auth.User, n)
	hashes := make([]string, n)
	for i := range users {
		id := str(t, do(t, o, map[string]any{"op": "auth_create_user", "data": fmt.Sprintf("user%d", i),
			"params": map[string]any{"password": fmt.Sprintf("password-%d", i)}}))
		pw := str(t, do(t, o, map[string]any{"op": "auth_user_password", "data": id}))
		users[i] = auth.User{ID: id, Password: pw, Active: true}
		hashes[i] = str(t, do(t, o, map[string]any{"op": "auth_hash", "data": pw}))
	}
	return users, hashes
}

func usersFunc(users []auth.User) auth.UsersFunc {
	return func(_ context.Context, id string) (auth.User, error) {
		for _, u := range users {
			if u.ID == id {
				return u, nil
			}
		}
		return auth.User{}, auth.ErrNoUser
	}
}

// TestConcurrentLogins: a thousand fresh sessions log in at once, each
// saved by its own goroutine. Every login gets its own key, none is lost
// or overwritten, and each session holds its own data and the auth keys
// Django's login writes, which Django's get_user accepts.
func TestConcurrentLogins(t *testing.T) {
	for _, tc := range sharedStores {
		t.Run(tc.name, func(t *testing.T) {
			sh := tc.open(t)
			users, hashes := djangoUsers(t, sh.oracle, loginUsers)
			a, err := auth.New(auth.Config{SecretKey: []byte(secret), Users: usersFunc(users)})
			if err != nil {
				t.Fatal(err)
			}

			keys := make([]string, logins)
			errs := make([]error, logins)
			var start, wg sync.WaitGroup
			start.Add(1)
			for i := range logins {
				wg.Go(func() {
					start.Wait()
					s := djangosess.NewSession(ctx, sh.store, "", djangosess.SessionConfig{})
					s.Set("n", serializer.Int(i))
					if errs[i] = a.Login(ctx, s, users[i%loginUsers], ""); errs[i] == nil {
						errs[i] = s.Save(ctx)
					}
					keys[i] = s.Key()
				})
			}
			start.Done()
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("logins failed: %v", err)
			}

			// 1000 distinct keys, and exactly those in the store.
			index := map[string]int{}
			for i, k := range keys {
				if j, dup := index[k]; dup {
					t.Fatalf("logins %d and %d got the same key %q", j, i, k)
				}
				index[k] = i
			}
			stored := 0
			for k, err := range sh.store.Keys(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := index[k]; !ok {
					t.Errorf("the store holds %q, which no login returned", k)
				}
				stored++
			}
			if stored != logins {
				t.Errorf("the store holds %d sessions, want %d", stored, logins)
			}

			// Each session loads back as its own login wrote it.
			for i, k := range keys {
				u := users[i%loginUsers]
				rec, err := sh.store.Load(ctx, k)
				if err != nil {
					t.Fatalf("login %d: %v", i, err)
				}
				want := fmt.Sprintf("[n _auth_user_id _auth_user_backend _auth_user_hash] %d %s %s %s",
					i, u.ID, auth.ModelBackend, hashes[i%loginUsers])
				n, _ := rec.Data.Int64("n")
				id, _ := rec.Data.String(auth.SessionKey)
				backend, _ := rec.Data.String(auth.BackendSessionKey)
				hash, _ := rec.Data.String(auth.HashSessionKey)
				if got := fmt.Sprintf("%v %d %s %s %s", rec.Data.Keys(), n, id, backend, hash); got != want {
					t.Errorf("login %d loads as %s\nwant %s", i, got, want)
				}
			}

			// Django's get_user sees every one of them logged in as
			// the right user, with the right data.
			reqs := make([]map[string]any, logins)
			for i, k := range keys {
				reqs[i] = map[string]any{"op": "auth_get_user", "data": k}
			}
			for i, ans := range sh.oracle.Do(t, reqs...) {
				if !ans.OK {
					t.Fatalf("Django get_user of login %d: %s: %s", i, ans.Error, ans.Message)
				}
				d := ans.Tagged(t).(*serializer.Dict)
				user, _ := d.String("user")
				key, _ := d.String("key")
				data, _ := d.GetStr("data")
				n, _ := data.(*serializer.Dict).Int64("n")
				if user != users[i%loginUsers].ID || key != keys[i] || n != int64(i) {
					t.Errorf("Django get_user of login %d: user %q, key %s, n %d; want %s, %s, %d",
						i, user, key, n, users[i%loginUsers].ID, keys[i], i)
				}
			}
		})
	}
}

// TestLoginCyclesKey: login on a session that already has a key moves it
// to a new key and deletes the old one (against session fixation), as
// Django's login does: an anonymous session keeps its data; one logged in
// as someone else is flushed. The result is compared with Django's own
// login of an identical session.
func TestLoginCyclesKey(t *testing.T) {
	for _, tc := range sharedStores {
		t.Run(tc.name, func(t *testing.T) {
			sh := tc.open(t)
			users, _ := djangoUsers(t, sh.oracle, 2)
			a, err := auth.New(auth.Config{SecretKey: []byte(secret), Users: usersFunc(users)})
			if err != nil {
				t.Fatal(err)
			}
			for _, before := range []struct {
				name string
				as   string // logged in as this user before, or ""
			}{{"anonymous", ""}, {"other-user", users[1].ID}, {"same-user", users[0].ID}} {
				t.Run(before.name, func(t *testing.T) {
					// Two identical sessions made by Django: one for Go's
					// login, one for Django's.
					var fixed [2]string
					for j := range fixed {
						fixed[j] = str(t, do(t, sh.oracle, map[string]any{"op": "store_create",
							"value": json.RawMessage(`{"cart": [7]}`)}))
						if before.as != "" {
							fixed[j] = str(t, do(t, sh.oracle, map[string]any{"op": "auth_login", "data": fixed[j],
								"params": map[string]any{"user_id": before.as}}))
						}
					}

					s := djangosess.NewSession(ctx, sh.store, fixed[0], djangosess.SessionConfig{})
					if err := a.Login(ctx, s, users[0], ""); err != nil {
						t.Fatal(err)
					}
					if err := s.Save(ctx); err != nil {
						t.Fatal(err)
					}
					djangoKey := str(t, do(t, sh.oracle, map[string]any{"op": "auth_login", "data": fixed[1],
						"params": map[string]any{"user_id": users[0].ID}}))

					// Django keeps the key only when the session is
					// already logged in as the same user (same hash).
					cycles := before.as != users[0].ID
					if (djangoKey != fixed[1]) != cycles {
						t.Fatalf("Django's login: %s -> %s; the test expected cycling=%v", fixed[1], djangoKey, cycles)
					}
					if (s.Key() != fixed[0]) != cycles {
						t.Fatalf("Go's login: %s -> %s; Django's cycling=%v", fixed[0], s.Key(), cycles)
					}
					if cycles {
						if _, err := sh.store.Load(ctx, fixed[0]); !errors.Is(err, djangosess.ErrNotFound) {
							t.Errorf("the key before Go's login still loads (err %v)", err)
						}
						for j, k := range fixed {
							ans := do(t, sh.oracle, map[string]any{"op": "store_load", "data": k}).(*serializer.Dict)
							if found, _ := ans.Bool("found"); found {
								t.Errorf("Django still loads the key before login %d", j)
							}
						}
					}
					if got, k := djangoUser(t, sh.oracle, s.Key()); got != users[0].ID || k != s.Key() {
						t.Errorf("Django get_user after Go's login: %q under %s", got, k)
					}
					goData := do(t, sh.oracle, map[string]any{"op": "store_load", "data": s.Key()}).(*serializer.Dict)
					djData := do(t, sh.oracle, map[string]any{"op": "store_load", "data": djangoKey}).(*serializer.Dict)
					g, _ := goData.GetStr("data")
					d, _ := djData.GetStr("data")
					if fmt.Sprint(g) != fmt.Sprint(d) {
						t.Errorf("after login, Go's session holds %v\nDjango's holds %v", g, d)
					}
				})
			}
		})
	}
}
