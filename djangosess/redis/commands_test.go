package redis_test

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// recorder is a go-redis hook that keeps the commands a client sends.
type recorder struct {
	mu   sync.Mutex
	cmds [][]any
}

func (r *recorder) DialHook(next goredis.DialHook) goredis.DialHook { return next }
func (r *recorder) ProcessPipelineHook(next goredis.ProcessPipelineHook) goredis.ProcessPipelineHook {
	return next
}
func (r *recorder) ProcessHook(next goredis.ProcessHook) goredis.ProcessHook {
	return func(ctx context.Context, cmd goredis.Cmder) error {
		r.mu.Lock()
		r.cmds = append(r.cmds, cmd.Args())
		r.mu.Unlock()
		return next(ctx, cmd)
	}
}

// take returns the commands since the last take, without keys and values:
// "set px 1500 nx".
func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, args := range r.cmds {
		s := fmt.Sprint(args[0])
		if s == "hello" || s == "client" { // the connection's handshake
			continue
		}
		for i, a := range args[1:] {
			if (s == "set" && i < 2) || i < 1 {
				continue
			}
			s += " " + fmt.Sprint(a)
		}
		out = append(out, s)
	}
	r.cmds = nil
	return out
}

// TestCommands: the commands and timeouts each backend sends, as the
// reference gives them (django-redis: SET PX int(age*1000); Django's
// RedisCache: SET EX int(age); a non-positive age stores nothing or
// deletes). The interop test checks the same TTLs against real Django.
func TestCommands(t *testing.T) {
	redistest.Local(t) // skips or fails when there is no server
	c := goredis.NewClient(&goredis.Options{Addr: redistest.Addr()})
	t.Cleanup(func() { c.Close() })
	rec := &recorder{}
	c.AddHook(rec)
	now := time.Now()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	wall := now.In(paris).Add(100*time.Second + 300*time.Millisecond)
	naive := serializer.DateTime{Year: wall.Year(), Month: int(wall.Month()), Day: wall.Day(), Hour: wall.Hour(),
		Minute: wall.Minute(), Second: wall.Second(), Microsecond: wall.Nanosecond() / 1000}
	with := func(v serializer.Value) *serializer.Dict {
		d := serializer.DictOf("a", serializer.Int(1))
		if v != nil {
			d.SetStr(djangosess.ExpiryKey, v)
		}
		return d
	}
	tests := []struct {
		name         string
		r            djangosess.Record
		redis, dj    string // what Create sends
		save, djSave string // what Save sends (the key exists)
	}{
		{"cookie age", djangosess.Record{Data: with(nil)}, "set px 1209600000 nx", "set ex 1209600 nx", "set px 1209600000 xx", "set ex 1209600 xx"},
		{"zero is the cookie age", djangosess.Record{Data: with(serializer.Int(0))}, "set px 1209600000 nx", "set ex 1209600 nx", "set px 1209600000 xx", "set ex 1209600 xx"},
		{"None is the cookie age", djangosess.Record{Data: with(serializer.None{})}, "set px 1209600000 nx", "set ex 1209600 nx", "set px 1209600000 xx", "set ex 1209600 xx"},
		{"seconds", djangosess.Record{Data: with(serializer.Int(300))}, "set px 300000 nx", "set ex 300 nx", "set px 300000 xx", "set ex 300 xx"},
		{"float seconds", djangosess.Record{Data: with(serializer.Float(1.5))}, "set px 1500 nx", "set ex 1 nx", "set px 1500 xx", "set ex 1 xx"},
		{"True is 1", djangosess.Record{Data: with(serializer.Bool(true))}, "set px 1000 nx", "set ex 1 nx", "set px 1000 xx", "set ex 1 xx"},
		{"under a second", djangosess.Record{Data: with(serializer.Float(0.5))}, "set px 500 nx", "exists", "set px 500 xx", "del"},
		{"negative", djangosess.Record{Data: with(serializer.Int(-1))}, "exists", "exists", "del", "del"},
		{"naive datetime in TIME_ZONE", djangosess.Record{Data: with(naive)}, "set px 100000 nx", "set ex 100 nx", "set px 100000 xx", "set ex 100 xx"},
		{"ISO string", djangosess.Record{Data: with(serializer.Str(now.Add(50*time.Second + 500*time.Millisecond).UTC().Format("2006-01-02T15:04:05.000000+00:00")))}, "set px 50000 nx", "set ex 50 nx", "set px 50000 xx", "set ex 50 xx"},
		{"explicit expiry", djangosess.Record{Data: with(serializer.Int(300)), Expiry: now.Add(10*time.Second + 900*time.Millisecond)}, "set px 10000 nx", "set ex 10 nx", "set px 10000 xx", "set ex 10 xx"},
		{"explicit past expiry", djangosess.Record{Data: with(nil), Expiry: now.Add(-100 * time.Millisecond)}, "exists", "exists", "del", "del"},
	}
	for _, client := range []cachevalue.Client{cachevalue.DjangoRedis, cachevalue.Django} {
		s := newStore(t, c, redis.Config{Value: cachevalue.Codec{Client: client}, KeyPrefix: redistest.Prefix(t, c),
			Location: paris, Now: func() time.Time { return now }})
		for _, tc := range tests {
			wantCreate, wantSave := tc.redis, tc.save
			if client == cachevalue.Django {
				wantCreate, wantSave = tc.dj, tc.djSave
			}
			k := newKey(t)
			if err := s.Create(ctx, k, tc.r); err != nil {
				t.Fatalf("%v/%s: Create: %v", client, tc.name, err)
			}
			if got := rec.take(); len(got) != 1 || got[0] != wantCreate {
				t.Errorf("%v/%s: Create sent %q, want %q", client, tc.name, got, wantCreate)
			}
			if err := s.Set(ctx, k, djangosess.Record{Data: with(nil)}); err != nil {
				t.Fatal(err)
			}
			rec.take()
			if err := s.Save(ctx, k, tc.r); err != nil {
				t.Fatalf("%v/%s: Save: %v", client, tc.name, err)
			}
			if got := rec.take(); len(got) != 1 || got[0] != wantSave {
				t.Errorf("%v/%s: Save sent %q, want %q", client, tc.name, got, wantSave)
			}
		}
	}
}

