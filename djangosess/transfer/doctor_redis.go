package transfer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	_ "github.com/go-sql-driver/mysql" // registers "mysql" for DoctorSettings
	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/redis"
)

// CheckRedis examines the Redis server(s) behind c for the cache or
// cached_db engine (eng): persistence and eviction, node by node on a
// cluster or ring. It only reads the configuration (CONFIG GET, or INFO
// when CONFIG is refused).
func CheckRedis(ctx context.Context, c redis.Client, eng string) []Finding {
	if name, err := engine.EngineName(eng); err == nil {
		eng = name
	}
	type node struct {
		label string
		do    doer
	}
	var nodes []node
	var mu sync.Mutex
	collect := func(ctx context.Context, n *goredis.Client) error {
		mu.Lock() // ForEachMaster calls it concurrently
		defer mu.Unlock()
		nodes = append(nodes, node{label: n.Options().Addr, do: n})
		return nil
	}
	var err error
	switch x := c.(type) {
	case redis.MasterRanger:
		err = x.ForEachMaster(ctx, collect)
	case redis.ShardRanger:
		err = x.ForEachShard(ctx, collect)
	default:
		nodes = append(nodes, node{do: c})
	}
	if err != nil {
		return []Finding{{Check: CheckStore, Severity: SeverityError, Message: "cannot reach Redis: " + errText(err),
			Advice: "Check CACHE_URL and that the server is up."}}
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].label < nodes[j].label })
	var pers, evict []Finding
	for _, n := range nodes {
		st, err := readRedisState(ctx, n.do)
		prefix := ""
		if len(nodes) > 1 {
			prefix = n.label + ": "
		}
		if err != nil {
			return []Finding{{Check: CheckStore, Severity: SeverityError, Message: prefix + "cannot reach Redis: " + errText(err),
				Advice: "Check CACHE_URL and that the server is up."}}
		}
		p, e := st.findings(eng)
		p.Message, e.Message = prefix+p.Message, prefix+e.Message
		pers, evict = append(pers, p), append(evict, e)
	}
	return append(pers, evict...)
}

type doer interface {
	Do(ctx context.Context, args ...any) *goredis.Cmd
}

// redisState is what the checks need of one server's configuration;
// known is false when neither CONFIG nor INFO told.
type redisState struct {
	config                     bool // CONFIG GET answered
	save, appendonly           string
	maxmemory, policy          string
	aofKnown, memKnown, noInfo bool
}

// readRedisState asks CONFIG GET, and INFO when CONFIG is refused (a
// renamed command, an ACL without +config, a managed service). An error
// is a failed connection or PING (a wrong password, too).
func readRedisState(ctx context.Context, c doer) (redisState, error) {
	var st redisState
	// PING first: a refused connection or password is not a refused
	// CONFIG.
	if err := c.Do(ctx, "PING").Err(); err != nil {
		return st, err
	}
	vals := map[string]*string{"save": &st.save, "appendonly": &st.appendonly, "maxmemory": &st.maxmemory, "maxmemory-policy": &st.policy}
	st.config = true
	for _, name := range []string{"save", "appendonly", "maxmemory", "maxmemory-policy"} {
		v, err := configGet(ctx, c, name)
		if err != nil {
			var rerr goredis.Error
			if !errors.As(err, &rerr) {
				return st, err
			}
			st.config = false
			break
		}
		*vals[name] = v
	}
	if st.config {
		st.aofKnown, st.memKnown = true, true
		return st, nil
	}
	st.save, st.appendonly, st.maxmemory, st.policy = "", "", "", ""
	info := func(section string) (map[string]string, error) {
		s, err := c.Do(ctx, "INFO", section).Text()
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, line := range strings.Split(s, "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
				m[k] = v
			}
		}
		return m, nil
	}
	p, err := info("persistence")
	if err != nil {
		var rerr goredis.Error
		if !errors.As(err, &rerr) {
			return st, err
		}
		st.noInfo = true
		return st, nil
	}
	if v, ok := p["aof_enabled"]; ok {
		st.aofKnown = true
		st.appendonly = map[string]string{"1": "yes", "0": "no"}[v]
	}
	m, err := info("memory")
	if err == nil {
		if mm, ok := m["maxmemory"]; ok {
			st.memKnown = true
			st.maxmemory, st.policy = mm, m["maxmemory_policy"]
		}
	}
	return st, nil
}

