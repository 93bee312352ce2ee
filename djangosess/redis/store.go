package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/keys"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// Store is Django's cache session engine (or the cache half of cached_db)
// on Redis. It is safe for concurrent use.
type Store struct {
	c          Client
	codec      cachevalue.Codec
	serializer string // for Record.Stored
	prefix     string
	version    int
	keyFunc    func(prefix string, version int, key string) string
	logical    string // keys.CachePrefix or keys.CachedDBCachePrefix
	head       string // the Redis key of session "" with the default key function
	cachedDB   bool
	cookieAge  time.Duration
	loc        *time.Location
	now        func() time.Time

	// Keys: the Redis keys of sessions are before+key+after.
	before, after, pattern string
	keysErr                error
}

var _ djangosess.Store = (*Store)(nil)

// New returns a store of the sessions in the cache that cfg describes,
// reached through client. A configuration Django could not have (an
// unknown serializer or compressor, a compressor with Django's RedisCache)
// is an error matching djangosess.ErrConfig.
func New(client Client, cfg Config) (*Store, error) {
	if client == nil {
		return nil, fmt.Errorf("%w: djangosess/redis: nil client", djangosess.ErrConfig)
	}
	if cfg.Value.Compressor == "auto" {
		return nil, fmt.Errorf("%w: djangosess/redis: compressor \"auto\" only reads; name the cache's COMPRESSOR", djangosess.ErrConfig)
	}
	if _, err := cfg.Value.Encode(serializer.NewDict(0)); err != nil {
		return nil, fmt.Errorf("%w: djangosess/redis: %w", djangosess.ErrConfig, err)
	}
	s := &Store{
		c:          client,
		codec:      cfg.Value,
		serializer: cfg.Value.Serializer,
		prefix:     cfg.KeyPrefix,
		version:    cfg.Version,
		keyFunc:    cfg.KeyFunc,
		logical:    keys.CachePrefix,
		cachedDB:   cfg.CachedDB,
		cookieAge:  cfg.CookieAge,
		loc:        cfg.Location,
		now:        cfg.Now,
	}
	if s.serializer == "" {
		s.serializer = "pickle"
	}
	if s.version == 0 {
		s.version = 1
	}
	if s.cachedDB {
		s.logical = keys.CachedDBCachePrefix
	}
	if s.cookieAge == 0 {
		s.cookieAge = djangosess.DefaultCookieAge
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.keyFunc == nil {
		s.head = keys.CacheKey(s.prefix, s.version, s.logical)
		s.before = s.head
	} else {
		const marker = "djangosesskeymarker0123456789"
		out := s.keyFunc(s.prefix, s.version, s.logical+marker)
		if i := strings.Index(out, marker); i < 0 || strings.Count(out, marker) != 1 {
			s.keysErr = fmt.Errorf("%w: djangosess/redis: KeyFunc does not keep the key in the Redis key, so Keys cannot list sessions", djangosess.ErrConfig)
		} else {
			s.before, s.after = out[:i], out[i+len(marker):]
		}
	}
	s.pattern = globEscape(s.before) + "*" + globEscape(s.after)
	return s, nil
}

// RedisKey returns the Redis key of a session: KEY_FUNCTION(KEY_PREFIX,
// VERSION, "django.contrib.sessions.cache"+sessionKey), by default
// ":1:django.contrib.sessions.cache<key>".
func (s *Store) RedisKey(sessionKey string) string {
	if s.keyFunc == nil {
		return s.head + sessionKey
	}
	return s.keyFunc(s.prefix, s.version, s.logical+sessionKey)
}

// Load returns the session under key: the dict the cache holds and its
// expiry, now plus the key's remaining TTL (GET and PTTL, pipelined: one
// round trip). A key without a TTL, which Django never writes for a
// session but another client may, loads with a zero Expiry: it does not
// expire. A stored None is missing,
// as for Django (ErrNotFound); any other value that is not a dict is an
// error matching serializer.ErrMalformed.
func (s *Store) Load(ctx context.Context, key string) (djangosess.Record, error) {
	if err := keys.Validate(key); err != nil {
		return djangosess.Record{}, err
	}
	if err := ctx.Err(); err != nil {
		return djangosess.Record{}, err
	}
	rk := s.RedisKey(key)
	var get *goredis.StringCmd
	var pttl *goredis.DurationCmd
	_, err := s.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		get = p.Get(ctx, rk)
		pttl = p.PTTL(ctx, rk)
		return nil
	})
	if get == nil || pttl == nil { // a Client that did not run fn
		if err == nil {
			err = errors.New("the pipeline ran no commands")
		}
		return djangosess.Record{}, s.fail(ctx, "GET", err)
	}
	b, err := get.Bytes()
	if err == goredis.Nil {
		return djangosess.Record{}, djangosess.ErrNotFound
	}
	if err != nil {
		return djangosess.Record{}, s.fail(ctx, "GET", err)
	}
	ttl, err := pttl.Result()
	if err != nil {
		return djangosess.Record{}, s.fail(ctx, "PTTL", err)
	}
	var expiry time.Time
	switch {
	case ttl == -2: // expired or deleted since the GET
		return djangosess.Record{}, djangosess.ErrNotFound
	case ttl >= 0:
		expiry = s.now().Add(ttl)
	}
	v, err := s.codec.Decode(b)
	if err != nil {
		return djangosess.Record{}, fmt.Errorf("djangosess/redis: session value: %w", err)
	}
	d, ok := v.(*serializer.Dict)
	if !ok {
		if _, none := v.(serializer.None); none {
			return djangosess.Record{}, djangosess.ErrNotFound
		}
		return djangosess.Record{}, fmt.Errorf("%w: djangosess/redis: the session value is a %s, not a dict", serializer.ErrMalformed, v.Kind())
	}
	return djangosess.Record{Data: d, Expiry: expiry, Size: len(b), Stored: djangosess.Stored{Serializer: s.serializer}}, nil
}

