package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/djangosess/djangosess/internal/pyrun"
)

// Bounds of the waits. The machine may be loaded: a Django worker that
// imports everything and a first PBKDF2 can take seconds.
const (
	startTimeout = 90 * time.Second // a process says where it listens
	readyTimeout = 90 * time.Second // it answers HTTP
	stopTimeout  = 20 * time.Second // it exits after SIGTERM
	pollEvery    = 100 * time.Millisecond
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// binaries builds examples/goservice and cmd/djangosess once per test
// binary, into a directory removed by TestMain.
func binaries(t *testing.T, root string) (goservice, djangosess string) {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		pyrun.Missing(t, "e2e: the go command is not on PATH: %v", err)
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "djangosess-e2e-bin-")
		if buildErr != nil {
			return
		}
		cmd := exec.Command(goTool, "build", "-o", buildDir+string(filepath.Separator), "./examples/goservice", "./cmd/djangosess")
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(buildDir, "goservice"), filepath.Join(buildDir, "djangosess")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// logBuffer collects a process's output for the failure report.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// proc is a server process under test.
type proc struct {
	name   string
	cmd    *exec.Cmd
	logs   *logBuffer
	addr   string // host:port it listens on
	exited chan struct{}
}

// start runs cmd (its own process group), reads its standard error until
// addrRE's first group gives the address it listens on, then polls
// readyPath until it answers with readyStatus. The process is stopped
// when the test ends, and its output logged if the test failed.
func start(t *testing.T, name string, cmd *exec.Cmd, addrRE *regexp.Regexp, readyPath string, readyStatus int) *proc {
	t.Helper()
	p := &proc{name: name, cmd: cmd, logs: &logBuffer{}, exited: make(chan struct{})}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Stdout = p.logs
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("e2e: starting %s: %v", name, err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.logs.Write([]byte(line + "\n"))
			if m := addrRE.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(p.logs, stderr)
		cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.stop(t)
		if t.Failed() {
			t.Logf("--- output of %s:\n%s", name, p.logs.String())
		}
	})
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case p.addr = <-found:
	case <-p.exited:
		t.Fatalf("e2e: %s exited before listening:\n%s", name, p.logs.String())
	case <-timer.C:
		t.Fatalf("e2e: %s did not say where it listens within %v:\n%s", name, startTimeout, p.logs.String())
	}
	p.waitReady(t, readyPath, readyStatus)
	return p
}

// waitReady polls GET path until it answers want, for at most readyTimeout.
func (p *proc) waitReady(t *testing.T, path string, want int) {
	t.Helper()
	c := &http.Client{Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var last string
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.addr+path, nil)
		resp, err := c.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == want {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-p.exited:
			t.Fatalf("e2e: %s exited before answering %s:\n%s", p.name, path, p.logs.String())
		case <-ctx.Done():
			t.Fatalf("e2e: %s did not answer GET %s with %d within %v (last: %s)", p.name, path, want, readyTimeout, last)
		case <-tick.C:
		}
	}
}

// stop sends SIGTERM to the process group and waits; after stopTimeout it
// kills the group. Stopping twice is harmless.
func (p *proc) stop(t *testing.T) {
	t.Helper()
	select {
	case <-p.exited:
		return
	default:
	}
	pgid := p.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
	select {
	case <-p.exited:
	case <-timer.C:
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
		t.Errorf("e2e: %s did not stop within %v of SIGTERM", p.name, stopTimeout)
	}
}

// url is the process's base URL.
func (p *proc) url(path string) string { return "http://" + p.addr + path }

// environ is os.Environ without the variables the servers read, plus env.
func environ(env map[string]string) []string {
	out := []string{}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if _, ours := env[name]; ours || name == "PYTHONPATH" || strings.HasPrefix(name, "DJANGO_") ||
			strings.HasPrefix(name, "CACHE_") || strings.HasPrefix(name, "SESSION_") || name == "DATABASE_URL" {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}
