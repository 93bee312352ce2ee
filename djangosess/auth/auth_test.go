package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/djangosess/sqlite"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
)

const (
	secret    = "test-secret-key-0123456789"
	oldSecret = "old-secret-key"
)

var ctx = context.Background()

// world is one Django project (a SQLite file with Django's own tables)
// and the Go side pointed at it.
type world struct {
	path  string
	store *sqlite.Store
	users auth.SQLUsers
}

func settingsFlag(path string) string {
	b, _ := json.Marshal(map[string]any{
		"SESSION_ENGINE": "django.contrib.sessions.backends.db",
		"DATABASES":      map[string]any{"default": map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": path}},
	})
	return "--settings=" + string(b)
}

func newWorld(t *testing.T, o *djangotest.Oracle, path string, goSecret string, goFallbacks ...string) *world {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cfg := djangosess.CodecConfig{SecretKey: []byte(goSecret)}
	for _, f := range goFallbacks {
		cfg.FallbackKeys = append(cfg.FallbackKeys, []byte(f))
	}
	codec, err := djangosess.NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.New(db, sqlite.Config{Codec: codec})
	if err != nil {
		t.Fatal(err)
	}
	return &world{path: path, store: st, users: auth.SQLUsers{DB: db}}
}

func do(t *testing.T, o *djangotest.Oracle, req map[string]any) serializer.Value {
	t.Helper()
	a := o.Do(t, req)[0]
	if !a.OK {
		t.Fatalf("Django %v: %s: %s", req["op"], a.Error, a.Message)
	}
	return a.Tagged(t)
}

func str(t *testing.T, v serializer.Value) string {
	t.Helper()
	s, ok := v.(serializer.Str)
	if !ok {
		t.Fatalf("want a str, got %v", v)
	}
	return string(s)
}

// djangoUser is get_user's answer: the user id ("" for anonymous) and the
// session key after.
func djangoUser(t *testing.T, o *djangotest.Oracle, key string) (string, string) {
	t.Helper()
	d := do(t, o, map[string]any{"op": "auth_get_user", "data": key}).(*serializer.Dict)
	u, _ := d.String("user")
	k, _ := d.String("key")
	return u, k
}

func newAuth(t *testing.T, w *world, cfg auth.Config) *auth.Auth {
	t.Helper()
	if cfg.SecretKey == nil {
		cfg.SecretKey = []byte(secret)
	}
	cfg.Users = w.users
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestSharedLogin(t *testing.T) {
	for _, dj := range djangotest.Versions(t) {
		t.Run(dj.Version, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db.sqlite3")
			o := dj.Start(t, settingsFlag(path), "--secret-key="+secret)
			do(t, o, map[string]any{"op": "call_command", "value": []string{"migrate", "--verbosity", "0"}})
			w := newWorld(t, o, path, secret)
			a := newAuth(t, w, auth.Config{})
			alice := str(t, do(t, o, map[string]any{"op": "auth_create_user", "data": "alice", "params": map[string]any{"password": "pw1"}}))
			bob := str(t, do(t, o, map[string]any{"op": "auth_create_user", "data": "bob", "params": map[string]any{"password": "pw2"}}))

			// Django logs alice in; Go sees her.
			key := str(t, do(t, o, map[string]any{"op": "auth_login", "data": "", "params": map[string]any{"user_id": alice}}))
			s := djangosess.NewSession(ctx, w.store, key, djangosess.SessionConfig{})
			u, err := a.GetUser(ctx, s)
			if err != nil || u == nil || u.ID != alice {
				t.Fatalf("Go GetUser of Django's login = %+v, %v; want user %s", u, err, alice)
			}

			// Go logs bob in on a fresh session; Django sees him.
			bobPassword := str(t, do(t, o, map[string]any{"op": "auth_user_password", "data": bob}))
			s2 := djangosess.NewSession(ctx, w.store, "", djangosess.SessionConfig{})
			s2.Set("cart", serializer.List{serializer.Int(1)})
			if err := a.Login(ctx, s2, auth.User{ID: bob, Password: bobPassword, Active: true}, ""); err != nil {
				t.Fatal(err)
			}
			if err := s2.Save(ctx); err != nil {
				t.Fatal(err)
			}
			if got, k := djangoUser(t, o, s2.Key()); got != bob || k != s2.Key() {
				t.Errorf("Django get_user of Go's login = %q (key %s), want %s", got, k, bob)
			}
			if keys := s2.Keys(); fmt.Sprint(keys) != "[cart _auth_user_id _auth_user_backend _auth_user_hash]" {
				t.Errorf("key order after Login: %v (Django appends id, backend, hash)", keys)
			}

			// Django changes alice's password: both sides log her out,
			// and Go flushes the session as Django would.
			do(t, o, map[string]any{"op": "auth_set_password", "data": alice, "params": map[string]any{"password": "new"}})
			s = djangosess.NewSession(ctx, w.store, key, djangosess.SessionConfig{})
			if u, err := a.GetUser(ctx, s); err != nil || u != nil {
				t.Errorf("GetUser after a password change = %+v, %v; want anonymous", u, err)
			}
			if _, err := w.store.Load(ctx, key); !errors.Is(err, djangosess.ErrNotFound) {
				t.Errorf("the stale session was not flushed: %v", err)
			}
			if got, _ := djangoUser(t, o, key); got != "" {
				t.Errorf("Django still sees %q", got)
			}

			// Go logs bob out; Django agrees.
			s2 = djangosess.NewSession(ctx, w.store, s2.Key(), djangosess.SessionConfig{})
			old := s2.Key()
			if err := a.Logout(ctx, s2); err != nil {
				t.Fatal(err)
			}
			if got, _ := djangoUser(t, o, old); got != "" {
				t.Errorf("Django sees %q after Go's logout", got)
			}
		})
	}
}

// TestFallbackKeyRotation: after SECRET_KEY rotation (old key in
// SECRET_KEY_FALLBACKS, Django 4.1.8+), a session logged in under the old
// key stays logged in: Go cycles its key and rewrites the hash as Django
// does, and Django then reads the result.
func TestFallbackKeyRotation(t *testing.T) {
	for _, dj := range djangotest.Versions(t) {
		if djangotest.Series(dj.Version) == "3.2" {
			continue // no SECRET_KEY_FALLBACKS
		}
		t.Run(dj.Version, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "db.sqlite3")
			before := dj.Start(t, settingsFlag(path), "--secret-key="+oldSecret, "--no-fallbacks")
			do(t, before, map[string]any{"op": "call_command", "value": []string{"migrate", "--verbosity", "0"}})
			alice := str(t, do(t, before, map[string]any{"op": "auth_create_user", "data": "alice"}))
			key := str(t, do(t, before, map[string]any{"op": "auth_login", "data": "", "params": map[string]any{"user_id": alice}}))

			w := newWorld(t, before, path, secret, oldSecret)
			a := newAuth(t, w, auth.Config{FallbackKeys: [][]byte{[]byte(oldSecret)}})
			s := djangosess.NewSession(ctx, w.store, key, djangosess.SessionConfig{})
			u, err := a.GetUser(ctx, s)
			if err != nil || u == nil || u.ID != alice {
				t.Fatalf("GetUser under the fallback key = %+v, %v", u, err)
			}
			if s.Key() == key {
				t.Error("the session key was not cycled")
			}
			if err := s.Save(ctx); err != nil {
				t.Fatal(err)
			}
			after := dj.Start(t, settingsFlag(path), "--secret-key="+secret, "--fallback-key="+oldSecret)
			if got, k := djangoUser(t, after, s.Key()); got != alice || k != s.Key() {
				t.Errorf("Django after rotation sees %q under %s", got, k)
			}
			// Without the fallback, the old hash is a mismatch: flushed.
			strict := newAuth(t, w, auth.Config{})
			key2 := str(t, do(t, before, map[string]any{"op": "auth_login", "data": "", "params": map[string]any{"user_id": alice}}))
			s2 := djangosess.NewSession(ctx, w.store, key2, djangosess.SessionConfig{})
			if u, err := strict.GetUser(ctx, s2); u != nil || err != nil {
				t.Errorf("GetUser without fallbacks = %+v, %v", u, err)
			}
		})
	}
}

