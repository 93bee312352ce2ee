package faulttest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// LoadConfig configures StartLoad.
type LoadConfig struct {
	// Workers is the number of goroutines, each with a session of its
	// own; default 8.
	Workers int
	// Timeout is the context deadline of every call; default 2 s.
	Timeout time.Duration
	// Write stores the value n in worker w's session. Each worker writes
	// 1, 2, 3, ... (after Start[w]), one call at a time. Required.
	Write func(ctx context.Context, w int, n int64) error
	// Read returns the value in worker w's session. Required.
	Read func(ctx context.Context, w int) (int64, error)
	// Allowed reports whether a failed call's error is acceptable while
	// a server is failing (for example ErrUnavailable or the context's
	// error). Nil allows none: every error is unexpected.
	Allowed func(error) bool
	// Start is the value each session holds before the load (nil: 0).
	Start []int64
	// Backoff is the pause after a failed call, so that a worker does not
	// spin against a dead server; default 5 ms.
	Backoff time.Duration
	// Kind names the kind of a failed call's error, for Stats.Kinds
	// (nil: none are counted).
	Kind func(error) string
}

// Load is a running load; see StartLoad.
type Load struct {
	cfg  LoadConfig
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once

	mu      sync.Mutex
	workers []*worker
	phase   string
	since   time.Time
	phases  []PhaseStats
	stats   Stats
	shapes  map[string]bool // of stats.ErrorSamples
}

// worker is one worker's state, guarded by Load.mu.
type worker struct {
	acked, attempted int64
	// In the current phase:
	calls, successes, failures int
	failuresBefore             int // failed calls before the first success
	firstSuccess               time.Duration
	maxCall                    time.Duration
}

// Stats is what a load saw.
type Stats struct {
	// Calls and Failures count every call and every call that returned an
	// error.
	Calls, Failures int
	// Unexpected counts the errors Allowed refused and the panics;
	// UnexpectedSamples holds the first few.
	Unexpected        int
	UnexpectedSamples []string
	// Lost counts the reads that returned less than the session's last
	// acknowledged write (a lost write, or a stale copy); Phantom those
	// that returned more than its last attempted one. ViolationSamples
	// holds the first few of both.
	Lost, Phantom    int
	ViolationSamples []string
	// MaxOverrun is the longest a call outlived its context deadline.
	MaxOverrun time.Duration
	// ErrorSamples holds the first distinct error texts.
	ErrorSamples []string
	// Kinds counts the failed calls by LoadConfig.Kind.
	Kinds map[string]int
	// Acked is each session's last value whose Write returned nil;
	// Attempted its last value written, acknowledged or not.
	Acked, Attempted []int64
	// Phases are the phases of the load, in order: "start" and then one
	// for each Mark.
	Phases []PhaseStats
}

// PhaseStats describes one phase of a load.
type PhaseStats struct {
	Name string
	// Calls and Failures are those that ended in the phase.
	Calls, Failures int
	// Recovered is how many workers had a successful call in the phase.
	Recovered int
	// MaxFailuresBeforeSuccess is the most failed calls a worker made in
	// the phase before its first success.
	MaxFailuresBeforeSuccess int
	// MaxTimeToSuccess is the longest a worker waited from the start of
	// the phase to the end of its first successful call.
	MaxTimeToSuccess time.Duration
	// MaxCall is the longest call that ended in the phase.
	MaxCall time.Duration
}

const maxSamples = 10

// errPanic marks a call that panicked.
var errPanic = errors.New("panic")

// StartLoad starts the workers; they run until Stop, which the end of the
// test also calls.
func StartLoad(tb testing.TB, cfg LoadConfig) *Load {
	tb.Helper()
	if cfg.Workers == 0 {
		cfg.Workers = 8
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = 5 * time.Millisecond
	}
	if cfg.Write == nil || cfg.Read == nil {
		tb.Fatalf("faulttest: LoadConfig needs Write and Read")
	}
	l := &Load{cfg: cfg, stop: make(chan struct{}), phase: "start", since: time.Now()}
	for w := range cfg.Workers {
		wk := &worker{}
		if w < len(cfg.Start) {
			wk.acked, wk.attempted = cfg.Start[w], cfg.Start[w]
		}
		l.workers = append(l.workers, wk)
	}
	tb.Cleanup(func() { l.Stop() })
	for w := range cfg.Workers {
		l.wg.Add(1)
		go l.run(w)
	}
	return l
}

