package transfer_test

import (
	"context"
	"errors"
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
	"github.com/djangosess/djangosess/serializer"
)

// TestChain: sessions written by real Django 3.2 (pickle and JSON, legacy
// sha1 and sha256) in session directories are copied file → PostgreSQL →
// Redis Cluster → SQLite, re-signed under a new key on the way and
// converted to JSON at the end; the newest Django reads every one of them
// on SQLite, under the new key alone, with the values Django itself gives
// the source data once through its JSON serializer.
func TestChain(t *testing.T) {
	dj32, newest := system32(t), newestDjango(t)
	const n = 60
	dirP, dirJ := t.TempDir(), t.TempDir()
	var keys []string
	keys = append(keys, djangoWrite(t, dj32, dirP, n, 0, true, "--serializer=pickle")...)
	keys = append(keys, djangoWrite(t, dj32, dirP, n, n, true, "--serializer=pickle", "--hashing-algorithm=sha1")...)
	keys = append(keys, djangoWrite(t, dj32, dirJ, n, 2*n, false, "--serializer=json")...)
	keys = append(keys, djangoWrite(t, dj32, dirJ, n, 3*n, false, "--serializer=json", "--hashing-algorithm=sha1")...)
	total := int64(len(keys))

	srcP := fileStore(t, dirP, "pickle", oldKey)
	srcJ := fileStore(t, dirJ, "json", oldKey)
	// What the sources hold, as the first store reads it (for the expiry
	// check at the end).
	expiry := map[string]time.Time{}
	for _, k := range keys {
		for _, s := range []djangosess.Store{srcP, srcJ} {
			if r, err := s.Load(ctx, k); err == nil {
				expiry[k] = r.Expiry
			}
		}
	}
	if len(expiry) != len(keys) {
		t.Fatalf("the file stores load %d of %d Django sessions", len(expiry), len(keys))
	}

	// file → PostgreSQL (pickle, the new key: re-signed).
	pg := pgStore(t, "pickle", newKey)
	var fallback int64
	for _, src := range []djangosess.Store{srcP, srcJ} {
		sum, err := transfer.Copy(ctx, src, pg, transfer.Options{Concurrency: 4})
		if err != nil || sum.FailedTotal() != 0 || sum.Copied != 2*n {
			t.Fatalf("file → pg: %+v, %v", sum, err)
		}
		fallback += sum.Fallback
	}
	if fallback != 2*n { // the legacy ones
		t.Errorf("Fallback = %d, want %d (legacy sessions)", fallback, 2*n)
	}

	// PostgreSQL → Redis Cluster (django-redis, pickle, unsigned).
	cl := redistest.Cluster(t)
	cluster := open(t, engine.Settings{Engine: "cache", CacheURL: "redis+cluster://" + strings.Join(redistest.ClusterAddrs(), ","),
		CacheKeyPrefix: redistest.Prefix(t, cl)})
	sum, err := transfer.Copy(ctx, pg, cluster, transfer.Options{})
	if err != nil || sum.Copied != total || sum.FailedTotal() != 0 {
		t.Fatalf("pg → cluster: %+v, %v", sum, err)
	}
	if rep, err := transfer.Verify(ctx, pg, cluster, transfer.VerifyOptions{}); err != nil || !rep.Equal() || rep.Same != total {
		t.Fatalf("verify pg, cluster: %+v, %v", rep, err)
	}

	// Redis Cluster → SQLite, converted to JSON, dropping what JSON
	// cannot hold.
	path := sqlitePath(t)
	sq := open(t, sqliteSettings(path, "json", newKey))
	var mu sync.Mutex
	dropped := map[string][]string{}
	sum, err = transfer.Copy(ctx, cluster, sq, transfer.Options{
		Convert: serializer.JSON{}, OnUnencodable: transfer.DropValues,
		Report: func(key string, vs []transfer.Value) {
			mu.Lock()
			defer mu.Unlock()
			for _, v := range vs {
				dropped[key] = append(dropped[key], v.Name+":"+v.Kind)
			}
		},
	})
	if err != nil || sum.Copied != total || sum.Dropped != 2*n || sum.FailedTotal() != 0 {
		t.Fatalf("cluster → sqlite: %+v, %v", sum, err)
	}
	for k, vs := range dropped {
		if strings.Join(vs, ",") != "when:datetime,tags:set" {
			t.Errorf("%s…: dropped %v", k[:6], vs)
		}
	}
	if rep, err := transfer.Verify(ctx, cluster, sq, transfer.VerifyOptions{Through: serializer.JSON{}}); err != nil || !rep.Equal() {
		t.Fatalf("verify cluster, sqlite through JSON: %+v, %v", rep, err)
	}
	// Without the conversion in mind, the dropped sessions differ.
	if rep, _ := transfer.Verify(ctx, cluster, sq, transfer.VerifyOptions{}); rep.Counts[transfer.DataDiffers] < 2*n {
		t.Errorf("verify without Through: %+v", rep.Counts)
	}

	// What Django makes of the source, and of the target.
	want := sourceAsDjango(t, dj32, dirP, dirJ, keys, dropped, newest)
	got := djangoLoad(t, newest, path, newKey, keys, "--no-fallbacks")
	for i := range keys {
		if !serializer.Equal(want[i], got[i]) {
			a, _ := serializer.MarshalTagged(want[i])
			b, _ := serializer.MarshalTagged(got[i])
			t.Errorf("session %d: Django reads\n%s\nwant\n%s", i, b, a)
		}
	}
	// Expiries survived every hop.
	final := open(t, sqliteSettings(path, "json", newKey))
	for _, k := range keys {
		r, err := final.Load(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if d := r.Expiry.Sub(expiry[k]); d > 2*time.Second || d < -2*time.Second {
			t.Errorf("expiry moved by %v", d)
		}
	}
}

// sourceAsDjango is what Django 3.2 loads from the session directories,
// without the dropped values, through Django's own JSON serializer (in
// the newest Django).
func sourceAsDjango(t *testing.T, dj32 djangotest.Django, dirP, dirJ string, keys []string, dropped map[string][]string, newest djangotest.Django) []*serializer.Dict {
	t.Helper()
	loadDir := func(dir, ser string) map[string]*serializer.Dict {
		settings := `{"SESSION_ENGINE":"django.contrib.sessions.backends.file","SESSION_FILE_PATH":"` + dir + `"}`
		o := dj32.Start(t, "--settings="+settings, "--secret-key="+oldKey, "--serializer="+ser)
		out := map[string]*serializer.Dict{}
		var reqs []map[string]any
		for _, k := range keys {
			reqs = append(reqs, map[string]any{"op": "store_load", "data": k})
		}
		for i, a := range o.Do(t, reqs...) {
			res, _ := a.Tagged(t).(*serializer.Dict)
			if found, _ := res.Bool("found"); found {
				out[keys[i]], _ = res.Dict("data")
			}
		}
		return out
	}
	src := loadDir(dirP, "pickle")
	for k, v := range loadDir(dirJ, "json") {
		src[k] = v
	}
	conv := newest.Start(t)
	var reqs []map[string]any
	for _, k := range keys {
		d, ok := src[k]
		if !ok {
			t.Fatalf("Django 3.2 does not load its own session")
		}
		for _, v := range dropped[k] {
			d.DeleteStr(strings.SplitN(v, ":", 2)[0])
		}
		reqs = append(reqs, map[string]any{"op": "json_dumps", "value": tagged(t, d)})
	}
	dumps := conv.Do(t, reqs...)
	reqs = reqs[:0]
	for _, a := range dumps {
		s, _ := serializer.AsString(a.Tagged(t))
		reqs = append(reqs, map[string]any{"op": "json_loads", "data": s})
	}
	var out []*serializer.Dict
	for _, a := range conv.Do(t, reqs...) {
		d, _ := a.Tagged(t).(*serializer.Dict)
		out = append(out, d)
	}
	return out
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
	keys := djangoWrite(t, system32(t), dir, 10, 0, false, "--serializer=json", "--hashing-algorithm=sha1")
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
