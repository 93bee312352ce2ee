package servertest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// PgBouncer starts Debian's pgbouncer ($DJANGOSESS_PGBOUNCER, default
// pgbouncer on PATH) on a free loopback port in transaction pooling mode
// with one server connection per database, in front of the PostgreSQL
// server of PostgresDSN, and stops it when the test ends. It returns a DSN
// for database test through it. PgBouncer refuses to run as root, so as
// root it runs as the postgres user. A missing binary is Missing.
//
// The server connection is shared by every client between transactions,
// as behind a busy production PgBouncer: a named prepared statement made
// by one client is seen (or missing) for the next.
func PgBouncer(tb testing.TB) PG {
	tb.Helper()
	bin := os.Getenv("DJANGOSESS_PGBOUNCER")
	if bin == "" {
		bin = "pgbouncer"
	}
	path, err := exec.LookPath(bin)
	if err != nil && bin == "pgbouncer" {
		path, err = exec.LookPath("/usr/sbin/pgbouncer") // not on every PATH
	}
	if err != nil {
		Missing(tb, "servertest: pgbouncer not found (apt-get install pgbouncer): %v", err)
	}
	pg := Postgres(tb) // also checks that the server is there
	// Not tb.TempDir: its parent is private to this user, and PgBouncer
	// may run as another.
	dir, err := os.MkdirTemp("", "djangosess-pgbouncer-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	users := filepath.Join(dir, "users.txt")
	if err := os.WriteFile(users, []byte(fmt.Sprintf("%q \"\"\n", pg.User)), 0o644); err != nil {
		tb.Fatal(err)
	}
	ini := fmt.Sprintf(`[databases]
%s = host=%s port=%s dbname=%s user=%s
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = trust
auth_file = %s
pool_mode = transaction
default_pool_size = 1
max_client_conn = 200
logfile = %s
ignore_startup_parameters = extra_float_digits
`, pg.Database, pg.Host, pg.Port, pg.Database, pg.User, port, users, filepath.Join(dir, "pgbouncer.log"))
	if pg.Password != "" {
		tb.Fatalf("servertest: PgBouncer needs a PostgreSQL user without a password")
	}
	cfg := filepath.Join(dir, "pgbouncer.ini")
	if err := os.WriteFile(cfg, []byte(ini), 0o644); err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(path, cfg)
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			Missing(tb, "servertest: pgbouncer will not run as root and there is no postgres user: %v", err)
		}
		cmd = exec.Command("setpriv", "--reuid="+u.Uid, "--regid="+u.Gid, "--init-groups", path, cfg)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		Missing(tb, "servertest: starting pgbouncer: %v", err)
	}
	done := make(chan struct{})
	var werr error
	go func() { werr = cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-done:
			tb.Fatalf("servertest: pgbouncer exited: %v\n%s", werr, stderr.Bytes())
		case <-ctx.Done():
			tb.Fatalf("servertest: pgbouncer did not listen on %s", addr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	pg.DSN = fmt.Sprintf("postgres://%s@%s/%s?sslmode=disable", pg.User, addr, pg.Database)
	pg.Host, pg.Port = "127.0.0.1", strconv.Itoa(port)
	return pg
}
