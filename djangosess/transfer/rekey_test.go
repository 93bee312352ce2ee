package transfer_test

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/djangosess/sqlite"
	"github.com/djangosess/djangosess/djangosess/transfer"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
)

// TestResignRekeysSessionHash: users logged in by Django under the old
// key. Resign alone re-signs their sessions, but Django with the new key
// alone logs them out (the session hash is an HMAC under the old key);
// Resign with Auth also rewrites the hash, and Django with the new key
// alone sees every user still logged in.
func TestResignRekeysSessionHash(t *testing.T) {
	dj := newestDjango(t)
	for _, withAuth := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "db.sqlite3")
		settings, _ := json.Marshal(map[string]any{
			"SESSION_ENGINE": "django.contrib.sessions.backends.db",
			"DATABASES":      map[string]any{"default": map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": path}},
		})
		before := dj.Start(t, "--settings="+string(settings), "--secret-key="+oldKey, "--no-fallbacks")
		djangoDo(t, before, map[string]any{"op": "call_command", "value": []string{"migrate", "--verbosity", "0"}})
		var users, keys []string
		for _, name := range []string{"alice", "bob", "carol"} {
			id := djangoStr(t, djangoDo(t, before, map[string]any{"op": "auth_create_user", "data": name}))
			users = append(users, id)
			keys = append(keys, djangoStr(t, djangoDo(t, before, map[string]any{"op": "auth_login", "data": "", "params": map[string]any{"user_id": id}})))
		}

		s := open(t, sqliteSettings(path, "json", newKey, oldKey))
		opts := transfer.ResignOptions{}
		if withAuth {
			db, err := sqlite.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			a, err := auth.New(auth.Config{SecretKey: []byte(newKey), FallbackKeys: [][]byte{[]byte(oldKey)}, Users: auth.SQLUsers{DB: db}})
			if err != nil {
				t.Fatal(err)
			}
			opts.Auth = a
		}
		sum, err := transfer.Resign(ctx, s, opts)
		wantHashes := int64(0)
		if withAuth {
			wantHashes = 3
		}
		if err != nil || sum.Resigned != 3 || sum.Fallback != 3 || sum.Hashes != wantHashes {
			t.Fatalf("auth %v: resign %+v, %v", withAuth, sum, err)
		}
		after := dj.Start(t, "--settings="+string(settings), "--secret-key="+newKey, "--no-fallbacks")
		for i, k := range keys {
			res, _ := djangoDo(t, after, map[string]any{"op": "auth_get_user", "data": k}).(*serializer.Dict)
			got, _ := res.String("user")
			if withAuth && got != users[i] {
				t.Errorf("after resign with Auth, Django with the new key alone sees %q, want user %s", got, users[i])
			}
			if !withAuth && got != "" {
				t.Errorf("without Auth, Django with the new key alone still sees user %q: the test proves nothing", got)
			}
		}
		if again, err := transfer.Resign(ctx, s, opts); err != nil || again.Resigned != 0 || again.Hashes != 0 {
			t.Errorf("auth %v: second resign %+v, %v", withAuth, again, err)
		}
	}
}

func djangoDo(t *testing.T, o *djangotest.Oracle, req map[string]any) serializer.Value {
	t.Helper()
	a := o.Do(t, req)[0]
	if !a.OK {
		t.Fatalf("Django %v: %s: %s", req["op"], a.Error, a.Message)
	}
	return a.Tagged(t)
}

func djangoStr(t *testing.T, v serializer.Value) string {
	t.Helper()
	s, ok := v.(serializer.Str)
	if !ok {
		t.Fatalf("want a str, got %v", v)
	}
	return string(s)
}
