package cookies

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

// The oracle's defaults (testdata/oracle.py).
const (
	secret   = "test-secret-key-0123456789"
	fallback = "old-secret-key"
)

var ctx = context.Background()

const engine = `--settings={"SESSION_ENGINE": "django.contrib.sessions.backends.signed_cookies"}`

func session(i int) *serializer.Dict {
	return serializer.DictOf(
		"_auth_user_id", serializer.Str(fmt.Sprint(i)),
		"_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", serializer.Str("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
		"cart", serializer.List{serializer.Int(i), serializer.Str("\u00e9\u2603\U0001F600")},
		"big", serializer.Int(1<<62),
	)
}

func newStore(t *testing.T, cfg Config) *Store {
	t.Helper()
	if cfg.SecretKey == nil {
		cfg.SecretKey = []byte(secret)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func serializerFor(name string) serializer.Codec {
	if name == "pickle" {
		return serializer.Pickle{}
	}
	return serializer.JSON{}
}

// TestDjangoInterop: cookies made by Django's signed_cookies SessionStore
// load in Go with the same values, and cookies made in Go load in Django.
func TestDjangoInterop(t *testing.T) {
	for _, dj := range djangotest.Versions(t) {
		series := djangotest.Series(dj.Version)
		sers := []string{"json"}
		if series != "5.2" {
			sers = append(sers, "pickle")
		}
		for _, ser := range sers {
			t.Run(dj.Version+"/"+ser, func(t *testing.T) {
				o := dj.Start(t, engine, "--serializer="+ser)
				v, err := djangosess.ParseVersion(dj.Version)
				if err != nil {
					t.Fatal(err)
				}
				cfg := Config{Serializer: serializerFor(ser), Accept: djangosess.Strict(v), Target: v}
				if series != "3.2" {
					cfg.FallbackKeys = [][]byte{[]byte(fallback)}
				}
				s := newStore(t, cfg)
				var reqs []map[string]any
				for i := range 20 {
					reqs = append(reqs, map[string]any{"op": "store_create", "value": tag(t, session(i))})
				}
				for i, a := range o.Do(t, reqs...) {
					if !a.OK {
						t.Fatalf("Django store_create: %s: %s", a.Error, a.Message)
					}
					cookie := string(a.Tagged(t).(serializer.Str))
					r, err := s.Load(ctx, cookie)
					if err != nil {
						t.Fatalf("Load(%q): %v", cookie, err)
					}
					if !serializer.Equal(r.Data, session(i)) {
						t.Errorf("Load(%q) = %v, want %v", cookie, r.Data, session(i))
					}
					if r.Stored.Algorithm != "sha256" || r.Stored.KeyIndex != 0 || r.Size != len(cookie) {
						t.Errorf("Load(%q): %+v, size %d", cookie, r.Stored, r.Size)
					}
					if d := time.Until(r.Expiry) - djangosess.DefaultCookieAge; d > time.Second || d < -5*time.Second {
						t.Errorf("Load: expiry %v is not now + the cookie age", r.Expiry)
					}
				}
				reqs = reqs[:0]
				for i := range 20 {
					c, err := s.Save(ctx, djangosess.Record{Data: session(100 + i)})
					if err != nil {
						t.Fatal(err)
					}
					reqs = append(reqs, map[string]any{"op": "store_load", "data": c})
				}
				for i, a := range o.Do(t, reqs...) {
					got := loaded(t, a)
					if got == nil || !serializer.Equal(got, session(100+i)) {
						t.Errorf("Django loaded %v from our cookie, want %v", got, session(100+i))
					}
				}
			})
		}
	}
}

// TestDjangoExpiry: a cookie older than SESSION_COOKIE_AGE is dead on both
// sides, whoever signed it.
func TestDjangoExpiry(t *testing.T) {
	for _, dj := range djangotest.Versions(t) {
		t.Run(dj.Version, func(t *testing.T) {
			o := dj.Start(t, engine)
			past := func() time.Time { return time.Now().Add(-djangosess.DefaultCookieAge - time.Minute) }
			old := newStore(t, Config{Now: past})
			c, err := old.Save(ctx, djangosess.Record{Data: session(1)})
			if err != nil {
				t.Fatal(err)
			}
			if got := loaded(t, o.Do(t, map[string]any{"op": "store_load", "data": c})[0]); got != nil {
				t.Errorf("Django loaded an expired cookie: %v", got)
			}
			if _, err := newStore(t, Config{}).Load(ctx, c); !errors.Is(err, signing.ErrExpired) || !errors.Is(err, signing.ErrBadSignature) {
				t.Errorf("Load(expired) = %v, want ErrExpired", err)
			}
			a := o.Do(t, map[string]any{"op": "store_create", "value": tag(t, session(2))})[0]
			future := func() time.Time { return time.Now().Add(djangosess.DefaultCookieAge + time.Minute) }
			if _, err := newStore(t, Config{Now: future}).Load(ctx, string(a.Tagged(t).(serializer.Str))); !errors.Is(err, signing.ErrExpired) {
				t.Errorf("Load(Django's cookie, a cookie age later) = %v, want ErrExpired", err)
			}
		})
	}
}

// TestDjangoHashingAlgorithms: Django 3.2 with DEFAULT_HASHING_ALGORITHM =
// 'sha1', and cookies signed with a fallback key (4.1+).
func TestDjangoHashingAlgorithms(t *testing.T) {
	for _, dj := range djangotest.Versions(t) {
		v, _ := djangosess.ParseVersion(dj.Version)
		switch djangotest.Series(dj.Version) {
		case "3.2":
			t.Run(dj.Version+"/sha1", func(t *testing.T) {
				o := dj.Start(t, engine, "--hashing-algorithm=sha1")
				a := o.Do(t, map[string]any{"op": "store_create", "value": tag(t, session(3))})[0]
				cookie := string(a.Tagged(t).(serializer.Str))
				r, err := newStore(t, Config{}).Load(ctx, cookie)
				if err != nil || r.Stored.Algorithm != "sha1" || !serializer.Equal(r.Data, session(3)) {
					t.Fatalf("Load(sha1 cookie) = %v %+v, %v", r.Data, r.Stored, err)
				}
				s := newStore(t, Config{Target: v, HashingAlgorithm: "sha1"})
				c, err := s.Save(ctx, djangosess.Record{Data: session(4)})
				if err != nil {
					t.Fatal(err)
				}
				if got := loaded(t, o.Do(t, map[string]any{"op": "store_load", "data": c})[0]); !serializer.Equal(got, session(4)) {
					t.Errorf("Django (sha1) loaded %v", got)
				}
				// Django 4.0+ signs with sha256 only and rejects sha1.
				if _, err := newStore(t, Config{Accept: djangosess.Strict(djangosess.Version{Major: 4, Minor: 2})}).Load(ctx, cookie); !errors.Is(err, signing.ErrBadSignature) {
					t.Errorf("strict 4.2 accepted a sha1 cookie: %v", err)
				}
			})
		default:
			t.Run(dj.Version+"/fallback", func(t *testing.T) {
				o := dj.Start(t, engine)
				old := newStore(t, Config{SecretKey: []byte(fallback)})
				c, err := old.Save(ctx, djangosess.Record{Data: session(5)})
				if err != nil {
					t.Fatal(err)
				}
				if got := loaded(t, o.Do(t, map[string]any{"op": "store_load", "data": c})[0]); !serializer.Equal(got, session(5)) {
					t.Errorf("Django did not read a cookie signed with its fallback key: %v", got)
				}
				r, err := newStore(t, Config{FallbackKeys: [][]byte{[]byte(fallback)}}).Load(ctx, c)
				if err != nil || r.Stored.KeyIndex != 1 {
					t.Errorf("Load(fallback-signed) = %+v, %v; want KeyIndex 1", r.Stored, err)
				}
				if _, err := newStore(t, Config{}).Load(ctx, c); !errors.Is(err, signing.ErrBadSignature) {
					t.Errorf("Load without the fallback key = %v, want ErrBadSignature", err)
				}
			})
		}
	}
}

func TestBadCookies(t *testing.T) {
	s := newStore(t, Config{})
	good, err := s.Save(ctx, djangosess.Record{Data: session(1)})
	if err != nil {
		t.Fatal(err)
	}
	notDict, err := signing.Dumps(serializer.List{serializer.Int(1)}, signing.DumpsOptions{Config: signing.Config{Key: []byte(secret), Salt: Salt}, Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	// The signature's last character changed (to one it is not).
	last := "A"
	if strings.HasSuffix(good, "A") {
		last = "B"
	}
	for _, tc := range []struct {
		cookie string
		want   error
	}{
		{"", signing.ErrBadSignature},
		{good[:len(good)-1] + last, signing.ErrBadSignature},
		{good[1:], signing.ErrBadSignature},
		{"x:y:z", signing.ErrBadSignature},
		{notDict, signing.ErrMalformed},
	} {
		if r, err := s.Load(ctx, tc.cookie); !errors.Is(err, tc.want) || r.Data != nil {
			t.Errorf("Load(%q) = %v, %v; want %v", tc.cookie, r.Data, err, tc.want)
		}
	}
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Load(c, good); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a canceled context = %v", err)
	}
	if _, err := s.Save(c, djangosess.Record{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Save with a canceled context = %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{SecretKey: []byte("k"), HashingAlgorithm: "md5"},
		{SecretKey: []byte("k"), HashingAlgorithm: "sha1", Target: djangosess.Version{Major: 4}},
		{SecretKey: []byte("k"), CookieAge: -time.Second},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg.HashingAlgorithm)
		}
	}
}

func tag(t *testing.T, v serializer.Value) any {
	t.Helper()
	b, err := serializer.MarshalTagged(v)
	if err != nil {
		t.Fatal(err)
	}
	return json.RawMessage(b)
}

// loaded is the data of a store_load answer, nil when Django dropped the
// session.
func loaded(t *testing.T, a djangotest.Answer) *serializer.Dict {
	t.Helper()
	if !a.OK {
		t.Fatalf("Django store_load: %s: %s", a.Error, a.Message)
	}
	res := a.Tagged(t).(*serializer.Dict)
	if found, _ := res.GetStr("found"); found != serializer.Bool(true) {
		return nil
	}
	d, _ := res.GetStr("data")
	return d.(*serializer.Dict)
}
