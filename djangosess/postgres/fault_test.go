package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/postgres"
	"github.com/djangosess/djangosess/internal/faulttest"
)

// TestFaultServerRestarted: eight workers Save and Load their own sessions
// through a pgxpool on a private PostgreSQL cluster, each call with a 2 s
// deadline, while the cluster is restarted with pg_ctl restart -m fast,
// then stopped with -m immediate (no shutdown checkpoint; the start runs
// crash recovery) and started, then killed outright (SIGKILL to every
// server process) and started. Every failing call returns ErrUnavailable
// or its context's error, none outlives its deadline by a second (a hang
// check, not a benchmark), the pool recovers (every worker succeeds again
// within a bounded number of calls), and every acknowledged Save is
// there afterwards: each worker's first successful call after a failure
// is a Load, which must return its last acknowledged value or a later one
// that was in flight.
func TestFaultServerRestarted(t *testing.T) {
	pg := faulttest.StartPostgres(t)
	const workers, maxConns = 8, 8
	db, err := pgxpool.New(ctx, fmt.Sprintf("%s&pool_max_conns=%d", pg.DSN(), maxConns))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := postgres.Migrate(ctx, db, ""); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.New(db, postgres.Config{Codec: codec(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, workers)
	for w := range keys {
		if keys[w], err = djangosess.CreateNew(ctx, s, faulttest.Counter(0)); err != nil {
			t.Fatal(err)
		}
	}
	l := faulttest.StartLoad(t, faulttest.LoadConfig{
		Workers: workers,
		Timeout: 2 * time.Second,
		Write: func(ctx context.Context, w int, n int64) error {
			return s.Save(ctx, keys[w], faulttest.Counter(n))
		},
		Read: func(ctx context.Context, w int) (int64, error) {
			return faulttest.CounterOrZero(s.Load(ctx, keys[w]))
		},
		Allowed: faulttest.Typed,
		Kind:    faulttest.Kind,
	})
	l.WaitSuccesses(t, 20, 30*time.Second)
	for _, fault := range []struct {
		name string
		do   func()
	}{
		{"restart -m fast", func() { pg.Restart(t, faulttest.Fast) }},
		{"stop -m immediate, start", func() { pg.Stop(t, faulttest.Immediate); pg.Start(t) }},
		{"SIGKILL, start", func() { pg.Kill(t); pg.Start(t) }},
	} {
		l.Mark(fault.name)
		fault.do()
		l.Mark("up after " + fault.name)
		l.WaitSuccesses(t, 10, 30*time.Second)
	}
	st := l.Stop()
	t.Logf("postgres store, %d workers, pool of %d, 2 s deadlines: ops=%d errors=%d %v unexpected=%d lost=%d phantom=%d max deadline overrun %v",
		workers, maxConns, st.Calls, st.Failures, st.Kinds, st.Unexpected, st.Lost, st.Phantom, max(st.MaxOverrun, 0).Round(time.Millisecond))
	for _, p := range st.Phases {
		t.Logf("  %s: calls=%d failures=%d longest call %v; recovered %d/%d, after <=%d failed calls, <=%v",
			p.Name, p.Calls, p.Failures, p.MaxCall.Round(time.Millisecond), p.Recovered, workers,
			p.MaxFailuresBeforeSuccess, p.MaxTimeToSuccess.Round(time.Millisecond))
	}
	st.Check(t, time.Second)
	for _, p := range st.Phases {
		// A stale pooled connection fails one call and is dropped; more
		// failures than two per pool connection mean the pool did not
		// recover by itself.
		if len(p.Name) > 9 && p.Name[:9] == "up after " && (p.Recovered != workers || p.MaxFailuresBeforeSuccess > 2*maxConns) {
			t.Errorf("%s: %d/%d workers recovered, after up to %d failed calls", p.Name, p.Recovered, workers, p.MaxFailuresBeforeSuccess)
		}
	}
	for w, k := range keys {
		r, err := s.Load(ctx, k)
		n, _ := r.Data.Int64("n")
		if err != nil || n < st.Acked[w] || n > st.Attempted[w] {
			t.Errorf("worker %d's session after the load: %d, %v; acknowledged %d, attempted %d", w, n, err, st.Acked[w], st.Attempted[w])
		}
	}
}