// TestLegacySHA1Hash: Django 3.2 with DEFAULT_HASHING_ALGORITHM='sha1'
// writes 40-hex hashes, which Go accepts while 3.2 is in range.
func TestLegacySHA1Hash(t *testing.T) {
	for _, dj := range djangotest.Versions(t) {
		if djangotest.Series(dj.Version) != "3.2" {
			continue
		}
		path := filepath.Join(t.TempDir(), "db.sqlite3")
		o := dj.Start(t, settingsFlag(path), "--secret-key="+secret, "--hashing-algorithm=sha1")
		do(t, o, map[string]any{"op": "call_command", "value": []string{"migrate", "--verbosity", "0"}})
		alice := str(t, do(t, o, map[string]any{"op": "auth_create_user", "data": "alice"}))
		key := str(t, do(t, o, map[string]any{"op": "auth_login", "data": "", "params": map[string]any{"user_id": alice}}))
		w := newWorld(t, o, path, secret)
		s := djangosess.NewSession(ctx, w.store, key, djangosess.SessionConfig{})
		if h, _ := s.String(auth.HashSessionKey); len(h) != 40 {
			t.Fatalf("Django 3.2/sha1 wrote hash %q", h)
		}
		if u, err := newAuth(t, w, auth.Config{}).GetUser(ctx, s); err != nil || u == nil {
			t.Errorf("GetUser of a sha1 hash = %+v, %v", u, err)
		}
		s = djangosess.NewSession(ctx, w.store, key, djangosess.SessionConfig{})
		strict := newAuth(t, w, auth.Config{Accept: djangosess.Strict(djangosess.Version{Major: 4, Minor: 2})})
		if u, _ := strict.GetUser(ctx, s); u != nil {
			t.Error("Django 4.2 rules accepted a sha1 session hash")
		}
	}
}
