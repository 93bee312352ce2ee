package main

import (
	"os"
	"strings"
	"testing"
)

// TestPairTargetNeedsEngine: a copy or verify target named by a cache URL
// or a file path alone is refused (it would be the db engine on
// ./db.sqlite3), and nothing is created in the working directory.
func TestPairTargetNeedsEngine(t *testing.T) {
	vars := demoVars(t)
	for _, cmd := range []string{"copy", "verify"} {
		for _, to := range [][]string{
			{"--to-cache-url", "redis://127.0.0.1:1/0"},
			{"--to-file-path", t.TempDir()},
		} {
			r := runCLI(t, vars, "", append([]string{cmd}, to...)...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "--to-engine") {
				t.Errorf("%s %v: exit %d, stderr %q", cmd, to, r.code, r.stderr)
			}
		}
	}
	// The same for a source, when nothing else names its engine.
	r := runCLI(t, map[string]string{envSecretKey: secret}, "", "copy", "--from-cache-url", "redis://127.0.0.1:1/0", "--to-engine", "file", "--to-file-path", t.TempDir())
	if r.code != exitUsage || !strings.Contains(r.stderr, "--from-engine") {
		t.Errorf("copy --from-cache-url alone: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat("db.sqlite3"); err == nil {
		t.Errorf("a db.sqlite3 appeared in the working directory")
	}
}
