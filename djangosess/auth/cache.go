package auth

import (
	"context"
	"errors"
	"sync"
	"time"
)

// CachedUsers is a Users source that remembers each answer of another for
// TTL: a user lookup (a database round trip) per request becomes one per
// user per TTL. The price is staleness: a password change, a
// deactivation or a deleted user takes up to TTL to reach the session
// check (Django itself checks on every request), so keep TTL short — a
// second is enough to absorb a burst — and leave it off where an
// immediate logout everywhere matters. Only answers are cached (a user,
// or ErrNoUser), never other errors. It is safe for concurrent use.
type CachedUsers struct {
	Users Users
	TTL   time.Duration
	// Max bounds the entries kept (default 100,000): past it the cache
	// starts over.
	Max int
	// Now is the clock (time.Now when nil).
	Now func() time.Time

	mu sync.Mutex
	m  map[string]cachedUser
}

type cachedUser struct {
	u       User
	noUser  bool
	expires time.Time
}

// User implements Users.
func (c *CachedUsers) User(ctx context.Context, id string) (User, error) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	t := now()
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && t.Before(e.expires) {
		if e.noUser {
			return User{}, ErrNoUser
		}
		return e.u, nil
	}
	u, err := c.Users.User(ctx, id)
	noUser := errors.Is(err, ErrNoUser)
	if err != nil && !noUser {
		return u, err
	}
	max := c.Max
	if max <= 0 {
		max = 100_000
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= max {
		c.m = make(map[string]cachedUser)
	}
	c.m[id] = cachedUser{u: u, noUser: noUser, expires: t.Add(c.TTL)}
	c.mu.Unlock()
	return u, err
}