func (l *Load) run(w int) {
	defer l.wg.Done()
	// After a failed call the worker reads before it writes again, so
	// its first success once a server is back shows what survived.
	verify := false
	for {
		select {
		case <-l.stop:
			return
		default:
		}
		var err error
		if !verify {
			l.mu.Lock()
			n := l.workers[w].attempted + 1
			l.mu.Unlock()
			var took time.Duration
			took, err = l.call(func(ctx context.Context) error { return l.cfg.Write(ctx, w, n) })
			l.record(w, err, took, func(wk *worker) {
				wk.attempted = n
				if err == nil {
					wk.acked = n
				}
			})
		}
		if err == nil {
			err = l.read(w)
		}
		verify = err != nil
		if err != nil {
			select {
			case <-l.stop:
				return
			case <-time.After(l.cfg.Backoff):
			}
		}
	}
}

// read reads worker w's session and checks the value against the
// worker's writes.
func (l *Load) read(w int) error {
	var got int64
	took, err := l.call(func(ctx context.Context) (err error) {
		got, err = l.cfg.Read(ctx, w)
		return err
	})
	l.record(w, err, took, func(wk *worker) {
		if err != nil {
			return
		}
		switch {
		case got < wk.acked:
			l.stats.Lost++
			l.violation(fmt.Sprintf("worker %d read %d after %d was acknowledged", w, got, wk.acked))
		case got > wk.attempted:
			l.stats.Phantom++
			l.violation(fmt.Sprintf("worker %d read %d, never written (last write %d)", w, got, wk.attempted))
		}
	})
	return err
}

// call runs f with a fresh deadline, turning a panic into an error.
func (l *Load) call(f func(context.Context) error) (took time.Duration, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), l.cfg.Timeout)
	defer cancel()
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errPanic, r)
		}
		took = time.Since(start)
	}()
	return 0, f(ctx)
}

// record counts one call of worker w, and runs update under the lock.
func (l *Load) record(w int, err error, took time.Duration, update func(*worker)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	wk := l.workers[w]
	update(wk)
	l.stats.Calls++
	wk.calls++
	wk.maxCall = max(wk.maxCall, took)
	if over := took - l.cfg.Timeout; over > l.stats.MaxOverrun {
		l.stats.MaxOverrun = over
	}
	if err == nil {
		if wk.successes == 0 {
			wk.firstSuccess = time.Since(l.since)
		}
		wk.successes++
		return
	}
	l.stats.Failures++
	wk.failures++
	if wk.successes == 0 {
		wk.failuresBefore++
	}
	if l.cfg.Kind != nil {
		if l.stats.Kinds == nil {
			l.stats.Kinds = map[string]int{}
		}
		l.stats.Kinds[l.cfg.Kind(err)]++
	}
	msg := err.Error()
	if len(l.stats.ErrorSamples) < maxSamples {
		if k := shape(msg); !l.shapes[k] {
			if l.shapes == nil {
				l.shapes = map[string]bool{}
			}
			l.shapes[k] = true
			l.stats.ErrorSamples = append(l.stats.ErrorSamples, msg)
		}
	}
	if errors.Is(err, errPanic) || l.cfg.Allowed == nil || !l.cfg.Allowed(err) {
		l.stats.Unexpected++
		if len(l.stats.UnexpectedSamples) < maxSamples {
			l.stats.UnexpectedSamples = append(l.stats.UnexpectedSamples, fmt.Sprintf("worker %d (%s): %v", w, l.phase, err))
		}
	}
}

// violation records a bad read; l.mu is held.
func (l *Load) violation(msg string) {
	if len(l.stats.ViolationSamples) < maxSamples {
		l.stats.ViolationSamples = append(l.stats.ViolationSamples, msg+" ("+l.phase+")")
	}
}

// shape is msg with its numbers (ports, process ids) blanked out, so that
// the samples differ in more than an ephemeral port.
func shape(msg string) string {
	var b strings.Builder
	digits := false
	for _, r := range msg {
		d := r >= '0' && r <= '9'
		if !d {
			b.WriteRune(r)
		} else if !digits {
			b.WriteByte('#')
		}
		digits = d
	}
	return b.String()
}

// Mark ends the current phase and starts one named name: call it right
// after a fault (a server killed) or a repair (a server back).
func (l *Load) Mark(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.endPhase()
	l.phase, l.since = name, time.Now()
}

