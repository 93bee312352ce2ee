package transfer_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/transfer"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/internal/servertest"
	"github.com/djangosess/djangosess/serializer"
)

var bctx = context.Background()

const benchKey = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvw"

// benchOpen opens the store s describes, with its table, and closes it
// when the test ends.
func benchOpen(t *testing.T, s engine.Settings) djangosess.Store {
	t.Helper()
	o, err := engine.Open(bctx, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	if o.Migrate != nil {
		if err := o.Migrate(bctx); err != nil {
			t.Fatal(err)
		}
	}
	return o.Store
}

func benchSQLite(t *testing.T) djangosess.Store {
	return benchOpen(t, engine.Settings{DatabaseURL: "sqlite:///" + filepath.Join(t.TempDir(), "db.sqlite3"), SecretKey: []byte(benchKey)})
}

func benchFiles(t *testing.T) djangosess.Store {
	return benchOpen(t, engine.Settings{Engine: "file", FilePath: t.TempDir(), SecretKey: []byte(benchKey)})
}

// checkBench checks the structure of a result: every operation done n
// times, percentiles in order, the store left as it was found.
func checkBench(t *testing.T, r transfer.BenchResult, n, conc int, deletes bool) {
	t.Helper()
	if r.Sessions != n || r.Concurrency != conc || r.Size <= 0 || r.Left != 0 {
		t.Errorf("result %+v: want %d sessions at concurrency %d, a size, none left", r, n, conc)
	}
	ops := map[string]transfer.OpResult{"create": r.Create, "load": r.Load, "save": r.Save, "delete": r.Delete}
	for name, op := range ops {
		if name == "delete" && !deletes {
			if op != (transfer.OpResult{}) {
				t.Errorf("delete: %+v, want nothing", op)
			}
			continue
		}
		if op.Ops != int64(n) || op.Elapsed <= 0 || op.PerSecond <= 0 || op.P50 < 0 || op.P50 > op.P99 || op.P99 > op.Max {
			t.Errorf("%s: %+v", name, op)
		}
	}
}

// keysOf lists the keys of s.
func keysOf(t *testing.T, s djangosess.Store) []string {
	t.Helper()
	var out []string
	for k, err := range s.Keys(bctx) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

// bystander is a session that is not the benchmark's: it must be there,
// unchanged, after the run.
func bystander(t *testing.T, s djangosess.Store) (string, *serializer.Dict) {
	t.Helper()
	d := serializer.DictOf("_auth_user_id", serializer.Str("7"), "owner", serializer.Str("not the benchmark"))
	key, err := djangosess.CreateNew(bctx, s, djangosess.Record{Data: d})
	if err != nil {
		t.Fatal(err)
	}
	return key, d
}

func checkUntouched(t *testing.T, s djangosess.Store, key string, d *serializer.Dict) {
	t.Helper()
	if got := keysOf(t, s); !slices.Equal(got, []string{key}) {
		t.Errorf("the store holds %d keys after the run, want only the bystander's", len(got))
	}
	r, err := s.Load(bctx, key)
	if err != nil || !serializer.Equal(r.Data, d) {
		t.Errorf("bystander after the run: %v, %v", r.Data, err)
	}
}

// redisKeys counts the keys under prefix.
func redisKeys(t *testing.T, c *goredis.Client, prefix string) int {
	t.Helper()
	n := 0
	it := c.Scan(bctx, 0, prefix+"*", 1000).Iterator()
	for it.Next(bctx) {
		n++
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBenchStores runs the benchmark on every keyed engine against its
// real server, next to a session it must leave alone.
func TestBenchStores(t *testing.T) {
	const n, conc = 50, 4
	type target struct {
		name  string
		store func(t *testing.T) djangosess.Store
		after func(t *testing.T) // engine-specific check that nothing is left
	}
	var pgDSN, prefix string
	pgRows := func(t *testing.T) {
		conn, err := pgx.Connect(bctx, pgDSN)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(bctx)
		var rows int
		if err := conn.QueryRow(bctx, "SELECT count(*) FROM django_session").Scan(&rows); err != nil || rows != 1 {
			t.Errorf("django_session holds %d rows (%v), want the bystander's alone", rows, err)
		}
	}
	redisLeft := func(max int) func(t *testing.T) {
		return func(t *testing.T) {
			if got := redisKeys(t, redistest.Local(t), prefix); got > max {
				t.Errorf("%d keys under the prefix after the run, want at most %d (the bystander's)", got, max)
			}
		}
	}
	for _, tg := range []target{
		{"sqlite", func(t *testing.T) djangosess.Store {
			return benchSQLite(t)
		}, nil},
		{"file", func(t *testing.T) djangosess.Store {
			dir := t.TempDir()
			t.Cleanup(func() {
				if es, _ := os.ReadDir(dir); len(es) != 1 {
					t.Errorf("%d files in the session directory after the run, want the bystander's alone", len(es))
				}
			})
			return benchOpen(t, engine.Settings{Engine: "file", FilePath: dir, SecretKey: []byte(benchKey)})
		}, nil},
		{"postgres", func(t *testing.T) djangosess.Store {
			pgDSN = servertest.Postgres(t).DSN
			return benchOpen(t, engine.Settings{DatabaseURL: pgDSN, SecretKey: []byte(benchKey)})
		}, pgRows},
		{"cache", func(t *testing.T) djangosess.Store {
			prefix = redistest.Prefix(t, redistest.Local(t))
			return benchOpen(t, engine.Settings{Engine: "cache", CacheURL: "redis://" + redistest.Addr() + "/0", CacheKeyPrefix: prefix})
		}, redisLeft(1)},
		{"cached_db", func(t *testing.T) djangosess.Store {
			pgDSN = servertest.Postgres(t).DSN
			prefix = redistest.Prefix(t, redistest.Local(t))
			return benchOpen(t, engine.Settings{Engine: "cached_db", DatabaseURL: pgDSN, CacheURL: "redis://" + redistest.Addr() + "/0",
				CacheKeyPrefix: prefix, SecretKey: []byte(benchKey)})
		}, func(t *testing.T) { pgRows(t); redisLeft(1)(t) }},
	} {
		t.Run(tg.name, func(t *testing.T) {
			s := tg.store(t)
			key, d := bystander(t, s)
			r, err := transfer.Bench(bctx, s, transfer.BenchOptions{Sessions: n, Concurrency: conc})
			if err != nil {
				t.Fatal(err)
			}
			checkBench(t, r, n, conc, true)
			checkUntouched(t, s, key, d)
			if tg.after != nil {
				tg.after(t)
			}
			t.Log(r)
		})
	}
}

// TestBenchSizes: the typical session takes about 300 bytes in the db
// engine, BenchSession(8192) about 8 KB.
func TestBenchSizes(t *testing.T) {
	s := benchSQLite(t)
	for _, tc := range []struct {
		data     *serializer.Dict
		min, max int
	}{{nil, 250, 350}, {transfer.BenchSession(8192), 7000, 9500}} {
		r, err := transfer.Bench(bctx, s, transfer.BenchOptions{Sessions: 5, Data: tc.data, Warmup: -1})
		if err != nil {
			t.Fatal(err)
		}
		checkBench(t, r, 5, 1, true)
		if r.Size < tc.min || r.Size > tc.max {
			t.Errorf("stored size %d, want %d to %d", r.Size, tc.min, tc.max)
		}
	}
	if got := keysOf(t, s); len(got) != 0 {
		t.Errorf("%d sessions left", len(got))
	}
}

func TestBenchCookies(t *testing.T) {
	o, err := engine.Open(bctx, engine.Settings{Engine: "signed_cookies", SecretKey: []byte(benchKey)})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	r, err := transfer.BenchCookies(bctx, o.Cookies, transfer.BenchOptions{Sessions: 50, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	checkBench(t, r, 50, 4, false)
	if _, err := transfer.BenchCookies(bctx, nil, transfer.BenchOptions{}); !errors.Is(err, djangosess.ErrConfig) {
		t.Errorf("no store: %v", err)
	}
}

// TestBenchClock: latencies and throughput come from the injected clock.
// Operation i (of one worker, no warm-up) takes i+1 ms by that clock.
func TestBenchClock(t *testing.T) {
	o, err := engine.Open(bctx, engine.Settings{Engine: "signed_cookies", SecretKey: []byte(benchKey)})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	const n = 100
	var mu sync.Mutex
	calls := 0
	now := time.Unix(1700000000, 0)
	// Per phase: start, then (before, after) per operation, then end.
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		k := calls % (2*n + 2)
		if k >= 2 && k%2 == 0 && k <= 2*n {
			now = now.Add(time.Duration(k/2) * time.Millisecond)
		}
		calls++
		return now
	}
	r, err := transfer.BenchCookies(bctx, o.Cookies, transfer.BenchOptions{Sessions: n, Warmup: -1, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	total := time.Duration(n*(n+1)/2) * time.Millisecond
	for name, op := range map[string]transfer.OpResult{"create": r.Create, "load": r.Load, "save": r.Save} {
		if op.P50 != 50*time.Millisecond || op.P99 != 99*time.Millisecond || op.Max != n*time.Millisecond || op.Elapsed != total {
			t.Errorf("%s: %+v", name, op)
		}
		if want := float64(n) / total.Seconds(); op.PerSecond != want {
			t.Errorf("%s: %v/s, want %v", name, op.PerSecond, want)
		}
	}
}

// hooked is a real store with a hook before each call, to fail or cancel
// a run midway.
type hooked struct {
	djangosess.Store
	mu      sync.Mutex
	calls   map[string]int
	deleted []string
	hook    func(op, key string, call int) error
}

func (h *hooked) before(op, key string) error {
	h.mu.Lock()
	if h.calls == nil {
		h.calls = map[string]int{}
	}
	h.calls[op]++
	call := h.calls[op]
	if op == "delete" {
		h.deleted = append(h.deleted, key)
	}
	h.mu.Unlock()
	return h.hook(op, key, call)
}

func (h *hooked) Create(ctx context.Context, key string, r djangosess.Record) error {
	if err := h.before("create", key); err != nil {
		return err
	}
	return h.Store.Create(ctx, key, r)
}

func (h *hooked) Load(ctx context.Context, key string) (djangosess.Record, error) {
	if err := h.before("load", key); err != nil {
		return djangosess.Record{}, err
	}
	return h.Store.Load(ctx, key)
}

func (h *hooked) Save(ctx context.Context, key string, r djangosess.Record) error {
	if err := h.before("save", key); err != nil {
		return err
	}
	return h.Store.Save(ctx, key, r)
}

func (h *hooked) Delete(ctx context.Context, key string) error {
	if err := h.before("delete", key); err != nil {
		return err
	}
	return h.Store.Delete(ctx, key)
}

// TestBenchCleanup: a run canceled midway, or stopped by a failing
// store, deletes what it created and nothing else; a key someone holds is
// never deleted; what cannot be deleted is counted.
func TestBenchCleanup(t *testing.T) {
	t.Run("canceled", func(t *testing.T) {
		s := benchFiles(t)
		key, d := bystander(t, s)
		cctx, cancel := context.WithCancel(bctx)
		defer cancel()
		h := &hooked{Store: s, hook: func(op, _ string, call int) error {
			if op == "save" && call == 30 {
				cancel()
			}
			return nil
		}}
		r, err := transfer.Bench(cctx, h, transfer.BenchOptions{Sessions: 50, Concurrency: 4})
		if !errors.Is(err, context.Canceled) || r.Left != 0 {
			t.Fatalf("canceled run: %+v, %v", r, err)
		}
		checkUntouched(t, s, key, d)
	})
	t.Run("store fails", func(t *testing.T) {
		s := benchFiles(t)
		key, d := bystander(t, s)
		h := &hooked{Store: s, hook: func(op, _ string, call int) error {
			if (op == "load" && call == 20) || (op == "create" && call == 15) {
				return fmt.Errorf("%w: injected", djangosess.ErrUnavailable)
			}
			return nil
		}}
		r, err := transfer.Bench(bctx, h, transfer.BenchOptions{Sessions: 50, Concurrency: 4})
		if err != nil {
			t.Fatal(err)
		}
		// The session whose create failed is left out of the later phases.
		if r.Create.Ops != 49 || r.Create.Failed != 1 || r.Load.Ops != 48 || r.Load.Failed != 1 || r.Save.Ops != 49 || r.Delete.Ops != 49 || r.Left != 0 ||
			!errors.Is(r.Load.Err, djangosess.ErrUnavailable) || r.Load.Error != "bench: load: djangosess: session store unavailable: injected" {
			t.Errorf("failures not counted: %+v", r)
		}
		checkUntouched(t, s, key, d)
	})
	t.Run("phase fails", func(t *testing.T) {
		s := benchFiles(t)
		key, d := bystander(t, s)
		h := &hooked{Store: s, hook: func(op, _ string, call int) error {
			if op == "save" && call > 10 { // after the warm-up: stops after 5
				return fmt.Errorf("%w: injected", djangosess.ErrUnavailable)
			}
			return nil
		}}
		r, err := transfer.Bench(bctx, h, transfer.BenchOptions{Sessions: 50, Concurrency: 4})
		if !errors.Is(err, djangosess.ErrUnavailable) || r.Left != 0 || r.Save.Failed <= 4 || r.Save.Ops != 0 {
			t.Fatalf("failing run: %+v, %v", r, err)
		}
		checkUntouched(t, s, key, d)
	})
	t.Run("taken key", func(t *testing.T) {
		s := benchFiles(t)
		var taken atomic.Value
		h := &hooked{Store: s, hook: func(op, key string, call int) error {
			if op == "create" && call == 3 {
				taken.Store(key)
				return djangosess.ErrExists // as if someone held it
			}
			return nil
		}}
		r, err := transfer.Bench(bctx, h, transfer.BenchOptions{Sessions: 10})
		if err != nil {
			t.Fatal(err)
		}
		checkBench(t, r, 10, 1, true)
		if slices.Contains(h.deleted, taken.Load().(string)) {
			t.Error("the benchmark deleted a key it did not create")
		}
		if got := keysOf(t, s); len(got) != 0 {
			t.Errorf("%d sessions left", len(got))
		}
	})
	t.Run("undeletable", func(t *testing.T) {
		s := benchFiles(t)
		h := &hooked{Store: s, hook: func(op, _ string, call int) error {
			if op == "delete" {
				return fmt.Errorf("%w: injected", djangosess.ErrUnavailable)
			}
			return nil
		}}
		r, err := transfer.Bench(bctx, h, transfer.BenchOptions{Sessions: 10, Warmup: -1})
		if !errors.Is(err, djangosess.ErrUnavailable) || r.Left != 10 {
			t.Fatalf("undeletable run: Left %d, %v", r.Left, err)
		}
	})
}

func TestBenchOptions(t *testing.T) {
	s := benchSQLite(t)
	for _, o := range []transfer.BenchOptions{{Sessions: -1}, {Concurrency: -1}, {Expiry: -time.Second}} {
		if _, err := transfer.Bench(bctx, s, o); !errors.Is(err, djangosess.ErrConfig) {
			t.Errorf("%+v: %v", o, err)
		}
	}
	if _, err := transfer.Bench(bctx, nil, transfer.BenchOptions{}); !errors.Is(err, djangosess.ErrConfig) {
		t.Errorf("no store: %v", err)
	}
}

// Measure a project's file-backed sessions: 100 typical logged-in sessions
// created, loaded, saved and deleted by 4 workers at once. The sessions
// are the benchmark's own, and none is left behind.
func ExampleBench() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	o, _ := engine.Open(ctx, engine.Settings{Engine: "file", FilePath: dir, SecretKey: []byte("secret")})
	defer o.Close()

	r, err := transfer.Bench(ctx, o.Store, transfer.BenchOptions{Sessions: 100, Concurrency: 4})
	fmt.Println(r.Create.Ops, r.Load.Ops, r.Save.Ops, r.Delete.Ops, r.Left, err)
	fmt.Println(r.Load.P50 <= r.Load.P99, r.Load.PerSecond > 0)
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	fmt.Println(len(left))
	// Output:
	// 100 100 100 100 0 <nil>
	// true true
	// 0
}
