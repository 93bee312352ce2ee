package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
)

// TestCopyVerifyStatsResign: the demo database Django made is copied to a
// new SQLite database under a new key; copy resumes, verify agrees,
// Django reads the copy with the new key alone; stats and resign see the
// sessions that still depend on the old key.
func TestCopyVerifyStatsResign(t *testing.T) {
	vars := demoVars(t)
	dir := t.TempDir()
	newKeyFile := filepath.Join(dir, "new_key")
	const newKey = "copy-test-new-secret-key-0123456789-abcdefghijklmnopq"
	if err := os.WriteFile(newKeyFile, []byte(newKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target.sqlite3")
	to := []string{"--to-database-url", "sqlite:///" + target}

	if r := runCLI(t, vars, "", "copy"); r.code != 2 || !strings.Contains(r.stderr, "name the target") {
		t.Errorf("copy without a target: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, vars, "", append([]string{"copy", "--on-unencodable", "maybe"}, to...)...); r.code != 2 {
		t.Errorf("bad policy: %d %q", r.code, r.stderr)
	}
	r := runCLI(t, vars, "", append([]string{"copy", "--dry-run", "--migrate", "--new-secret-key-file", newKeyFile}, to...)...)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "would copy 3, overwritten 0, skipped 0 (already there), expired 1") {
		t.Fatalf("dry run: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, vars, "", append([]string{"copy", "--migrate", "--new-secret-key-file", newKeyFile, "--to-serializer", "json", "--on-unencodable", "fail"}, to...)...)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "copied 3, overwritten 0, skipped 0 (already there), expired 1, failed 0\n") ||
		!strings.Contains(r.stderr, "copy: 4 sessions: copied 3") {
		t.Fatalf("copy: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, vars, "", append([]string{"copy", "--new-secret-key-file", newKeyFile}, to...)...)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "copied 0, overwritten 0, skipped 3 (already there)") {
		t.Errorf("second copy: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	withTo := map[string]string{"TO_DJANGO_SECRET_KEY": newKey}
	for k, v := range vars {
		withTo[k] = v
	}
	r = runCLI(t, withTo, "", append([]string{"verify"}, to...)...)
	if r.code != 0 || r.stdout != "compared 3 sessions: 3 identical\n" {
		t.Errorf("verify: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The wrong key on the target: every session fails to load there.
	r = runCLI(t, vars, "", append([]string{"verify"}, to...)...)
	if r.code != 1 || !strings.Contains(r.stdout, "load failed 3") || strings.Contains(r.stdout, demoAlice) || !strings.Contains(r.stdout, demoAlice[:8]) {
		t.Errorf("verify with the wrong key: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Django reads the copy with the new key and no fallback.
	vs := djangotest.Versions(t)
	dj := vs[len(vs)-1]
	settings, _ := json.Marshal(map[string]any{
		"SESSION_ENGINE": "django.contrib.sessions.backends.db",
		"DATABASES":      map[string]any{"default": map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": target}},
	})
	o := dj.Start(t, "--settings="+string(settings), "--secret-key="+newKey, "--no-fallbacks")
	for _, k := range []string{demoAlice, demoBob, demoAnon} {
		a := o.Do(t, map[string]any{"op": "store_load", "data": k})[0]
		res, _ := a.Tagged(t).(*serializer.Dict)
		found, _ := res.Bool("found")
		got, _ := res.Dict("data")
		want := runCLI(t, vars, "", "get", k)
		w, err := serializer.UnmarshalTagged([]byte(strings.TrimSpace(want.stdout)))
		if !found || err != nil || !serializer.Equal(got, w) {
			t.Errorf("Django on the copy: found %v, %v, want %s", found, got, want.stdout)
		}
	}

	// The source under the new key, the demo key as a fallback.
	demoKey := vars[envSecretKey]
	rot := map[string]string{envSecretKey: newKey, envFallbackKeys: demoKey, "DATABASE_URL": vars["DATABASE_URL"]}
	r = runCLI(t, rot, "", "stats")
	if r.code != 0 || !strings.Contains(r.stdout, "fallback    3 sessions") || !strings.Contains(r.stdout, "users       2 logged in over 2 sessions") ||
		!strings.Contains(r.stdout, "keys        4 (live 3, expired 1, failing 0)") {
		t.Errorf("stats: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, rot, "", "stats", "--json")
	var st struct{ Live, Fallback int64 }
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || st.Live != 3 || st.Fallback != 3 {
		t.Errorf("stats --json: %v %s", err, r.stdout)
	}
	r = runCLI(t, rot, "", "resign")
	if r.code != 0 || !strings.Contains(r.stdout, "re-signed 3 (by a fallback key 3, in an old format 0), already current 0, expired 1") ||
		!strings.Contains(r.stdout, demoBob[:8]+"…\tfallback key 1") || strings.Contains(r.stdout, demoBob) {
		t.Errorf("resign: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, map[string]string{envSecretKey: newKey, "DATABASE_URL": vars["DATABASE_URL"]}, "", "stats")
	if r.code != 0 || !strings.Contains(r.stdout, "fallback    0 sessions") || !strings.Contains(r.stdout, "live 3") {
		t.Errorf("stats after resign, without the old key: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