// configGet is CONFIG GET name's value ("" when the server has none),
// from a RESP2 array or a RESP3 map.
func configGet(ctx context.Context, c doer, name string) (string, error) {
	v, err := c.Do(ctx, "CONFIG", "GET", name).Result()
	if err != nil {
		return "", err
	}
	switch x := v.(type) {
	case []any:
		for i := 0; i+1 < len(x); i += 2 {
			if k, _ := x[i].(string); k == name {
				s, _ := x[i+1].(string)
				return s, nil
			}
		}
	case map[any]any:
		s, _ := x[name].(string)
		return s, nil
	case map[string]any:
		s, _ := x[name].(string)
		return s, nil
	}
	return "", nil
}

// findings grades a server's state for engine eng.
func (st redisState) findings(eng string) (pers, evict Finding) {
	cache := eng == engine.Cache
	pers.Check, evict.Check = CheckRedisPersistence, CheckRedisEviction
	const persistAdvice = "Turn on the append-only file (appendonly yes, appendfsync everysec) or RDB snapshots (save 3600 1 300 100 60 10000), " +
		"or use SESSION_ENGINE cached_db so that the database keeps the sessions."
	switch {
	case st.appendonly == "yes":
		pers.Severity, pers.Message = SeverityOK, "Redis writes an append-only file (appendonly yes): sessions survive a restart"
	case st.config && st.save != "":
		pers.Severity = SeverityInfo
		pers.Message = fmt.Sprintf("Redis persists RDB snapshots only (save %q, appendonly no): a crash loses the sessions written since the last snapshot", st.save)
		if !cache {
			pers.Message += ", which cached_db reads again from the database"
		} else {
			pers.Advice = "For sessions that survive a crash, turn on the append-only file (appendonly yes)."
		}
	case st.config:
		if cache {
			pers.Severity = SeverityWarning
			pers.Message = "Redis persists nothing (save \"\", appendonly no): a restart or failover loses every session and logs everyone out; " +
				"Django's documentation warns that with the cache engine session data may not be persistent"
			pers.Advice = persistAdvice
		} else {
			pers.Severity = SeverityInfo
			pers.Message = "Redis persists nothing (save \"\", appendonly no): a restart empties the cache, and cached_db reads the sessions again from the database"
		}
	default:
		pers.Severity = SeverityInfo
		what := "CONFIG is refused (renamed, or not allowed to this user, as on managed Redis services)"
		if st.noInfo {
			what += " and so is INFO"
		} else if st.aofKnown {
			what += "; INFO shows no append-only file"
		}
		pers.Message = what + ": whether Redis keeps the sessions across a restart is unknown"
		if cache {
			pers.Advice = "Check your provider's persistence settings (AOF or RDB snapshots), or use SESSION_ENGINE cached_db."
		}
	}
	switch {
	case !st.memKnown:
		evict.Severity, evict.Message = SeverityInfo, "maxmemory and maxmemory-policy could not be read: whether Redis evicts sessions is unknown"
		if cache {
			evict.Advice = "Check that the provider's eviction policy is noeviction, or that maxmemory leaves room for every session."
		}
	case st.maxmemory == "" || st.maxmemory == "0":
		evict.Severity, evict.Message = SeverityOK, "no maxmemory: Redis never evicts sessions"
	case st.policy == "noeviction":
		evict.Severity = SeverityInfo
		evict.Message = fmt.Sprintf("maxmemory %s with noeviction: when memory is full, saving a session fails with an OOM error instead of evicting one", st.maxmemory)
	default:
		evict.Message = fmt.Sprintf("maxmemory %s with maxmemory-policy %s: when memory is full Redis evicts keys, and every session key has a TTL, so sessions go too", st.maxmemory, st.policy)
		if cache {
			evict.Severity = SeverityWarning
			evict.Message += " (users are logged out)"
			evict.Advice = "Use maxmemory-policy noeviction on the sessions' Redis (or a Redis of their own), give it more memory, or use SESSION_ENGINE cached_db."
		} else {
			evict.Severity = SeverityInfo
			evict.Message += "; cached_db then reads them from the database"
		}
	}
	return pers, evict
}
