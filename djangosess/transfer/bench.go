package transfer

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/keys"
	"github.com/djangosess/djangosess/serializer"
)

// DefaultBenchSessions is how many sessions Bench measures each operation
// over when BenchOptions.Sessions is 0.
const DefaultBenchSessions = 1000

// ErrBenchMismatch: a session the benchmark loaded back is not the one it
// stored.
var ErrBenchMismatch = errors.New("transfer: bench: the loaded session differs from the stored one")

// BenchOptions configures Bench and BenchCookies. The zero value measures
// DefaultBenchSessions typical logged-in sessions with one worker.
type BenchOptions struct {
	// Sessions is how many sessions each operation is measured over
	// (default DefaultBenchSessions).
	Sessions int
	// Concurrency is the number of workers issuing operations at once
	// (default 1: the latency of one request at a time).
	Concurrency int
	// Data is the session written (default TypicalSession()). Each
	// worker writes its own copy.
	Data *serializer.Dict
	// Warmup is how many extra sessions are taken through every
	// operation, unmeasured, first: connections get dialed and
	// statements prepared outside the measurement (default
	// 2×Concurrency, at least 10; negative: none).
	Warmup int
	// Expiry is how long the benchmark's sessions live (default one
	// hour): the ones a killed run leaves behind expire soon.
	Expiry time.Duration
	// CleanupTimeout bounds the final cleanup, which runs on a context of
	// its own so that it also runs after ctx is canceled (default one
	// minute).
	CleanupTimeout time.Duration
	// Now is the clock latencies are measured with (default time.Now).
	Now func() time.Time
}

// OpResult is the measurement of one operation over every session.
type OpResult struct {
	// Ops is the number of operations that succeeded (0 for an operation
	// the engine does not have, like deleting a signed cookie).
	Ops int64 `json:"ops"`
	// Elapsed is the wall time of the whole run of operations, and
	// PerSecond is Ops/Elapsed: the throughput at the run's concurrency.
	Elapsed   time.Duration `json:"elapsed_ns"`
	PerSecond float64       `json:"per_second"`
	// P50, P99 and Max are percentiles of the single operations'
	// latencies (nearest rank).
	P50 time.Duration `json:"p50_ns"`
	P99 time.Duration `json:"p99_ns"`
	Max time.Duration `json:"max_ns"`
	// Failed is the number of operations that failed (left out of the
	// figures above), Err the first of their errors and Error its text.
	Failed int64  `json:"failed"`
	Err    error  `json:"-"`
	Error  string `json:"error,omitempty"`
}

// BenchResult is what Bench measured on one store.
type BenchResult struct {
	// Sessions and Concurrency are the options the run used.
	Sessions    int `json:"sessions"`
	Concurrency int `json:"concurrency"`
	// Size is the stored size in bytes of one session, as Load reports
	// it (Record.Size; for signed cookies the cookie's length).
	Size int `json:"size"`
	// Create is CreateNew (a new session under a fresh key), Load a load
	// by key (or a cookie's verification), Save an update of the loaded
	// session with one more value (Django's save(must_create=False)),
	// Delete a deletion (a logout's flush).
	Create OpResult `json:"create"`
	Load   OpResult `json:"load"`
	Save   OpResult `json:"save"`
	Delete OpResult `json:"delete"`
	// Left is the number of the benchmark's keys that could not be
	// deleted at the end (the error says why): its sessions, or keys
	// whose create failed in a way that may have written them. What is
	// there expires after BenchOptions.Expiry.
	Left int `json:"left"`
}

// TypicalSession is the session a logged-in Django user typically has:
// django.contrib.auth's three keys, a language, a time zone and a small
// cart. Signed as Django's db engine stores it, it takes about 300 bytes.
func TypicalSession() *serializer.Dict {
	return serializer.DictOf(
		"_auth_user_id", serializer.Str("18342"),
		"_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", serializer.Str("5a3d0b9e6c1f2a47d8e9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1"),
		"_language", serializer.Str("en"),
		"django_timezone", serializer.Str("Europe/Berlin"),
		"cart", serializer.List{serializer.Int(1042), serializer.Int(77)},
	)
}

