package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/djangotest"
)

// The demo database testdata/demo/db.sqlite3 was made by Django 5.2
// (testdata/gen_demo_db.py), which printed these keys.
const (
	demoAlice   = "9vrgtn74d7ae0lh1ign1ey65wrpzel66"
	demoBob     = "qvhobi7ga5sdtqroe19mlywucksz4q38"
	demoAnon    = "xh2cncjttfglr88r15pjxc9hizk53a68"
	demoExpired = "gkrolg11ydemkv4futl067ryt276wla4"
)

func demoVars(t *testing.T) map[string]string {
	t.Helper()
	key, err := os.ReadFile("../../testdata/demo/secret_key")
	if err != nil {
		t.Fatal(err)
	}
	// Work on a copy: the store commands must not touch the committed file.
	src, err := os.ReadFile("../../testdata/demo/db.sqlite3")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{envSecretKey: strings.TrimSpace(string(key)), "DATABASE_URL": "sqlite:///" + path}
}

func TestListDemo(t *testing.T) {
	vars := demoVars(t)
	r := runCLI(t, vars, "", "list", "--json", "--include-expired")
	if r.code != 0 {
		t.Fatalf("list: %d %s", r.code, r.stderr)
	}
	seen := map[string]listItem{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var it listItem
		if err := json.Unmarshal([]byte(line), &it); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		seen[it.Key] = it
	}
	if len(seen) != 4 || seen[demoAlice].UserID != "1" || seen[demoBob].UserID != "2" || seen[demoAnon].UserID != "" ||
		!seen[demoExpired].Expired || seen[demoAlice].Expiry != "2099-01-01T00:00:00Z" {
		t.Errorf("list = %+v", seen)
	}
	r = runCLI(t, vars, "", "list")
	if r.code != 0 || strings.Contains(r.stdout, demoExpired) || !strings.Contains(r.stdout, demoBob) {
		t.Errorf("list without expired: %d\n%s", r.code, r.stdout)
	}
	r = runCLI(t, vars, "", "get", demoAlice)
	if r.code != 0 || !strings.Contains(r.stdout, `"cart":[3,14,15],"_auth_user_id":"1"`) {
		t.Errorf("get: %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r = runCLI(t, vars, "", "get", demoExpired); r.code != 1 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("get expired: %d %q", r.code, r.stderr)
	}
	if r = runCLI(t, vars, "", "clear-expired"); r.code != 0 || r.stdout != "1\n" {
		t.Errorf("clear-expired: %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r = runCLI(t, vars, "", "list", "--include-expired", "--json"); strings.Count(r.stdout, "\n") != 3 {
		t.Errorf("after clear-expired: %q", r.stdout)
	}
}

// TestStoreCommandsWithDjango: sessions made by the CLI load in Django,
// and the other way round, on SQLite and in a session directory.
func TestStoreCommandsWithDjango(t *testing.T) {
	for _, dj := range djangotest.Versions(t) {
		for _, engine := range []string{"db", "file"} {
			t.Run(dj.Version+"/"+engine, func(t *testing.T) {
				dir := t.TempDir()
				vars := map[string]string{envSecretKey: secret, "SESSION_ENGINE": engine,
					"DATABASE_URL": "sqlite:///" + filepath.Join(dir, "db.sqlite3"), "SESSION_FILE_PATH": dir}
				settings := map[string]any{"SESSION_ENGINE": "django.contrib.sessions.backends." + engine, "SESSION_FILE_PATH": dir,
					"DATABASES": map[string]any{"default": map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": filepath.Join(dir, "db.sqlite3")}}}
				b, _ := json.Marshal(settings)
				o := dj.Start(t, "--settings="+string(b), "--secret-key="+secret)
				if engine == "db" {
					if r := runCLI(t, vars, "", "migrate"); r.code != 0 {
						t.Fatalf("migrate: %s", r.stderr)
					}
					if r := runCLI(t, vars, "", "migrate"); r.code != 0 {
						t.Fatalf("migrate again: %s", r.stderr)
					}
				}
				r := runCLI(t, vars, `{"cart":[1,2],"n":null}`, "new", "--expire-in", "600")
				if r.code != 0 {
					t.Fatalf("new: %s", r.stderr)
				}
				key := strings.TrimSpace(r.stdout)
				a := o.Do(t, map[string]any{"op": "store_load", "data": key})[0]
				if !a.OK || !strings.Contains(string(a.Value), `"found":true`) || !strings.Contains(string(a.Value), `"cart":[1,2]`) {
					t.Fatalf("Django store_load of the CLI's session: %s %s", a.Value, a.Message)
				}
				var got struct {
					ExpiryAge int `json:"expiry_age"`
				}
				json.Unmarshal(a.Value, &got)
				if got.ExpiryAge < 590 || got.ExpiryAge > 600 {
					t.Errorf("Django's expiry age of a --expire-in 600 session: %d", got.ExpiryAge)
				}

				a = o.Do(t, map[string]any{"op": "store_create", "value": json.RawMessage(`{"from":"django","k":` + strconv.Itoa(7) + `}`)})[0]
				var dkey string
				json.Unmarshal(a.Value, &dkey)
				if r := runCLI(t, vars, "", "get", dkey); r.code != 0 || r.stdout != `{"from":"django","k":7}`+"\n" {
					t.Errorf("get of Django's session: %d %q %s", r.code, r.stdout, r.stderr)
				}
				if r := runCLI(t, vars, `{"from":"go"}`, "set", dkey); r.code != 0 {
					t.Fatalf("set: %s", r.stderr)
				}
				a = o.Do(t, map[string]any{"op": "store_load", "data": dkey})[0]
				if !strings.Contains(string(a.Value), `"data":{"from":"go"}`) {
					t.Errorf("Django after set: %s", a.Value)
				}
				if r := runCLI(t, vars, "", "delete", dkey); r.code != 0 {
					t.Fatalf("delete: %s", r.stderr)
				}
				a = o.Do(t, map[string]any{"op": "store_load", "data": dkey})[0]
				if !strings.Contains(string(a.Value), `"found":false`) {
					t.Errorf("Django after delete: %s", a.Value)
				}
			})
		}
	}
}

func TestStoreUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		vars map[string]string
		args []string
		want string
	}{
		{withKey, []string{"get"}, "exactly one argument"},
		{withKey, []string{"list", "--engine", "nosuch"}, "SESSION_ENGINE"},
		{withKey, []string{"list", "--database-url", "oracle://x"}, "DATABASE_URL"},
		{map[string]string{}, []string{"get", "abcdefghij"}, "no secret key"},
		{withKey, []string{"set", "--engine", "signed_cookies", "abcdefghij"}, "no keys"},
		{withKey, []string{"new", "--expire-in", "soon", "--engine", "signed_cookies"}, "--expire-in"},
	} {
		r := runCLI(t, tc.vars, "", tc.args...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

func TestSignedCookiesCLI(t *testing.T) {
	r := runCLI(t, withKey, `{"a":1}`, "new", "--engine", "signed_cookies")
	if r.code != 0 {
		t.Fatal(r.stderr)
	}
	cookie := strings.TrimSpace(r.stdout)
	if r := runCLI(t, withKey, "", "get", "--engine", "signed_cookies", cookie); r.code != 0 || r.stdout != `{"a":1}`+"\n" {
		t.Errorf("get cookie: %d %q %s", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, withKey, "", "get", "--engine", "signed_cookies", cookie+"x"); r.code != 1 {
		t.Errorf("tampered cookie: exit %d", r.code)
	}
}
