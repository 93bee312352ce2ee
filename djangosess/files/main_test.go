package files

import (
	"fmt"
	"os"
	"testing"
	_ "time/tzdata" // Europe/Paris for the USE_TZ=False tests, on any machine
)

// helperEnv names the helper a re-executed test binary runs instead of the
// tests (see crash_test.go).
const helperEnv = "DJANGOSESS_FILES_HELPER"

// helpers are the programs a test can run in a child process.
var helpers = map[string]func() error{}

func TestMain(m *testing.M) {
	if name := os.Getenv(helperEnv); name != "" {
		h, ok := helpers[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown helper %q\n", name)
			os.Exit(2)
		}
		if err := h(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
