package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/keys"
	"github.com/djangosess/djangosess/serializer"
)

// Config describes the store under test.
type Config struct {
	// New returns an empty store for one subtest, isolated from the
	// others (its own table, directory or key prefix), and registers its
	// cleanup with t.Cleanup. It is called once per subtest.
	New func(t *testing.T) djangosess.Store
	// Now is the clock the stores were built with (time.Now if nil).
	// Expiries in the suite are relative to it.
	Now func() time.Time
	// CookieAge is the stores' SESSION_COOKIE_AGE
	// (djangosess.DefaultCookieAge if zero).
	CookieAge time.Duration
	// Precision is how closely Load gives back the expiry given to
	// Create or Save (a microsecond for database columns, a second for
	// cache TTLs and file mtimes). Zero means time.Microsecond.
	Precision time.Duration
	// Pickle is true when the store keeps every Python type (pickle
	// serializer, or a cache): the suite then also stores datetimes,
	// bytes, tuples, sets and Decimals.
	Pickle bool
	// NoExpiredRows is true for stores that drop an expired session
	// themselves (a cache with TTLs): Exists is then false right after
	// an expired Create.
	NoExpiredRows bool
}

func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c Config) cookieAge() time.Duration {
	if c.CookieAge == 0 {
		return djangosess.DefaultCookieAge
	}
	return c.CookieAge
}

func (c Config) precision() time.Duration {
	if c.Precision == 0 {
		return time.Microsecond
	}
	return c.Precision
}

// Run runs the conformance suite as subtests of t.
func Run(t *testing.T, cfg Config) {
	if cfg.New == nil {
		t.Fatal("storetest: Config.New is nil")
	}
	tests := []struct {
		name string
		fn   func(*testing.T, Config, djangosess.Store)
	}{
		{"LoadMissing", testLoadMissing},
		{"CreateLoad", testCreateLoad},
		{"CreateExisting", testCreateExisting},
		{"SaveExisting", testSaveExisting},
		{"SaveMissing", testSaveMissing},
		{"Delete", testDelete},
		{"Exists", testExists},
		{"DefaultExpiry", testDefaultExpiry},
		{"SessionExpirySeconds", testSessionExpirySeconds},
		{"Expired", testExpired},
		{"ClearExpired", testClearExpired},
		{"Keys", testKeys},
		{"CreateNew", testCreateNew},
		{"InvalidKeys", testInvalidKeys},
		{"CanceledContext", testCanceledContext},
		{"ConcurrentCreate", testConcurrentCreate},
		{"ConcurrentSave", testConcurrentSave},
		{"ConcurrentLoad", testConcurrentLoad},
		{"Values", testValues},
	}
	// The optional bulk interfaces, for the stores that have them (a first
	// store tells which).
	probe := cfg.New(t)
	if _, ok := probe.(djangosess.Scanner); ok {
		tests = append(tests, struct {
			name string
			fn   func(*testing.T, Config, djangosess.Store)
		}{"Scan", testScan})
	}
	if _, ok := probe.(djangosess.BatchCreator); ok {
		tests = append(tests, struct {
			name string
			fn   func(*testing.T, Config, djangosess.Store)
		}{"CreateBatch", testCreateBatch})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, cfg, cfg.New(t))
		})
	}
}

var ctx = context.Background()

func newKey(t *testing.T) string {
	t.Helper()
	k, err := keys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sample(n int) *serializer.Dict {
	return serializer.DictOf(
		"_auth_user_id", serializer.Str(fmt.Sprint(n)),
		"_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"),
		"cart", serializer.List{serializer.Int(n), serializer.Int(2), serializer.Str("é\u2603")},
		"nested", serializer.DictOf("a", serializer.Float(1.5), "b", serializer.None{}, "c", serializer.Bool(true)),
	)
}

func mustCreate(t *testing.T, s djangosess.Store, key string, r djangosess.Record) {
	t.Helper()
	if err := s.Create(ctx, key, r); err != nil {
		t.Fatalf("Create(%s): %v", key, err)
	}
}