func newKey(t *testing.T) string {
	t.Helper()
	k, err := djangosess.CreateNew(ctx, nopStore{}, djangosess.Record{})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// nopStore takes every key: newKey draws keys through CreateNew.
type nopStore struct{ djangosess.Store }

func (nopStore) Create(context.Context, string, djangosess.Record) error { return nil }

// TestSet: Set is cache.set: it creates, replaces, and deletes on a
// non-positive timeout, whether or not the key exists.
func TestSet(t *testing.T) {
	c := redistest.Local(t)
	s := newStore(t, c, redis.Config{KeyPrefix: redistest.Prefix(t, c)})
	k := newKey(t)
	for i := range 2 {
		if err := s.Set(ctx, k, djangosess.Record{Data: session(i, true)}); err != nil {
			t.Fatal(err)
		}
		sameData(t, "Load after Set", mustLoad(t, s, k).Data, session(i, true))
	}
	exp := time.Now().Add(time.Hour + 900*time.Millisecond)
	if err := s.Set(ctx, k, djangosess.Record{Data: session(2, true), Expiry: exp}); err != nil {
		t.Fatal(err)
	}
	// Whole seconds, rounded down, as get_expiry_age(expiry=...): 3600 s.
	within(t, "expiry after Set", mustLoad(t, s, k).Expiry, exp.Add(-1100*time.Millisecond), exp.Add(-800*time.Millisecond))
	if err := s.Set(ctx, k, djangosess.Record{Data: session(3, true), Expiry: time.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Exists(ctx, k); ok || err != nil {
		t.Errorf("Exists after Set with a past expiry = %v, %v", ok, err)
	}
	if err := s.Set(ctx, k, djangosess.Record{Data: session(3, true), Expiry: time.Now().Add(-time.Second)}); err != nil {
		t.Errorf("Set with a past expiry of a missing key = %v", err)
	}
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
