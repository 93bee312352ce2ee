package faulttest_test

import (
	"context"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/internal/faulttest"
)

// A master, a replica and three sentinels: the replica has the master's
// writes, and when the master is killed the sentinels promote the
// replica, which has every write WaitReplicated saw replicated and takes
// new ones.
func TestSentinel(t *testing.T) {
	master := faulttest.StartRedis(t, faulttest.RedisOptions{})
	replica := faulttest.StartRedis(t, faulttest.RedisOptions{})
	faulttest.ReplicaOf(t, replica, master)
	start := time.Now()
	s := faulttest.StartSentinel(t, master, 3, "mymaster")
	t.Logf("3 sentinels ready in %v", time.Since(start).Round(time.Millisecond))
	if len(s.Addrs()) != 3 || s.Quorum() != 2 || s.MasterName() != "mymaster" {
		t.Fatalf("Addrs %v, Quorum %d, MasterName %q", s.Addrs(), s.Quorum(), s.MasterName())
	}
	if got, err := s.Master(ctx); err != nil || got != master.Addr() {
		t.Fatalf("Master = %q, %v; want %s", got, err, master.Addr())
	}
	// The sentinels' view through go-redis's failover client.
	c := goredis.NewFailoverClient(&goredis.FailoverOptions{MasterName: "mymaster", SentinelAddrs: s.Addrs(), MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
		t.Fatal(err)
	}
	// The failover client subscribes to the sentinel it uses (at once or
	// a moment after its first command).
	deadline := time.Now().Add(10 * time.Second)
	for {
		used, err := s.Subscribed(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(used) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Subscribed = %v, want one sentinel", used)
		}
		time.Sleep(10 * time.Millisecond)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := faulttest.WaitReplicated(wctx, master, replica); err != nil {
		t.Fatal(err)
	}
	if v, err := redisClient(t, replica).Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Fatalf("the replica has %q, %v", v, err)
	}

	master.Kill(t)
	took := s.WaitMaster(t, replica.Addr(), 30*time.Second)
	t.Logf("failover: the sentinels report the replica as the master %v after SIGKILL", took.Round(time.Millisecond))
	if got, err := s.Master(ctx); err != nil || got != replica.Addr() {
		t.Fatalf("Master after the failover = %q, %v", got, err)
	}
	r := redisClient(t, replica)
	if role, err := r.Do(ctx, "ROLE").Slice(); err != nil || len(role) == 0 || role[0] != "master" {
		t.Fatalf("ROLE of the promoted replica: %v, %v", role, err)
	}
	if v, err := r.Get(ctx, "k").Result(); err != nil || v != "v" {
		t.Errorf("the promoted replica has %q, %v", v, err)
	}
	if err := c.Set(ctx, "k2", "v2", 0).Err(); err != nil {
		t.Errorf("a write through the failover client after the failover: %v", err)
	}
	if v, err := r.Get(ctx, "k2").Result(); err != nil || v != "v2" {
		t.Errorf("the new master has %q, %v", v, err)
	}

	// A killed sentinel is left out; the others still answer.
	s.Kill(t, 0)
	if s.Running(0) || !s.Running(1) {
		t.Fatal("Running after Kill(0)")
	}
	if got, err := s.Master(ctx); err != nil || got != replica.Addr() {
		t.Errorf("Master with sentinel 0 killed = %q, %v", got, err)
	}
}

// A test starts a master with a replica and three sentinels, and a
// go-redis failover client finds the master through them.
func ExampleStartSentinel() {
	test := func(t *testing.T) {
		master := faulttest.StartRedis(t, faulttest.RedisOptions{})
		replica := faulttest.StartRedis(t, faulttest.RedisOptions{})
		faulttest.ReplicaOf(t, replica, master) // before the sentinels start
		s := faulttest.StartSentinel(t, master, 3, "mymaster")
		c := goredis.NewFailoverClient(&goredis.FailoverOptions{MasterName: s.MasterName(), SentinelAddrs: s.Addrs()})
		defer c.Close()
		if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		master.Kill(t)
		s.WaitMaster(t, replica.Addr(), 30*time.Second)
	}
	_ = test
}
