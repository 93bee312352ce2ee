package auth

import (
	"context"
	"errors"
	"sync"

	"github.com/djangosess/djangosess/djangosess"

	"github.com/djangosess/djangosess/internal/coalesce"
)

// CoalescedUsers is a Users source that merges concurrent lookups of one
// user into fewer round trips, without the staleness of CachedUsers: a
// lookup that arrives while another for the same user is in flight waits
// for it to finish and then shares the next one, which starts after it
// arrived. So every answer was read after the request asked, as Django
// reads it, and a password change committed before a request is always
// seen by it; a burst of requests from one user (a page load through an
// auth gateway) costs about two round trips instead of one each. When
// the lookup in flight fails with djangosess.ErrUnavailable (the
// database is down), the lookups waiting for the next one fail with it
// at once instead of trying again one after the other.
// The zero value is not usable: set Users. It is safe for concurrent use.
type CoalescedUsers struct {
	Users Users
	g     coalesce.Group[string, User]
	once  sync.Once
}

// User implements Users.
func (c *CoalescedUsers) User(ctx context.Context, id string) (User, error) {
	c.once.Do(func() {
		c.g.ShareErr = func(err error) bool { return errors.Is(err, djangosess.ErrUnavailable) }
	})
	u, err, _ := c.g.Do(ctx, id, func(ctx context.Context) (User, error) { return c.Users.User(ctx, id) })
	return u, err
}