// BenchSession is TypicalSession padded with incompressible text so that
// its JSON takes about size bytes (TypicalSession itself when size is
// smaller): a session that carries, say, a form wizard's state.
func BenchSession(size int) *serializer.Dict {
	d := TypicalSession()
	js, err := serializer.JSON{}.Marshal(d)
	if err != nil || size <= len(js)+16 {
		return d
	}
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	r := rand.New(rand.NewPCG(1, 2)) // the same text every run
	b := make([]byte, size-len(js)-16)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	d.SetStr("wizard_state", serializer.Str(b))
	return d
}

// Bench measures the operations Django's session middleware does on s:
// it creates opts.Sessions sessions under fresh keys (as CreateNew does),
// loads each, saves each with one more value, and deletes each, every
// phase from opts.Concurrency workers, and reports the throughput and
// latency percentiles of each operation.
//
// It touches no session but its own: its keys are fresh random ones, a
// key someone else holds is never written or deleted, and every session
// it created is deleted before it returns, also when ctx is canceled or
// operations fail (on a context of its own, bounded by
// opts.CleanupTimeout). Those it could not delete are counted in Left,
// and expire after opts.Expiry.
//
// A failing operation is counted (OpResult.Failed, with the first error)
// and the run goes on: a store that fails under load is a result too. A
// session that could not be created is left out of the later phases.
// When more operations of a phase fail than there are workers before
// any succeeds (a missing table, a server down), the run stops with the
// first error, which wraps the store's (djangosess.ErrUnavailable, ...);
// a canceled ctx stops it with ctx's.
func Bench(ctx context.Context, s djangosess.Store, opts BenchOptions) (res BenchResult, err error) {
	if s == nil {
		return BenchResult{}, fmt.Errorf("%w: bench: no store", djangosess.ErrConfig)
	}
	b, err := newBench(opts)
	if err != nil {
		return BenchResult{}, err
	}
	created := make([]string, b.warmup+b.n)
	defer func() {
		left, cerr := b.cleanup(ctx, s, created)
		res.Left = left
		if cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	wantLen := b.data.Len()
	expiry := func() time.Time { return b.now().Add(b.expiry) }
	var size atomic.Int64
	ops := []benchOp{
		{name: "create", create: true, fn: func(ctx context.Context, w *benchWorker, i int) error {
			for range djangosess.MaxCreateAttempts {
				key, err := keys.Generate()
				if err != nil {
					return err
				}
				// Remembered before the attempt: a create that fails
				// ambiguously (a timeout) may have written it.
				created[i] = key
				err = s.Create(ctx, key, djangosess.Record{Data: w.data, Expiry: expiry()})
				if !errors.Is(err, djangosess.ErrExists) {
					return err
				}
				created[i] = "" // someone else's: never touched again
			}
			return fmt.Errorf("%w: no free session key after %d attempts", djangosess.ErrUnavailable, djangosess.MaxCreateAttempts)
		}},
		{name: "load", fn: func(ctx context.Context, _ *benchWorker, i int) error {
			r, err := s.Load(ctx, created[i])
			if err != nil {
				return err
			}
			if r.Data.Len() != wantLen {
				return fmt.Errorf("%w: %d values instead of %d", ErrBenchMismatch, r.Data.Len(), wantLen)
			}
			size.Store(int64(r.Size))
			return nil
		}},
		{name: "save", fn: func(ctx context.Context, w *benchWorker, i int) error {
			return s.Save(ctx, created[i], djangosess.Record{Data: w.saved, Expiry: expiry()})
		}},
		{name: "delete", fn: func(ctx context.Context, _ *benchWorker, i int) error {
			if err := s.Delete(ctx, created[i]); err != nil {
				return err
			}
			created[i] = ""
			return nil
		}},
	}
	res = BenchResult{Sessions: b.n, Concurrency: b.conc}
	outs, err := b.phases(ctx, ops)
	res.Create, res.Load, res.Save, res.Delete = outs[0], outs[1], outs[2], outs[3]
	res.Size = int(size.Load())
	return res, err
}

// BenchCookies measures the signed_cookies engine as Bench measures a
// store: Create and Save sign a session into a cookie value, Load
// verifies and decodes one; there is nothing to delete. No I/O is done:
// this is the cost in CPU of a session that travels in the cookie.
func BenchCookies(ctx context.Context, c djangosess.CookieStore, opts BenchOptions) (BenchResult, error) {
	if c == nil {
		return BenchResult{}, fmt.Errorf("%w: bench: no cookie store", djangosess.ErrConfig)
	}
	b, err := newBench(opts)
	if err != nil {
		return BenchResult{}, err
	}
	cookies := make([]string, b.warmup+b.n)
	wantLen := b.data.Len()
	var size atomic.Int64
	ops := []benchOp{
		{name: "create", create: true, fn: func(ctx context.Context, w *benchWorker, i int) (err error) {
			cookies[i], err = c.Save(ctx, djangosess.Record{Data: w.data})
			return err
		}},
		{name: "load", fn: func(ctx context.Context, _ *benchWorker, i int) error {
			r, err := c.Load(ctx, cookies[i])
			if err != nil {
				return err
			}
			if r.Data.Len() != wantLen {
				return fmt.Errorf("%w: %d values instead of %d", ErrBenchMismatch, r.Data.Len(), wantLen)
			}
			size.Store(int64(r.Size))
			return nil
		}},
		{name: "save", fn: func(ctx context.Context, w *benchWorker, i int) (err error) {
			cookies[i], err = c.Save(ctx, djangosess.Record{Data: w.saved})
			return err
		}},
	}
	res := BenchResult{Sessions: b.n, Concurrency: b.conc}
	outs, err := b.phases(ctx, ops)
	res.Create, res.Load, res.Save = outs[0], outs[1], outs[2]
	res.Size = int(size.Load())
	return res, err
}

// benchOp is one operation: fn does it on session i. A session whose
// create failed is left out of the later operations.
type benchOp struct {
	name   string
	create bool
	fn     func(ctx context.Context, w *benchWorker, i int) error
}

// bench is one run's settings.
type bench struct {
	n, conc, warmup int
	data            *serializer.Dict
	expiry          time.Duration
	cleanupTimeout  time.Duration
	now             func() time.Time
	// alive[i] is false for the sessions whose create failed.
	alive []bool
}

// benchWorker is what one worker owns: its copies of the session.
type benchWorker struct {
	data, saved *serializer.Dict
}

func newBench(opts BenchOptions) (*bench, error) {
	if opts.Sessions < 0 || opts.Concurrency < 0 || opts.Expiry < 0 || opts.CleanupTimeout < 0 {
		return nil, fmt.Errorf("%w: bench: negative option", djangosess.ErrConfig)
	}
	b := &bench{n: opts.Sessions, conc: opts.Concurrency, warmup: opts.Warmup, data: opts.Data,
		expiry: opts.Expiry, cleanupTimeout: opts.CleanupTimeout, now: opts.Now}
	if b.n == 0 {
		b.n = DefaultBenchSessions
	}
	if b.conc == 0 {
		b.conc = 1
	}
	switch {
	case b.warmup == 0:
		b.warmup = max(2*b.conc, 10)
	case b.warmup < 0:
		b.warmup = 0
	}
	if b.data == nil {
		b.data = TypicalSession()
	}
	if b.expiry == 0 {
		b.expiry = time.Hour
	}
	if b.cleanupTimeout == 0 {
		b.cleanupTimeout = time.Minute
	}
	if b.now == nil {
		b.now = time.Now
	}
	b.alive = make([]bool, b.warmup+b.n)
	for i := range b.alive {
		b.alive[i] = true
	}
	return b, nil
}

// phases runs every operation on the warm-up sessions [0, warmup),
// unmeasured, then on the sessions [warmup, warmup+n), measured.
func (b *bench) phases(ctx context.Context, ops []benchOp) ([]OpResult, error) {
	outs := make([]OpResult, len(ops))
	for _, op := range ops {
		if _, err := b.run(ctx, op, 0, b.warmup); err != nil {
			return outs, err
		}
	}
	for i, op := range ops {
		var err error
		if outs[i], err = b.run(ctx, op, b.warmup, b.warmup+b.n); err != nil {
			return outs, err
		}
	}
	return outs, nil
}

// run does op on the live sessions of [from, to) from b.conc workers and
// measures it. It fails when ctx is done, or when no operation succeeded
// (it stops once more than b.conc have failed and none succeeded).
func (b *bench) run(ctx context.Context, op benchOp, from, to int) (OpResult, error) {
	if to <= from {
		return OpResult{}, nil
	}
	lat := make([]time.Duration, to-from)
	done := make([]bool, to-from)
	var failed, succeeded atomic.Int64
	var firstErr atomic.Pointer[error]
	var next atomic.Int64
	next.Store(int64(from))
	workers := make([]*benchWorker, min(b.conc, to-from))
	for i := range workers {
		// Save writes one more value (Load, which checks the length,
		// runs before it).
		workers[i] = &benchWorker{data: b.data.Clone(), saved: b.data.Clone()}
		workers[i].saved.SetStr("bench_saved", serializer.Bool(true))
	}
	parent := ctx
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	start := b.now()
	for _, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= to {
					return
				}
				if !b.alive[i] {
					continue
				}
				t0 := b.now()
				err := op.fn(ctx, w, i)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					err = fmt.Errorf("bench: %s: %w", op.name, err)
					firstErr.CompareAndSwap(nil, &err)
					if op.create {
						b.alive[i] = false
					}
					if failed.Add(1) > int64(b.conc) && succeeded.Load() == 0 {
						cancel() // the store is not working at all
						return
					}
					continue
				}
				lat[i-from] = b.now().Sub(t0)
				done[i-from] = true
				succeeded.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := b.now().Sub(start)
	if err := parent.Err(); err != nil {
		return OpResult{}, context.Cause(parent)
	}
	ok := lat[:0]
	for i, d := range done {
		if d {
			ok = append(ok, lat[i])
		}
	}
	r := OpResult{Ops: int64(len(ok)), Failed: failed.Load(), Elapsed: elapsed}
	if e := firstErr.Load(); e != nil {
		r.Err = *e
		r.Error = (*e).Error()
		if len(ok) == 0 {
			return r, *e
		}
	}
	if len(ok) == 0 {
		return r, nil // every session of the range had failed before
	}
	slices.Sort(ok)
	r.P50, r.P99, r.Max = rank(ok, 50), rank(ok, 99), ok[len(ok)-1]
	if elapsed > 0 {
		r.PerSecond = float64(r.Ops) / elapsed.Seconds()
	}
	return r, nil
}

