package faulttest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/internal/pyrun"
	"github.com/djangosess/djangosess/internal/redistest"
)

// Sentinel timing: a master that does not answer for DownAfter is
// subjectively down, and a failover that has not completed within
// FailoverTimeout is retried (by then, 2×FailoverTimeout after the first
// attempt).
const (
	SentinelDownAfter       = time.Second
	SentinelFailoverTimeout = 5 * time.Second
)

// Sentinel is a group of private Redis Sentinels (redis-server
// --sentinel) on 127.0.0.1 and free ports, each with its own
// configuration file and directory, monitoring one master. Its methods
// are safe for concurrent use.
type Sentinel struct {
	bin    string
	name   string
	quorum int
	nodes  []*sentinelNode
}

type sentinelNode struct {
	dir  string
	port int
	server
}

// StartSentinel starts n sentinels monitoring master under masterName,
// with a quorum of n/2+1, down-after-milliseconds 1000 and
// failover-timeout 5000, and stops them when the test ends. It returns
// once every sentinel reports master as masterName's master, knows the
// n-1 other sentinels (so that they can agree on a failover) and knows
// every replica connected to master, with its link up (so that it can
// promote one): attach the replicas (ReplicaOf) before starting the
// sentinels, or they are found only at the sentinels' next INFO, up to
// 10 s later. A missing redis-server is pyrun.Missing (a skip outside CI).
func StartSentinel(tb testing.TB, master *Redis, n int, masterName string) *Sentinel {
	tb.Helper()
	if n < 1 {
		tb.Fatalf("faulttest: StartSentinel: n = %d", n)
	}
	bin, err := exec.LookPath(redistest.Server())
	if err != nil {
		pyrun.Missing(tb, "faulttest: %s not found: %v", redistest.Server(), err)
	}
	s := &Sentinel{bin: bin, name: masterName, quorum: n/2 + 1}
	tb.Cleanup(func() {
		for _, nd := range s.nodes {
			nd.cleanup()
		}
	})
	_, mport, _ := net.SplitHostPort(master.Addr())
	for i := range n {
		nd := &sentinelNode{dir: tb.TempDir()}
		nd.what, nd.logs = fmt.Sprintf("sentinel %d", i), nd.sentinelLogs
		s.nodes = append(s.nodes, nd)
		nd.first(tb, func(port int) error {
			nd.port = port
			return s.launch(nd, mport)
		})
	}
	replicas, err := connectedReplicas(master.Addr())
	if err != nil {
		tb.Fatalf("faulttest: INFO replication on the master %s: %v", master.Addr(), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.poll(ctx, func(sc *goredis.SentinelClient) error { return s.ready(ctx, sc, master.Addr(), n-1, replicas) }); err != nil {
		tb.Fatalf("faulttest: sentinels not ready: %v%s", err, s.logs())
	}
	return s
}

// launch writes nd's configuration and starts it, waiting until it
// reports the master; nd.mu is held.
func (s *Sentinel) launch(nd *sentinelNode, masterPort string) error {
	conf := filepath.Join(nd.dir, "sentinel.conf")
	text := fmt.Sprintf("port %d\nbind 127.0.0.1\ndaemonize no\ndir %s\nlogfile %s\n"+
		"sentinel monitor %s 127.0.0.1 %s %d\n"+
		"sentinel down-after-milliseconds %[4]s %[7]d\n"+
		"sentinel failover-timeout %[4]s %[8]d\n"+
		"sentinel parallel-syncs %[4]s 1\n",
		nd.port, nd.dir, filepath.Join(nd.dir, "sentinel.log"), s.name, masterPort, s.quorum,
		SentinelDownAfter.Milliseconds(), SentinelFailoverTimeout.Milliseconds())
	// The sentinel rewrites its file (its id, the replicas and sentinels
	// it found), so the file is written afresh for each port.
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return err
	}
	cmd := exec.Command(s.bin, conf, "--sentinel")
	cmd.Dir = nd.dir
	sc := sentinelClient(net.JoinHostPort("127.0.0.1", strconv.Itoa(nd.port)))
	defer sc.Close()
	want := net.JoinHostPort("127.0.0.1", masterPort)
	return nd.start(cmd, filepath.Join(nd.dir, "stderr.log"), 30*time.Second, 20*time.Millisecond, func(ctx context.Context) error {
		got, err := masterAddr(ctx, sc, s.name)
		if err == nil && got != want {
			err = fmt.Errorf("reports master %s, want %s", got, want)
		}
		return err
	})
}

// ready checks that a sentinel reports master, knows others other
// sentinels and replicas replicas, each with its link to the master up.
func (s *Sentinel) ready(ctx context.Context, sc *goredis.SentinelClient, master string, others, replicas int) error {
	got, err := masterAddr(ctx, sc, s.name)
	if err != nil {
		return err
	}
	if got != master {
		return fmt.Errorf("reports master %s, want %s", got, master)
	}
	m, err := sc.Master(ctx, s.name).Result()
	if err != nil {
		return err
	}
	if m["num-other-sentinels"] != strconv.Itoa(others) {
		return fmt.Errorf("knows %s other sentinels, want %d", m["num-other-sentinels"], others)
	}
	reps, err := sc.Replicas(ctx, s.name).Result()
	if err != nil {
		return err
	}
	up := 0
	for _, r := range reps {
		if r["flags"] == "slave" && r["master-link-status"] == "ok" {
			up++
		}
	}
	if up != replicas {
		return fmt.Errorf("knows %d replicas with their link up (%v), want %d", up, reps, replicas)
	}
	return nil
}

// Addrs are the sentinels' addresses, 127.0.0.1:port.
func (s *Sentinel) Addrs() []string {
	out := make([]string, len(s.nodes))
	for i, nd := range s.nodes {
		out[i] = net.JoinHostPort("127.0.0.1", strconv.Itoa(nd.port))
	}
	return out
}

// MasterName is the name the sentinels monitor the master under.
func (s *Sentinel) MasterName() string { return s.name }

// Quorum is the number of sentinels that must agree the master is down.
func (s *Sentinel) Quorum() int { return s.quorum }

// Master returns the master's address as the first running sentinel that
// answers reports it (SENTINEL get-master-addr-by-name).
func (s *Sentinel) Master(ctx context.Context) (string, error) {
	var errs []error
	for i, addr := range s.Addrs() {
		if !s.Running(i) {
			continue
		}
		sc := sentinelClient(addr)
		got, err := masterAddr(ctx, sc, s.name)
		sc.Close()
		if err == nil {
			return got, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", addr, err))
	}
	if len(errs) == 0 {
		return "", errors.New("faulttest: no sentinel is running")
	}
	return "", errors.Join(errs...)
}

// WaitMaster waits until every running sentinel reports addr as the
// master, and returns how long that took; the test fails if it takes
// longer than d.
func (s *Sentinel) WaitMaster(tb testing.TB, addr string, d time.Duration) time.Duration {
	tb.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	err := s.poll(ctx, func(sc *goredis.SentinelClient) error {
		got, err := masterAddr(ctx, sc, s.name)
		if err == nil && got != addr {
			err = fmt.Errorf("reports master %s, want %s", got, addr)
		}
		return err
	})
	if err != nil {
		tb.Fatalf("faulttest: the sentinels did not report %s as the master within %v: %v%s", addr, d, err, s.logs())
	}
	return time.Since(start)
}

// Running reports whether sentinel i is running.
func (s *Sentinel) Running(i int) bool { return s.nodes[i].isRunning() }

// Kill sends sentinel i SIGKILL and waits for it to exit. The others
// go on; a failover still needs a majority of all n sentinels.
func (s *Sentinel) Kill(tb testing.TB, i int) {
	tb.Helper()
	s.nodes[i].kill(tb)
}

// poll calls check on a client of each running sentinel until it succeeds
// for all of them, a sentinel exits or ctx ends.
func (s *Sentinel) poll(ctx context.Context, check func(*goredis.SentinelClient) error) error {
	for {
		var last error
		for i, addr := range s.Addrs() {
			nd := s.nodes[i]
			nd.mu.Lock()
			p := nd.cur
			nd.mu.Unlock()
			if p == nil {
				continue
			}
			if p.exited() {
				return fmt.Errorf("sentinel %s: %w: %s", addr, errExited, p.status())
			}
			sc := sentinelClient(addr)
			err := check(sc)
			sc.Close()
			if err != nil {
				last = fmt.Errorf("sentinel %s: %w", addr, err)
				break
			}
		}
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// logs returns the end of every sentinel's log.
func (s *Sentinel) logs() string {
	var b strings.Builder
	for i, nd := range s.nodes {
		fmt.Fprintf(&b, "\n--- sentinel %d (port %d):\n%s", i, nd.port, nd.logs())
	}
	return b.String()
}

func (nd *sentinelNode) sentinelLogs() string {
	return tail(filepath.Join(nd.dir, "sentinel.log"), 2000) + tail(filepath.Join(nd.dir, "stderr.log"), 500)
}

func sentinelClient(addr string) *goredis.SentinelClient {
	return goredis.NewSentinelClient(&goredis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second,
		ReadTimeout: time.Second, WriteTimeout: time.Second, PoolSize: 1})
}

// masterAddr asks one sentinel for the master's address.
func masterAddr(ctx context.Context, sc *goredis.SentinelClient, name string) (string, error) {
	hp, err := sc.GetMasterAddrByName(ctx, name).Result()
	if err != nil {
		return "", err
	}
	if len(hp) != 2 {
		return "", fmt.Errorf("get-master-addr-by-name answered %q", hp)
	}
	return net.JoinHostPort(hp[0], hp[1]), nil
}

// ReplicaOf makes replica a replica of master (REPLICAOF) and waits until
// it has synchronized: its link to master is up and it has loaded
// master's data. A replica restarted with Start is a master again.
func ReplicaOf(tb testing.TB, replica, master *Redis) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Redis 7 waits 5 s (repl-diskless-sync-delay) for more replicas
	// before a diskless full sync.
	m := directClient(master.Addr())
	defer m.Close()
	if err := m.ConfigSet(ctx, "repl-diskless-sync-delay", "0").Err(); err != nil {
		tb.Fatalf("faulttest: CONFIG SET on %s: %v", master.Addr(), err)
	}
	c := directClient(replica.Addr())
	defer c.Close()
	host, port, _ := net.SplitHostPort(master.Addr())
	if err := c.Do(ctx, "REPLICAOF", host, port).Err(); err != nil {
		tb.Fatalf("faulttest: REPLICAOF on %s: %v", replica.Addr(), err)
	}
	for {
		info, err := replicationInfo(ctx, c)
		if err == nil && info["role"] == "slave" && info["master_link_status"] == "up" && info["master_sync_in_progress"] == "0" {
			return
		}
		if err == nil {
			err = fmt.Errorf("role %s, master_link_status %s, master_sync_in_progress %s",
				info["role"], info["master_link_status"], info["master_sync_in_progress"])
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("faulttest: %s did not synchronize with %s: %v\n%s", replica.Addr(), master.Addr(), err, replica.logs())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// WaitReplicated waits until replica has applied every write master had
// acknowledged when it was called: until the replica's replication offset
// reaches the master's. It is what WAIT 1 does for one connection, for
// the writes of every connection (WAIT only waits for the writes of the
// connection it is sent on, so through a pool of connections it can
// return at once).
func WaitReplicated(ctx context.Context, master, replica *Redis) error {
	m := directClient(master.Addr())
	defer m.Close()
	info, err := replicationInfo(ctx, m)
	if err != nil {
		return fmt.Errorf("faulttest: INFO replication on the master %s: %w", master.Addr(), err)
	}
	want, err := strconv.ParseInt(info["master_repl_offset"], 10, 64)
	if err != nil {
		return fmt.Errorf("faulttest: the master's master_repl_offset %q: %w", info["master_repl_offset"], err)
	}
	r := directClient(replica.Addr())
	defer r.Close()
	for {
		info, err := replicationInfo(ctx, r)
		if err == nil {
			var got int64
			if got, err = strconv.ParseInt(info["slave_repl_offset"], 10, 64); err == nil {
				if got >= want {
					return nil
				}
				err = fmt.Errorf("replica at offset %d, master at %d", got, want)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("faulttest: %s did not replicate %s's writes: %w (last: %v)", replica.Addr(), master.Addr(), ctx.Err(), err)
		case <-time.After(time.Millisecond):
		}
	}
}

func directClient(addr string) *goredis.Client {
	return goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second,
		ContextTimeoutEnabled: true, PoolSize: 1})
}

// replicationInfo returns the fields of INFO replication.
func replicationInfo(ctx context.Context, c *goredis.Client) (map[string]string, error) {
	s, err := c.Info(ctx, "replication").Result()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for line := range strings.SplitSeq(s, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			out[k] = v
		}
	}
	return out, nil
}

// connectedReplicas returns the number of replicas connected to the
// server at addr.
func connectedReplicas(addr string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := directClient(addr)
	defer c.Close()
	info, err := replicationInfo(ctx, c)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(info["connected_slaves"])
}

// Subscribed returns the running sentinels that have a Pub/Sub client
// (CLIENT LIST flag P): go-redis's failover client subscribes to the
// sentinel it asks for the master, so this is the sentinel it uses.
func (s *Sentinel) Subscribed(ctx context.Context) ([]int, error) {
	var out []int
	for i, addr := range s.Addrs() {
		if !s.Running(i) {
			continue
		}
		c := directClient(addr)
		list, err := c.ClientList(ctx).Result()
		c.Close()
		if err != nil {
			return nil, fmt.Errorf("faulttest: CLIENT LIST on sentinel %s: %w", addr, err)
		}
		for line := range strings.SplitSeq(list, "\n") {
			if slices.Contains(strings.Fields(line), "flags=P") {
				out = append(out, i)
				break
			}
		}
	}
	return out, nil
}
