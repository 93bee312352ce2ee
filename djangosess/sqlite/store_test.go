package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/sqlite"
	"github.com/djangosess/djangosess/djangosess/storetest"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

var ctx = context.Background()

func codec(t testing.TB, ser serializer.Codec) *djangosess.Codec {
	t.Helper()
	c, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte("test-secret-key-0123456789"), Serializer: ser})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func open(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		ser     serializer.Codec
		table   string
		loc     *time.Location
		prepare bool
	}{
		{"json", serializer.JSON{}, "", nil, false},
		{"pickle", serializer.Pickle{}, "myapp_customsession", nil, false},
		{"json-use_tz=false", serializer.JSON{}, "", chicago, false},
		{"json-prepared", serializer.JSON{}, "", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Run(t, storetest.Config{
				Pickle: tc.ser.Name() == "pickle",
				New: func(t *testing.T) djangosess.Store {
					db := open(t, filepath.Join(t.TempDir(), "db.sqlite3"))
					if err := sqlite.Migrate(ctx, db, tc.table); err != nil {
						t.Fatal(err)
					}
					s, err := sqlite.New(db, sqlite.Config{Table: tc.table, Codec: codec(t, tc.ser), Location: tc.loc, Prepare: tc.prepare})
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() {
						if err := s.Close(); err != nil {
							t.Error(err)
						}
					})
					return s
				},
			})
		})
	}
}