// Create stores r under key if the key is free, as Django's cache.add:
// SET … NX with the session's timeout. A taken key is
// djangosess.ErrExists. A session whose timeout is not positive (already
// expired) is not stored, and Create only reports whether the key was
// taken, as django-redis does (Django's RedisCache sets the key and
// deletes it again; the outcome is the same).
func (s *Store) Create(ctx context.Context, key string, r djangosess.Record) error {
	rk, b, t, err := s.prepare(ctx, key, r)
	if err != nil {
		return err
	}
	if !t.positive(s.codec.Client) {
		n, err := s.c.Exists(ctx, rk).Result()
		if err != nil {
			return s.fail(ctx, "EXISTS", err)
		}
		if n > 0 {
			return djangosess.ErrExists
		}
		return nil
	}
	ok, err := s.set(ctx, rk, b, t, "nx")
	if err != nil {
		return err
	}
	if !ok {
		return djangosess.ErrExists
	}
	return nil
}

// Save replaces the session under key, which must exist: Django's update
// (a GET to check the key, then cache.set), done in one command with
// SET … XX so a session deleted meanwhile is not brought back. A missing
// key is djangosess.ErrVanished. A timeout that is not positive deletes
// the key, as the cache's set does.
func (s *Store) Save(ctx context.Context, key string, r djangosess.Record) error {
	rk, b, t, err := s.prepare(ctx, key, r)
	if err != nil {
		return err
	}
	if !t.positive(s.codec.Client) {
		n, err := s.c.Del(ctx, rk).Result()
		if err != nil {
			return s.fail(ctx, "DEL", err)
		}
		if n == 0 {
			return djangosess.ErrVanished
		}
		return nil
	}
	ok, err := s.set(ctx, rk, b, t, "xx")
	if err != nil {
		return err
	}
	if !ok {
		return djangosess.ErrVanished
	}
	return nil
}

