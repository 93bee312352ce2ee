package redis

import (
	"context"

	goredis "github.com/redis/go-redis/v9"
)

// Client is the part of go-redis's UniversalClient the store uses, so
// *redis.Client, *redis.ClusterClient, the Sentinel failover clients and
// *redis.Ring all satisfy it, as do wrappers that add tracing or metrics.
//
// Every command names a single key (or, for Scan, none), so on a cluster
// each goes to the one node owning the key. The one pipeline, Load's GET
// and PTTL of the same key, has a single key too, so a cluster client
// sends it to one node in one round trip. There are no transactions.
type Client interface {
	Pipelined(ctx context.Context, fn func(goredis.Pipeliner) error) ([]goredis.Cmder, error)
	Do(ctx context.Context, args ...any) *goredis.Cmd
	Del(ctx context.Context, keys ...string) *goredis.IntCmd
	Exists(ctx context.Context, keys ...string) *goredis.IntCmd
	Scan(ctx context.Context, cursor uint64, match string, count int64) *goredis.ScanCmd
}

// MasterRanger is implemented by *redis.ClusterClient. Keys scans every
// master of a Client that implements it (SCAN on a cluster client would
// see one node only).
type MasterRanger interface {
	ForEachMaster(ctx context.Context, fn func(ctx context.Context, client *goredis.Client) error) error
}

// ShardRanger is implemented by *redis.Ring. Keys scans every shard of a
// Client that implements it.
type ShardRanger interface {
	ForEachShard(ctx context.Context, fn func(ctx context.Context, client *goredis.Client) error) error
}

var (
	_ Client       = goredis.UniversalClient(nil)
	_ Client       = (*goredis.AutoPipeliner)(nil)
	_ MasterRanger = (*goredis.ClusterClient)(nil)
	_ ShardRanger  = (*goredis.Ring)(nil)
)
