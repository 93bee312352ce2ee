package csrf_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/internal/djangotest"
)

// oracle is testdata/csrf_oracle.py under one Django version: real
// CsrfViewMiddleware and get_token, the source of every expected value.
// One process per version serves the whole test binary (TestMain stops
// them).
type oracle struct {
	django  djangotest.Django
	version djangosess.Version
}

type answer struct {
	Value   json.RawMessage `json:"value"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
}

func (a answer) str(t testing.TB) string {
	t.Helper()
	var s string
	if a.Error != "" || json.Unmarshal(a.Value, &s) != nil {
		t.Fatalf("oracle: want a string, got %s %s %s", a.Value, a.Error, a.Message)
	}
	return s
}

// oracles returns one oracle per Django version on this machine (3.2, 4.2
// and 5.2 under CI), oldest first.
func oracles(t *testing.T) []oracle {
	t.Helper()
	var out []oracle
	for _, d := range djangotest.Versions(t) {
		v, err := djangosess.ParseVersion(d.Version)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, oracle{d, v})
	}
	return out
}

var pool = &djangotest.Pool{Script: filepath.Join("testdata", "csrf_oracle.py")}

func TestMain(m *testing.M) {
	code := m.Run()
	pool.Close()
	os.Exit(code)
}

// do sends the requests to the version's oracle and returns its answers.
func (o oracle) do(t testing.TB, reqs ...map[string]any) []answer {
	t.Helper()
	lines := pool.Do(t, o.django, reqs...)
	answers := make([]answer, len(lines))
	for i, line := range lines {
		if err := json.Unmarshal(line, &answers[i]); err != nil {
			t.Fatalf("oracle answer %q: %v", line, err)
		}
	}
	return answers
}