func mustLoad(t *testing.T, s djangosess.Store, key string) djangosess.Record {
	t.Helper()
	r, err := s.Load(ctx, key)
	if err != nil {
		t.Fatalf("Load(%s): %v", key, err)
	}
	if r.Data == nil {
		t.Fatalf("Load(%s): nil Data without an error", key)
	}
	return r
}

func sameData(t *testing.T, what string, got, want *serializer.Dict) {
	t.Helper()
	if !serializer.Equal(got, want) {
		t.Errorf("%s: data = %v, want %v", what, got, want)
	}
}

func sameExpiry(t *testing.T, cfg Config, what string, got, want time.Time) {
	t.Helper()
	d := got.Sub(want)
	if d < 0 {
		d = -d
	}
	if d > cfg.precision() {
		t.Errorf("%s: expiry = %v, want %v (±%v)", what, got, want, cfg.precision())
	}
}

func notFound(t *testing.T, s djangosess.Store, key string) {
	t.Helper()
	r, err := s.Load(ctx, key)
	if !errors.Is(err, djangosess.ErrNotFound) {
		t.Errorf("Load(%s) = %v, %v; want ErrNotFound", key, r.Data, err)
	}
}

func testLoadMissing(t *testing.T, cfg Config, s djangosess.Store) {
	notFound(t, s, newKey(t))
}

func testCreateLoad(t *testing.T, cfg Config, s djangosess.Store) {
	key := newKey(t)
	exp := cfg.now().Add(time.Hour).Truncate(time.Second).Add(123456 * time.Microsecond)
	mustCreate(t, s, key, djangosess.Record{Data: sample(1), Expiry: exp})
	r := mustLoad(t, s, key)
	sameData(t, "Load after Create", r.Data, sample(1))
	sameExpiry(t, cfg, "Load after Create", r.Expiry, exp)
	if r.Size <= 0 {
		t.Errorf("Load: Size = %d, want the stored size", r.Size)
	}
}

func testCreateExisting(t *testing.T, cfg Config, s djangosess.Store) {
	key := newKey(t)
	exp := cfg.now().Add(time.Hour)
	mustCreate(t, s, key, djangosess.Record{Data: sample(1), Expiry: exp})
	err := s.Create(ctx, key, djangosess.Record{Data: sample(2), Expiry: exp})
	if !errors.Is(err, djangosess.ErrExists) {
		t.Fatalf("second Create = %v, want ErrExists", err)
	}
	sameData(t, "after a refused Create", mustLoad(t, s, key).Data, sample(1))
}

func testSaveExisting(t *testing.T, cfg Config, s djangosess.Store) {
	key := newKey(t)
	mustCreate(t, s, key, djangosess.Record{Data: sample(1), Expiry: cfg.now().Add(time.Hour)})
	exp := cfg.now().Add(2 * time.Hour).Truncate(time.Second)
	if err := s.Save(ctx, key, djangosess.Record{Data: sample(2), Expiry: exp}); err != nil {
		t.Fatalf("Save: %v", err)
	}
	r := mustLoad(t, s, key)
	sameData(t, "Load after Save", r.Data, sample(2))
	sameExpiry(t, cfg, "Load after Save", r.Expiry, exp)
}

func testSaveMissing(t *testing.T, cfg Config, s djangosess.Store) {
	key := newKey(t)
	err := s.Save(ctx, key, djangosess.Record{Data: sample(1), Expiry: cfg.now().Add(time.Hour)})
	if !errors.Is(err, djangosess.ErrVanished) {
		t.Fatalf("Save of a missing session = %v, want ErrVanished", err)
	}
	notFound(t, s, key)
	// A deleted session is gone for Save too (Django's concurrent logout).
	mustCreate(t, s, key, djangosess.Record{Data: sample(1), Expiry: cfg.now().Add(time.Hour)})
	if err := s.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	err = s.Save(ctx, key, djangosess.Record{Data: sample(2), Expiry: cfg.now().Add(time.Hour)})
	if !errors.Is(err, djangosess.ErrVanished) {
		t.Fatalf("Save after Delete = %v, want ErrVanished", err)
	}
	notFound(t, s, key)
}

