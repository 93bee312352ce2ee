package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/djangosess/transfer"
	"github.com/djangosess/djangosess/internal/redistest"
)

// doctorJSON runs doctor --json and decodes its report.
func doctorJSON(t *testing.T, vars map[string]string, args ...string) (doctorReport, result) {
	t.Helper()
	r := runCLI(t, vars, "", append([]string{"doctor", "--json"}, args...)...)
	var rep doctorReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor --json: %v\nstdout %q\nstderr %q", err, r.stdout, r.stderr)
	}
	return rep, r
}

func TestDoctorDemo(t *testing.T) {
	vars := demoVars(t)
	r := runCLI(t, vars, "", "doctor")
	if r.code != 1 {
		t.Fatalf("doctor on the demo: exit %d (want 1: warnings)\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The demo's key is 27 characters; its expired session is from 2020.
	for _, want := range []string{
		"WARN  secret-key         SECRET_KEY fails Django's check (security.W009): it is shorter than 50 characters. Fix: ",
		"OK    session-serializer sessions are serialized with JSON\n",
		"OK    expire-date-index  django_session.expire_date is indexed, as Django's migration makes it\n",
		"WARN  expired-sessions   1 of 4 sessions have expired, the oldest ",
		"(2020-01-01 00:00 UTC): nothing has cleared them for more than 7 days. Fix: Delete expired sessions on a schedule",
		"doctor: db engine: 4 findings, warnings 2, errors 0\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout+r.stderr, vars[envSecretKey]) {
		t.Fatal("doctor printed the secret key")
	}
	if r.stderr != "" {
		t.Errorf("stderr %q", r.stderr)
	}

	// After clearsessions, with a key Django's check accepts: all clear.
	if c := runCLI(t, vars, "", "clear-expired"); c.code != 0 || c.stdout != "1\n" {
		t.Fatalf("clear-expired: %+v", c)
	}
	strong := map[string]string{envSecretKey: strings.Repeat("k7#Qz", 10), "DATABASE_URL": vars["DATABASE_URL"]}
	rep, r := doctorJSON(t, strong)
	if r.code != 0 || rep.Engine != "db" || rep.Warnings != 0 || rep.Errors != 0 || len(rep.Findings) != 4 {
		t.Fatalf("doctor after clear-expired: exit %d %+v", r.code, rep)
	}
	for _, f := range rep.Findings {
		if f.Severity != transfer.SeverityOK {
			t.Errorf("finding %+v", f)
		}
	}
	if strings.Contains(r.stdout, strong[envSecretKey][:10]) {
		t.Fatal("doctor printed the secret key")
	}
}

func TestDoctorFileEngine(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"SESSION_ENGINE": "file", "SESSION_FILE_PATH": dir}
	// Without a key the key is not checked: an INFO, exit 0.
	r := runCLI(t, vars, "", "doctor")
	if r.code != 0 || !strings.Contains(r.stdout, "INFO  secret-key         no SECRET_KEY given") ||
		!strings.Contains(r.stdout, "OK    file-permissions   SESSION_FILE_PATH "+dir+" (mode 0700)") {
		t.Fatalf("doctor: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	rep, r := doctorJSON(t, vars, "--max-files", "10")
	if r.code != 1 || rep.Warnings != 1 || rep.Engine != "file" {
		t.Fatalf("listable directory: exit %d %+v", r.code, rep)
	}
	// A missing directory is an error.
	rep, r = doctorJSON(t, vars, "--file-path", filepath.Join(dir, "absent"))
	if r.code != 1 || rep.Errors != 1 {
		t.Fatalf("missing directory: exit %d %+v", r.code, rep)
	}
}

// TestDoctorCacheEngine reads the shared server's configuration (CONFIG
// GET only; it is never changed): whatever it is, both Redis checks
// report, and the exit status follows their severities.
func TestDoctorCacheEngine(t *testing.T) {
	redistest.Local(t)
	rep, r := doctorJSON(t, nil, "--engine", "cache", "--cache-url", "redis://"+redistest.Addr()+"/0")
	seen := map[string]bool{}
	for _, f := range rep.Findings {
		seen[f.Check] = true
	}
	if !seen[transfer.CheckRedisPersistence] || !seen[transfer.CheckRedisEviction] || seen[transfer.CheckStore] {
		t.Fatalf("findings %+v", rep.Findings)
	}
	want := 0
	if rep.Warnings+rep.Errors > 0 {
		want = 1
	}
	if r.code != want {
		t.Fatalf("exit %d with %d warnings and %d errors", r.code, rep.Warnings, rep.Errors)
	}
}

func TestDoctorUsage(t *testing.T) {
	for _, args := range [][]string{
		{"doctor", "extra"},
		{"doctor", "--engine", "memcached"},
		{"doctor", "--secret-key-file", filepath.Join(t.TempDir(), "absent")},
		{"doctor", "--cookie-age", "-1"},
		{"doctor", "--session-serializer", "yaml"},
	} {
		if r := runCLI(t, nil, "", args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, r.code, r.stderr)
		}
	}
	if r := runCLI(t, nil, "", "doctor", "-h"); r.code != 0 || !strings.Contains(r.stderr, "security.W009") {
		t.Errorf("doctor -h: %d %s", r.code, r.stderr)
	}
}
