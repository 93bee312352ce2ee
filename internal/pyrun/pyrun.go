// Package pyrun runs CPython for the tests: the interpreter Debian's
// python3-django is installed for, a script, and its output. Outside CI a
// test skips when the interpreter is missing; under CI (CI=true) that is a
// failure, so a green CI always means Python ran.
package pyrun

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Python is /usr/bin/python3 (the python3 first on PATH may be another
// interpreter, without Django).
const Python = "/usr/bin/python3"

// Missing reports a missing prerequisite: a skip outside CI, a failure in it.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s (required under CI)", msg)
	}
	tb.Skip(msg)
}

// Require checks that Python is there (see Missing).
func Require(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(Python); err != nil {
		Missing(tb, "pyrun: %s not found: %v", Python, err)
	}
}

// Output runs script (python -c) with stdin and the extra environment
// variables env, and returns its standard output; a failing script fails
// the test with its standard error.
func Output(tb testing.TB, script string, env []string, stdin []byte) []byte {
	tb.Helper()
	Require(tb)
	cmd := exec.Command(Python, "-c", script)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("python: %v\n%s", err, stderr.Bytes())
	}
	return out
}

// Lines runs script with one input per line and returns its output lines,
// requiring exactly one per input.
func Lines(tb testing.TB, script string, env []string, lines []string) []string {
	tb.Helper()
	out := Output(tb, script, env, []byte(strings.Join(lines, "\n")+"\n"))
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != len(lines) {
		tb.Fatalf("python gave %d lines for %d inputs", len(got), len(lines))
	}
	return got
}