func testDelete(t *testing.T, cfg Config, s djangosess.Store) {
	key, other := newKey(t), newKey(t)
	mustCreate(t, s, key, djangosess.Record{Data: sample(1), Expiry: cfg.now().Add(time.Hour)})
	mustCreate(t, s, other, djangosess.Record{Data: sample(2), Expiry: cfg.now().Add(time.Hour)})
	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	notFound(t, s, key)
	if ok, err := s.Exists(ctx, key); err != nil || ok {
		t.Errorf("Exists after Delete = %v, %v", ok, err)
	}
	if err := s.Delete(ctx, key); err != nil {
		t.Errorf("Delete of a missing session = %v, want nil", err)
	}
	sameData(t, "the other session", mustLoad(t, s, other).Data, sample(2))
}

func testExists(t *testing.T, cfg Config, s djangosess.Store) {
	key := newKey(t)
	if ok, err := s.Exists(ctx, key); err != nil || ok {
		t.Errorf("Exists before Create = %v, %v", ok, err)
	}
	mustCreate(t, s, key, djangosess.Record{Data: sample(1), Expiry: cfg.now().Add(time.Hour)})
	if ok, err := s.Exists(ctx, key); err != nil || !ok {
		t.Errorf("Exists after Create = %v, %v", ok, err)
	}
}

func testDefaultExpiry(t *testing.T, cfg Config, s djangosess.Store) {
	key := newKey(t)
	before := cfg.now()
	mustCreate(t, s, key, djangosess.Record{Data: sample(1)})
	after := cfg.now()
	r := mustLoad(t, s, key)
	lo, hi := before.Add(cfg.cookieAge()-cfg.precision()), after.Add(cfg.cookieAge()+cfg.precision())
	if r.Expiry.Before(lo) || r.Expiry.After(hi) {
		t.Errorf("default expiry = %v, want now + %v (between %v and %v)", r.Expiry, cfg.cookieAge(), lo, hi)
	}
}

func testSessionExpirySeconds(t *testing.T, cfg Config, s djangosess.Store) {
	key := newKey(t)
	d := sample(1)
	d.SetStr(djangosess.ExpiryKey, serializer.Int(300))
	before := cfg.now()
	mustCreate(t, s, key, djangosess.Record{Data: d})
	after := cfg.now()
	r := mustLoad(t, s, key)
	sameData(t, "Load", r.Data, d)
	lo, hi := before.Add(300*time.Second-cfg.precision()), after.Add(300*time.Second+cfg.precision())
	if r.Expiry.Before(lo) || r.Expiry.After(hi) {
		t.Errorf("expiry with %s=300 is %v, want between %v and %v", djangosess.ExpiryKey, r.Expiry, lo, hi)
	}
}

func testExpired(t *testing.T, cfg Config, s djangosess.Store) {
	key := newKey(t)
	mustCreate(t, s, key, djangosess.Record{Data: sample(1), Expiry: cfg.now().Add(-time.Hour)})
	notFound(t, s, key)
	if cfg.NoExpiredRows {
		if ok, err := s.Exists(ctx, key); err != nil || ok {
			t.Errorf("Exists of an expired session = %v, %v; want false (the store expires sessions itself)", ok, err)
		}
	}
	// Saving over an expired session that is still stored behaves as
	// Django: the db backend updates the row, others see it missing.
	key2 := newKey(t)
	mustCreate(t, s, key2, djangosess.Record{Data: sample(1), Expiry: cfg.now().Add(time.Hour)})
	if err := s.Save(ctx, key2, djangosess.Record{Data: sample(2), Expiry: cfg.now().Add(-time.Minute)}); err != nil {
		t.Fatalf("Save with a past expiry: %v", err)
	}
	notFound(t, s, key2)
}

func testClearExpired(t *testing.T, cfg Config, s djangosess.Store) {
	live, dead := newKey(t), newKey(t)
	mustCreate(t, s, live, djangosess.Record{Data: sample(1), Expiry: cfg.now().Add(time.Hour)})
	mustCreate(t, s, dead, djangosess.Record{Data: sample(2), Expiry: cfg.now().Add(-time.Hour)})
	n, err := s.ClearExpired(ctx)
	if err != nil {
		t.Fatalf("ClearExpired: %v", err)
	}
	if n < 0 || (!cfg.NoExpiredRows && n != 1) {
		t.Errorf("ClearExpired = %d, want 1", n)
	}
	if ok, err := s.Exists(ctx, dead); err != nil || ok {
		t.Errorf("Exists(expired) after ClearExpired = %v, %v", ok, err)
	}
	sameData(t, "live session after ClearExpired", mustLoad(t, s, live).Data, sample(1))
}

