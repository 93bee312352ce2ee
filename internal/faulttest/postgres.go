package faulttest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/djangosess/djangosess/internal/pyrun"
)

// StopMode is a pg_ctl stop mode.
type StopMode string

// The pg_ctl stop modes.
const (
	// Smart waits for the clients to disconnect.
	Smart StopMode = "smart"
	// Fast ends every session ("terminating connection due to
	// administrator command") and shuts down cleanly.
	Fast StopMode = "fast"
	// Immediate makes every process quit at once, without a shutdown
	// checkpoint; the next start runs crash recovery.
	Immediate StopMode = "immediate"
)

// Postgres is a private PostgreSQL cluster: initdb'd for the test in a
// directory of its own, listening on 127.0.0.1 and a fixed port (and a
// Unix socket in its directory), with trust authentication for the
// superuser postgres. As root, every PostgreSQL program runs as the
// postgres OS user (PostgreSQL refuses to run as root). Its methods are
// safe for concurrent use.
type Postgres struct {
	bin    string // the directory of initdb, pg_ctl and postgres
	dir    string // the cluster's directory: data/, postgres.log, the socket
	port   int
	cred   *syscall.Credential // nil: as this process's user
	server                     // the postmaster
}

// PostgresBinDir returns the directory of PostgreSQL's server programs:
// $DJANGOSESS_PG_BINDIR, else the newest /usr/lib/postgresql/<version>/bin
// with an initdb (Debian's layout), else the directory of initdb on PATH.
func PostgresBinDir() (string, error) {
	if d := os.Getenv("DJANGOSESS_PG_BINDIR"); d != "" {
		return d, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(matches, func(i, j int) bool { return pgVersion(matches[i]) > pgVersion(matches[j]) })
	if len(matches) > 0 {
		return filepath.Dir(matches[0]), nil
	}
	p, err := exec.LookPath("initdb")
	if err != nil {
		return "", fmt.Errorf("no /usr/lib/postgresql/*/bin/initdb and no initdb on PATH (apt-get install postgresql): %w", err)
	}
	return filepath.Dir(p), nil
}

// pgVersion is the major version in /usr/lib/postgresql/<version>/bin/initdb.
func pgVersion(initdb string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(filepath.Dir(initdb))), 64)
	return v
}

// StartPostgres initializes a private cluster, starts it and waits until
// it accepts connections; the test's end stops it and removes its
// directory. Missing PostgreSQL programs, or no postgres OS user to run
// them as root, are pyrun.Missing (a skip outside CI).
func StartPostgres(tb testing.TB) *Postgres {
	tb.Helper()
	bin, err := PostgresBinDir()
	if err != nil {
		pyrun.Missing(tb, "faulttest: %v", err)
	}
	for _, prog := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(bin, prog)); err != nil {
			pyrun.Missing(tb, "faulttest: %v", err)
		}
	}
	p := &Postgres{bin: bin}
	p.what, p.logs = "PostgreSQL", p.pgLogs
	// Not tb.TempDir: its parents are private to this user, and the
	// cluster may belong to another.
	if p.dir, err = os.MkdirTemp("", "djangosess-faulttest-pg-"); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		p.cleanup()
		os.RemoveAll(p.dir)
	})
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			pyrun.Missing(tb, "faulttest: PostgreSQL will not run as root and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		p.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(p.dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
	}
	out, err := p.command("initdb", "-D", p.data(), "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions").CombinedOutput()
	if err != nil {
		if p.cred != nil && strings.Contains(err.Error(), "permission denied") {
			pyrun.Missing(tb, "faulttest: initdb as the postgres user: %v\n%s", err, out)
		}
		tb.Fatalf("faulttest: initdb: %v\n%s", err, out)
	}
	p.first(tb, func(port int) error {
		p.port = port
		if err := p.writeConf(); err != nil {
			return err
		}
		return p.launch()
	})
	return p
}

// DSN connects to database postgres as the superuser postgres over TCP.
func (p *Postgres) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

// Port is the server's TCP port, the same across restarts.
func (p *Postgres) Port() int { return p.port }

// Dir is the cluster's directory.
func (p *Postgres) Dir() string { return p.dir }

// Running reports whether the postmaster is running.
func (p *Postgres) Running() bool { return p.isRunning() }

// Stop runs pg_ctl stop -m mode and waits for the postmaster to exit.
func (p *Postgres) Stop(tb testing.TB, mode StopMode) {
	tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.running(tb)
	out, err := p.command("pg_ctl", "stop", "-D", p.data(), "-m", string(mode), "-w", "-t", "60").CombinedOutput()
	if err != nil {
		cur.kill()
		p.cur = nil
		tb.Fatalf("faulttest: pg_ctl stop -m %s: %v\n%s\n%s", mode, err, out, p.logs())
	}
	if !cur.wait(30 * time.Second) {
		cur.kill()
		p.cur = nil
		tb.Fatalf("faulttest: the postmaster did not exit after pg_ctl stop -m %s\n%s", mode, p.logs())
	}
	p.cur = nil
}

// Kill sends SIGKILL to the postmaster and all its backends at once, as
// if the machine had lost them; the next start runs crash recovery.
func (p *Postgres) Kill(tb testing.TB) {
	tb.Helper()
	p.kill(tb)
}

// Start starts the stopped cluster on the same port and waits until it
// accepts connections (after crash recovery, if it needs one).
func (p *Postgres) Start(tb testing.TB) {
	tb.Helper()
	p.restart(tb, p.launch)
}

// Restart is Stop(mode) and Start: pg_ctl restart -m mode.
func (p *Postgres) Restart(tb testing.TB, mode StopMode) {
	tb.Helper()
	p.Stop(tb, mode)
	p.Start(tb)
}

func (p *Postgres) data() string { return filepath.Join(p.dir, "data") }

// command returns a command running the PostgreSQL program prog as the
// cluster's owner, in the cluster's directory, without the caller's PG*
// environment variables.
func (p *Postgres) command(prog string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(p.bin, prog), args...)
	cmd.Dir = p.dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") && !strings.HasPrefix(kv, "HOME=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HOME="+p.dir)
	if p.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: p.cred}
	}
	return cmd
}

// writeConf appends the test's settings to postgresql.conf (the last
// setting of a name wins), so a plain pg_ctl start would use them too.
func (p *Postgres) writeConf() error {
	conf := fmt.Sprintf(`
# faulttest
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
max_connections = 50
shared_buffers = 16MB
logging_collector = off
log_min_messages = warning
`, p.port, p.dir)
	f, err := os.OpenFile(filepath.Join(p.data(), "postgresql.conf"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(conf); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// launch runs the postmaster in the foreground, a child of the test
// binary (pg_ctl start would detach it, and a killed test binary would
// leave it running), and waits for it to accept connections; p.mu is
// held.
func (p *Postgres) launch() error {
	return p.start(p.command("postgres", "-D", p.data()), filepath.Join(p.dir, "postgres.log"), 90*time.Second, 50*time.Millisecond,
		func(ctx context.Context) error { return pingPostgres(ctx, p.DSN()) })
}

func (p *Postgres) pgLogs() string {
	return "--- postgres.log:\n" + tail(filepath.Join(p.dir, "postgres.log"), 3000)
}

func pingPostgres(ctx context.Context, dsn string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	var one int
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return err
	}
	if one != 1 {
		return fmt.Errorf("SELECT 1 gave %d", one)
	}
	return nil
}
