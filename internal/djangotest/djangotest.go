// Package djangotest runs real Django for the tests: it finds the Django
// versions on this machine (3.2 under /usr/bin/python3 from Debian; 4.2
// and 5.2 unpacked by scripts/get-django.sh into .cache/django) and talks
// to testdata/oracle.py, a Django process answering JSON-lines requests.
//
// Outside CI a test skips when Python or Django is missing; under CI
// (CI=true) that is a failure, so a green CI always means Django ran.
package djangotest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/djangosess/djangosess/internal/pyrun"
	"github.com/djangosess/djangosess/serializer"
)

// Python is the interpreter Debian's python3-django is installed for (the
// python3 first on PATH may be another one).
const Python = pyrun.Python

// Root returns the repository root.
func Root(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("djangotest: cannot locate the repository")
	}
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Missing reports a missing prerequisite: a skip outside CI, a failure in it.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	pyrun.Missing(tb, format, args...)
}

// Django is one installed Django version.
type Django struct {
	Version    string // "3.2.25"
	PythonPath string // "" for the system's
}

var (
	versionsOnce sync.Once
	versions     []Django
	versionsErr  error
)

// Versions returns the Django versions available, oldest first: the
// system's 3.2 and every version under $DJANGOSESS_DJANGO_CACHE (default
// .cache/django). Under CI all three series (3.2, 4.2, 5.2) are required.
func Versions(tb testing.TB) []Django {
	tb.Helper()
	if _, err := os.Stat(Python); err != nil {
		Missing(tb, "djangotest: %s not found", Python)
	}
	root := Root(tb)
	versionsOnce.Do(func() { versions, versionsErr = findVersions(root) })
	if versionsErr != nil {
		Missing(tb, "djangotest: %v", versionsErr)
	}
	series := map[string]bool{}
	for _, d := range versions {
		series[Series(d.Version)] = true
	}
	for _, want := range []string{"3.2", "4.2", "5.2"} {
		if !series[want] {
			Missing(tb, "djangotest: Django %s not found (run scripts/get-django.sh .cache/django)", want)
		}
	}
	return versions
}

// Series returns "4.2" for "4.2.28".
func Series(version string) string {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return version
	}
	return parts[0] + "." + parts[1]
}

func findVersions(root string) ([]Django, error) {
	var out []Django
	sys, err := djangoVersion("")
	if err == nil {
		out = append(out, Django{Version: sys})
	}
	cache := os.Getenv("DJANGOSESS_DJANGO_CACHE")
	if cache == "" {
		cache = filepath.Join(root, ".cache", "django")
	}
	entries, _ := os.ReadDir(cache)
	for _, e := range entries {
		dir := filepath.Join(cache, e.Name())
		if _, err := os.Stat(filepath.Join(dir, "django", "__init__.py")); err != nil {
			continue // not an unpacked Django (it would import the system's)
		}
		if v, err := djangoVersion(dir); err == nil {
			out = append(out, Django{Version: v, PythonPath: dir})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no Django importable by %s (%v)", Python, err)
	}
	sort.Slice(out, func(i, j int) bool { return versionLess(out[i].Version, out[j].Version) })
	return out, nil
}

func versionLess(a, b string) bool {
	var x, y [3]int
	fmt.Sscanf(a, "%d.%d.%d", &x[0], &x[1], &x[2])
	fmt.Sscanf(b, "%d.%d.%d", &y[0], &y[1], &y[2])
	for i := range x {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return false
}

func djangoVersion(pythonPath string) (string, error) {
	cmd := exec.Command(Python, "-c", "import django; print(django.get_version())")
	cmd.Env = pythonEnv(pythonPath)
	out, err := cmd.Output()
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func pythonEnv(pythonPath string) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PYTHONPATH=") {
			env = append(env, kv)
		}
	}
	if pythonPath != "" {
		env = append(env, "PYTHONPATH="+pythonPath)
	}
	return env
}

// Command is Python run with args under d (its PYTHONPATH alone), with
// DJANGOSESS_TESTDATA naming the project's testdata directory and standard
// error passed through: for the Django processes a test drives itself.
func (d Django) Command(tb testing.TB, args ...string) *exec.Cmd {
	tb.Helper()
	cmd := exec.Command(Python, args...)
	cmd.Env = append(pythonEnv(d.PythonPath), "DJANGOSESS_TESTDATA="+filepath.Join(Root(tb), "testdata"))
	cmd.Stderr = os.Stderr
	return cmd
}

// Piped starts Python with args under d, as Command, with a pipe to its
// standard input and one from its standard output (read through a
// buffer of bufSize bytes); a Python that cannot start is Missing. The
// caller stops it.
func (d Django) Piped(tb testing.TB, bufSize int, args ...string) (*exec.Cmd, io.WriteCloser, *bufio.Reader) {
	tb.Helper()
	cmd := d.Command(tb, args...)
	in, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		Missing(tb, "djangotest: starting Django: %v", err)
	}
	return cmd, in, bufio.NewReaderSize(out, bufSize)
}

// Oracle is a running testdata/oracle.py.
type Oracle struct {
	Django Django
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	mu     sync.Mutex
}

// Start runs the oracle under d with the given settings flags (see
// testdata/oracle.py) and stops it when the test ends.
func (d Django) Start(tb testing.TB, settings ...string) *Oracle {
	tb.Helper()
	cmd, in, out := d.Piped(tb, 1<<20, append([]string{filepath.Join(Root(tb), "testdata", "oracle.py")}, settings...)...)
	o := &Oracle{Django: d, cmd: cmd, in: in, out: out}
	tb.Cleanup(func() { in.Close(); cmd.Wait() })
	return o
}

// Answer is the oracle's reply to one request.
type Answer struct {
	OK      bool            `json:"ok"`
	Value   json.RawMessage `json:"value"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
}

// Value decodes the answer's tagged JSON value.
func (a Answer) Tagged(tb testing.TB) serializer.Value {
	tb.Helper()
	v, err := serializer.UnmarshalTagged(a.Value)
	if err != nil {
		tb.Fatalf("djangotest: oracle value %s: %v", a.Value, err)
	}
	return v
}

// Do sends requests and returns the answers, in order. Requests are
// written by one goroutine while answers are read, so any number fit.
func (o *Oracle) Do(tb testing.TB, reqs ...map[string]any) []Answer {
	tb.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	werr := make(chan error, 1)
	go func() {
		w := bufio.NewWriter(o.in)
		enc := json.NewEncoder(w)
		for _, r := range reqs {
			if err := enc.Encode(r); err != nil {
				werr <- err
				return
			}
		}
		werr <- w.Flush()
	}()
	answers := make([]Answer, len(reqs))
	for i := range reqs {
		line, err := o.out.ReadBytes('\n')
		if err != nil {
			tb.Fatalf("djangotest: oracle (Django %s) died after %d answers: %v", o.Django.Version, i, err)
		}
		if err := json.Unmarshal(line, &answers[i]); err != nil {
			tb.Fatalf("djangotest: oracle answer %q: %v", line, err)
		}
		if answers[i].Error == "OracleError" || answers[i].Error == "TaggedError" {
			tb.Fatalf("djangotest: request %v: %s: %s", reqs[i], answers[i].Error, answers[i].Message)
		}
	}
	if err := <-werr; err != nil {
		tb.Fatalf("djangotest: writing to the oracle: %v", err)
	}
	return answers
}