// The text in expire_date is Django's str(datetime), compared as text: a
// row expiring exactly at now is neither loaded nor cleared, one a
// microsecond later is loaded.
func TestExpireDateText(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "db.sqlite3"))
	if err := sqlite.Migrate(ctx, db, ""); err != nil {
		t.Fatal(err)
	}
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		loc    *time.Location
		expiry time.Time
		text   string
	}{
		{nil, now.Add(time.Hour), "2030-01-02 04:04:05"},
		{nil, now.Add(1500 * time.Nanosecond), "2030-01-02 03:04:05.000001"},
		{nil, now.Add(123456789 * time.Nanosecond), "2030-01-02 03:04:05.123456"},
		{chicago, now.Add(time.Hour), "2030-01-01 22:04:05"},
		{chicago, time.Date(2030, 7, 1, 12, 0, 0, 500000000, time.UTC), "2030-07-01 07:00:00.500000"},
	} {
		s, err := sqlite.New(db, sqlite.Config{Codec: codec(t, nil), Location: tc.loc, Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		key, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: serializer.DictOf("a", serializer.Int(1)), Expiry: tc.expiry})
		if err != nil {
			t.Fatal(err)
		}
		var typ, text string
		if err := db.QueryRow(`SELECT typeof(expire_date), expire_date || '' FROM django_session WHERE session_key = ?`, key).Scan(&typ, &text); err != nil {
			t.Fatal(err)
		}
		if typ != "text" || text != tc.text {
			t.Errorf("expiry %v in %v stored as %s %q, want text %q", tc.expiry, tc.loc, typ, text, tc.text)
		}
		r, err := s.Load(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Expiry.Equal(tc.expiry.Truncate(time.Microsecond)) {
			t.Errorf("Load expiry %v, want %v", r.Expiry, tc.expiry)
		}
	}

	// Exactly now: neither loaded nor deleted (Django's > and <).
	s, err := sqlite.New(db, sqlite.Config{Codec: codec(t, nil), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	key, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: serializer.DictOf(), Expiry: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, key); !errors.Is(err, djangosess.ErrNotFound) {
		t.Errorf("Load of a session expiring now = %v, want ErrNotFound", err)
	}
	if _, err := s.ClearExpired(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Exists(ctx, key); err != nil || !ok {
		t.Errorf("ClearExpired deleted a session expiring exactly now (%v, %v)", ok, err)
	}
}

// Rows as Django writes them (and as other writers might) are read.
func TestReadsDjangoText(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "db.sqlite3"))
	if err := sqlite.Migrate(ctx, db, ""); err != nil {
		t.Fatal(err)
	}
	c := codec(t, nil)
	data, err := c.Encode(serializer.DictOf("x", serializer.Str("y")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.New(db, sqlite.Config{Codec: c, Now: func() time.Time { return time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		text string
		want time.Time
	}{
		{"2030-01-02 03:04:05", time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"2030-01-02 03:04:05.000007", time.Date(2030, 1, 2, 3, 4, 5, 7000, time.UTC)},
		{"2030-01-02T03:04:05.5", time.Date(2030, 1, 2, 3, 4, 5, 500000000, time.UTC)},
		{"2030-01-02 03:04:05+01:00", time.Date(2030, 1, 2, 2, 4, 5, 0, time.UTC)},
	} {
		key := "readsdjangotext" + string(rune('a'+i))
		if _, err := db.Exec(`INSERT INTO django_session VALUES (?, ?, ?)`, key, data, tc.text); err != nil {
			t.Fatal(err)
		}
		r, err := s.Load(ctx, key)
		if err != nil {
			t.Fatalf("%q: %v", tc.text, err)
		}
		if !r.Expiry.Equal(tc.want) {
			t.Errorf("%q read as %v, want %v", tc.text, r.Expiry, tc.want)
		}
	}
	if _, err := db.Exec(`INSERT INTO django_session VALUES ('readsdjangotextbad', ?, '2030-13-02 03:04:05')`, data); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "readsdjangotextbad"); err == nil || errors.Is(err, djangosess.ErrNotFound) {
		t.Errorf("Load of a bad expire_date = %v, want an error", err)
	}
}

// Several Go stores and writers on one file wait for each other rather than
// failing with SQLITE_BUSY.
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	if err := sqlite.Migrate(ctx, open(t, path), ""); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		s, err := sqlite.New(open(t, path), sqlite.Config{Codec: codec(t, nil)})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for j := range 25 {
				k, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: serializer.DictOf("j", serializer.Int(j))})
				if err != nil {
					t.Errorf("CreateNew: %v", err)
					return
				}
				if err := s.Save(ctx, k, djangosess.Record{Data: serializer.DictOf("j", serializer.Int(-j))}); err != nil {
					t.Errorf("Save: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	s, err := sqlite.New(open(t, path), sqlite.Config{Codec: codec(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, err := range s.Keys(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 100 {
		t.Errorf("%d sessions, want 100", n)
	}
}

func TestOpenPaths(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"plain.sqlite3", "with?question#hash%25.db", "spa ce.db"} {
		path := filepath.Join(dir, name)
		db := open(t, path)
		if err := sqlite.Migrate(ctx, db, ""); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if _, err := filepath.Glob(path); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(`PRAGMA busy_timeout`).Scan(&n); err != nil || n != sqlite.BusyTimeout {
			t.Errorf("busy_timeout = %d, %v", n, err)
		}
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(matches) != 3 {
		t.Errorf("files made: %q", matches)
	}
	for _, bad := range []string{"", "a\x00b"} {
		if _, err := sqlite.Open(bad); !errors.Is(err, djangosess.ErrConfig) {
			t.Errorf("Open(%q) = %v, want ErrConfig", bad, err)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "db.sqlite3"))
	for name, cfg := range map[string]sqlite.Config{
		"no codec":  {},
		"nul table": {Codec: codec(t, nil), Table: "a\x00"},
		"neg age":   {Codec: codec(t, nil), CookieAge: -1},
	} {
		if _, err := sqlite.New(db, cfg); !errors.Is(err, djangosess.ErrConfig) {
			t.Errorf("%s: New = %v, want ErrConfig", name, err)
		}
	}
	if _, err := sqlite.New(nil, sqlite.Config{Codec: codec(t, nil)}); !errors.Is(err, djangosess.ErrConfig) {
		t.Errorf("New(nil) = %v, want ErrConfig", err)
	}
}

// A database that fails is ErrUnavailable with the cause kept; a canceled
// context is context.Canceled.
func TestErrors(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "db.sqlite3")) // no table
	s, err := sqlite.New(db, sqlite.Config{Codec: codec(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Load(ctx, "abcdefghijklmnopqrstuvwxyz012345")
	if !errors.Is(err, djangosess.ErrUnavailable) {
		t.Fatalf("Load without a table = %v, want ErrUnavailable", err)
	}
	if !containsCause(err) {
		t.Errorf("%v: cause lost", err)
	}
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.ClearExpired(c); !errors.Is(err, context.Canceled) || errors.Is(err, djangosess.ErrUnavailable) {
		t.Errorf("ClearExpired(canceled) = %v", err)
	}
	for _, err := range s.Keys(c) {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Keys(canceled) = %v", err)
		}
	}
}

func containsCause(err error) bool {
	u, ok := err.(interface{ Unwrap() []error })
	return ok && len(u.Unwrap()) == 2
}

// Bad data is a typed error, and nothing is written.
func TestBadData(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "db.sqlite3"))
	if err := sqlite.Migrate(ctx, db, ""); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.New(db, sqlite.Config{Codec: codec(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	const key = "baddatabaddatabaddata"
	// A _session_expiry Django could not use (it would raise a TypeError).
	bad := serializer.DictOf(djangosess.ExpiryKey, serializer.Str("next tuesday"))
	if err := s.Create(ctx, key, djangosess.Record{Data: bad}); !errors.Is(err, serializer.ErrMalformed) {
		t.Errorf("Create with a bad _session_expiry = %v, want ErrMalformed", err)
	}
	// An expiry Python's datetime cannot hold.
	far := djangosess.Record{Data: serializer.DictOf(), Expiry: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if err := s.Create(ctx, key, far); !errors.Is(err, serializer.ErrMalformed) {
		t.Errorf("Create with a year-10000 expiry = %v, want ErrMalformed", err)
	}
	if ok, err := s.Exists(ctx, key); err != nil || ok {
		t.Fatalf("a refused Create wrote a row (%v, %v)", ok, err)
	}
	// A row whose session_data does not verify: the codec's error.
	if _, err := db.Exec(`INSERT INTO django_session VALUES (?, 'e30:1r31eq:bad', '2999-01-01 00:00:00')`, key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, key); !errors.Is(err, signing.ErrBadSignature) {
		t.Errorf("Load of tampered data = %v, want ErrBadSignature", err)
	}
}

// A prepared store works on a *sql.Tx and a *sql.Conn too, and refuses
// work after Close.
func TestPrepared(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "db.sqlite3"))
	if err := sqlite.Migrate(ctx, db, ""); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := sqlite.New(tx, sqlite.Config{Codec: codec(t, nil), Prepare: true})
	if err != nil {
		t.Fatal(err)
	}
	key, err := djangosess.CreateNew(ctx, ts, djangosess.Record{Data: serializer.DictOf("tx", serializer.Int(1))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Load(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.New(db, sqlite.Config{Codec: codec(t, nil), Prepare: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, key); err != nil {
		t.Fatalf("Load after commit: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, key); !errors.Is(err, djangosess.ErrUnavailable) {
		t.Errorf("Load after Close = %v, want ErrUnavailable", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// A DB without PrepareContext cannot prepare.
func TestPrepareNeedsPreparer(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "db.sqlite3"))
	if _, err := sqlite.New(noPrepare{db}, sqlite.Config{Codec: codec(t, nil), Prepare: true}); !errors.Is(err, djangosess.ErrConfig) {
		t.Errorf("New = %v, want ErrConfig", err)
	}
}

type noPrepare struct{ sqlite.DB }
