package signing

import (
	"bytes"
	"encoding/json"
	"github.com/djangosess/djangosess/internal/pyrun"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The tests compare against real Django through testdata/oracle.py: Django
// 3.2 is the system one under /usr/bin/python3; 4.2 and 5.2 are unpacked
// into .cache/django/<version> (scripts/get-django.sh), found through
// $DJANGOSESS_DJANGO_CACHE or ../.cache/django.

const systemPython = pyrun.Python

// django is one Django version the oracle can run.
type django struct {
	name       string // "3.2", "4.2", "5.2"
	pythonPath string // "" for the system Django
}

// missing skips the test, or fails it under CI=true.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	pyrun.Missing(t, format, args...)
}

// djangos returns the Django versions to compare against.
func djangos(t testing.TB) []django {
	t.Helper()
	if _, err := os.Stat(systemPython); err != nil {
		missing(t, "%s not found: %v", systemPython, err)
	}
	cache := os.Getenv("DJANGOSESS_DJANGO_CACHE")
	if cache == "" {
		cache = filepath.Join("..", ".cache", "django")
	}
	ds := []django{{name: "3.2"}}
	for _, v := range []string{"4.2", "5.2"} {
		m, _ := filepath.Glob(filepath.Join(cache, v+".*"))
		if len(m) == 0 {
			missing(t, "Django %s not found under %s (run scripts/get-django.sh)", v, cache)
		}
		abs, err := filepath.Abs(m[len(m)-1])
		if err != nil {
			t.Fatal(err)
		}
		ds = append(ds, django{name: v, pythonPath: abs})
	}
	return ds
}

// op is one operation for testdata/oracle.py.
type op map[string]any

// result is the oracle's answer to one op.
type result struct {
	OK  any    `json:"ok"`
	Err string `json:"err"`
}

// str returns the OK value as a string, failing the test when it is not one.
func (r result) str(t testing.TB) string {
	t.Helper()
	s, ok := r.OK.(string)
	if !ok {
		t.Fatalf("oracle: want a string, got %#v (err %q)", r.OK, r.Err)
	}
	return s
}

// oracle runs ops in one Python process under Django d.
func (d django) oracle(t testing.TB, ops []op) []result {
	t.Helper()
	in, err := json.Marshal(ops)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(systemPython, filepath.Join("testdata", "oracle.py"))
	cmd.Env = append(os.Environ(), "PYTHONPATH="+d.pythonPath, "PYTHONDONTWRITEBYTECODE=1")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("Django %s oracle: %v\n%s", d.name, err, stderr.Bytes())
	}
	var res []result
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("Django %s oracle output: %v", d.name, err)
	}
	if len(res) != len(ops) {
		t.Fatalf("Django %s oracle: %d results for %d ops", d.name, len(res), len(ops))
	}
	return res
}
