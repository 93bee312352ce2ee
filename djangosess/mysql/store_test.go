package mysql_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/mysql"
	"github.com/djangosess/djangosess/djangosess/storetest"
	"github.com/djangosess/djangosess/internal/servertest"
	"github.com/djangosess/djangosess/serializer"
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

func open(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	my := servertest.MySQL(t)
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		ser     serializer.Codec
		options string
		loc     *time.Location
		prepare bool
	}{
		{"json", serializer.JSON{}, "", nil, false},
		{"pickle", serializer.Pickle{}, "", nil, false},
		// Django's flags, a DSN location and parsed times change nothing.
		{"json-found-rows-interpolate-parsetime", serializer.JSON{}, "clientFoundRows=true&interpolateParams=true&parseTime=true&loc=Asia%2FTokyo", nil, false},
		{"json-use_tz=false", serializer.JSON{}, "parseTime=true", chicago, false},
		{"json-prepared", serializer.JSON{}, "", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := open(t, my.DSN+"?"+tc.options)
			var n atomic.Int64
			storetest.Run(t, storetest.Config{
				Pickle: tc.ser.Name() == "pickle",
				New: func(t *testing.T) djangosess.Store {
					table := fmt.Sprintf("sess_%d_%d", len(tc.name), n.Add(1))
					if err := mysql.Migrate(ctx, db, table); err != nil {
						t.Fatal(err)
					}
					s, err := mysql.New(db, mysql.Config{Table: table, Codec: codec(t, tc.ser), Location: tc.loc, Prepare: tc.prepare})
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

// Without CLIENT_FOUND_ROWS an UPDATE that changes nothing reports no row;
// Save still succeeds, and still fails for a missing row.
func TestSaveUnchanged(t *testing.T) {
	my := servertest.MySQL(t)
	for _, options := range []string{"", "clientFoundRows=true"} {
		db := open(t, my.DSN+"?"+options)
		if err := mysql.Migrate(ctx, db, ""); err != nil {
			t.Fatal(err)
		}
		fixed := func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) }
		c, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte("k"), Now: fixed})
		if err != nil {
			t.Fatal(err)
		}
		s, err := mysql.New(db, mysql.Config{Codec: c, Now: fixed})
		if err != nil {
			t.Fatal(err)
		}
		r := djangosess.Record{Data: serializer.DictOf("a", serializer.Int(1))}
		key, err := djangosess.CreateNew(ctx, s, r)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := s.Save(ctx, key, r); err != nil {
				t.Errorf("%q: Save of unchanged data = %v", options, err)
			}
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		if err := s.Save(ctx, key, r); !errors.Is(err, djangosess.ErrVanished) {
			t.Errorf("%q: Save of a deleted session = %v, want ErrVanished", options, err)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	db := open(t, "root@tcp(127.0.0.1:1)/x")
	for name, cfg := range map[string]mysql.Config{
		"no codec":   {},
		"long table": {Codec: codec(t, nil), Table: string(make([]byte, 65))},
		"neg age":    {Codec: codec(t, nil), CookieAge: -1},
	} {
		if _, err := mysql.New(db, cfg); !errors.Is(err, djangosess.ErrConfig) {
			t.Errorf("%s: New = %v, want ErrConfig", name, err)
		}
	}
}

// A server that cannot be reached is ErrUnavailable, with the cause kept.
func TestUnavailable(t *testing.T) {
	db := open(t, "root@tcp(127.0.0.1:1)/x?timeout=2s")
	s, err := mysql.New(db, mysql.Config{Codec: codec(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Load(ctx, "abcdefghijklmnopqrstuvwxyz012345")
	if !errors.Is(err, djangosess.ErrUnavailable) {
		t.Fatalf("Load from a closed port = %v, want ErrUnavailable", err)
	}
	if u, ok := err.(interface{ Unwrap() []error }); !ok || len(u.Unwrap()) != 2 {
		t.Errorf("%v: cause lost", err)
	}
	if err := mysql.Migrate(ctx, db, ""); !errors.Is(err, djangosess.ErrUnavailable) {
		t.Errorf("Migrate = %v, want ErrUnavailable", err)
	}
}
