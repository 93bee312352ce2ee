package faulttest

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is one running server process; done closes when it has exited.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error // cmd.Wait's, once done is closed
}

// startProc starts cmd, to be killed with the test binary.
func startProc(cmd *exec.Cmd) (*proc, error) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has exited.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// wait waits up to d for the process to exit.
func (p *proc) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
		return false
	}
}

// kill sends SIGKILL to the process and all its descendants (a
// PostgreSQL postmaster's backends, which each lead a process group of
// their own), and waits until they are gone: until then a new postmaster
// finds the old shared memory still attached and refuses to start.
func (p *proc) kill() {
	pid := p.cmd.Process.Pid
	syscall.Kill(pid, syscall.SIGSTOP) // no more forks
	all := append(descendants(pid), pid)
	for _, q := range all {
		syscall.Kill(q, syscall.SIGKILL)
	}
	<-p.done
	deadline := time.Now().Add(10 * time.Second)
	for _, q := range all {
		for alive(q) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// stat returns the state and the parent of process pid, from
// /proc/pid/stat.
func stat(pid string) (state, ppid string, ok bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return "", "", false
	}
	// pid (comm) state ppid ...; comm may hold spaces and parentheses.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return "", "", false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 2 {
		return "", "", false
	}
	return f[0], f[1], true
}

// alive reports whether pid is a process that has not exited (a zombie
// has).
func alive(pid int) bool {
	state, _, ok := stat(strconv.Itoa(pid))
	return ok && state != "Z" && state != "X"
}

// descendants returns the processes below pid.
func descendants(pid int) []int {
	children := map[string][]string{}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if n := d.Name(); n[0] >= '0' && n[0] <= '9' {
			if _, ppid, ok := stat(n); ok {
				children[ppid] = append(children[ppid], n)
			}
		}
	}
	var out []int
	queue := []string{strconv.Itoa(pid)}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		for _, c := range children[q] {
			if n, err := strconv.Atoi(c); err == nil {
				out = append(out, n)
				queue = append(queue, c)
			}
		}
	}
	return out
}

// status describes how the process ended.
func (p *proc) status() string {
	if p.err != nil {
		return p.err.Error()
	}
	return "exit status 0"
}

// freePort returns a loopback port that nothing listens on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// tail returns the last n bytes of the file at path, for failure messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	if len(b) > n {
		b = b[len(b)-n:]
		if i := strings.IndexByte(string(b), '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}

// errExited is returned by a readiness poll when the process died.
var errExited = errors.New("the server process exited")