// endPhase closes the current phase; l.mu is held.
func (l *Load) endPhase() {
	ps := PhaseStats{Name: l.phase}
	for _, wk := range l.workers {
		ps.Calls += wk.calls
		ps.Failures += wk.failures
		ps.MaxFailuresBeforeSuccess = max(ps.MaxFailuresBeforeSuccess, wk.failuresBefore)
		ps.MaxCall = max(ps.MaxCall, wk.maxCall)
		if wk.successes > 0 {
			ps.Recovered++
			ps.MaxTimeToSuccess = max(ps.MaxTimeToSuccess, wk.firstSuccess)
		}
		wk.calls, wk.successes, wk.failures, wk.failuresBefore, wk.firstSuccess, wk.maxCall = 0, 0, 0, 0, 0, 0
	}
	l.phases = append(l.phases, ps)
}

// WaitSuccesses waits until every worker has made n successful calls in
// the current phase; the test fails if that takes longer than d.
func (l *Load) WaitSuccesses(tb testing.TB, n int, d time.Duration) {
	tb.Helper()
	l.wait(tb, d, fmt.Sprintf("%d successful calls", n), func(wk *worker) bool { return wk.successes >= n })
}

// WaitFailures waits until every worker has made n failed calls in the
// current phase; the test fails if that takes longer than d.
func (l *Load) WaitFailures(tb testing.TB, n int, d time.Duration) {
	tb.Helper()
	l.wait(tb, d, fmt.Sprintf("%d failed calls", n), func(wk *worker) bool { return wk.failures >= n })
}

func (l *Load) wait(tb testing.TB, d time.Duration, what string, done func(*worker) bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for {
		l.mu.Lock()
		all := true
		var state []string
		for i, wk := range l.workers {
			if !done(wk) {
				all = false
			}
			state = append(state, fmt.Sprintf("%d:%d/%d", i, wk.successes, wk.failures))
		}
		phase, samples := l.phase, append([]string(nil), l.stats.ErrorSamples...)
		l.mu.Unlock()
		if all {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("faulttest: in phase %q, not every worker made %s within %v (worker:successes/failures %s); errors seen: %q",
				phase, what, d, strings.Join(state, " "), samples)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Stop stops the workers, waits for their calls to end and returns what
// the load saw. Later calls return the same.
func (l *Load) Stop() Stats {
	l.once.Do(func() {
		close(l.stop)
		l.wg.Wait()
		l.mu.Lock()
		defer l.mu.Unlock()
		l.endPhase()
		l.stats.Phases = l.phases
		for _, wk := range l.workers {
			l.stats.Acked = append(l.stats.Acked, wk.acked)
			l.stats.Attempted = append(l.stats.Attempted, wk.attempted)
		}
	})
	return l.stats
}

// Phase returns the stats of the phase named name (the last one of that
// name), and whether there is one.
func (s Stats) Phase(name string) (PhaseStats, bool) {
	for i := len(s.Phases) - 1; i >= 0; i-- {
		if s.Phases[i].Name == name {
			return s.Phases[i], true
		}
	}
	return PhaseStats{}, false
}

// Check logs the error texts seen and fails tb for what a fault must
// never cause: an error Allowed refused or a panic, a lost or phantom
// value, or a call that outlived its deadline by more than overrun.
func (s Stats) Check(tb testing.TB, overrun time.Duration) {
	tb.Helper()
	tb.Logf("errors seen: %q", s.ErrorSamples)
	if s.Unexpected != 0 {
		tb.Errorf("%d calls failed with an untyped error or panicked: %q", s.Unexpected, s.UnexpectedSamples)
	}
	if s.Lost != 0 || s.Phantom != 0 {
		tb.Errorf("lost %d acknowledged writes, read %d values never written: %q", s.Lost, s.Phantom, s.ViolationSamples)
	}
	if s.MaxOverrun > overrun {
		tb.Errorf("a call outlived its deadline by %v (at most %v allowed)", s.MaxOverrun, overrun)
	}
}

// String is a one-line summary.
func (s Stats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "calls=%d failures=%d unexpected=%d lost=%d phantom=%d max-overrun=%v",
		s.Calls, s.Failures, s.Unexpected, s.Lost, s.Phantom, max(s.MaxOverrun, 0).Round(time.Millisecond))
	for _, p := range s.Phases {
		fmt.Fprintf(&b, " | %s: calls=%d failures=%d longest=%v recovered=%d/%d",
			p.Name, p.Calls, p.Failures, p.MaxCall.Round(time.Millisecond), p.Recovered, len(s.Acked))
		if p.Recovered > 0 {
			fmt.Fprintf(&b, " after<=%d failed calls, <=%v", p.MaxFailuresBeforeSuccess, p.MaxTimeToSuccess.Round(time.Millisecond))
		}
	}
	return b.String()
}
