package redis_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

var ctx = context.Background()

// backend is one CACHES configuration Django and the store share.
type backend struct {
	name  string
	codec cachevalue.Codec
}

var djangoRedisPaths = map[string]string{
	"pickle":   "django_redis.serializers.pickle.PickleSerializer",
	"json":     "django_redis.serializers.json.JSONSerializer",
	"msgpack":  "django_redis.serializers.msgpack.MSGPackSerializer",
	"identity": "django_redis.compressors.identity.IdentityCompressor",
	"zlib":     "django_redis.compressors.zlib.ZlibCompressor",
	"lzma":     "django_redis.compressors.lzma.LzmaCompressor",
	"lz4":      "django_redis.compressors.lz4.Lz4Compressor",
	"zstd":     "django_redis.compressors.zstd.ZStdCompressor",
}

func (b backend) serializer() string {
	if b.codec.Serializer == "" {
		return "pickle"
	}
	return b.codec.Serializer
}

func (b backend) compressor() string {
	if b.codec.Compressor == "" {
		return "identity"
	}
	return b.codec.Compressor
}

// rich reports whether the values keep every Python type (pickle).
func (b backend) rich() bool { return b.serializer() == "pickle" }

// settings is the oracle's --settings for the cache engine on this
// backend, under KEY_PREFIX prefix.
func (b backend) settings(t *testing.T, prefix string) string {
	return b.settingsVersion(t, prefix, 1)
}

func (b backend) settingsVersion(t *testing.T, prefix string, version int) string {
	entry := map[string]any{"LOCATION": "redis://" + redistest.Addr() + "/0", "KEY_PREFIX": prefix, "VERSION": version}
	if b.codec.Client == cachevalue.Django {
		entry["BACKEND"] = "django.core.cache.backends.redis.RedisCache"
	} else {
		entry["BACKEND"] = "django_redis.cache.RedisCache"
		entry["OPTIONS"] = map[string]any{
			"SERIALIZER": djangoRedisPaths[b.serializer()],
			"COMPRESSOR": djangoRedisPaths[b.compressor()],
		}
	}
	s, err := json.Marshal(map[string]any{
		"SESSION_ENGINE": "django.contrib.sessions.backends.cache",
		"CACHES":         map[string]any{"default": entry},
	})
	if err != nil {
		t.Fatal(err)
	}
	return "--settings=" + string(s)
}

// cacheParams are the oracle's cache_encode/cache_decode params.
func (b backend) cacheParams() map[string]any {
	if b.codec.Client == cachevalue.Django {
		return map[string]any{"backend": "django"}
	}
	return map[string]any{"backend": "django_redis", "serializer": b.serializer(), "compressor": b.compressor()}
}

var djangoRedisBackends = []backend{
	{"django-redis/pickle", cachevalue.Codec{}},
	{"django-redis/pickle-zlib", cachevalue.Codec{Compressor: "zlib"}},
	{"django-redis/pickle-lz4", cachevalue.Codec{Compressor: "lz4"}},
	{"django-redis/pickle-zstd", cachevalue.Codec{Compressor: "zstd"}},
	{"django-redis/pickle-lzma", cachevalue.Codec{Compressor: "lzma"}},
	{"django-redis/json", cachevalue.Codec{Serializer: "json"}},
	{"django-redis/json-zlib", cachevalue.Codec{Serializer: "json", Compressor: "zlib"}},
	{"django-redis/msgpack", cachevalue.Codec{Serializer: "msgpack"}},
}

var djangoBackend = backend{"django", cachevalue.Codec{Client: cachevalue.Django}}

