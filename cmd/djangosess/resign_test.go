package main

import (
	"strings"
	"testing"
)

// TestResignUsers: the demo sessions (two users logged in by Django 5.2)
// after a key rotation: resign with --users-database-url rewrites both
// session hashes under the new key, and a second run has nothing left.
func TestResignUsers(t *testing.T) {
	vars := demoVars(t)
	vars[envFallbackKeys] = vars[envSecretKey]
	vars[envSecretKey] = "resign-test-new-secret-key-0123456789-abcdefghijklmnop"
	users := vars["DATABASE_URL"]
	r := runCLI(t, vars, "", "resign", "--users-database-url", users)
	if r.code != 0 || !strings.Contains(r.stdout, "re-signed 3 (by a fallback key 3") || !strings.Contains(r.stdout, "session hashes rewritten under the current key: 2\n") {
		t.Fatalf("resign: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, vars, "", "resign", "--users-database-url", users)
	if r.code != 0 || !strings.Contains(r.stdout, "re-signed 0 ") || !strings.Contains(r.stdout, "session hashes rewritten under the current key: 0\n") {
		t.Fatalf("second resign: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
