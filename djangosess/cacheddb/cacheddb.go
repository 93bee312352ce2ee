package cacheddb

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/djangosess/djangosess/djangosess"
)

// Cache is the cache half: a store of session dicts under the cached_db
// key prefix (djangosess/redis with CachedDB set), plus Django's
// unconditional cache.set.
type Cache interface {
	djangosess.Store
	// Set stores r under key whether or not it exists, with the TTL
	// r.Expiry implies (Django's cache.set).
	Set(ctx context.Context, key string, r djangosess.Record) error
}

// Config configures a Store.
type Config struct {
	// DB is the database half (djangosess/postgres, sqlite or mysql),
	// authoritative. Required.
	DB djangosess.Store
	// Cache is the cache half. Required.
	Cache Cache
	// OnCacheError receives every cache failure (op is "load", "set",
	// "delete" or "exists") after the store has fallen back to the
	// database. Nil logs them with slog.Default at warning level.
	OnCacheError func(ctx context.Context, op, key string, err error)
	// CacheTimeout bounds each cache call, so that a cache that does not
	// answer (a client retrying a dead server) costs a request this much
	// before the database answers instead, not the request's whole
	// deadline. Zero means DefaultCacheTimeout; negative, no bound.
	CacheTimeout time.Duration
	// MaxDirty bounds how many keys the store remembers as possibly
	// stale in the cache (see Store); zero means DefaultMaxDirty.
	MaxDirty int
}

// DefaultCacheTimeout is Config.CacheTimeout's default.
const DefaultCacheTimeout = 500 * time.Millisecond

// DefaultMaxDirty is Config.MaxDirty's default.
const DefaultMaxDirty = 100_000

// Store is a cached_db session store. It is safe for concurrent use.
//
// A write whose cache update fails (Set, then the Delete of the old copy,
// both refused: the cache is unreachable) leaves the cache possibly
// holding the previous value, which a cache that keeps its data (an
// append-only file, a promoted replica, a partition healing) would serve
// again when it comes back: a logout undone, an old cart. Django's own
// cached_db has this hole. This store remembers such keys as dirty: a
// dirty key's cached copy is never read; the next Load or Exists deletes
// it first (and only then fills the cache from the database), and a later
// successful cache write clears the mark. Past MaxDirty keys the store
// stops reading the cache at all, reporting it once through
// OnCacheError: sessions are then served from the database, correct but
// slower, until the process restarts (restart it once the cache is back,
// or clear the cache's cached_db prefix). The marks live in this process:
// other processes sharing the cache (Django's included) do not see them,
// so after a cache outage clear the prefix, or run the cache without
// persistence, as Django's documentation advises for cached_db.
type Store struct {
	db      djangosess.Store
	cache   Cache
	onError func(ctx context.Context, op, key string, err error)
	timeout time.Duration

	mu          sync.Mutex
	dirty       map[string]struct{}
	maxDirty    int
	distrustAll bool
	suspect     atomic.Bool // len(dirty) > 0 || distrustAll: without, no lock is taken
}

var _ djangosess.Store = (*Store)(nil)

// New checks cfg and returns the store.
func New(cfg Config) (*Store, error) {
	if cfg.DB == nil || cfg.Cache == nil {
		return nil, fmt.Errorf("%w: cached_db needs both DB and Cache", djangosess.ErrConfig)
	}
	if cfg.MaxDirty < 0 {
		return nil, fmt.Errorf("%w: cached_db: negative MaxDirty", djangosess.ErrConfig)
	}
	s := &Store{db: cfg.DB, cache: cfg.Cache, onError: cfg.OnCacheError, timeout: cfg.CacheTimeout,
		dirty: map[string]struct{}{}, maxDirty: cfg.MaxDirty}
	if s.timeout == 0 {
		s.timeout = DefaultCacheTimeout
	}
	if s.maxDirty == 0 {
		s.maxDirty = DefaultMaxDirty
	}
	if s.onError == nil {
		s.onError = func(ctx context.Context, op, key string, err error) {
			// The key is a credential: log a prefix only.
			slog.Default().WarnContext(ctx, "djangosess: cached_db cache failure; using the database",
				"op", op, "key_prefix", keyPrefix(key), "err", err)
		}
	}
	return s, nil
}

func keyPrefix(key string) string {
	if len(key) > 6 {
		return key[:6] + "…"
	}
	return key
}

// Load reads the cache, then the database on a miss or a cache failure,
// and puts what the database gave back into the cache with the row's
// remaining lifetime, as Django's load() does.
func (s *Store) Load(ctx context.Context, key string) (djangosess.Record, error) {
	fill, err := s.trusted(ctx, key)
	if err != nil {
		return djangosess.Record{}, err
	}
	if fill {
		cctx, cancel := s.cacheCtx(ctx)
		r, err := s.cache.Load(cctx, key)
		cancel()
		switch {
		case err == nil:
			return r, nil
		case ctxErr(ctx, err):
			return djangosess.Record{}, err
		case !errors.Is(err, djangosess.ErrNotFound) && !errors.Is(err, djangosess.ErrInvalidKey):
			s.onError(ctx, "load", key, err)
			fill = false // the cache is failing: don't wait for it twice
		}
	}
	r, err := s.db.Load(ctx, key)
	if err != nil || !fill {
		return r, err
	}
	if err := s.set(ctx, key, djangosess.Record{Data: r.Data, Expiry: r.Expiry}); err != nil && !ctxErr(ctx, err) {
		s.onError(ctx, "set", key, err)
	}
	return r, nil
}

