package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/djangosess/transfer"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/internal/servertest"
)

// benchKeys is how many sessions "stats" counts in an engine's store.
func benchKeys(t *testing.T, vars map[string]string, engine string) int64 {
	t.Helper()
	r := runCLI(t, vars, "", "stats", "--json", "--engine", engine)
	var st transfer.StoreStats
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &st) != nil {
		t.Fatalf("stats --engine %s: %d %s%s", engine, r.code, r.stdout, r.stderr)
	}
	return st.Keys
}

// TestBench measures every engine the environment configures (SQLite, a
// session directory, the local Redis under a test prefix) next to a
// session of each store's that it must leave alone, and leaves nothing
// of its own behind.
func TestBench(t *testing.T) {
	dir := t.TempDir()
	files := filepath.Join(dir, "sessions")
	if err := os.Mkdir(files, 0o700); err != nil {
		t.Fatal(err)
	}
	rc := redistest.Local(t)
	prefix := redistest.Prefix(t, rc)
	vars := map[string]string{
		"DATABASE_URL": "sqlite:///" + filepath.Join(dir, "db.sqlite3"), "SESSION_FILE_PATH": files,
		"CACHE_URL": "redis://" + redistest.Addr() + "/0", "CACHE_KEY_PREFIX": prefix, envSecretKey: secret,
	}
	if r := runCLI(t, vars, "", "migrate"); r.code != 0 {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	bystanders := map[string]string{}
	for _, eng := range []string{"db", "file", "cache"} {
		r := runCLI(t, vars, `{"owner":"not the benchmark"}`, "new", "--engine", eng)
		if r.code != 0 {
			t.Fatalf("new --engine %s: %d %s", eng, r.code, r.stderr)
		}
		bystanders[eng] = strings.TrimSpace(r.stdout)
	}

	r := runCLI(t, vars, "", "bench", "--sessions", "10", "--concurrency", "2,1")
	if r.code != 0 {
		t.Fatalf("bench: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("\n%s", r.stdout)
	lines := strings.Split(r.stdout, "\n")
	var rows []string
	for _, l := range lines {
		if strings.Contains(l, "B ") && !strings.HasPrefix(l, " ") {
			rows = append(rows, l)
		}
	}
	labels := []string{"db (sqlite)", "file", "cache (redis)", "cached_db (sqlite+redis)", "signed_cookies"}
	if len(rows) != 2*len(labels) {
		t.Fatalf("%d table rows, want %d:\n%s", len(rows), 2*len(labels), r.stdout)
	}
	for i, row := range rows {
		f := strings.Fields(strings.TrimPrefix(row, labels[i/2]))
		conc := []string{"1", "2"}[i%2]
		if !strings.HasPrefix(row, labels[i/2]+" ") || len(f) != 11 || f[0] != conc || f[10] != "0" {
			t.Errorf("row %d: %q, want %s at concurrency %s, 11 columns, no failures", i, row, labels[i/2], conc)
		}
		if deletes := f[9]; (deletes == "-") != (labels[i/2] == "signed_cookies") {
			t.Errorf("row %d: deletes/s %q", i, deletes)
		}
	}
	for _, want := range []string{"choosing (at concurrency 2", "  loads: ", "  saves: ", "cached_db keeps sessions in the database", "signed_cookies stores nothing: the 291-byte session"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(r.stdout+r.stderr, secret) {
		t.Error("the output shows the secret key")
	}
	for eng, key := range bystanders {
		if n := benchKeys(t, vars, eng); n != 1 {
			t.Errorf("%s: %d sessions after the run, want the bystander's alone", eng, n)
		}
		if g := runCLI(t, vars, "", "get", "--engine", eng, key); g.code != 0 || g.stdout != `{"owner":"not the benchmark"}`+"\n" {
			t.Errorf("%s: bystander after the run: %d %q %s", eng, g.code, g.stdout, g.stderr)
		}
	}
	n := 0
	it := rc.Scan(context.Background(), 0, prefix+"*", 100).Iterator()
	for it.Next(context.Background()) {
		n++
	}
	if it.Err() != nil || n != 1 {
		t.Errorf("%d keys under the prefix (%v), want the bystander's alone", n, it.Err())
	}
}

// TestBenchPostgresJSON: --engine picks the engines, --json reports
// every measurement, and without a secret key a throwaway one signs.
func TestBenchPostgresJSON(t *testing.T) {
	pg := servertest.Postgres(t)
	vars := map[string]string{"DATABASE_URL": pg.DSN}
	r := runCLI(t, vars, "", "bench", "--engine", "signed_cookies,db", "--migrate", "--json", "--sessions", "20", "--concurrency", "2", "--size", "8192")
	if r.code != 0 {
		t.Fatalf("bench: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep benchReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Sessions != 20 || rep.CPUs < 1 || len(rep.Results) != 2 {
		t.Fatalf("report: %+v", rep)
	}
	for i, want := range []string{"db (postgres)", "signed_cookies"} {
		res := rep.Results[i]
		if res.Label != want || res.Error != "" || res.Concurrency != 2 || res.Create.Ops != 20 || res.Load.Ops != 20 ||
			res.Save.Ops != 20 || res.Load.P50 > res.Load.P99 || res.Size < 7000 {
			t.Errorf("result %d: %+v", i, res)
		}
	}
	if rep.Results[0].Delete.Ops != 20 || rep.Results[1].Delete.Ops != 0 {
		t.Errorf("deletes: %+v", rep.Results)
	}
	if n := benchKeys(t, map[string]string{"DATABASE_URL": pg.DSN, envSecretKey: secret}, "db"); n != 0 {
		t.Errorf("%d sessions left in PostgreSQL", n)
	}
}

// TestBenchFailingEngine: an engine that fails is reported and the
// others are still measured; exit status 1.
func TestBenchFailingEngine(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.sqlite3")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"DATABASE_URL": "sqlite:///" + garbage, "SESSION_FILE_PATH": dir}
	r := runCLI(t, vars, "", "bench", "--engine", "db,file", "--sessions", "5", "--concurrency", "1")
	if r.code != 1 || !strings.Contains(r.stdout, "db (sqlite)  failed: ") || !strings.Contains(r.stderr, "bench: db (sqlite): ") || !hasRow(r.stdout, "file") {
		t.Errorf("bench with a broken database: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Without --migrate the table is missing: a failure, not a crash.
	vars["DATABASE_URL"] = "sqlite:///" + filepath.Join(dir, "db.sqlite3")
	if r := runCLI(t, vars, "", "bench", "--engine", "db", "--sessions", "5"); r.code != 1 || !strings.Contains(r.stdout, "db (sqlite)  failed:") {
		t.Errorf("bench without a table: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// hasRow reports whether the table has a measured row for label.
func hasRow(out, label string) bool {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, label+" ") && !strings.Contains(l, "failed") {
			return true
		}
	}
	return false
}

func TestBenchUsage(t *testing.T) {
	db := map[string]string{"DATABASE_URL": "sqlite:///" + filepath.Join(t.TempDir(), "db.sqlite3")}
	for _, tc := range []struct {
		vars   map[string]string
		args   []string
		stderr string
	}{
		{nil, nil, "name the stores to measure"},
		{db, []string{"--concurrency", "0"}, "--concurrency"},
		{db, []string{"--concurrency", "1,x"}, "--concurrency"},
		{db, []string{"--sessions", "0"}, "--sessions"},
		{db, []string{"--size", "-1"}, "--size"},
		{db, []string{"--engine", "db,memcached"}, "SESSION_ENGINE"},
		{db, []string{"extra"}, "no arguments"},
	} {
		r := runCLI(t, tc.vars, "", append([]string{"bench"}, tc.args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, tc.stderr) || r.stdout != "" {
			t.Errorf("bench %v: %d %q %q, want usage error %q", tc.args, r.code, r.stdout, r.stderr, tc.stderr)
		}
	}
}
