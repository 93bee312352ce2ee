package faulttest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// server is the life of one private server process, shared by Redis,
// Postgres and each sentinel of a Sentinel: the running process, guarded
// by mu, how it is started and waited for, and how it is killed.
type server struct {
	what string        // for messages: "redis-server", "PostgreSQL", "sentinel 2"
	logs func() string // the end of its logs, for failures

	mu  sync.Mutex
	cur *proc // nil when stopped
}

// isRunning reports whether the process is running.
func (s *server) isRunning() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur != nil && !s.cur.exited()
}

// running returns the process, failing the test if there is none or it
// exited on its own; s.mu is held.
func (s *server) running(tb testing.TB) *proc {
	tb.Helper()
	if s.cur == nil {
		tb.Fatalf("faulttest: %s is not running", s.what)
	}
	if s.cur.exited() {
		tb.Fatalf("faulttest: %s exited on its own: %s\n%s", s.what, s.cur.status(), s.logs())
	}
	return s.cur
}

// kill sends the process (and its children) SIGKILL and waits for it.
func (s *server) kill(tb testing.TB) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running(tb).kill()
	s.cur = nil
}

// cleanup kills the process if it is running, at the end of the test.
func (s *server) cleanup() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		s.cur.kill()
		s.cur = nil
	}
}

// restart starts the stopped server again with launch (called with s.mu
// held), failing the test if it is running or does not come up.
func (s *server) restart(tb testing.TB, launch func() error) {
	tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		tb.Fatalf("faulttest: Start: %s is running", s.what)
	}
	if err := launch(); err != nil {
		tb.Fatalf("faulttest: restarting %s: %v", s.what, err)
	}
}

// first starts the server for the first time on a free port: try is
// given the port and launches (s.mu is held). A port taken between
// choosing it and binding it fails the start, so it tries three ports
// (later starts must keep the one that worked).
func (s *server) first(tb testing.TB, try func(port int) error) {
	tb.Helper()
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("faulttest: %v", err)
		}
		s.mu.Lock()
		err = try(port)
		s.mu.Unlock()
		if err == nil {
			return
		}
		if attempt == 3 {
			tb.Fatalf("faulttest: starting %s: %v", s.what, err)
		}
	}
}

// start runs cmd with its output appended to logPath and calls ready
// every pause until it succeeds, making the process the running one; it
// fails if the process exits or timeout passes first (the process is
// then killed). s.mu is held.
func (s *server) start(cmd *exec.Cmd, logPath string, timeout, pause time.Duration, ready func(context.Context) error) error {
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	p, err := startProc(cmd)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		last := ready(ctx)
		if last == nil {
			s.cur = p
			return nil
		}
		if p.exited() {
			return fmt.Errorf("%w: %s (last: %v)\n%s", errExited, p.status(), last, s.logs())
		}
		select {
		case <-ctx.Done():
			p.kill()
			return fmt.Errorf("%s did not answer: %w (last: %v)\n%s", s.what, ctx.Err(), last, s.logs())
		case <-time.After(pause):
		}
	}
}