// trusted says whether key's cached copy may be read (and refilled): not
// when the key is dirty, unless deleting the copy works now. The error is
// ctx's.
func (s *Store) trusted(ctx context.Context, key string) (bool, error) {
	if !s.suspect.Load() {
		return true, nil
	}
	s.mu.Lock()
	_, dirty := s.dirty[key]
	all := s.distrustAll
	s.mu.Unlock()
	if all {
		return false, nil
	}
	if !dirty {
		return true, nil
	}
	cctx, cancel := s.cacheCtx(ctx)
	err := s.cache.Delete(cctx, key)
	cancel()
	switch {
	case err == nil:
		s.clean(key)
		return true, nil
	case ctxErr(ctx, err):
		return false, err
	}
	s.onError(ctx, "delete", key, err)
	return false, nil
}

// cacheCtx bounds a cache call by the store's CacheTimeout.
func (s *Store) cacheCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.timeout < 0 {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}

// set is cache.Set under the cache timeout; on success the key is clean.
func (s *Store) set(ctx context.Context, key string, r djangosess.Record) error {
	cctx, cancel := s.cacheCtx(ctx)
	defer cancel()
	err := s.cache.Set(cctx, key, r)
	if err == nil {
		s.clean(key)
	}
	return err
}

// del is cache.Delete under the cache timeout; on success the key is clean.
func (s *Store) del(ctx context.Context, key string) error {
	cctx, cancel := s.cacheCtx(ctx)
	defer cancel()
	err := s.cache.Delete(cctx, key)
	if err == nil {
		s.clean(key)
	}
	return err
}

func (s *Store) clean(key string) {
	if !s.suspect.Load() {
		return
	}
	s.mu.Lock()
	delete(s.dirty, key)
	s.suspect.Store(len(s.dirty) > 0 || s.distrustAll)
	s.mu.Unlock()
}

// markDirty remembers that the cache may hold a stale copy of key.
func (s *Store) markDirty(ctx context.Context, key string) {
	s.mu.Lock()
	overflow := false
	if !s.distrustAll {
		s.dirty[key] = struct{}{}
		if len(s.dirty) > s.maxDirty {
			s.distrustAll, overflow = true, true
			s.dirty = map[string]struct{}{}
		}
		s.suspect.Store(true)
	}
	s.mu.Unlock()
	if overflow {
		s.onError(ctx, "load", key, fmt.Errorf("%w: more than %d sessions may be stale in the cache: reading the database only from now on", djangosess.ErrUnavailable, s.maxDirty))
	}
}

// Create inserts the row (ErrExists when the key is taken), then caches
// the dict.
func (s *Store) Create(ctx context.Context, key string, r djangosess.Record) error {
	if err := s.db.Create(ctx, key, r); err != nil {
		return err
	}
	s.writeThrough(ctx, key, r)
	return nil
}

// Save updates the row (ErrVanished when it is gone), then caches the
// dict.
func (s *Store) Save(ctx context.Context, key string, r djangosess.Record) error {
	if err := s.db.Save(ctx, key, r); err != nil {
		return err
	}
	s.writeThrough(ctx, key, r)
	return nil
}

// writeThrough caches what was written to the database. If the cache
// refuses, the copy it may still hold is stale: it is deleted, and both
// failures are reported.
func (s *Store) writeThrough(ctx context.Context, key string, r djangosess.Record) {
	err := s.set(ctx, key, r)
	if err == nil {
		return
	}
	s.onError(ctx, "set", key, err)
	if err := s.del(ctx, key); err != nil {
		s.markDirty(ctx, key)
		s.onError(ctx, "delete", key, err)
	}
}

// Delete removes the row, then the cached copy.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.db.Delete(ctx, key); err != nil {
		return err
	}
	if err := s.del(ctx, key); err != nil {
		s.markDirty(ctx, key)
		if ctxErr(ctx, err) {
			return err
		}
		s.onError(ctx, "delete", key, err)
	}
	return nil
}

// Exists is true when the cache or the database holds the key.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	use, err := s.trusted(ctx, key)
	if err != nil {
		return false, err
	}
	if use {
		cctx, cancel := s.cacheCtx(ctx)
		ok, err := s.cache.Exists(cctx, key)
		cancel()
		if err == nil && ok {
			return true, nil
		}
		if err != nil {
			if ctxErr(ctx, err) {
				return false, err
			}
			s.onError(ctx, "exists", key, err)
		}
	}
	return s.db.Exists(ctx, key)
}

// ClearExpired is the database's (the cache expires its copies itself).
func (s *Store) ClearExpired(ctx context.Context) (int, error) { return s.db.ClearExpired(ctx) }

// Keys are the database's.
func (s *Store) Keys(ctx context.Context) iter.Seq2[string, error] { return s.db.Keys(ctx) }

func ctxErr(ctx context.Context, err error) bool {
	return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}
