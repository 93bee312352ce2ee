package redistest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// ClusterSize is the number of masters Cluster starts.
const ClusterSize = 3

// Server is the redis-server binary Cluster runs ($DJANGOSESS_REDIS_SERVER,
// default: redis-server on PATH).
func Server() string {
	if s := os.Getenv("DJANGOSESS_REDIS_SERVER"); s != "" {
		return s
	}
	return "redis-server"
}

// cluster is the one cluster of this test binary.
type cluster struct {
	dir   string
	addrs []string
	procs []*proc
}

// proc is one running redis-server; done closes when it has exited.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

var (
	clusterOnce sync.Once
	theCluster  *cluster
	clusterErr  error
	missingErr  error // a missing binary, as opposed to a failed start
)

// Cluster returns a client of a 3-master Redis Cluster on loopback ports,
// started on first use and stopped by Main when the test binary ends. A
// missing redis-server or redis-cli is Missing; a cluster that does not
// come up fails the test.
func Cluster(tb testing.TB) *redis.ClusterClient {
	tb.Helper()
	clusterOnce.Do(func() { theCluster, clusterErr = startCluster() })
	if missingErr != nil {
		Missing(tb, "redistest: %v", missingErr)
	}
	if clusterErr != nil {
		tb.Fatalf("redistest: starting a Redis Cluster: %v", clusterErr)
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: theCluster.addrs})
	tb.Cleanup(func() { c.Close() })
	return c
}

// ClusterAddrs returns the masters' addresses (Cluster must have been
// called).
func ClusterAddrs() []string {
	if theCluster == nil {
		return nil
	}
	return append([]string(nil), theCluster.addrs...)
}

// Main runs the tests and then stops the cluster, if one was started.
func Main(m *testing.M) {
	code := m.Run()
	if theCluster != nil {
		theCluster.stop()
	}
	os.Exit(code)
}

func startCluster() (*cluster, error) {
	server, err := exec.LookPath(Server())
	if err != nil {
		missingErr = fmt.Errorf("%s not found: %v", Server(), err)
		return nil, missingErr
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		missingErr = fmt.Errorf("redis-cli not found: %v", err)
		return nil, missingErr
	}
	// A port taken between picking it and binding it makes a start fail;
	// try again with new ports a few times.
	for attempt := 1; ; attempt++ {
		c, err := tryCluster(server, cli)
		if err == nil || attempt == 3 {
			return c, err
		}
	}
}

func tryCluster(server, cli string) (c *cluster, err error) {
	dir, err := os.MkdirTemp("", "djangosess-redis-cluster-")
	if err != nil {
		return nil, err
	}
	c = &cluster{dir: dir}
	defer func() {
		if err != nil {
			c.stop()
			c = nil
		}
	}()
	ports, err := freePorts(ClusterSize)
	if err != nil {
		return c, err
	}
	for _, p := range ports {
		node := filepath.Join(dir, strconv.Itoa(p))
		if err := os.Mkdir(node, 0o700); err != nil {
			return c, err
		}
		cmd := exec.Command(server,
			"--bind", "127.0.0.1", "--port", strconv.Itoa(p),
			"--cluster-enabled", "yes", "--cluster-config-file", filepath.Join(node, "nodes.conf"),
			"--cluster-node-timeout", "5000",
			"--save", "", "--appendonly", "no", "--dir", node,
			"--logfile", filepath.Join(node, "redis.log"), "--daemonize", "no")
		// The servers die with the test binary even if it is killed.
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			return c, err
		}
		pr := &proc{cmd: cmd, done: make(chan struct{})}
		go func() { cmd.Wait(); close(pr.done) }()
		c.procs = append(c.procs, pr)
		c.addrs = append(c.addrs, "127.0.0.1:"+strconv.Itoa(p))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, a := range c.addrs {
		if err := c.poll(ctx, a, func(n *redis.Client) error { return n.Ping(ctx).Err() }); err != nil {
			return c, fmt.Errorf("%s did not answer PING: %w%s", a, err, c.logs())
		}
	}
	args := append([]string{"--cluster", "create"}, c.addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput()
	if err != nil {
		return c, fmt.Errorf("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, a := range c.addrs {
		err := c.poll(ctx, a, func(n *redis.Client) error {
			info, err := n.ClusterInfo(ctx).Result()
			if err != nil {
				return err
			}
			if !strings.Contains(info, "cluster_state:ok") {
				return errors.New("cluster_state is not ok")
			}
			return nil
		})
		if err != nil {
			return c, fmt.Errorf("%s: %w%s", a, err, c.logs())
		}
	}
	return c, nil
}

// poll calls check on a client of addr until it succeeds or ctx ends.
func (c *cluster) poll(ctx context.Context, addr string, check func(*redis.Client) error) error {
	n := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer n.Close()
	for {
		err := check(n)
		if err == nil {
			return nil
		}
		for _, p := range c.procs {
			select {
			case <-p.done:
				return fmt.Errorf("a redis-server exited: %v", p.cmd.ProcessState)
			default:
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *cluster) logs() string {
	var b bytes.Buffer
	for _, a := range c.addrs {
		_, port, _ := net.SplitHostPort(a)
		log, _ := os.ReadFile(filepath.Join(c.dir, port, "redis.log"))
		if len(log) > 2000 {
			log = log[len(log)-2000:]
		}
		fmt.Fprintf(&b, "\n--- %s redis.log:\n%s", a, log)
	}
	return b.String()
}

func (c *cluster) stop() {
	for _, p := range c.procs {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range c.procs {
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	}
	os.RemoveAll(c.dir)
}

// freePorts returns n loopback ports that are free, as are their cluster
// bus ports (port + 10000).
func freePorts(n int) ([]int, error) {
	var out []int
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for tries := 0; len(out) < n; tries++ {
		if tries > 200 {
			return nil, errors.New("no free port pairs on 127.0.0.1")
		}
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		held = append(held, l)
		p := l.Addr().(*net.TCPAddr).Port
		if p+10000 > 65535 {
			continue
		}
		bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+10000))
		if err != nil {
			continue
		}
		held = append(held, bus)
		out = append(out, p)
	}
	return out, nil
}
