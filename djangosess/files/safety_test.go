package files

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/keys"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

func mustKey(t testing.TB) string {
	t.Helper()
	k, err := keys.Generate()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func session(i int) *serializer.Dict {
	return serializer.DictOf("n", serializer.Int(i), "pad", serializer.Str(strings.Repeat("x", i%7)))
}

// dirNames lists dir, failing the test on error.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// onlyFiles checks that dir holds exactly the given names.
func onlyFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	got := dirNames(t, dir)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("directory holds %q, want %q", got, want)
	}
}

func mustLoadData(t *testing.T, s *Store, key string) *serializer.Dict {
	t.Helper()
	r, err := s.Load(ctx, key)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return r.Data
}

func TestNewConfig(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	codec := testCodec(t, nil)
	for _, cfg := range []Config{
		{Dir: dir},
		{Dir: filepath.Join(dir, "missing"), Codec: codec},
		{Dir: notDir, Codec: codec},
		{Dir: dir, Codec: codec, CookieAge: -time.Second},
		{Dir: dir, Codec: codec, CookieName: "a/b"},
		{Dir: dir, Codec: codec, CookieName: ".."},
		{Dir: dir, Codec: codec, CookieName: "x\x00"},
	} {
		if _, err := New(cfg); !errors.Is(err, djangosess.ErrConfig) {
			t.Errorf("New(%+v) = %v, want ErrConfig", cfg, err)
		}
	}
	// Django's defaults: the temporary directory, "sessionid", two weeks.
	s, err := New(Config{Codec: codec})
	if err != nil {
		t.Fatal(err)
	}
	if s.Dir() != filepath.Clean(os.TempDir()) || s.prefix != "sessionid" || s.cookieAge != djangosess.DefaultCookieAge {
		t.Errorf("defaults: %q %q %v", s.Dir(), s.prefix, s.cookieAge)
	}
	// A relative directory is fixed at New.
	t.Chdir(dir)
	if err := os.Mkdir("rel", 0o700); err != nil {
		t.Fatal(err)
	}
	s, err = New(Config{Dir: "rel", Codec: codec, CookieName: "sid"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Path("abcdefgh")
	if err != nil || p != filepath.Join(dir, "rel", "sidabcdefgh") {
		t.Errorf("Path = %q, %v", p, err)
	}
}

// Keys that could leave the directory, or that Django's file backend
// refuses, are ErrInvalidKey for every method and touch nothing.
func TestPathTricks(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "sessions")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(root, "victim")
	if err := os.WriteFile(victim, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newStore(t, Config{Dir: dir})
	for _, k := range []string{
		"", "short", "..", "../victim", "../../../../etc/passwd", "abc/def/ghijkl",
		"abcdefgh/", "/abcdefgh", "abcdefgh/..", "..abcdefgh/../../victim",
		"ABCDEFGHIJKL", "abcdefgh.", "abcdefgh\x00x", "abcdefgh\n", " abcdefgh",
		"abcdefgh\u00e9", "%2e%2e%2fvictim", "abcdefgh_out_x", strings.Repeat("a", 41),
	} {
		r := djangosess.Record{Data: session(1)}
		errs := map[string]error{
			"Create": s.Create(ctx, k, r),
			"Save":   s.Save(ctx, k, r),
			"Delete": s.Delete(ctx, k),
		}
		_, errs["Load"] = s.Load(ctx, k)
		_, errs["Exists"] = s.Exists(ctx, k)
		_, errs["Path"] = s.Path(k)
		for op, err := range errs {
			if !errors.Is(err, djangosess.ErrInvalidKey) {
				t.Errorf("%s(%q) = %v, want ErrInvalidKey", op, k, err)
			}
			if err != nil && len(k) >= 8 && strings.Contains(err.Error(), k) {
				t.Errorf("%s(%q): the error repeats the key: %v", op, k, err)
			}
		}
	}
	onlyFiles(t, dir)
	onlyFiles(t, root, "sessions", "victim")
	if b, err := os.ReadFile(victim); err != nil || string(b) != "keep" {
		t.Errorf("victim: %q, %v", b, err)
	}
}

// The file holds exactly the encoded session: ASCII, no newline, 0600.
func TestFileContent(t *testing.T) {
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte(testSecret), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	s := newStore(t, Config{Codec: codec, Now: func() time.Time { return now }, CookieName: "sid"})
	key := mustKey(t)
	d := serializer.DictOf("name", serializer.Str("Zo\u00eb \U0001F600"))
	if err := s.Create(ctx, key, djangosess.Record{Data: d}); err != nil {
		t.Fatal(err)
	}
	want, err := codec.Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.Dir(), "sid"+key)
	b, err := os.ReadFile(path)
	if err != nil || string(b) != want {
		t.Fatalf("file holds %q, %v; want %q", b, err, want)
	}
	for _, c := range b {
		if c >= 0x80 || c == '\n' {
			t.Fatalf("byte %#x in the file", c)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || !fi.ModTime().Equal(now) {
		t.Errorf("mode %v, mtime %v; want 0600, %v", fi.Mode().Perm(), fi.ModTime(), now)
	}
	onlyFiles(t, s.Dir(), "sid"+key)
}

// A write that fails at any step leaves the old file as it was and no
// temporary file.
func TestFailedWriteKeepsOld(t *testing.T) {
	s := newStore(t, Config{})
	key := mustKey(t)
	if err := s.Create(ctx, key, djangosess.Record{Data: session(1)}); err != nil {
		t.Fatal(err)
	}
	path, _ := s.Path(key)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(path)
	intact := func(what string) {
		t.Helper()
		if b, err := os.ReadFile(path); err != nil || string(b) != string(before) {
			t.Errorf("%s: the session file changed: %q, %v", what, b, err)
		}
		onlyFiles(t, s.Dir(), name)
	}

	// The codec refuses the data (JSON has no bytes).
	bad := serializer.DictOf("b", serializer.Bytes("x"))
	if err := s.Save(ctx, key, djangosess.Record{Data: bad}); !errors.Is(err, serializer.ErrUnsupported) {
		t.Errorf("Save of bytes under JSON = %v, want ErrUnsupported", err)
	}
	intact("codec error")

	// A _session_expiry Django cannot compute with.
	bad = serializer.DictOf(djangosess.ExpiryKey, serializer.List{serializer.Int(1)})
	if err := s.Save(ctx, key, djangosess.Record{Data: bad}); !errors.Is(err, serializer.ErrMalformed) {
		t.Errorf("Save with a list _session_expiry = %v, want ErrMalformed", err)
	}
	intact("malformed _session_expiry")

	// The write fails before the temporary file is written, or after.
	boom := errors.New("boom")
	t.Cleanup(func() { stageHook = func(string, string) error { return nil } })
	for _, stage := range []string{"write", "publish"} {
		stageHook = func(st, tmp string) error {
			if _, err := os.Stat(tmp); err != nil {
				t.Errorf("temporary file missing at %s: %v", st, err)
			}
			if st == stage {
				return boom
			}
			return nil
		}
		if err := s.Save(ctx, key, djangosess.Record{Data: session(2)}); !errors.Is(err, boom) {
			t.Errorf("Save = %v, want the injected failure", err)
		}
		intact("Save failing at " + stage)
		other := mustKey(t)
		if err := s.Create(ctx, other, djangosess.Record{Data: session(2)}); !errors.Is(err, boom) {
			t.Errorf("Create = %v, want the injected failure", err)
		}
		intact("Create failing at " + stage)
	}
	stageHook = func(string, string) error { return nil }

	// The rename itself fails: something that is not a file took the
	// session's name.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(path, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	err = s.Save(ctx, key, djangosess.Record{Data: session(3)})
	if !errors.Is(err, djangosess.ErrUnavailable) {
		t.Errorf("Save over a directory = %v, want ErrUnavailable", err)
	}
	if err != nil && strings.Contains(err.Error(), key) {
		t.Errorf("the error repeats the key: %v", err)
	}
	onlyFiles(t, s.Dir(), name)
	if _, err := s.Load(ctx, key); !errors.Is(err, djangosess.ErrUnavailable) || strings.Contains(err.Error(), key) {
		t.Errorf("Load of a directory = %v", err)
	}
}

// Without hard links Create takes Django's path: an O_EXCL placeholder,
// then the rename.
func TestCreateWithoutHardLinks(t *testing.T) {
	linkFile = func(oldname, newname string) error {
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: syscall.EPERM}
	}
	t.Cleanup(func() { linkFile = os.Link })
	s := newStore(t, Config{})
	key := mustKey(t)
	if err := s.Create(ctx, key, djangosess.Record{Data: session(1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, key, djangosess.Record{Data: session(2)}); !errors.Is(err, djangosess.ErrExists) {
		t.Errorf("second Create = %v, want ErrExists", err)
	}
	if !serializer.Equal(mustLoadData(t, s, key), session(1)) {
		t.Error("the refused Create changed the session")
	}
	onlyFiles(t, s.Dir(), "sessionid"+key)

	// Concurrent creates of one key: one wins, the others see ErrExists.
	key = mustKey(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = s.Create(ctx, key, djangosess.Record{Data: session(i)}) })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner < 0:
			winner = i
		case err == nil:
			t.Errorf("Creates %d and %d both won", winner, i)
		case !errors.Is(err, djangosess.ErrExists):
			t.Errorf("Create: %v", err)
		}
	}
	if winner < 0 {
		t.Fatal("no Create won")
	}
	if got := mustLoadData(t, s, key); !serializer.Equal(got, session(winner)) {
		t.Errorf("loaded %v, want the winner's %v", got, session(winner))
	}
}

// Many goroutines save one key while others load it: every load sees one
// complete value, and the final file is one of the values written.
func TestConcurrentSavesOneKey(t *testing.T) {
	s := newStore(t, Config{})
	key := mustKey(t)
	if err := s.Create(ctx, key, djangosess.Record{Data: session(0)}); err != nil {
		t.Fatal(err)
	}
	const writers, saves, readers = 16, 10, 4
	written := map[string]bool{fmt.Sprint(session(0)): true}
	for w := range writers {
		for i := range saves {
			written[fmt.Sprint(session(1000*w+i))] = true
		}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var rg sync.WaitGroup
	for range readers {
		rg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				r, err := s.Load(ctx, key)
				if err != nil {
					t.Errorf("Load during saves: %v", err)
					return
				}
				if !written[fmt.Sprint(r.Data)] {
					t.Errorf("Load during saves gave %v, never written", r.Data)
					return
				}
			}
		})
	}
	for w := range writers {
		wg.Go(func() {
			for i := range saves {
				if err := s.Save(ctx, key, djangosess.Record{Data: session(1000*w + i)}); err != nil {
					t.Errorf("Save: %v", err)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	got := mustLoadData(t, s, key)
	if !written[fmt.Sprint(got)] {
		t.Errorf("final value %v was never written", got)
	}
	onlyFiles(t, s.Dir(), "sessionid"+key)
}

// An empty file is Django's placeholder: an empty session, never expired.
func TestEmptyPlaceholder(t *testing.T) {
	now := time.Now()
	s := newStore(t, Config{Now: func() time.Time { return now }})
	key := mustKey(t)
	path, _ := s.Path(key)
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	old := now.Add(-30 * 24 * time.Hour)
	if err := os.Chtimes(path, time.Time{}, old); err != nil {
		t.Fatal(err)
	}
	r, err := s.Load(ctx, key)
	if err != nil || r.Data == nil || r.Data.Len() != 0 || r.Size != 0 {
		t.Fatalf("Load of an empty file = %+v, %v; want an empty session", r, err)
	}
	if n, err := s.ClearExpired(ctx); err != nil || n != 0 {
		t.Errorf("ClearExpired = %d, %v; want 0 (Django keeps empty files)", n, err)
	}
	if ok, _ := s.Exists(ctx, key); !ok {
		t.Error("the empty file was deleted")
	}
}

// Data that does not decode is the codec's error for Load and stays on
// disk; ClearExpired treats it as Django does, as an empty session that
// expires with its file.
func TestCorruptData(t *testing.T) {
	now := time.Now()
	s := newStore(t, Config{Now: func() time.Time { return now }})
	fresh, stale := mustKey(t), mustKey(t)
	for _, k := range []string{fresh, stale} {
		p, _ := s.Path(k)
		if err := os.WriteFile(p, []byte("eyJhIjoxfQ:1r31eq:forged"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stalePath, _ := s.Path(stale)
	if err := os.Chtimes(stalePath, time.Time{}, now.Add(-djangosess.DefaultCookieAge-time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{fresh, stale} {
		if _, err := s.Load(ctx, k); !errors.Is(err, signing.ErrBadSignature) {
			t.Errorf("Load of forged data = %v, want ErrBadSignature", err)
		}
	}
	n, err := s.ClearExpired(ctx)
	if err != nil || n != 1 {
		t.Errorf("ClearExpired = %d, %v; want 1", n, err)
	}
	if ok, _ := s.Exists(ctx, fresh); !ok {
		t.Error("ClearExpired deleted the fresh corrupt file")
	}
	if ok, _ := s.Exists(ctx, stale); ok {
		t.Error("ClearExpired kept the stale corrupt file")
	}
	// A file beyond any limit is refused before it is read.
	big, _ := s.Path(fresh)
	if err := os.Truncate(big, maxFileSize+1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, fresh); !errors.Is(err, signing.ErrTooLarge) {
		t.Errorf("Load of a huge file = %v, want ErrTooLarge", err)
	}
}

// Keys reads the directory in batches and gives exactly the session keys.
func TestKeysStreaming(t *testing.T) {
	s := newStore(t, Config{})
	want := map[string]bool{}
	for range 3*readBatch + 7 {
		k := mustKey(t)
		want[k] = true
		p, _ := s.Path(k)
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Not sessions: other files, temporary files, invalid keys, a
	// directory with a session's name.
	for _, name := range []string{"other", "sessionidSHOUTING00", "sessionidshort", "sessionid" + mustKey(t) + "_out_abc123", "django.log"} {
		if err := os.WriteFile(filepath.Join(s.Dir(), name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(s.Dir(), "sessionid"+mustKey(t)), 0o700); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for k, err := range s.Keys(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got[k]++
	}
	if len(got) != len(want) {
		t.Errorf("Keys gave %d keys, want %d", len(got), len(want))
	}
	for k, n := range got {
		if !want[k] || n != 1 {
			t.Errorf("Keys gave %q %d times", k, n)
		}
	}

	// Cancelling ends the iteration with the context's error.
	c, cancel := context.WithCancel(ctx)
	defer cancel()
	n := 0
	var last error
	for k, err := range s.Keys(c) {
		if err != nil {
			last = err
			break
		}
		if k == "" {
			t.Fatal("empty key")
		}
		if n++; n == 10 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) || n != 10 {
		t.Errorf("after cancel: %d keys, then %v", n, last)
	}
	if _, err := s.ClearExpired(c); !errors.Is(err, context.Canceled) {
		t.Errorf("ClearExpired with a canceled context = %v", err)
	}
	for _, err := range s.Keys(c) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Keys with a canceled context: %v", err)
		}
	}
}

// Leftover temporary files go once their status changed more than a day
// ago; fresh ones, which may be writes in progress, stay.
func TestClearExpiredStaleTemp(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	s := newStore(t, Config{Now: func() time.Time { return clock() }})
	key := mustKey(t)
	if err := s.Create(ctx, key, djangosess.Record{Data: session(1), Expiry: now.Add(48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(s.Dir(), "sessionid"+mustKey(t)+"_out_k2j4h5")
	notOurs := filepath.Join(s.Dir(), "other_out_k2j4h5")
	for _, p := range []string{tmp, notOurs} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		// An old modification time does not make a file stale: writers
		// set it on purpose.
		if err := os.Chtimes(p, time.Time{}, now.Add(-60*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := s.ClearExpired(ctx); err != nil || n != 0 {
		t.Fatalf("ClearExpired = %d, %v", n, err)
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Errorf("a fresh temporary file was removed: %v", err)
	}
	if _, ok := changeTime(mustStat(t, tmp)); !ok {
		t.Skip("no status-change time on this system")
	}
	clock = func() time.Time { return now.Add(staleTemp + time.Minute) }
	if n, err := s.ClearExpired(ctx); err != nil || n != 0 {
		t.Fatalf("ClearExpired = %d, %v", n, err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the stale temporary file is still there: %v", err)
	}
	if _, err := os.Stat(notOurs); err != nil {
		t.Errorf("a file not named like a session's temporary file was removed: %v", err)
	}
	if ok, _ := s.Exists(ctx, key); !ok {
		t.Error("the session went too")
	}
}

func mustStat(t *testing.T, p string) fs.FileInfo {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}

// Django's expiry rules for every kind of _session_expiry, with an
// injected clock. TestDjangoInterop's ExpiryRules checks the same kinds
// against Django itself.
func TestExpiryRules(t *testing.T) {
	now := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	s := newStore(t, Config{Now: func() time.Time { return now }, CookieAge: time.Hour, Location: paris})
	mtime := now.Add(-30 * time.Minute)
	for _, tc := range []struct {
		name    string
		v       serializer.Value // nil: absent
		expiry  time.Time
		expired bool
	}{
		{"absent", nil, mtime.Add(time.Hour), false},
		{"None", serializer.None{}, mtime.Add(time.Hour), false},
		{"0", serializer.Int(0), mtime.Add(time.Hour), false},
		{"0.0", serializer.Float(0), mtime.Add(time.Hour), false},
		{"False", serializer.Bool(false), mtime.Add(time.Hour), false},
		{"empty str", serializer.Str(""), mtime.Add(time.Hour), false},
		{"60 (never expires)", serializer.Int(60), mtime.Add(time.Minute), false},
		{"True", serializer.Bool(true), mtime.Add(time.Second), false},
		{"0.5", serializer.Float(0.5), mtime.Add(500 * time.Millisecond), false},
		{"-1", serializer.Int(-1), mtime.Add(-time.Second), true},
		{"-0.5", serializer.Float(-0.5), mtime.Add(-500 * time.Millisecond), true},
		{"2**70", serializer.NewBigInt(new(big.Int).Lsh(big.NewInt(1), 70)), mtime.Add(1<<63 - 1), false},
		{"-2**70", serializer.NewBigInt(new(big.Int).Lsh(big.NewInt(-1), 70)), mtime.Add(-1 << 63), true},
		{"ISO aware, future", serializer.Str("2030-06-01T12:00:01+00:00"), now.Add(time.Second), false},
		{"ISO aware, 0.9 s left", serializer.Str("2030-06-01T12:00:00.900000+00:00"), now.Add(900 * time.Millisecond), true},
		{"ISO naive (Paris)", serializer.Str("2030-06-01T15:00:00"), now.Add(time.Hour), false},
		{"datetime past", serializer.DateTime{Year: 2030, Month: 6, Day: 1, Hour: 11, TZ: serializer.UTC}, now.Add(-time.Hour), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := serializer.DictOf("a", serializer.Int(1))
			if tc.v != nil {
				d.SetStr(djangosess.ExpiryKey, tc.v)
			}
			exp, expired, err := s.expiry(d, mtime)
			if err != nil {
				t.Fatal(err)
			}
			if !exp.Equal(tc.expiry) || expired != tc.expired {
				t.Errorf("expiry %v, expired %v; want %v, %v", exp, expired, tc.expiry, tc.expired)
			}
		})
	}
	for _, v := range []serializer.Value{serializer.List{serializer.Int(1)}, serializer.Str("tomorrow"), serializer.Float(math.NaN())} {
		d := serializer.DictOf(djangosess.ExpiryKey, v)
		if _, _, err := s.expiry(d, mtime); !errors.Is(err, serializer.ErrMalformed) {
			t.Errorf("_session_expiry %v: %v, want ErrMalformed", v, err)
		}
	}
}

// A file ClearExpired cannot read does not stop it: the other expired
// sessions still go, and the error comes back with the count.
func TestClearExpiredGoesOn(t *testing.T) {
	now := time.Now()
	s := newStore(t, Config{Now: func() time.Time { return now }})
	bad := mustKey(t)
	badPath, _ := s.Path(bad)
	if err := os.Symlink(t.TempDir(), badPath); err != nil { // reads fail with EISDIR
		t.Fatal(err)
	}
	var dead []string
	for range 3 {
		k := mustKey(t)
		dead = append(dead, k)
		if err := s.Create(ctx, k, djangosess.Record{Data: session(1), Expiry: now.Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.ClearExpired(ctx)
	if n != 3 || !errors.Is(err, djangosess.ErrUnavailable) || !errors.Is(err, syscall.EISDIR) {
		t.Errorf("ClearExpired = %d, %v; want 3 and the EISDIR", n, err)
	}
	if err != nil && strings.Contains(err.Error(), bad) {
		t.Errorf("the error repeats the key: %v", err)
	}
	for _, k := range dead {
		if ok, _ := s.Exists(ctx, k); ok {
			t.Error("an expired session is still there")
		}
	}
}
