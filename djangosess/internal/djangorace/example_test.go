package djangorace_test

import (
	"testing"

	"github.com/djangosess/djangosess/djangosess/files"
	"github.com/djangosess/djangosess/djangosess/internal/djangorace"
	"github.com/djangosess/djangosess/internal/djangotest"
)

// A store package runs the race against Django's backend on the same
// sessions: here, the file backend on one directory.
func ExampleRun() {
	test := func(t *testing.T, dj djangotest.Django, s *files.Store) {
		djangorace.Run(t, dj, map[string]any{
			"SESSION_ENGINE":    "django.contrib.sessions.backends.file",
			"SESSION_FILE_PATH": s.Dir(),
		}, s)
	}
	_ = test
}
