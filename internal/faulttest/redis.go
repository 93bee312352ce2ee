package faulttest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/djangosess/djangosess/internal/pyrun"
	"github.com/djangosess/djangosess/internal/redistest"
)

// RedisOptions configures StartRedis.
type RedisOptions struct {
	// Durable turns on the append-only file with appendfsync always, so
	// every write acknowledged to a client is in the file before the
	// reply, and a server killed with SIGKILL comes back with it. Without
	// it nothing is persisted and every start is empty.
	Durable bool
}

// Redis is a private redis-server ($DJANGOSESS_REDIS_SERVER, default
// redis-server on PATH) on 127.0.0.1 and a fixed port, with its files in
// a directory of its own. Its methods are safe for concurrent use.
type Redis struct {
	bin  string
	dir  string
	port int
	opts RedisOptions
	server
}

// StartRedis starts a private Redis server and stops it when the test
// ends. A missing redis-server is pyrun.Missing (a skip outside CI).
func StartRedis(tb testing.TB, opts RedisOptions) *Redis {
	tb.Helper()
	bin, err := exec.LookPath(redistest.Server())
	if err != nil {
		pyrun.Missing(tb, "faulttest: %s not found: %v", redistest.Server(), err)
	}
	r := &Redis{bin: bin, dir: tb.TempDir(), opts: opts}
	r.what, r.logs = "redis-server", r.redisLogs
	tb.Cleanup(r.cleanup)
	r.first(tb, func(port int) error {
		r.port = port
		return r.launch()
	})
	return r
}

// Addr is the server's address, 127.0.0.1:port, the same across restarts.
func (r *Redis) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.port)) }

// Dir is the server's working directory (its append-only files and log).
func (r *Redis) Dir() string { return r.dir }

// Running reports whether the server process is running.
func (r *Redis) Running() bool { return r.isRunning() }

// Kill sends the server SIGKILL and waits for it to exit: it writes
// nothing more and closes no connection cleanly.
func (r *Redis) Kill(tb testing.TB) {
	tb.Helper()
	r.kill(tb)
}

// Stop shuts the server down gracefully (SIGTERM: Redis flushes the
// append-only file and exits) and waits for it, killing it after 30 s.
func (r *Redis) Stop(tb testing.TB) {
	tb.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	p := r.running(tb)
	p.cmd.Process.Signal(syscall.SIGTERM)
	if !p.wait(30 * time.Second) {
		p.kill()
		r.cur = nil
		tb.Fatalf("faulttest: redis-server did not stop within 30 s of SIGTERM\n%s", r.logs())
	}
	r.cur = nil
}

// Start starts the stopped server again, on the same port and with the
// same files, and waits until it answers PING (so it has loaded its
// append-only file).
func (r *Redis) Start(tb testing.TB) {
	tb.Helper()
	r.restart(tb, r.launch)
}

// Restart is Stop and Start.
func (r *Redis) Restart(tb testing.TB) {
	tb.Helper()
	r.Stop(tb)
	r.Start(tb)
}

// launch starts the process and waits for it to answer; r.mu is held.
func (r *Redis) launch() error {
	args := []string{
		"--port", strconv.Itoa(r.port), "--bind", "127.0.0.1", "--dir", r.dir,
		"--logfile", filepath.Join(r.dir, "redis.log"), "--daemonize", "no", "--save", "",
	}
	if r.opts.Durable {
		args = append(args, "--appendonly", "yes", "--appendfsync", "always")
	} else {
		args = append(args, "--appendonly", "no")
	}
	cmd := exec.Command(r.bin, args...)
	cmd.Dir = r.dir
	return r.start(cmd, filepath.Join(r.dir, "stderr.log"), 60*time.Second, 20*time.Millisecond,
		func(ctx context.Context) error { return pingRedis(ctx, r.Addr()) })
}

// redisLogs returns the end of the server's log and standard error.
func (r *Redis) redisLogs() string {
	return "--- redis.log:\n" + tail(filepath.Join(r.dir, "redis.log"), 3000) +
		"\n--- stderr:\n" + tail(filepath.Join(r.dir, "stderr.log"), 1000)
}

func pingRedis(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line = strings.TrimSpace(line); line != "+PONG" {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}