func testKeys(t *testing.T, cfg Config, s djangosess.Store) {
	want := map[string]bool{}
	for i := range 5 {
		k := newKey(t)
		want[k] = true
		mustCreate(t, s, k, djangosess.Record{Data: sample(i), Expiry: cfg.now().Add(time.Hour)})
	}
	seen := map[string]int{}
	for k, err := range s.Keys(ctx) {
		if err != nil {
			t.Fatalf("Keys: %v", err)
		}
		seen[k]++
	}
	for k := range want {
		if seen[k] != 1 {
			t.Errorf("Keys gave %s %d times, want once", k, seen[k])
		}
	}
	// Stopping early must be safe.
	for range s.Keys(ctx) {
		break
	}
}

func testCreateNew(t *testing.T, cfg Config, s djangosess.Store) {
	key, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: sample(3), Expiry: cfg.now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != keys.Length {
		t.Errorf("CreateNew key %q: length %d", key, len(key))
	}
	sameData(t, "Load after CreateNew", mustLoad(t, s, key).Data, sample(3))
}

func testInvalidKeys(t *testing.T, cfg Config, s djangosess.Store) {
	// Keys shorter than Django's minimum are refused everywhere; keys
	// with other characters are refused by the file store and opaque
	// (stored and found under exactly that key) elsewhere, as in Django.
	for _, k := range []string{"", "short", "../../../../etc/passwd", "abc/def/ghi", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456"} {
		r := djangosess.Record{Data: sample(1), Expiry: cfg.now().Add(time.Hour)}
		err := s.Create(ctx, k, r)
		switch {
		case err == nil && len(k) < keys.MinLength:
			t.Errorf("Create(%q) accepted a key shorter than %d", k, keys.MinLength)
		case err == nil:
			sameData(t, fmt.Sprintf("Load(%q)", k), mustLoad(t, s, k).Data, sample(1))
			if err := s.Delete(ctx, k); err != nil {
				t.Errorf("Delete(%q): %v", k, err)
			}
		case !errors.Is(err, djangosess.ErrInvalidKey):
			t.Errorf("Create(%q) = %v, want ErrInvalidKey", k, err)
		}
		if _, err := s.Load(ctx, k); !errors.Is(err, djangosess.ErrNotFound) && !errors.Is(err, djangosess.ErrInvalidKey) {
			t.Errorf("Load(%q) = %v, want ErrNotFound or ErrInvalidKey", k, err)
		}
	}
}

func testCanceledContext(t *testing.T, cfg Config, s djangosess.Store) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	key := newKey(t)
	if err := s.Create(c, key, djangosess.Record{Data: sample(1)}); !errors.Is(err, context.Canceled) {
		t.Errorf("Create with a canceled context = %v, want context.Canceled", err)
	}
	if _, err := s.Load(c, key); !errors.Is(err, context.Canceled) {
		t.Errorf("Load with a canceled context = %v, want context.Canceled", err)
	}
	notFound(t, s, key)
}

func testConcurrentCreate(t *testing.T, cfg Config, s djangosess.Store) {
	key := newKey(t)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.Create(ctx, key, djangosess.Record{Data: sample(i), Expiry: cfg.now().Add(time.Hour)})
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("Create %d and %d both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, djangosess.ErrExists):
			t.Errorf("Create %d: %v, want nil or ErrExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no Create succeeded")
	}
	sameData(t, "the winner's session", mustLoad(t, s, key).Data, sample(winner))
}

