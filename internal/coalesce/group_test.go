package coalesce

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// waitFor yields until cond holds (checked under the group's lock).
func waitFor[K comparable, V any](g *Group[K, V], cond func() bool) {
	for {
		g.mu.Lock()
		ok := cond()
		g.mu.Unlock()
		if ok {
			return
		}
		runtime.Gosched()
	}
}

// waiting is the number of callers waiting for key's next call.
func waiting[K comparable, V any](g *Group[K, V], key K) int {
	if f := g.m[key]; f != nil {
		return f.waiters
	}
	return 0
}

// TestNoAnswerFromBefore: callers that arrive during a call wait for it
// and share the next one, which reads what was written after the first
// call began.
func TestNoAnswerFromBefore(t *testing.T) {
	var g Group[string, int64]
	var version atomic.Int64
	var calls atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	slow := func(context.Context) (int64, error) {
		calls.Add(1)
		v := version.Load()
		close(started)
		<-release
		return v, nil
	}
	read := func(context.Context) (int64, error) {
		calls.Add(1)
		return version.Load(), nil
	}
	first := make(chan int64)
	go func() {
		v, _, _ := g.Do(context.Background(), "k", slow)
		first <- v
	}()
	<-started
	version.Store(1) // written while the first call is in flight

	var wg sync.WaitGroup
	got := make([]int64, 5)
	sharedN := atomic.Int32{}
	for i := range got {
		wg.Go(func() {
			v, err, shared := g.Do(context.Background(), "k", read)
			if err != nil {
				t.Error(err)
			}
			if shared {
				sharedN.Add(1)
			}
			got[i] = v
		})
	}
	waitFor(&g, func() bool { return waiting(&g, "k") == len(got) })
	close(release)
	if v := <-first; v != 0 {
		t.Errorf("first caller: %d, want 0", v)
	}
	wg.Wait()
	for i, v := range got {
		if v != 1 {
			t.Errorf("caller %d got version %d, written before it called: want 1", i, v)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d calls for 6 callers, want 2", n)
	}
	if n := sharedN.Load(); n != int32(len(got)) {
		t.Errorf("%d callers shared, want %d", n, len(got))
	}
	g.mu.Lock()
	if len(g.m) != 0 {
		t.Errorf("keys left in the group: %d", len(g.m))
	}
	g.mu.Unlock()
}

// TestWaiterCancelled: a caller that gives up returns at once; a shared
// call nobody waits for any more is not made.
func TestWaiterCancelled(t *testing.T) {
	var g Group[string, int]
	var calls atomic.Int32
	release := holdCall(&g, &calls, 1, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err, _ := g.Do(ctx, "k", func(context.Context) (int, error) { calls.Add(1); return 2, nil })
		done <- err
	}()
	waitFor(&g, func() bool { return waiting(&g, "k") == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	close(release)
	waitFor(&g, func() bool { return len(g.m) == 0 })
	if n := calls.Load(); n != 1 {
		t.Errorf("%d calls, want 1 (the abandoned shared call must not run)", n)
	}
}

// TestSharedCallCancelled: once every waiter of a running shared call has
// gone, its context is cancelled.
func TestSharedCallCancelled(t *testing.T) {
	var g Group[string, int]
	release := holdCall(&g, nil, 1, nil)
	ctx, cancel := context.WithCancel(context.Background())
	sharedStarted, sharedDone := make(chan struct{}), make(chan error)
	done := make(chan error)
	go func() {
		_, err, _ := g.Do(ctx, "k", func(c context.Context) (int, error) {
			close(sharedStarted)
			<-c.Done()
			sharedDone <- c.Err()
			return 0, c.Err()
		})
		done <- err
	}()
	waitFor(&g, func() bool { return waiting(&g, "k") == 1 })
	close(release)
	<-sharedStarted
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("waiter: %v", err)
	}
	if err := <-sharedDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("shared call's context: %v", err)
	}
	waitFor(&g, func() bool { return len(g.m) == 0 })
}

// TestPanics: a shared call's panic is every waiter's ErrPanicked; a
// caller's own call panics in its own goroutine; the key is usable after
// both.
func TestPanics(t *testing.T) {
	var g Group[string, int]
	release := holdCall(&g, nil, 1, nil)
	done := make(chan error)
	for range 2 {
		go func() {
			_, err, _ := g.Do(context.Background(), "k", func(context.Context) (int, error) { panic("boom") })
			done <- err
		}()
	}
	waitFor(&g, func() bool { return waiting(&g, "k") == 2 })
	close(release)
	for range 2 {
		if err := <-done; !errors.Is(err, ErrPanicked) {
			t.Errorf("waiter of a panicking call: %v", err)
		}
	}
	waitFor(&g, func() bool { return len(g.m) == 0 })

	func() {
		defer func() {
			if recover() == nil {
				t.Error("a caller's own call: panic not propagated")
			}
		}()
		g.Do(context.Background(), "k", func(context.Context) (int, error) { panic("own") })
	}()
	if v, err, _ := g.Do(context.Background(), "k", func(context.Context) (int, error) { return 7, nil }); v != 7 || err != nil {
		t.Errorf("after the panics: %d, %v", v, err)
	}
}

// TestConcurrentFresh: many callers on a few keys while a writer bumps
// each key's version: no caller ever gets a version older than the one
// it saw before calling, and calls are fewer than callers.
func TestConcurrentFresh(t *testing.T) {
	var g Group[int, int64]
	var versions [4]atomic.Int64
	var calls, total atomic.Int64
	stop := make(chan struct{})
	var writer sync.WaitGroup
	writer.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			versions[i%4].Add(1)
			runtime.Gosched()
		}
	})
	var wg sync.WaitGroup
	for w := range 32 {
		wg.Go(func() {
			for i := range 500 {
				k := (w + i) % 4
				before := versions[k].Load()
				v, err, _ := g.Do(context.Background(), k, func(context.Context) (int64, error) {
					calls.Add(1)
					v := versions[k].Load()
					runtime.Gosched()
					return v, nil
				})
				total.Add(1)
				if err != nil || v < before {
					t.Errorf("key %d: got version %d (err %v), %d was written before the call", k, v, err, before)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	writer.Wait()
	t.Logf("%d callers, %d calls", total.Load(), calls.Load())
	if calls.Load() > total.Load() {
		t.Errorf("more calls than callers")
	}
}

// TestShareErr: when the call in flight fails to reach its source, the
// callers waiting for the next call get that failure without another
// call; an error that is an answer (not found) is not shared, nor is a
// context error.
func TestShareErr(t *testing.T) {
	down := errors.New("server down")
	notFound := errors.New("not found")
	for _, tc := range []struct {
		name      string
		first     error
		wantCalls int32
		wantErr   error
	}{
		{"failure shared", down, 1, down},
		{"answer not shared", notFound, 2, nil},
		{"context error not shared", context.DeadlineExceeded, 2, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := Group[string, int]{ShareErr: func(err error) bool { return err == down || errors.Is(err, context.DeadlineExceeded) }}
			var calls atomic.Int32
			release := holdCall(&g, &calls, 0, tc.first)
			errs := make(chan error, 3)
			for range 3 {
				go func() {
					_, err, _ := g.Do(context.Background(), "k", func(context.Context) (int, error) {
						calls.Add(1)
						return 1, nil
					})
					errs <- err
				}()
			}
			waitFor(&g, func() bool { return waiting(&g, "k") == 3 })
			close(release)
			for range 3 {
				if err := <-errs; err != tc.wantErr {
					t.Errorf("waiter: %v, want %v", err, tc.wantErr)
				}
			}
			waitFor(&g, func() bool { return len(g.m) == 0 })
			if n := calls.Load(); n != tc.wantCalls {
				t.Errorf("%d calls, want %d", n, tc.wantCalls)
			}
		})
	}
}

// holdCall starts a call of g for "k" that counts itself in calls (unless
// nil) and returns v, err once release is closed; it returns when the call
// is running, in flight for the callers that come after.
func holdCall(g *Group[string, int], calls *atomic.Int32, v int, err error) (release chan struct{}) {
	started, release := make(chan struct{}), make(chan struct{})
	go g.Do(context.Background(), "k", func(context.Context) (int, error) {
		if calls != nil {
			calls.Add(1)
		}
		close(started)
		<-release
		return v, err
	})
	<-started
	return release
}
