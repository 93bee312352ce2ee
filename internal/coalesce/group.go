package coalesce

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrPanicked is the error of a shared call whose function panicked: the
// panic is stopped there, since no caller's goroutine runs it.
var ErrPanicked = errors.New("coalesce: the shared call panicked")

// Group coalesces calls by key. The zero Group is ready to use; it must
// not be copied after first use. It is safe for concurrent use.
type Group[K comparable, V any] struct {
	// ShareErr, when set, reports whether an error is a failure to reach
	// the source (a server down) rather than an answer (not found): the
	// callers waiting for the next call when the one in flight fails so
	// get that error at once instead of trying again themselves. The
	// failure happened while they waited, and a source that is down is
	// not asked twice as hard. Context errors are never shared.
	ShareErr func(error) bool

	mu sync.Mutex
	m  map[K]*flight[V] // the next call of each key with one in flight; nil: none waiting
}

// flight is a shared call: made once by a goroutine of its own for every
// caller that joined it before it started.
type flight[V any] struct {
	fn      func(context.Context) (V, error)
	ctx     context.Context
	cancel  context.CancelFunc
	waiters int  // callers still waiting for it
	started bool // no more callers join
	done    chan struct{}
	v       V
	err     error
}

// Do returns the result of fn for key: of the caller's own call if none
// was in flight for key, else of the shared call that starts once the one
// in flight finishes (shared reports that). Calls for one key must be
// interchangeable: the shared call runs the fn of the caller that made it
// wait first, with that caller's context values and no deadline of its
// own; it is cancelled once every caller waiting for it has gone. A
// caller whose ctx ends while waiting returns ctx.Err() at once.
func (g *Group[K, V]) Do(ctx context.Context, key K, fn func(context.Context) (V, error)) (v V, err error, shared bool) {
	g.mu.Lock()
	if g.m == nil {
		g.m = make(map[K]*flight[V])
	}
	next, busy := g.m[key]
	if !busy {
		g.m[key] = nil // in flight, nobody waiting yet
		g.mu.Unlock()
		var ferr error
		defer func() { g.finish(key, ferr) }() // also when fn panics
		v, err = fn(ctx)
		ferr = err
		return v, err, false
	}
	if next == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		next = &flight[V]{fn: fn, ctx: fctx, cancel: cancel, done: make(chan struct{})}
		g.m[key] = next
	}
	next.waiters++
	g.mu.Unlock()

	select {
	case <-next.done:
		return next.v, next.err, true
	case <-ctx.Done():
	}
	g.mu.Lock()
	next.waiters--
	if next.waiters == 0 {
		if !next.started {
			g.m[key] = nil // nobody left to make it for
		}
		next.cancel()
	}
	g.mu.Unlock()
	var zero V
	return zero, ctx.Err(), true
}

// finish is called when the call in flight for key ends with err: it
// starts the shared call waiting for it, if any, or fails it with err
// when that is a shared failure, or marks the key idle.
func (g *Group[K, V]) finish(key K, err error) {
	g.mu.Lock()
	next := g.m[key]
	if next == nil {
		delete(g.m, key)
		g.mu.Unlock()
		return
	}
	if err != nil && g.ShareErr != nil && !errors.Is(err, context.Canceled) &&
		!errors.Is(err, context.DeadlineExceeded) && g.ShareErr(err) {
		delete(g.m, key)
		next.started = true
		next.err = err
		next.cancel()
		close(next.done)
		g.mu.Unlock()
		return
	}
	next.started = true
	g.m[key] = nil // in flight, nobody waiting yet
	g.mu.Unlock()
	go g.run(key, next)
}

// run makes the shared call f, then lets the next one for key start.
func (g *Group[K, V]) run(key K, f *flight[V]) {
	defer func() { g.finish(key, f.err) }()
	defer close(f.done)
	defer f.cancel()
	defer func() {
		if r := recover(); r != nil {
			var zero V
			f.v, f.err = zero, fmt.Errorf("%w: %v", ErrPanicked, r)
		}
	}()
	f.v, f.err = f.fn(f.ctx)
}
