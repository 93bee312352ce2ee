package djangotest

import (
	"bufio"
	"encoding/json"
	"io"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/djangosess/djangosess/internal/pyrun"
)

// Pool runs one long-lived JSON-lines Python script per Django version for
// a whole test binary (a package's own oracle, such as
// testdata/hashers_oracle.py): requests are JSON lines on its stdin,
// answers one JSON line each on its stdout. Call Close from TestMain.
type Pool struct {
	// Script is the script's path, relative to the package directory.
	Script string

	mu    sync.Mutex
	procs map[string]*process
}

type process struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// Close stops every process.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, pr := range p.procs {
		pr.in.Close()
		pr.cmd.Wait()
	}
	p.procs = nil
}

func (p *Pool) process(tb testing.TB, d Django) *process {
	tb.Helper()
	if pr := p.procs[d.Version]; pr != nil {
		return pr
	}
	pyrun.Require(tb)
	path, err := filepath.Abs(p.Script)
	if err != nil {
		tb.Fatal(err)
	}
	cmd, in, out := d.Piped(tb, 4096, path)
	pr := &process{cmd, in, out}
	if p.procs == nil {
		p.procs = map[string]*process{}
	}
	p.procs[d.Version] = pr
	return pr
}

// Do sends the requests to d's process and returns its answer lines. The
// requests are written while the answers are read, so any number fit. A
// broken stream fails the test and the next call starts a new process.
func (p *Pool) Do(tb testing.TB, d Django, reqs ...map[string]any) [][]byte {
	tb.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	pr := p.process(tb, d)
	werr := make(chan error, 1)
	go func() {
		w := bufio.NewWriter(pr.in)
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
		tb.Helper()
		delete(p.procs, d.Version)
		pr.cmd.Process.Kill()
		pr.cmd.Wait()
		tb.Fatalf(format, args...)
	}
	lines := make([][]byte, len(reqs))
	for i := range reqs {
		line, err := pr.out.ReadBytes('\n')
		if err != nil {
			fail("%s (Django %s) died after %d answers: %v", p.Script, d.Version, i, err)
		}
		lines[i] = line
	}
	if err := <-werr; err != nil {
		fail("writing to %s: %v", p.Script, err)
	}
	return lines
}
