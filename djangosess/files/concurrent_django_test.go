package files

import (
	"testing"

	"github.com/djangosess/djangosess/djangosess/internal/djangorace"
	"github.com/djangosess/djangosess/internal/djangotest"
)

// Go and Django save one session key at the same time, in two processes,
// while readers on both sides load it: every load is one complete value
// some writer saved, and the last save wins.
func TestConcurrentWithDjango(t *testing.T) {
	// One Django, the newest: the backend's save and load are the same code
	// from 3.2 to 5.2, and each run keeps two cores busy for about ten
	// seconds.
	versions := djangotest.Versions(t)
	for _, dj := range versions[len(versions)-1:] {
		t.Run(dj.Version, func(t *testing.T) {
			dir := t.TempDir()
			settings := map[string]any{
				"SESSION_ENGINE":    "django.contrib.sessions.backends.file",
				"SESSION_FILE_PATH": dir,
			}
			s := newStore(t, Config{Dir: dir})
			djangorace.Run(t, dj, settings, s)
			onlyFiles(t, dir, "sessionid"+concurrentKey(t, s))
		})
	}
}

// concurrentKey is the one session the run left in s.
func concurrentKey(t *testing.T, s *Store) string {
	t.Helper()
	var out []string
	for k, err := range s.Keys(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	if len(out) != 1 {
		t.Fatalf("Keys = %q, want one key", out)
	}
	return out[0]
}
