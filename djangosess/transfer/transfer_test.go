package transfer_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/transfer"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/internal/servertest"
	"github.com/djangosess/djangosess/serializer"
)

// TestChain: sessions written by real Django 3.2 (pickle and JSON, legacy
// sha1 and sha256) in session directories are copied file → PostgreSQL →
// Redis Cluster → SQLite, re-signed under a new key on the way and
// converted to JSON at the end; the newest Django reads every one of them
// on SQLite, under the new key alone, with the values Django itself gives
// the source data once through its JSON serializer.
//
// $DJANGOSESS_CHAIN_N sessions of each of the four kinds (default 60;
// scripts/test.sh runs 25000: 100,000 sessions). Each hop logs its rate.
func TestChain(t *testing.T) {
	n := chainN(t)
	total := int64(4 * n)
	dj32, newest := system32(t), newestDjango(t)
	lap := stopwatch(t)
	dirP, dirJ := fastDir(t), fastDir(t)
	kinds := []struct {
		dir, ser, alg string
		rich          bool
	}{{dirP, "pickle", "", true}, {dirP, "pickle", "sha1", true}, {dirJ, "json", "", false}, {dirJ, "json", "sha1", false}}
	// The four kinds are written at once, by four Django processes.
	perKind := make([][]string, len(kinds))
	errs := make([]error, len(kinds))
	var wg sync.WaitGroup
	for i, k := range kinds {
		b := startBulk(t, dj32, fileConf(k.dir, oldKey, k.ser, k.alg))
		wg.Go(func() { perKind[i], errs[i] = djangoCreate(b, n, i*n, k.rich) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	keys := slices.Concat(perKind...) // pickle ones first
	lap("Django 3.2 writes session files", total)

	srcP := fileStore(t, dirP, "pickle", oldKey)
	srcJ := fileStore(t, dirJ, "json", oldKey)
	// What the sources hold, as the first store reads it (for the expiry
	// check at the end).
	expiry := make(map[string]time.Time, len(keys))
	for i, k := range keys {
		src := srcP
		if i >= 2*n {
			src = srcJ
		}
		r, err := src.Load(ctx, k)
		if err != nil {
			t.Fatalf("the file store does not load Django's session %d: %v", i, err)
		}
		expiry[k] = r.Expiry
	}
	lap("Go loads the session files", total)

	// file → PostgreSQL (pickle, the new key: re-signed).
	// The commits do not wait for the disk (synchronous_commit off):
	// a hundred thousand single-row INSERTs, each waiting for its WAL
	// flush, would time the disk, not the copy.
	pg := open(t, engine.Settings{DatabaseURL: withParam(t, servertest.Postgres(t).DSN, "synchronous_commit", "off"),
		Serializer: "pickle", SecretKey: []byte(newKey)})
	var fallback int64
	for _, src := range []djangosess.Store{srcP, srcJ} {
		sum, err := transfer.Copy(ctx, src, pg, transfer.Options{})
		if err != nil || sum.FailedTotal() != 0 || sum.Copied != int64(2*n) {
			t.Fatalf("file → pg: %+v, %v", sum, err)
		}
		fallback += sum.Fallback
	}
	if fallback != int64(2*n) { // the legacy ones
		t.Errorf("Fallback = %d, want %d (legacy sessions)", fallback, 2*n)
	}
	lap("copy file → PostgreSQL", total)

	// PostgreSQL → Redis Cluster (django-redis, pickle, unsigned).
	cl := redistest.Cluster(t)
	cluster := open(t, engine.Settings{Engine: "cache", CacheURL: "redis+cluster://" + strings.Join(redistest.ClusterAddrs(), ","),
		CacheKeyPrefix: redistest.Prefix(t, cl)})
	sum, err := transfer.Copy(ctx, pg, cluster, transfer.Options{})
	if err != nil || sum.Copied != total || sum.FailedTotal() != 0 {
		t.Fatalf("pg → cluster: %+v, %v", sum, err)
	}
	lap("copy PostgreSQL → Redis Cluster", total)
	if rep, err := transfer.Verify(ctx, pg, cluster, transfer.VerifyOptions{Tolerance: ttlSlack}); err != nil || !rep.Equal() || rep.Same != total {
		t.Fatalf("verify pg, cluster: %+v, %v", rep, err)
	}
	lap("verify PostgreSQL, Redis Cluster", total)

	// Redis Cluster → SQLite, converted to JSON, dropping what JSON
	// cannot hold.
	// SQLite has one writer at a time: four workers keep it busy, sixteen
	// would only queue on its lock (each waiting up to the 5-second busy
	// timeout, which a loaded machine can exceed).
	path := filepath.Join(fastDir(t), "db.sqlite3")
	sq := &firstError{Store: open(t, sqliteSettings(path, "json", newKey))}
	var mu sync.Mutex
	dropped := map[string]bool{}
	sum, err = transfer.Copy(ctx, cluster, sq, transfer.Options{
		Concurrency: 4, Convert: serializer.JSON{}, OnUnencodable: transfer.DropValues,
		Report: func(key string, vs []transfer.Value) {
			var names []string
			for _, v := range vs {
				names = append(names, v.Name+":"+v.Kind)
			}
			if got := strings.Join(names, ","); got != "when:datetime,tags:set" {
				t.Errorf("%s…: dropped %s", key[:6], got)
			}
			mu.Lock()
			defer mu.Unlock()
			dropped[key] = true
		},
	})
	if err != nil || sum.Copied != total || sum.Dropped != int64(2*n) || sum.FailedTotal() != 0 || len(dropped) != 2*n {
		t.Fatalf("cluster → sqlite: %+v, %v (%d reported; first write error: %v)", sum, err, len(dropped), sq.first())
	}
	lap("copy Redis Cluster → SQLite (to JSON)", total)
	if rep, err := transfer.Verify(ctx, cluster, sq, transfer.VerifyOptions{Through: serializer.JSON{}, Tolerance: ttlSlack}); err != nil || !rep.Equal() {
		t.Fatalf("verify cluster, sqlite through JSON: %+v, %v", rep, err)
	}
	lap("verify Redis Cluster, SQLite", total)
	// Without the conversion in mind, the dropped sessions differ.
	if rep, _ := transfer.Verify(ctx, cluster, sq, transfer.VerifyOptions{}); rep.Counts[transfer.DataDiffers] < int64(2*n) {
		t.Errorf("verify without Through: %+v", rep.Counts)
	}
	lap("verify again, without the conversion", total)

	// What Django makes of the source, and of the target.
	compareWithDjango(t, dj32, newest, dirP, dirJ, path, keys, dropped)
	lap("Django 3.2 on the files vs Django "+djangotest.Series(newest.Version)+" on SQLite", total)

	// Expiries survived every hop.
	final := open(t, sqliteSettings(path, "json", newKey))
	var scanned int
	for it, err := range final.(djangosess.Scanner).Scan(ctx) {
		if err != nil || it.Err != nil {
			t.Fatalf("scanning the target: %v, %v", err, it.Err)
		}
		want, ok := expiry[it.Key]
		if !ok {
			t.Fatalf("the target holds a session the source did not")
		}
		if d := it.Record.Expiry.Sub(want); d > ttlSlack || d < -ttlSlack {
			t.Errorf("expiry moved by %v", d)
		}
		scanned++
	}
	if scanned != len(keys) {
		t.Errorf("the target holds %d sessions, want %d", scanned, len(keys))
	}
	lap("expiries on SQLite", total)
}

// ttlSlack is how far an expiry may move on its way through Redis. Redis
// keeps a TTL, which the store computes from its clock when it prepares
// the write (whole seconds, rounded down) and Redis counts from when it
// runs the SET; a Load adds the remaining PTTL to the clock when the
// answer is read. On a loaded machine, with thousands of writes in
// flight, those moments are seconds apart. What the chain checks is that
// every session keeps its own expiry: an expiry lost on the way would be
// SESSION_COOKIE_AGE (two weeks) instead of the hour or so that
// set_expiry gave, or the other way round.
const ttlSlack = time.Minute

// stopwatch returns lap, which logs the time since the previous lap (or
// the start), and the rate of n sessions in it.
func stopwatch(t *testing.T) (lap func(what string, n int64)) {
	start := time.Now()
	last := start
	return func(what string, n int64) {
		now := time.Now()
		d := now.Sub(last).Seconds()
		t.Logf("%-48s %7d sessions %7.1fs %8.0f/s   (total %.1fs)", what, n, d, float64(n)/d, now.Sub(start).Seconds())
		last = now
	}
}

// compareWithDjango has Django 3.2 load every session from the session
// directories (keys: the pickle ones in dirP first, then as many JSON
// ones in dirJ), without the values the copy dropped, and the newest
// Django put each through its JSON serializer and load the same key from
// the SQLite database at path under the new key alone: the two must be
// equal. The sessions stream through the Django processes (two pipelines
// at once, one per directory), none is held.
func compareWithDjango(t *testing.T, dj32, newest djangotest.Django, dirP, dirJ, path string, keys []string, dropped map[string]bool) {
	t.Helper()
	half := len(keys) / 2
	type pipeline struct {
		src, dst         *bulkDjango
		keys             []string
		compared, differ int
		err              error
	}
	pipes := []*pipeline{
		{src: startBulk(t, dj32, fileConf(dirP, oldKey, "pickle", "")), keys: keys[:half]},
		{src: startBulk(t, dj32, fileConf(dirJ, oldKey, "json", "")), keys: keys[half:]},
	}
	var wg sync.WaitGroup
	for _, p := range pipes {
		p.dst = startBulk(t, newest, sqliteConf(path, newKey, "json"))
		wg.Go(func() { p.compared, p.differ, p.err = compareStream(t, p.src, p.dst, p.keys, dropped) })
	}
	wg.Wait()
	for _, p := range pipes {
		if p.err != nil {
			t.Fatal(p.err)
		}
		if p.compared != len(p.keys) || p.differ > 0 {
			t.Fatalf("Django compared %d sessions of %d: %d differ", p.compared, len(p.keys), p.differ)
		}
	}
}

// compareStream runs one pipeline of compareWithDjango: src (Django 3.2)
// loads keys, its answers go to dst (the newest Django) as they come, and
// dst's answers are compared here. It may run in any goroutine.
func compareStream(t *testing.T, src, dst *bulkDjango, keys []string, dropped map[string]bool) (compared, differ int, err error) {
	drop, _ := json.Marshal([]string{"when", "tags"})
	feed := func(w *bufio.Writer) error {
		i := 0
		err := src.run(func(sw *bufio.Writer) error {
			for _, k := range keys {
				fmt.Fprintf(sw, `{"load":%q`, k)
				if dropped[k] {
					fmt.Fprintf(sw, `,"drop":%s`, drop)
				}
				sw.WriteString("}\n")
			}
			return nil
		}, func(line []byte) error {
			var a bulkAnswer
			if err := json.Unmarshal(line, &a); err != nil {
				return err
			}
			if a.Error != "" || !a.Found || i >= len(keys) {
				return fmt.Errorf("Django 3.2 does not load its own session %d: %s %s", i, a.Error, a.Message)
			}
			fmt.Fprintf(w, `{"load":%q,"json":%s}`+"\n", keys[i], a.Data)
			i++
			return nil
		})
		if err == nil && i != len(keys) {
			err = fmt.Errorf("Django 3.2 answered %d of %d loads", i, len(keys))
		}
		return err
	}
	err = dst.run(feed, func(line []byte) error {
		i := compared
		compared++
		var a bulkAnswer
		if err := json.Unmarshal(line, &a); err != nil {
			return err
		}
		if a.Error != "" {
			return fmt.Errorf("the newest Django on session %d: %s %s", i, a.Error, a.Message)
		}
		if !a.Found {
			t.Errorf("Django did not find session %d on the target", i)
			differ++
			return nil
		}
		want, err := serializer.UnmarshalTagged(a.JSON)
		if err != nil {
			return err
		}
		got, err := serializer.UnmarshalTagged(a.Data)
		if err != nil {
			return err
		}
		if !serializer.Equal(want, got) {
			if differ++; differ <= 10 {
				t.Errorf("session %d: Django reads\n%s\nwant\n%s", i, a.Data, a.JSON)
			}
		}
		return nil
	})
	return compared, differ, err
}

// firstError is a target that remembers its first Create error, for the
// failure message (a summary counts failures by kind only).
type firstError struct {
	djangosess.Store
	mu  sync.Mutex
	err error
}

func (f *firstError) Create(ctx context.Context, key string, r djangosess.Record) error {
	err := f.Store.Create(ctx, key, r)
	if err != nil && !errors.Is(err, djangosess.ErrExists) {
		f.mu.Lock()
		if f.err == nil {
			f.err = err
		}
		f.mu.Unlock()
	}
	return err
}

func (f *firstError) first() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// cancelAfter is a target that cancels the copy after n creates, as an
// interrupt (Ctrl-C, a kill) would.
type cancelAfter struct {
	djangosess.Store
	n      int64
	count  atomic.Int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Create(ctx context.Context, key string, r djangosess.Record) error {
	if c.count.Add(1) > c.n {
		c.cancel()
		return ctx.Err()
	}
	return c.Store.Create(ctx, key, r)
}

// TestInterruptedCopy: a copy cancelled halfway and run again ends with
// the same target as an uninterrupted copy, nothing lost or doubled.
func TestInterruptedCopy(t *testing.T) {
	const n = 400
	src := pgStore(t, "json", oldKey)
	now := time.Now()
	for i := range n {
		d := session(i, false)
		if i%5 == 0 {
			d.SetStr(djangosess.ExpiryKey, serializer.Int(int64(600+i)))
		}
		if _, err := djangosess.CreateNew(ctx, src, djangosess.Record{Data: d}); err != nil {
			t.Fatal(err)
		}
	}
	// Ten expired ones, which must not be copied.
	for i := range 10 {
		if _, err := djangosess.CreateNew(ctx, src, djangosess.Record{Data: session(i, false), Expiry: now.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	dst := redisLocal(t)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	first, err := transfer.Copy(cctx, src, &cancelAfter{Store: dst, n: n / 2, cancel: cancel}, transfer.Options{Concurrency: 8})
	if !errors.Is(err, context.Canceled) || first.Copied > n/2 || first.Copied < n/4 || first.FailedTotal() != 0 {
		t.Fatalf("interrupted: %+v, %v", first, err)
	}
	second, err := transfer.Copy(ctx, src, dst, transfer.Options{Concurrency: 8})
	if err != nil || second.Copied+second.Skipped != n || second.Skipped != first.Copied || second.Expired != 10 || second.FailedTotal() != 0 {
		t.Fatalf("resumed: %+v, %v (first %+v)", second, err, first)
	}
	// Once more: nothing to do.
	third, err := transfer.Copy(ctx, src, dst, transfer.Options{})
	if err != nil || third.Copied != 0 || third.Skipped != n {
		t.Fatalf("third run: %+v, %v", third, err)
	}
	whole := redisLocal(t)
	if s, err := transfer.Copy(ctx, src, whole, transfer.Options{}); err != nil || s.Copied != n {
		t.Fatalf("uninterrupted: %+v, %v", s, err)
	}
	for _, pair := range [][2]djangosess.Store{{src, dst}, {dst, whole}} {
		rep, err := transfer.Verify(ctx, pair[0], pair[1], transfer.VerifyOptions{})
		if err != nil || !rep.Equal() || rep.Same != n {
			t.Fatalf("verify: %+v, %v", rep, err)
		}
	}
	// Verify sees a change, a missing and an extra session.
	k1, _ := djangosess.CreateNew(ctx, src, djangosess.Record{Data: session(1, false)})
	k2, _ := djangosess.CreateNew(ctx, whole, djangosess.Record{Data: session(2, false)})
	var some string
	for k, err := range dst.Keys(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		some = k
		break
	}
	if err := djangosess.Put(ctx, dst, some, djangosess.Record{Data: serializer.DictOf("changed", serializer.Int(1))}); err != nil {
		t.Fatal(err)
	}
	rep, err := transfer.Verify(ctx, src, dst, transfer.VerifyOptions{})
	if err != nil || rep.Counts[transfer.OnlyInA] != 1 || rep.Counts[transfer.DataDiffers] != 1 || len(rep.Differences) != 2 {
		t.Errorf("verify src, dst: %+v, %v", rep, err)
	}
	rep, _ = transfer.Verify(ctx, src, whole, transfer.VerifyOptions{})
	if rep.Counts[transfer.OnlyInA] != 1 || rep.Counts[transfer.OnlyInB] != 1 {
		t.Errorf("verify src, whole: %+v", rep)
	}
	_ = k1
	_ = k2
	// UpdateChanged repairs exactly the changed session and copies the new one.
	s, err := transfer.Copy(ctx, src, dst, transfer.Options{Existing: transfer.UpdateChanged})
	if err != nil || s.Overwritten != 1 || s.Copied != 1 || s.Skipped != n-1 {
		t.Errorf("update changed: %+v, %v", s, err)
	}
}

// TestPolicies: the unencodable policies, Overwrite and DryRun, on SQLite.
func TestPolicies(t *testing.T) {
	src := open(t, sqliteSettings(sqlitePath(t), "pickle", oldKey))
	for i := range 20 {
		if _, err := djangosess.CreateNew(ctx, src, djangosess.Record{Data: session(i, i%2 == 0)}); err != nil {
			t.Fatal(err)
		}
	}
	newDst := func() djangosess.Store { return open(t, sqliteSettings(sqlitePath(t), "json", newKey)) }

	dst := newDst()
	s, err := transfer.Copy(ctx, src, dst, transfer.Options{Convert: serializer.JSON{}, DryRun: true})
	if err != nil || s.Copied != 10 || s.Unencodable != 10 {
		t.Errorf("dry run: %+v %v", s, err)
	}
	if st, _ := transfer.Stats(ctx, dst, transfer.StatsOptions{}); st.Keys != 0 {
		t.Errorf("dry run wrote %d sessions", st.Keys)
	}
	s, err = transfer.Copy(ctx, src, dst, transfer.Options{Convert: serializer.JSON{}})
	if err != nil || s.Copied != 10 || s.Unencodable != 10 {
		t.Errorf("skip: %+v %v", s, err)
	}
	s, err = transfer.Copy(ctx, src, newDst(), transfer.Options{Convert: serializer.JSON{}, OnUnencodable: transfer.FailCopy, Concurrency: 1})
	if !errors.Is(err, transfer.ErrUnencodable) || !errors.Is(err, serializer.ErrUnsupported) {
		t.Errorf("fail: %+v %v", s, err)
	}
	// Without the check, the target's own refusal is counted.
	s, err = transfer.Copy(ctx, src, newDst(), transfer.Options{})
	if err != nil || s.Copied != 10 || s.Failed["write: unencodable"] != 10 {
		t.Errorf("unchecked: %+v %v", s, err)
	}
	s, err = transfer.Copy(ctx, src, dst, transfer.Options{Convert: serializer.JSON{}, OnUnencodable: transfer.DropValues, Existing: transfer.OverwriteExisting})
	if err != nil || s.Overwritten != 10 || s.Copied != 10 || s.Dropped != 10 {
		t.Errorf("overwrite: %+v %v", s, err)
	}
	var calls atomic.Int64
	var last transfer.Summary
	s, _ = transfer.Copy(ctx, src, dst, transfer.Options{Convert: serializer.JSON{}, OnUnencodable: transfer.DropValues, Progress: func(p transfer.Summary) { calls.Add(1); last = p }})
	if calls.Load() < 1 || last.Seen != 20 || last.Skipped != 20 || s.Rate() <= 0 {
		t.Errorf("progress: %d calls, last %+v", calls.Load(), last)
	}
	if _, err := transfer.Copy(ctx, nil, dst, transfer.Options{}); !errors.Is(err, djangosess.ErrConfig) {
		t.Errorf("nil store: %v", err)
	}
}

// TestResign: sessions Django signed with the old key are rewritten under
// the new one; then Django reads them without any fallback key.
func TestResign(t *testing.T) {
	dj := newestDjango(t)
	path := sqlitePath(t)
	// Django writes under the old key...
	old := open(t, sqliteSettings(path, "json", oldKey)) // migrates the table
	_ = old
	keys := djangoCreateDB(t, dj, path, oldKey, 30)
	// ...and rotates: the new key, the old one as a fallback. Some
	// sessions are written after the rotation.
	s := open(t, sqliteSettings(path, "json", newKey, oldKey))
	for i := range 5 {
		if _, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: session(i, false)}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := transfer.Stats(ctx, s, transfer.StatsOptions{})
	if err != nil || st.Live != 35 || st.Fallback != 30 || st.Formats["sha256"] != 35 || st.Users != 10 || st.Authenticated != 12 {
		t.Fatalf("stats before: %+v, %v", st, err)
	}
	var reported atomic.Int64
	dry, err := transfer.Resign(ctx, s, transfer.ResignOptions{DryRun: true})
	if err != nil || dry.Resigned != 30 {
		t.Fatalf("dry run: %+v %v", dry, err)
	}
	sum, err := transfer.Resign(ctx, s, transfer.ResignOptions{Report: func(key string, was djangosess.Stored) {
		if was.KeyIndex == 1 {
			reported.Add(1)
		}
	}})
	if err != nil || sum.Resigned != 30 || sum.Fallback != 30 || sum.Current != 5 || reported.Load() != 30 {
		t.Fatalf("resign: %+v %v", sum, err)
	}
	if st, _ := transfer.Stats(ctx, s, transfer.StatsOptions{}); st.Fallback != 0 || st.Live != 35 {
		t.Errorf("stats after: %+v", st)
	}
	if again, _ := transfer.Resign(ctx, s, transfer.ResignOptions{}); again.Resigned != 0 || again.Current != 35 {
		t.Errorf("second resign: %+v", again)
	}
	got := djangoLoad(t, dj, path, newKey, keys, "--no-fallbacks")
	for i, d := range got {
		if !serializer.Equal(d, session(i, false)) {
			t.Errorf("session %d after resign: %v", i, d)
		}
	}
}

// TestResignLegacy: legacy and sha1 data that the current key verifies is
// rewritten in the 3.1+ format (Django 4.0+ reads it), unless OnlyFallback.
func TestResignLegacy(t *testing.T) {
	dir := t.TempDir()
	keys := djangoWrite(t, system32(t), dir, 10, 0, false, "json", "sha1")
	s := fileStore(t, dir, "json", oldKey)
	if st, _ := transfer.Stats(ctx, s, transfer.StatsOptions{}); st.Formats["legacy"] != 10 {
		t.Fatalf("stats: %+v", st)
	}
	if sum, _ := transfer.Resign(ctx, s, transfer.ResignOptions{OnlyFallback: true}); sum.Resigned != 0 || sum.Current != 10 {
		t.Errorf("only fallback: %+v", sum)
	}
	if sum, err := transfer.Resign(ctx, s, transfer.ResignOptions{}); err != nil || sum.Resigned != 10 || sum.Format != 10 {
		t.Fatalf("resign: %+v %v", sum, err)
	}
	st, _ := transfer.Stats(ctx, s, transfer.StatsOptions{})
	if st.Formats["sha256"] != 10 || st.Live != int64(len(keys)) {
		t.Errorf("after: %+v", st)
	}
}

// djangoCreateDB has Django create n sessions in the SQLite database.
func djangoCreateDB(t *testing.T, dj djangotest.Django, path, key string, n int) []string {
	t.Helper()
	settings := `{"SESSION_ENGINE":"django.contrib.sessions.backends.db","DATABASES":{"default":{"ENGINE":"django.db.backends.sqlite3","NAME":"` + path + `"}}}`
	o := dj.Start(t, "--settings="+settings, "--secret-key="+key, "--serializer=json", "--no-fallbacks")
	var reqs []map[string]any
	for i := range n {
		reqs = append(reqs, map[string]any{"op": "store_create", "value": tagged(t, session(i, false))})
	}
	var keys []string
	for _, a := range o.Do(t, reqs...) {
		k, ok := serializer.AsString(a.Tagged(t))
		if !a.OK || !ok {
			t.Fatalf("store_create: %s %s", a.Error, a.Message)
		}
		keys = append(keys, k)
	}
	return keys
}