// testConcurrentLoad: many Loads at once of live, expired and missing
// keys (stores may read concurrent loads together) each give that key's
// own session, or ErrNotFound; a session deleted before a wave of loads
// is missing for all of it.
func testConcurrentLoad(t *testing.T, cfg Config, s djangosess.Store) {
	const live = 24
	keys := make([]string, 0, live+8)
	want := make(map[string]int)
	for i := range live {
		k := newKey(t)
		mustCreate(t, s, k, djangosess.Record{Data: sample(i), Expiry: cfg.now().Add(time.Hour)})
		keys = append(keys, k)
		want[k] = i
	}
	for range 4 {
		k := newKey(t)
		mustCreate(t, s, k, djangosess.Record{Data: sample(99), Expiry: cfg.now().Add(-time.Hour)})
		keys = append(keys, k)
	}
	for range 4 {
		keys = append(keys, newKey(t))
	}
	wave := func(what string) {
		t.Helper()
		var wg sync.WaitGroup
		var mu sync.Mutex
		var wrong []string
		for g := range 32 {
			wg.Go(func() {
				for j := range len(keys) {
					k := keys[(g*5+j)%len(keys)]
					r, err := s.Load(ctx, k)
					i, ok := want[k]
					var bad string
					switch {
					case !ok && !errors.Is(err, djangosess.ErrNotFound):
						bad = fmt.Sprintf("%s: Load(%s) = %v, %v; want ErrNotFound", what, k, r.Data, err)
					case ok && err != nil:
						bad = fmt.Sprintf("%s: Load(%s): %v", what, k, err)
					case ok && !serializer.Equal(r.Data, sample(i)):
						bad = fmt.Sprintf("%s: Load(%s) = %v, want session %d", what, k, r.Data, i)
					}
					if bad != "" {
						mu.Lock()
						wrong = append(wrong, bad)
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		if len(wrong) > 0 {
			t.Errorf("%d wrong loads, the first: %s", len(wrong), wrong[0])
		}
	}
	wave("first wave")
	gone := keys[0]
	if err := s.Delete(ctx, gone); err != nil {
		t.Fatal(err)
	}
	delete(want, gone)
	wave("after a delete")
}

func testConcurrentSave(t *testing.T, cfg Config, s djangosess.Store) {
	const n = 8
	ks := make([]string, n)
	for i := range ks {
		ks[i] = newKey(t)
		mustCreate(t, s, ks[i], djangosess.Record{Data: sample(i), Expiry: cfg.now().Add(time.Hour)})
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			for j := range 5 {
				if err := s.Save(ctx, ks[i], djangosess.Record{Data: sample(100*i + j), Expiry: cfg.now().Add(time.Hour)}); err != nil {
					t.Errorf("Save: %v", err)
				}
				if _, err := s.Load(ctx, ks[(i+1)%n]); err != nil {
					t.Errorf("Load: %v", err)
				}
			}
		})
	}
	wg.Wait()
	for i, k := range ks {
		sameData(t, "after concurrent saves", mustLoad(t, s, k).Data, sample(100*i+4))
	}
}

func testValues(t *testing.T, cfg Config, s djangosess.Store) {
	d := serializer.DictOf(
		"str", serializer.Str("a\x00b\u00e9\U0001F600"),
		"big", serializer.Int(1<<53+1),
		"neg", serializer.Int(-7),
		"float", serializer.Float(0.1),
		"empty", serializer.NewDict(0),
		"list", serializer.List{},
	)
	if cfg.Pickle {
		d.SetStr("when", serializer.DateTime{Year: 2024, Month: 2, Day: 29, Hour: 23, Minute: 59, Second: 58, Microsecond: 7, TZ: serializer.UTC})
		d.SetStr("bytes", serializer.Bytes("\x00\xff"))
		d.SetStr("tuple", serializer.Tuple{serializer.Int(1), serializer.Str("x")})
		d.SetStr("set", serializer.Set{serializer.Int(3)})
		d.SetStr("date", serializer.Date{Year: 1999, Month: 12, Day: 31})
	}
	key := newKey(t)
	mustCreate(t, s, key, djangosess.Record{Data: d, Expiry: cfg.now().Add(time.Hour)})
	sameData(t, "values", mustLoad(t, s, key).Data, d)
	empty := newKey(t)
	mustCreate(t, s, empty, djangosess.Record{Data: serializer.NewDict(0), Expiry: cfg.now().Add(time.Hour)})
	if r := mustLoad(t, s, empty); r.Data.Len() != 0 {
		t.Errorf("empty session loaded as %v", r.Data)
	}
}