// session is a session dict; rich adds the types only pickle keeps.
func session(i int, rich bool) *serializer.Dict {
	d := serializer.DictOf(
		"_auth_user_id", serializer.Str(fmt.Sprint(i)),
		"_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", serializer.Str("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
		"cart", serializer.List{serializer.Int(i), serializer.Str("\u00e9\u2603\U0001F600"), serializer.Float(2.5)},
		"big", serializer.Int(1<<62),
		"flags", serializer.DictOf("new", serializer.Bool(true), "none", serializer.None{}),
	)
	if rich {
		d.SetStr("when", serializer.DateTime{Year: 2024, Month: 2, Day: 29, Hour: 23, Minute: 59, Second: 58, Microsecond: 123456, TZ: serializer.UTC})
		d.SetStr("price", serializer.Decimal("9.99"))
		d.SetStr("pair", serializer.Tuple{serializer.Int(1), serializer.Str("x")})
		d.SetStr("one", serializer.Set{serializer.Int(3)})
		d.SetStr("blob", serializer.Bytes("\x00\xff"))
		d.SetStr("day", serializer.Date{Year: 1999, Month: 12, Day: 31})
	}
	return d
}

func tag(t *testing.T, v serializer.Value) json.RawMessage {
	t.Helper()
	b, err := serializer.MarshalTagged(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dj drives one Django oracle on one backend.
type dj struct{ o *djangotest.Oracle }

func (d dj) do(t *testing.T, req map[string]any) serializer.Value {
	t.Helper()
	a := d.o.Do(t, req)[0]
	if !a.OK {
		t.Fatalf("Django %v: %s: %s", req["op"], a.Error, a.Message)
	}
	return a.Tagged(t)
}

// create runs SessionStore.save() on a new session holding data, with
// set_expiry(expiry) first when expiry is not nil.
func (d dj) create(t *testing.T, data *serializer.Dict, expiry serializer.Value) string {
	t.Helper()
	req := map[string]any{"op": "store_create", "value": tag(t, data)}
	if expiry != nil {
		req["params"] = map[string]any{"set_expiry": tag(t, expiry)}
	}
	return string(d.do(t, req).(serializer.Str))
}

// load is SessionStore(key).load(): the data, or nil when Django found
// no session.
func (d dj) load(t *testing.T, key string) *serializer.Dict {
	t.Helper()
	res := d.do(t, map[string]any{"op": "store_load", "data": key}).(*serializer.Dict)
	if found, _ := res.GetStr("found"); found != serializer.Bool(true) {
		return nil
	}
	v, _ := res.GetStr("data")
	return v.(*serializer.Dict)
}

func (d dj) exists(t *testing.T, key string) bool {
	t.Helper()
	return bool(d.do(t, map[string]any{"op": "store_exists", "data": key}).(serializer.Bool))
}

func startDjango(t *testing.T, v djangotest.Django, b backend, prefix string) dj {
	t.Helper()
	o := v.Start(t, b.settings(t, prefix))
	d := dj{o}
	info := d.do(t, map[string]any{"op": "version"}).(*serializer.Dict) // also installs the zstd stand-in
	un, _ := info.GetStr("unavailable")
	for _, part := range un.(serializer.List) {
		if p := string(part.(serializer.Str)); p == "django_redis" || p == b.serializer() || p == b.compressor() {
			djangotest.Missing(t, "Django %s: %s cannot be imported", v.Version, p)
		}
	}
	return d
}

func newStore(t *testing.T, c redis.Client, cfg redis.Config) *redis.Store {
	t.Helper()
	s, err := redis.New(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustLoad(t *testing.T, s *redis.Store, key string) djangosess.Record {
	t.Helper()
	r, err := s.Load(ctx, key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return r
}

func sameData(t *testing.T, what string, got, want *serializer.Dict) {
	t.Helper()
	if !serializer.Equal(got, want) {
		t.Errorf("%s:\n got %v\nwant %v", what, got, want)
	}
}

func within(t *testing.T, what string, got, lo, hi time.Time) {
	t.Helper()
	if got.Before(lo) || got.After(hi) {
		t.Errorf("%s = %v, want between %v and %v", what, got.Format(time.RFC3339Nano), lo.Format(time.RFC3339Nano), hi.Format(time.RFC3339Nano))
	}
}

func pttl(t *testing.T, c goredis.UniversalClient, rk string) time.Duration {
	t.Helper()
	d, err := c.PTTL(ctx, rk).Result()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDjangoInterop: Django's cache session engine and the store, on the
// same Redis with the same CACHES entry, read each other's sessions with
// the same values and TTLs, and see each other's deletes and expiries; for
// each Django version and each django-redis serializer/compressor, and
// Django's own RedisCache from 4.0.
func TestDjangoInterop(t *testing.T) {
	c := redistest.Local(t)
	versions := djangotest.Versions(t)
	for _, v := range versions {
		// Every django-redis serializer and compressor under 3.2 (with
		// django-redis 5.2, as Debian packages them); under 4.2 and 5.2,
		// whose session code differs, a few of them and Django's own
		// RedisCache.
		bs := djangoRedisBackends
		if djangotest.Series(v.Version) != "3.2" {
			bs = []backend{djangoRedisBackends[0], djangoRedisBackends[3], djangoRedisBackends[5], djangoBackend}
		}
		for _, b := range bs {
			t.Run(v.Version+"/"+b.name, func(t *testing.T) {
				prefix := redistest.Prefix(t, c)
				d := startDjango(t, v, b, prefix)
				s := newStore(t, c, redis.Config{Value: b.codec, KeyPrefix: prefix})
				interop(t, c, d, s, b, djangotest.Series(v.Version))
			})
		}
	}
}

func interop(t *testing.T, c goredis.UniversalClient, d dj, s *redis.Store, b backend, series string) {
	age := djangosess.DefaultCookieAge
	rich := b.rich()

	t.Run("DjangoToGo", func(t *testing.T) {
		t0 := time.Now()
		k := d.create(t, session(1, rich), nil)
		t1 := time.Now()
		r := mustLoad(t, s, k)
		sameData(t, "Go Load of Django's session", r.Data, d.load(t, k))
		if rich {
			sameData(t, "Go Load of Django's session", r.Data, session(1, rich))
		}
		within(t, "expiry", r.Expiry, t0.Add(age-time.Second), t1.Add(age+time.Second))

		d.do(t, map[string]any{"op": "store_update", "data": k, "value": tag(t, serializer.DictOf("step", serializer.Int(2)))})
		r = mustLoad(t, s, k)
		sameData(t, "Go Load after Django's update", r.Data, d.load(t, k))
		if v, _ := r.Data.GetStr("step"); v != serializer.Int(2) {
			t.Errorf("Django's update not seen: %v", r.Data)
		}

		k2 := string(d.do(t, map[string]any{"op": "store_cycle_key", "data": k}).(serializer.Str))
		if _, err := s.Load(ctx, k); !errors.Is(err, djangosess.ErrNotFound) {
			t.Errorf("Load of the key before cycle_key = %v, want ErrNotFound", err)
		}
		sameData(t, "Go Load after cycle_key", mustLoad(t, s, k2).Data, d.load(t, k2))

		d.do(t, map[string]any{"op": "store_delete", "data": k2})
		if _, err := s.Load(ctx, k2); !errors.Is(err, djangosess.ErrNotFound) {
			t.Errorf("Load after Django's delete = %v, want ErrNotFound", err)
		}
		if ok, err := s.Exists(ctx, k2); ok || err != nil {
			t.Errorf("Exists after Django's delete = %v, %v", ok, err)
		}
	})

	t.Run("GoToDjango", func(t *testing.T) {
		k, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: session(2, rich)})
		if err != nil {
			t.Fatal(err)
		}
		sameData(t, "Django's load of a Go session", d.load(t, k), session(2, rich))
		if !d.exists(t, k) {
			t.Error("Django: exists() of a Go session is false")
		}
		if p := pttl(t, c, s.RedisKey(k)); p > age || p < age-2*time.Second {
			t.Errorf("TTL of a Go session = %v, want %v", p, age)
		}

		d3 := session(3, rich)
		d3.SetStr(djangosess.ExpiryKey, serializer.Int(300))
		if err := s.Save(ctx, k, djangosess.Record{Data: d3}); err != nil {
			t.Fatal(err)
		}
		sameData(t, "Django's load after a Go Save", d.load(t, k), d3)
		if p := pttl(t, c, s.RedisKey(k)); p > 300*time.Second || p < 298*time.Second {
			t.Errorf("TTL after Save with _session_expiry=300: %v", p)
		}

		// Django changes it, Go sees that, Go changes it again.
		d.do(t, map[string]any{"op": "store_update", "data": k, "value": tag(t, serializer.DictOf("by", serializer.Str("django")))})
		r := mustLoad(t, s, k)
		r.Data.SetStr("by", serializer.Str("go"))
		if err := s.Save(ctx, k, djangosess.Record{Data: r.Data}); err != nil {
			t.Fatal(err)
		}
		sameData(t, "Django's load after Django's and Go's updates", d.load(t, k), r.Data)

		if err := s.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
		if d.exists(t, k) || d.load(t, k) != nil {
			t.Error("Django still finds a session Go deleted")
		}
	})

	t.Run("SameBytesAndTTL", func(t *testing.T) {
		// For each set_expiry, Django and Go store the same session: the
		// same value (the same bytes when uncompressed) and the same TTL.
		future := time.Now().Add(600 * time.Second).UTC().Truncate(time.Second)
		expiries := []serializer.Value{nil, serializer.Int(300), serializer.Float(1.5)}
		// Django 4.1+ stores a datetime expiry as an ISO string; 3.2
		// stores the datetime, which msgpack cannot hold.
		if b.serializer() != "msgpack" || series != "3.2" {
			expiries = append(expiries, serializer.DateTime{Year: future.Year(), Month: int(future.Month()), Day: future.Day(),
				Hour: future.Hour(), Minute: future.Minute(), Second: future.Second(), Microsecond: 500000, TZ: serializer.UTC})
		}
		for _, e := range expiries {
			kd := d.create(t, session(4, rich), e)
			rd, err := c.Get(ctx, s.RedisKey(kd)).Bytes()
			if err != nil {
				t.Fatalf("set_expiry(%v): Django's session: %v", e, err)
			}
			pd := pttl(t, c, s.RedisKey(kd))
			r := mustLoad(t, s, kd)
			kg, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: r.Data})
			if err != nil {
				t.Fatal(err)
			}
			rg, err := c.Get(ctx, s.RedisKey(kg)).Bytes()
			if err != nil {
				t.Fatal(err)
			}
			pg := pttl(t, c, s.RedisKey(kg))
			if b.compressor() == "identity" && string(rd) != string(rg) {
				t.Errorf("set_expiry(%v): value bytes differ:\ndjango %q\n    go %q", e, rd, rg)
			}
			if diff := pd - pg; diff > time.Second || diff < -time.Second {
				t.Errorf("set_expiry(%v): TTL Django %v, Go %v", e, pd, pg)
			}
			// 1.5 s: django-redis sends PX 1500, Django's RedisCache EX 1.
			if f, ok := e.(serializer.Float); ok {
				if b.codec.Client == cachevalue.Django {
					if pg > time.Duration(f)*time.Second {
						t.Errorf("set_expiry(1.5) on Django's RedisCache: TTL %v, want EX 1", pg)
					}
				} else if pg <= time.Second {
					t.Errorf("set_expiry(1.5) on django-redis: TTL %v, want PX 1500", pg)
				}
			}
		}
	})

	t.Run("Expired", func(t *testing.T) {
		// Django with a past expiry stores nothing; nor does Go.
		kd := d.create(t, session(5, rich), serializer.Int(-1))
		if _, err := s.Load(ctx, kd); !errors.Is(err, djangosess.ErrNotFound) {
			t.Errorf("Load of a session Django created expired = %v", err)
		}
		kg, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: session(5, rich), Expiry: time.Now().Add(-time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		if d.exists(t, kg) || d.load(t, kg) != nil {
			t.Error("Django finds a session Go created expired")
		}
		// A save with a past expiry deletes, on both sides.
		k := d.create(t, session(6, rich), nil)
		past := session(6, rich)
		past.SetStr(djangosess.ExpiryKey, serializer.Int(-5))
		if err := s.Save(ctx, k, djangosess.Record{Data: past}); err != nil {
			t.Fatal(err)
		}
		if d.load(t, k) != nil {
			t.Error("Django finds a session Go saved with a past expiry")
		}
		k, err = djangosess.CreateNew(ctx, s, djangosess.Record{Data: session(7, rich)})
		if err != nil {
			t.Fatal(err)
		}
		d.do(t, map[string]any{"op": "store_update", "data": k, "value": tag(t, serializer.DictOf()), "params": map[string]any{"set_expiry": tag(t, serializer.Int(-5))}})
		if _, err := s.Load(ctx, k); !errors.Is(err, djangosess.ErrNotFound) {
			t.Errorf("Load of a session Django saved with a past expiry = %v", err)
		}
	})

	t.Run("TTLLapses", func(t *testing.T) {
		// Real expiry by Redis, both ways: the shortest TTL each
		// backend writes (200 ms for django-redis, 1 s for Django's).
		short := serializer.Value(serializer.Float(0.2))
		if b.codec.Client == cachevalue.Django {
			short = serializer.Int(1)
		}
		kd := d.create(t, session(8, rich), short)
		mustLoad(t, s, kd)
		data := session(9, rich)
		data.SetStr(djangosess.ExpiryKey, short)
		kg, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: data})
		if err != nil {
			t.Fatal(err)
		}
		if d.load(t, kg) == nil {
			t.Fatal("Django does not find a short-lived Go session before it lapses")
		}
		waitGone(t, func() bool {
			_, err := s.Load(ctx, kd)
			return errors.Is(err, djangosess.ErrNotFound)
		})
		waitGone(t, func() bool { return d.load(t, kg) == nil && !d.exists(t, kg) })
	})
}

// waitGone polls gone until it reports true, failing after 10 s: Redis
// expires keys in real time.
func waitGone(t *testing.T, gone func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !gone() {
		if time.Now().After(deadline) {
			t.Fatal("the session did not lapse within 10 s of its TTL")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestClusterInterop: Django cannot use a Redis Cluster (neither
// django-redis nor Django's RedisCache has a cluster client), so on the
// cluster interop is at the value level: what the store writes on the
// cluster is decoded by Django's cache layer (cache_decode) to the same
// session, and bytes Django's cache layer encodes (cache_encode), written
// to the cluster, load in Go. Keys and TTLs are the single-node ones,
// tested against Django above.
func TestClusterInterop(t *testing.T) {
	c := redistest.Cluster(t)
	var v djangotest.Django
	for _, x := range djangotest.Versions(t) {
		if djangotest.Series(x.Version) == "4.2" {
			v = x
		}
	}
	if v.Version == "" {
		djangotest.Missing(t, "Django 4.2 not found")
	}
	d := dj{v.Start(t)}
	d.do(t, map[string]any{"op": "version"})
	for _, b := range append(djangoRedisBackends[:len(djangoRedisBackends):len(djangoRedisBackends)], djangoBackend) {
		t.Run(b.name, func(t *testing.T) {
			s := newStore(t, c, redis.Config{Value: b.codec, KeyPrefix: redistest.Prefix(t, c)})
			for i := range 20 { // spread over the masters
				want := session(i, b.rich())
				k, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: want})
				if err != nil {
					t.Fatal(err)
				}
				raw, err := c.Get(ctx, s.RedisKey(k)).Bytes()
				if err != nil {
					t.Fatal(err)
				}
				got := d.do(t, map[string]any{"op": "cache_decode", "data_b64": raw, "params": b.cacheParams()})
				sameData(t, "Django's decode of a Go value on the cluster", got.(*serializer.Dict), want)

				enc := d.do(t, map[string]any{"op": "cache_encode", "value": tag(t, want), "params": b.cacheParams()})
				if err := s.Delete(ctx, k); err != nil {
					t.Fatal(err)
				}
				if err := c.Set(ctx, s.RedisKey(k), []byte(enc.(serializer.Bytes)), time.Hour).Err(); err != nil {
					t.Fatal(err)
				}
				sameData(t, "Go Load of Django's value on the cluster", mustLoad(t, s, k).Data, want)
			}
			n := 0
			for _, err := range s.Keys(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				n++
			}
			if n != 20 {
				t.Errorf("Keys on the cluster gave %d sessions, want 20", n)
			}
		})
	}
}

// TestDjangoKeyLayout: with a KEY_PREFIX holding glob characters and
// VERSION 3, the store finds Django's sessions, lists exactly them, and
// Django finds the store's.
func TestDjangoKeyLayout(t *testing.T) {
	c := redistest.Local(t)
	for _, v := range djangotest.Versions(t) {
		b := backend{"django-redis/pickle", cachevalue.Codec{}}
		if djangotest.Series(v.Version) != "3.2" {
			b = djangoBackend
		}
		t.Run(v.Version+"/"+b.name, func(t *testing.T) {
			prefix := redistest.Prefix(t, c) + "*[g]?"
			d := dj{v.Start(t, b.settingsVersion(t, prefix, 3))}
			s := newStore(t, c, redis.Config{Value: b.codec, KeyPrefix: prefix, Version: 3})
			other := newStore(t, c, redis.Config{Value: b.codec, KeyPrefix: prefix, Version: 1})
			if _, err := djangosess.CreateNew(ctx, other, djangosess.Record{Data: session(0, true)}); err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for i := range 3 {
				k := d.create(t, session(i, true), nil)
				want[k] = true
				sameData(t, "Go Load at VERSION 3", mustLoad(t, s, k).Data, session(i, true))
			}
			k, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: session(9, true)})
			if err != nil {
				t.Fatal(err)
			}
			want[k] = true
			sameData(t, "Django's load at VERSION 3", d.load(t, k), session(9, true))
			got := map[string]bool{}
			for k, err := range s.Keys(ctx) {
				if err != nil {
					t.Fatal(err)
				}
				got[k] = true
			}
			if !maps.Equal(got, want) {
				t.Errorf("Keys = %v, want %v", got, want)
			}
		})
	}
}
