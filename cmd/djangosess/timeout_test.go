package main

import (
	"net"
	"strings"
	"testing"
)

// TestTimeout: a store that cannot be reached through Sentinel (go-redis
// retries it for as long as the context lasts) ends a single-session
// command after --timeout, reported as "timed out", not "malformed".
func TestTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // a port nothing listens on
	url := "redis+sentinel://" + addr + "/mymaster/0"
	for _, args := range [][]string{
		{"get", "abcdefgh12345678abcdefgh12345678"},
		{"delete", "abcdefgh12345678abcdefgh12345678"},
	} {
		r := runCLI(t, withKey, "", append(args, "--engine", "cache", "--cache-url", url, "--timeout", "300ms")...)
		if r.code == 0 || !strings.Contains(r.stderr, "timed out") {
			t.Errorf("%s: exit %d, stderr %q; want a failure saying timed out", args[0], r.code, r.stderr)
		}
	}
}
