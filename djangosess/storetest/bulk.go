package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
)

// testScan: a store that is a djangosess.Scanner yields every session it
// holds exactly once, each as Load gives it, an expired one as
// ErrNotFound; stopping early is safe.
func testScan(t *testing.T, cfg Config, s djangosess.Store) {
	sc := s.(djangosess.Scanner)
	live := map[string]int{}
	for i := range 7 {
		k := newKey(t)
		live[k] = i
		mustCreate(t, s, k, djangosess.Record{Data: sample(i), Expiry: cfg.now().Add(time.Duration(i+1) * time.Hour)})
	}
	dead := newKey(t)
	mustCreate(t, s, dead, djangosess.Record{Data: sample(9), Expiry: cfg.now().Add(-time.Hour)})
	seen := map[string]int{}
	for it, err := range sc.Scan(ctx) {
		if err != nil {
			t.Fatalf("Scan: %v", err)
		}
		seen[it.Key]++
		if it.Key == dead {
			if !errors.Is(it.Err, djangosess.ErrNotFound) {
				t.Errorf("Scan gave the expired session with error %v, want ErrNotFound", it.Err)
			}
			continue
		}
		i, ok := live[it.Key]
		if !ok {
			t.Errorf("Scan gave a key that was never created: %q", it.Key)
			continue
		}
		if it.Err != nil {
			t.Errorf("Scan: %s: %v", it.Key, it.Err)
			continue
		}
		want := mustLoad(t, s, it.Key)
		sameData(t, "Scan vs Load", it.Record.Data, want.Data)
		sameData(t, "Scan vs Create", it.Record.Data, sample(i))
		sameExpiry(t, cfg, "Scan's expiry", it.Record.Expiry, want.Expiry)
		if it.Record.Size != want.Size || it.Record.Stored != want.Stored {
			t.Errorf("Scan's Size/Stored = %d %+v, Load's %d %+v", it.Record.Size, it.Record.Stored, want.Size, want.Stored)
		}
	}
	for k := range live {
		if seen[k] != 1 {
			t.Errorf("Scan gave %s %d times, want once", k, seen[k])
		}
	}
	if !cfg.NoExpiredRows && seen[dead] != 1 {
		t.Errorf("Scan gave the expired session %d times, want once", seen[dead])
	}
	for range sc.Scan(ctx) {
		break
	}
}

// testCreateBatch: a store that is a djangosess.BatchCreator creates each
// new entry as Create does, and answers each entry as Create would: nil,
// ErrExists for a key it holds, ErrInvalidKey for a bad key; an entry
// already expired is not stored as a live session.
func testCreateBatch(t *testing.T, cfg Config, s djangosess.Store) {
	bc := s.(djangosess.BatchCreator)
	taken := newKey(t)
	mustCreate(t, s, taken, djangosess.Record{Data: sample(1), Expiry: cfg.now().Add(time.Hour)})
	fresh := []string{newKey(t), newKey(t), newKey(t)}
	expired := newKey(t)
	base := cfg.now().Truncate(time.Second).Add(123456 * time.Microsecond)
	entries := []djangosess.Entry{
		{Key: fresh[0], Record: djangosess.Record{Data: sample(10), Expiry: base.Add(time.Hour)}},
		{Key: taken, Record: djangosess.Record{Data: sample(11), Expiry: cfg.now().Add(time.Hour)}},
		{Key: "short", Record: djangosess.Record{Data: sample(12), Expiry: cfg.now().Add(time.Hour)}},
		{Key: fresh[1], Record: djangosess.Record{Data: sample(13), Expiry: base.Add(2 * time.Hour)}},
		{Key: expired, Record: djangosess.Record{Data: sample(14), Expiry: cfg.now().Add(-time.Hour)}},
		{Key: fresh[2], Record: djangosess.Record{Data: sample(15)}},
	}
	errs := bc.CreateBatch(ctx, entries)
	if len(errs) != len(entries) {
		t.Fatalf("CreateBatch gave %d errors for %d entries", len(errs), len(entries))
	}
	for i, want := range []error{nil, djangosess.ErrExists, djangosess.ErrInvalidKey, nil, nil, nil} {
		if (want == nil) != (errs[i] == nil) || (want != nil && !errors.Is(errs[i], want)) {
			t.Errorf("entry %d (%s): %v, want %v", i, entries[i].Key, errs[i], want)
		}
	}
	sameData(t, "the key that was taken", mustLoad(t, s, taken).Data, sample(1))
	for _, i := range []int{0, 3} {
		r := mustLoad(t, s, entries[i].Key)
		sameData(t, "a batch-created session", r.Data, entries[i].Record.Data)
		sameExpiry(t, cfg, "a batch-created session's expiry", r.Expiry, entries[i].Record.Expiry)
	}
	after := cfg.now()
	r := mustLoad(t, s, fresh[2])
	sameData(t, "a batch-created session without expiry", r.Data, sample(15))
	if lo, hi := base.Add(cfg.cookieAge()-2*time.Second-cfg.precision()), after.Add(cfg.cookieAge()+cfg.precision()); r.Expiry.Before(lo) || r.Expiry.After(hi) {
		t.Errorf("the default expiry = %v, want between %v and %v", r.Expiry, lo, hi)
	}
	notFound(t, s, expired)
}
