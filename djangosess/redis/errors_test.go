package redis_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/redis"
)

// each calls every method of s once and returns the errors.
func each(ctx context.Context, s *redis.Store, key string) map[string]error {
	r := djangosess.Record{Data: session(1, true)}
	errs := map[string]error{}
	_, errs["Load"] = s.Load(ctx, key)
	errs["Create"] = s.Create(ctx, key, r)
	errs["Save"] = s.Save(ctx, key, r)
	errs["Set"] = s.Set(ctx, key, r)
	errs["Delete"] = s.Delete(ctx, key)
	_, errs["Exists"] = s.Exists(ctx, key)
	for _, err := range s.Keys(ctx) {
		errs["Keys"] = err
		break
	}
	return errs
}

// TestUnavailable: a server that cannot be reached is ErrUnavailable, with
// go-redis's error kept and no session key in the message.
func TestUnavailable(t *testing.T) {
	c := goredis.NewClient(&goredis.Options{Addr: freeAddr(t), MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second})
	defer c.Close()
	s := newStore(t, c, redis.Config{})
	key := newKey(t)
	for op, err := range each(ctx, s, key) {
		var op2 *net.OpError
		if !errors.Is(err, djangosess.ErrUnavailable) || !errors.As(err, &op2) {
			t.Errorf("%s: %v, want ErrUnavailable wrapping a *net.OpError", op, err)
		}
		if err != nil && strings.Contains(err.Error(), key) {
			t.Errorf("%s: the error holds the session key: %v", op, err)
		}
	}
}

// TestContextErrors: a canceled context, or a deadline that passes while
// the server does not answer, is the context's error, not ErrUnavailable.
func TestContextErrors(t *testing.T) {
	// A server that accepts connections and never answers.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	c := goredis.NewClient(&goredis.Options{Addr: l.Addr().String(), MaxRetries: -1, Protocol: 2, DisableIdentity: true,
		ReadTimeout: 30 * time.Second, ContextTimeoutEnabled: true})
	defer c.Close()
	s := newStore(t, c, redis.Config{})
	key := newKey(t)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	for op, err := range each(canceled, s, key) {
		if !errors.Is(err, context.Canceled) || errors.Is(err, djangosess.ErrUnavailable) {
			t.Errorf("%s with a canceled context: %v, want context.Canceled", op, err)
		}
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := s.Load(short, key); !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, djangosess.ErrUnavailable) {
		t.Errorf("Load past the deadline: %v, want context.DeadlineExceeded", err)
	}
}

// TestInvalidKeys: keys Django would not use are refused before any
// command.
func TestInvalidKeys(t *testing.T) {
	c := goredis.NewClient(&goredis.Options{Addr: freeAddr(t), MaxRetries: -1, DialerRetries: 1})
	defer c.Close()
	s := newStore(t, c, redis.Config{})
	for _, k := range []string{"", "short", strings.Repeat("a", 41)} {
		for op, err := range each(ctx, s, k) {
			if op != "Keys" && !errors.Is(err, djangosess.ErrInvalidKey) {
				t.Errorf("%s(%q): %v, want ErrInvalidKey", op, k, err)
			}
		}
	}
}
