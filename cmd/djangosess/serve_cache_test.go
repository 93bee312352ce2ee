package main

import (
	"context"
	"database/sql"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// TestServeUserCache: a password changed in the user table logs alice's
// session out at once by default (coalesced lookups or not), as Django
// does; with --user-cache the cached lookup keeps answering 200 until it
// expires (an hour here).
func TestServeUserCache(t *testing.T) {
	for _, tc := range []struct{ cache, coalesce string }{{"0", "true"}, {"0", "false"}, {"1h", "true"}} {
		cache := tc.cache
		vars := demoVars(t)
		ctx, cancel := context.WithCancel(context.Background())
		var out, errb syncBuffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--user-cache", cache, "--coalesce=" + tc.coalesce}, e)
		}()
		addr := waitListening(t, &errb, done)
		status := func() int {
			t.Helper()
			req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
			req.Header.Set("Cookie", "sessionid="+demoAlice)
			resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if got := status(); got != http.StatusOK {
			t.Fatalf("--user-cache %s: alice before the change: %d", cache, got)
		}
		db, err := sqlite.Open(strings.TrimPrefix(vars["DATABASE_URL"], "sqlite:///"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE auth_user SET password = 'pbkdf2_sha256$1$changed$x' WHERE id = 1`); err != nil {
			t.Fatal(err)
		}
		closeDB(t, db)
		want := http.StatusUnauthorized
		if cache != "0" {
			want = http.StatusOK
		}
		if got := status(); got != want {
			t.Errorf("--user-cache %s: alice after the password change: %d, want %d", cache, got, want)
		}
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	}
	if r := runCLI(t, demoVars(t), "", "serve", "--user-cache", "-1s"); r.code != exitUsage {
		t.Errorf("--user-cache -1s: exit %d", r.code)
	}
}

func closeDB(t *testing.T, db *sql.DB) {
	t.Helper()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// waitListening waits for serve's "listening" log line and returns its
// address.
func waitListening(t *testing.T, errb *syncBuffer, done <-chan int) string {
	t.Helper()
	addrRe := regexp.MustCompile(`"addr":"([^"]+)"`)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := addrRe.FindStringSubmatch(errb.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d before listening: %s", code, errb.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen within 30s: %s", errb.String())
		}
	}
}
