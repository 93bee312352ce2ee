package cacheddb

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"

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
}

// Store is a cached_db session store. It is safe for concurrent use.
type Store struct {
	db      djangosess.Store
	cache   Cache
	onError func(ctx context.Context, op, key string, err error)
}

var _ djangosess.Store = (*Store)(nil)

// New checks cfg and returns the store.
func New(cfg Config) (*Store, error) {
	if cfg.DB == nil || cfg.Cache == nil {
		return nil, fmt.Errorf("%w: cached_db needs both DB and Cache", djangosess.ErrConfig)
	}
	s := &Store{db: cfg.DB, cache: cfg.Cache, onError: cfg.OnCacheError}
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
	r, err := s.cache.Load(ctx, key)
	switch {
	case err == nil:
		return r, nil
	case ctxErr(ctx, err):
		return djangosess.Record{}, err
	case !errors.Is(err, djangosess.ErrNotFound) && !errors.Is(err, djangosess.ErrInvalidKey):
		s.onError(ctx, "load", key, err)
	}
	r, err = s.db.Load(ctx, key)
	if err != nil {
		return r, err
	}
	if err := s.cache.Set(ctx, key, djangosess.Record{Data: r.Data, Expiry: r.Expiry}); err != nil && !ctxErr(ctx, err) {
		s.onError(ctx, "set", key, err)
	}
	return r, nil
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
	err := s.cache.Set(ctx, key, r)
	if err == nil {
		return
	}
	s.onError(ctx, "set", key, err)
	if err := s.cache.Delete(ctx, key); err != nil {
		s.onError(ctx, "delete", key, err)
	}
}

// Delete removes the row, then the cached copy.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.db.Delete(ctx, key); err != nil {
		return err
	}
	if err := s.cache.Delete(ctx, key); err != nil {
		if ctxErr(ctx, err) {
			return err
		}
		s.onError(ctx, "delete", key, err)
	}
	return nil
}

// Exists is true when the cache or the database holds the key.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	ok, err := s.cache.Exists(ctx, key)
	if err == nil && ok {
		return true, nil
	}
	if err != nil {
		if ctxErr(ctx, err) {
			return false, err
		}
		s.onError(ctx, "exists", key, err)
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