// Set stores r under key whether or not the key exists: Django's
// cache.set(key, data, timeout), which the cached_db engine issues after
// every database write and after loading a session from the database. The
// timeout is as for Create and Save: with r.Expiry zero, get_expiry_age()
// of r.Data; with r.Expiry set, the whole seconds until it, rounded down
// (get_expiry_age(expiry=expire_date), what cached_db passes for a
// session read from the database). A timeout that is not positive deletes
// the key.
func (s *Store) Set(ctx context.Context, key string, r djangosess.Record) error {
	rk, b, t, err := s.prepare(ctx, key, r)
	if err != nil {
		return err
	}
	if !t.positive(s.codec.Client) {
		if err := s.c.Del(ctx, rk).Err(); err != nil {
			return s.fail(ctx, "DEL", err)
		}
		return nil
	}
	_, err = s.set(ctx, rk, b, t, "")
	return err
}

// Delete removes the session (DEL); a missing one is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := keys.Validate(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.c.Del(ctx, s.RedisKey(key)).Err(); err != nil {
		return s.fail(ctx, "DEL", err)
	}
	return nil
}

// Exists reports whether the key holds a session (EXISTS), as Django's
// exists() does; Redis has already dropped expired ones.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := keys.Validate(key); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	n, err := s.c.Exists(ctx, s.RedisKey(key)).Result()
	if err != nil {
		return false, s.fail(ctx, "EXISTS", err)
	}
	return n > 0, nil
}

// ClearExpired does nothing and returns 0, as Django's cache engine: the
// TTLs expire sessions.
func (s *Store) ClearExpired(ctx context.Context) (int, error) {
	return 0, ctx.Err()
}

// prepare checks the key and the context and computes the Redis key, the
// value and the timeout of a write.
func (s *Store) prepare(ctx context.Context, key string, r djangosess.Record) (string, []byte, timeout, error) {
	if err := keys.Validate(key); err != nil {
		return "", nil, timeout{}, err
	}
	if err := ctx.Err(); err != nil {
		return "", nil, timeout{}, err
	}
	t, err := s.timeoutOf(r, s.now())
	if err != nil {
		return "", nil, timeout{}, err
	}
	var v serializer.Value = r.Data
	if r.Data == nil {
		v = serializer.NewDict(0)
	}
	b, err := s.codec.Encode(v)
	if err != nil {
		return "", nil, timeout{}, fmt.Errorf("djangosess/redis: session value: %w", err)
	}
	return s.RedisKey(key), b, t, nil
}

// set sends the client's SET: "SET key value PX ms [NX|XX]" as
// django-redis (redis-py) does, "SET key value EX s [NX]" as Django's
// RedisCache. ok is false when NX or XX prevented it.
func (s *Store) set(ctx context.Context, rk string, b []byte, t timeout, mode string) (ok bool, err error) {
	unit, n := "px", t.ms
	if s.codec.Client == cachevalue.Django {
		unit, n = "ex", t.sec
	}
	var cmd *goredis.Cmd
	if mode == "" {
		cmd = s.c.Do(ctx, "set", rk, b, unit, n)
	} else {
		cmd = s.c.Do(ctx, "set", rk, b, unit, n, mode)
	}
	switch err := cmd.Err(); {
	case err == goredis.Nil:
		return false, nil
	case err != nil:
		return false, s.fail(ctx, "SET", err)
	}
	return true, nil
}

// fail wraps a client error: a context's error stays one (errors.Is
// context.Canceled or DeadlineExceeded), anything else is a failure of the
// server or of the way to it, djangosess.ErrUnavailable.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		if errors.Is(err, cerr) {
			return fmt.Errorf("djangosess/redis: %s: %w", op, err)
		}
		return fmt.Errorf("djangosess/redis: %s: %w (%v)", op, cerr, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("djangosess/redis: %s: %w", op, err)
	}
	// go-redis sets the connection's deadline to the context's, so the
	// read can time out a moment before the context says it is done.
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return fmt.Errorf("djangosess/redis: %s: %w (%v)", op, context.DeadlineExceeded, err)
	}
	return fmt.Errorf("%w: redis %s: %w", djangosess.ErrUnavailable, op, err)
}
