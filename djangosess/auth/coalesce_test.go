package auth_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/djangosess/djangosess/djangosess/auth"
)

// TestCoalescedUsers, over a real user table: a password changed while a
// lookup is in flight (held after reading the old one) is seen by every
// lookup that starts after the change, however many arrive together, and
// they share fewer queries than they are.
func TestCoalescedUsers(t *testing.T) {
	ctx := context.Background()
	db := userTable(t)
	var queries atomic.Int32
	var first sync.Once
	read, release := make(chan struct{}), make(chan struct{})
	table := auth.SQLUsers{DB: db}
	c := &auth.CoalescedUsers{Users: auth.UsersFunc(func(ctx context.Context, id string) (auth.User, error) {
		queries.Add(1)
		u, err := table.User(ctx, id)
		first.Do(func() { close(read); <-release })
		return u, err
	})}

	firstPassword := make(chan string)
	go func() {
		u, err := c.User(ctx, "1")
		if err != nil {
			t.Error(err)
		}
		firstPassword <- u.Password
	}()
	<-read
	if _, err := db.ExecContext(ctx, `UPDATE auth_user SET password = 'pbkdf2_sha256$1$a$new' WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	const n = 32
	var wg sync.WaitGroup
	var stale atomic.Int32
	for range n {
		wg.Go(func() {
			u, err := c.User(ctx, "1")
			if err != nil || u.Password != "pbkdf2_sha256$1$a$new" {
				stale.Add(1)
			}
		})
	}
	close(release)
	if p := <-firstPassword; p != "pbkdf2_sha256$1$a$old" {
		t.Errorf("the lookup that read before the change: %q", p)
	}
	wg.Wait()
	if s := stale.Load(); s != 0 {
		t.Errorf("%d of %d lookups made after the password change got the old password", s, n)
	}
	if q := queries.Load(); q > n+1 {
		t.Errorf("%d queries for %d lookups", q, n+1)
	}
	t.Logf("%d lookups, %d queries", n+1, queries.Load())
	if _, err := c.User(ctx, "2"); err != auth.ErrNoUser {
		t.Errorf("missing user: %v", err)
	}
}
