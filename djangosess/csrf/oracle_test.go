package csrf_test

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/pyrun"
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

type process struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

var (
	processesMu sync.Mutex
	processes   = map[string]*process{}
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, p := range processes {
		p.in.Close()
		p.cmd.Wait()
	}
	os.Exit(code)
}

func (o oracle) process(t testing.TB) *process {
	t.Helper()
	if p := processes[o.django.Version]; p != nil {
		return p
	}
	pyrun.Require(t)
	path, err := filepath.Abs(filepath.Join("testdata", "csrf_oracle.py"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(pyrun.Python, path)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+o.django.PythonPath)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		pyrun.Missing(t, "starting the csrf oracle: %v", err)
	}
	p := &process{cmd, in, bufio.NewReader(out)}
	processes[o.django.Version] = p
	return p
}

// do sends the requests to the version's oracle and returns its answers.
func (o oracle) do(t testing.TB, reqs ...map[string]any) []answer {
	t.Helper()
	processesMu.Lock()
	defer processesMu.Unlock()
	p := o.process(t)
	werr := make(chan error, 1)
	go func() { // written while the answers are read: any number fits
		w := bufio.NewWriter(p.in)
		enc := json.NewEncoder(w)
		for _, r := range reqs {
			if err := enc.Encode(r); err != nil {
				werr <- err
				return
			}
		}
		werr <- w.Flush()
	}()
	fail := func(format string, args ...any) {
		t.Helper()
		// The stream is out of step: the next test starts a new process.
		delete(processes, o.django.Version)
		p.cmd.Process.Kill()
		p.cmd.Wait()
		t.Fatalf(format, args...)
	}
	answers := make([]answer, len(reqs))
	for i := range reqs {
		line, err := p.out.ReadString('\n')
		if err != nil {
			fail("csrf oracle (Django %s) died after %d answers: %v", o.django.Version, i, err)
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &answers[i]); err != nil {
			fail("oracle answer %q: %v", line, err)
		}
	}
	if err := <-werr; err != nil {
		fail("writing to the oracle: %v", err)
	}
	return answers
}