// rank is the nearest-rank p-th percentile of sorted.
func rank(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p+99)/100 - 1
	return sorted[max(i, 0)]
}

// cleanup deletes the sessions the run created and did not delete, on a
// context that outlives ctx's cancellation, and returns how many are
// left. Failed deletions (a store busy with the run's own load) are
// tried again one at a time.
func (b *bench) cleanup(ctx context.Context, s djangosess.Store, created []string) (int, error) {
	var todo []string
	for _, k := range created {
		if k != "" {
			todo = append(todo, k)
		}
	}
	if len(todo) == 0 {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.cleanupTimeout)
	defer cancel()
	var mu sync.Mutex
	var retry []string
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(b.conc, len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(todo) {
					return
				}
				if err := s.Delete(ctx, todo[i]); err != nil {
					mu.Lock()
					retry = append(retry, todo[i])
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	left := 0
	var first error
	for _, k := range retry {
		if err := s.Delete(ctx, k); err != nil {
			left++
			if first == nil {
				first = err
			}
		}
	}
	if left > 0 {
		return left, fmt.Errorf("bench: cleanup: %d keys it wrote or tried to write could not be deleted (what is there expires on its own): %w", left, first)
	}
	return 0, nil
}

// String is a one-line summary: loads and saves per second with their
// median latencies.
func (r BenchResult) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d sessions of %d bytes at concurrency %d:", r.Sessions, r.Size, r.Concurrency)
	for _, op := range []struct {
		name string
		r    OpResult
	}{{"create", r.Create}, {"load", r.Load}, {"save", r.Save}, {"delete", r.Delete}} {
		if op.r.Ops > 0 {
			fmt.Fprintf(&sb, " %s %.0f/s (p50 %v, p99 %v", op.name, op.r.PerSecond, op.r.P50, op.r.P99)
			if op.r.Failed > 0 {
				fmt.Fprintf(&sb, ", %d failed", op.r.Failed)
			}
			sb.WriteString(");")
		}
	}
	return strings.TrimSuffix(sb.String(), ";")
}
