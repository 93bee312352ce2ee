package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/sqlite"
	"github.com/djangosess/djangosess/internal/pyrun"
	"github.com/djangosess/djangosess/internal/servertest"
	"github.com/djangosess/djangosess/serializer"
)

// TestCopyKilled: the djangosess binary copying 20,000 sessions from
// PostgreSQL to SQLite is killed (SIGKILL: no clean-up, no summary) once
// the target holds about half of them. The same command run again exits
// 0 having skipped exactly the sessions the first run wrote and copied
// the rest, and the target is then what an uninterrupted copy makes: the
// same keys, once each, with the same expiries and data.
func TestCopyKilled(t *testing.T) {
	const n, expired = 20000, 10
	bin := killBuildCLI(t)
	pg := servertest.Postgres(t)
	start := time.Now()
	killFill(t, pg.DSN, n, expired)
	t.Logf("source filled in %.1fs", time.Since(start).Seconds())

	dir := killDir(t)
	target, ref := filepath.Join(dir, "target.sqlite3"), filepath.Join(dir, "ref.sqlite3")
	env := []string{envSecretKey + "=" + secret, "DATABASE_URL=" + pg.DSN}
	// SQLite takes one writer at a time: four workers keep it busy.
	copyTo := func(path string) *exec.Cmd {
		cmd := exec.Command(bin, "copy", "--migrate", "--concurrency", "4", "--to-database-url", "sqlite:///"+path)
		cmd.Env = env
		return cmd
	}

	// The first run, killed halfway.
	start = time.Now()
	first := copyTo(target)
	var out1 bytes.Buffer
	first.Stdout, first.Stderr = &out1, &out1
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- first.Wait() }()
	db, err := sqlite.Open(target)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		if c, err := killCount(db); err == nil && c >= n/2 {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the first copy ended (%v) before it was killed: make n larger\n%s", err, out1.Bytes())
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the target never held %d sessions\n%s", n/2, out1.Bytes())
		}
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = <-exited
	if ws, ok := first.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the first copy was not killed: %v\n%s", err, out1.Bytes())
	}
	if strings.Contains(out1.String(), "(already there)") {
		t.Fatalf("the killed copy printed a summary:\n%s", out1.Bytes())
	}
	held, err := killCount(db) // reading rolls back a transaction the kill left
	if err != nil || held == 0 || held >= n {
		t.Fatalf("after the kill the target holds %d of %d sessions (%v): not an interrupted copy", held, n, err)
	}
	db.Close()
	t.Logf("killed after %.1fs with %d of %d sessions in the target", time.Since(start).Seconds(), held, n)

	// The second run finishes the job.
	start = time.Now()
	s2 := killRun(t, copyTo(target))
	t.Logf("second run: %.1fs", time.Since(start).Seconds())
	if s2 != (killSummary{copied: n - held, skipped: held, expired: expired}) {
		t.Errorf("second run: %+v, want copied %d, skipped %d (what the first wrote), expired %d", s2, n-held, held, expired)
	}
	// An uninterrupted copy of the same source, for comparison.
	if s := killRun(t, copyTo(ref)); s != (killSummary{copied: n, expired: expired}) {
		t.Errorf("uninterrupted copy: %+v, want copied %d, expired %d", s, n, expired)
	}

	// The same rows: every key once, with the same expire_date.
	got, want := killRows(t, target), killRows(t, ref)
	if len(got) != n || len(want) != n {
		t.Fatalf("rows: %d in the resumed copy, %d in the uninterrupted one, want %d", len(got), len(want), n)
	}
	for k, e := range want {
		if got[k] != e {
			t.Fatalf("session %s…: expire_date %q after the resumed copy, %q after the uninterrupted one", k[:8], got[k], e)
		}
	}
	// The same data (session_data differs in its signature's timestamp:
	// verify decodes both), and the source's.
	for _, pair := range [][2]string{{"sqlite:///" + target, "sqlite:///" + ref}, {pg.DSN, "sqlite:///" + target}} {
		cmd := exec.Command(bin, "verify", "--from-database-url", pair[0], "--to-database-url", pair[1])
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if want := fmt.Sprintf("compared %d sessions: %d identical\n", n, n); err != nil || string(out) != want {
			t.Errorf("verify %s, %s: %v\n%s", killScheme(pair[0]), killScheme(pair[1]), err, out)
		}
	}
}

// killDir is a new directory in memory (/dev/shm) when the machine has
// one, else t.TempDir(): SQLite committing each of 40,000 rows to a
// journaled disk would time the disk, not the copy.
func killDir(t *testing.T) string {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "djangosess-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// killBuildCLI builds the djangosess binary.
func killBuildCLI(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		pyrun.Missing(t, "no go command to build djangosess: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "djangosess")
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// killFill creates n live sessions and some expired ones in the
// PostgreSQL schema of dsn, with the library (the commits do not wait
// for the disk: the source is not what is tested).
func killFill(t *testing.T, dsn string, n, expired int) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	ctx := context.Background()
	o, err := engine.Open(ctx, engine.Settings{DatabaseURL: u.String(), SecretKey: []byte(secret)})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if err := o.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	const workers = 8
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n+expired && errs[w] == nil; i += workers {
				d := serializer.DictOf(
					"cart", serializer.List{serializer.Int(int64(i)), serializer.Float(1.5)},
					"name", serializer.Str(fmt.Sprintf("ünï-%d ☃", i)),
					"nested", serializer.DictOf("a", serializer.List{serializer.Bool(true), serializer.None{}}))
				if i%3 == 0 {
					d.SetStr("_auth_user_id", serializer.Str(fmt.Sprint(i%50)))
				}
				r := djangosess.Record{Data: d}
				switch {
				case i >= n:
					r.Expiry = now.Add(-time.Hour)
				case i%4 == 1:
					r.Expiry = now.Add(time.Duration(3600+i) * time.Second)
				}
				_, errs[w] = djangosess.CreateNew(ctx, o.Store, r)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// killCount is the number of rows in the SQLite database's session table.
func killCount(db *sql.DB) (int, error) {
	var c int
	err := db.QueryRow("SELECT count(*) FROM django_session").Scan(&c)
	return c, err
}

// killRows reads the SQLite database's session table: key → expire_date.
func killRows(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT session_key, expire_date FROM django_session")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, e string
		if err := rows.Scan(&k, &e); err != nil {
			t.Fatal(err)
		}
		if _, dup := out[k]; dup {
			t.Fatalf("session %s… twice", k[:8])
		}
		out[k] = e
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// killSummary is the first line of copy's summary.
type killSummary struct{ copied, overwritten, skipped, expired, failed int }

// killRun runs a copy to the end and parses its summary; it must exit 0.
func killRun(t *testing.T, cmd *exec.Cmd) killSummary {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s%s", strings.Join(cmd.Args[:2], " "), err, stdout.Bytes(), stderr.Bytes())
	}
	var s killSummary
	line, _, _ := strings.Cut(stdout.String(), "\n")
	if _, err := fmt.Sscanf(line, "copied %d, overwritten %d, skipped %d (already there), expired %d, failed %d",
		&s.copied, &s.overwritten, &s.skipped, &s.expired, &s.failed); err != nil {
		t.Fatalf("summary %q: %v", line, err)
	}
	return s
}

// killScheme names a store URL without its details.
func killScheme(u string) string {
	s, _, _ := strings.Cut(u, ":")
	return s
}
