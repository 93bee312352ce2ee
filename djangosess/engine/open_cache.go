package engine

import (
	"context"
	"crypto/tls"
	"fmt"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/cacheddb"
	"github.com/djangosess/djangosess/djangosess/redis"
)

// DefaultCacheURL is where the cache engines look when CACHE_URL is unset.
const DefaultCacheURL = "redis://127.0.0.1:6379/0"

// RedisClient returns the go-redis client for a CACHE_URL.
func RedisClient(u string) (goredis.UniversalClient, error) {
	if u == "" {
		u = DefaultCacheURL
	}
	loc, err := ParseCacheURL(u)
	if err != nil {
		return nil, err
	}
	var tlsConf *tls.Config
	if loc.TLS {
		tlsConf = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	switch loc.Mode {
	case "cluster":
		return goredis.NewClusterClient(&goredis.ClusterOptions{Addrs: loc.Addrs, Username: loc.Username, Password: loc.Password, TLSConfig: tlsConf}), nil
	case "sentinel":
		// DialerRetries 1: go-redis's default (5 dials 100 ms apart, for
		// the sentinels too) made a dead sentinel stall the next call for
		// its whole deadline, and all sentinels down take 76 s to fail
		// without one; with a single dial, 0.17 s and 0.75 s
		// (djangosess/redis TestSentinelDown).
		return goredis.NewFailoverClient(&goredis.FailoverOptions{MasterName: loc.MasterName, SentinelAddrs: loc.Addrs,
			Username: loc.Username, Password: loc.Password, DB: loc.DB, TLSConfig: tlsConf, DialerRetries: 1}), nil
	}
	return goredis.NewClient(&goredis.Options{Network: loc.Network, Addr: loc.Addrs[0], Username: loc.Username,
		Password: loc.Password, DB: loc.DB, TLSConfig: tlsConf}), nil
}

// openCache opens the cache store (cachedDB: the cached_db copy).
func openCache(_ context.Context, s Settings, o *Opened, cachedDB bool) (*redis.Store, error) {
	value, err := s.CacheValueCodec()
	if err != nil {
		return nil, err
	}
	loc, err := s.location()
	if err != nil {
		return nil, err
	}
	client, err := RedisClient(s.CacheURL)
	if err != nil {
		return nil, err
	}
	o.closers = append(o.closers, client.Close)
	st, err := redis.New(client, redis.Config{Value: value, KeyPrefix: s.CacheKeyPrefix, Version: s.CacheVersion,
		CachedDB: cachedDB, CookieAge: s.CookieAge, Location: loc, Now: s.Now})
	if err != nil {
		return nil, fmt.Errorf("cache engine: %w", err)
	}
	return st, nil
}

func openCachedDB(ctx context.Context, s Settings, o *Opened) error {
	db, migrate, err := dbStore(ctx, s, o)
	if err != nil {
		return err
	}
	cache, err := openCache(ctx, s, o, true)
	if err != nil {
		return err
	}
	st, err := cacheddb.New(cacheddb.Config{DB: db, Cache: cache, OnCacheError: s.OnCacheError})
	if err != nil {
		return err
	}
	o.Store, o.Migrate = st, migrate
	return nil
}

var _ djangosess.Store = (*redis.Store)(nil)
