package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/postgres"
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

func pool(t testing.TB, dsn string) *pgxpool.Pool {
	t.Helper()
	p, err := pgxpool.New(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func TestConformance(t *testing.T) {
	pg := servertest.Postgres(t)
	db := pool(t, pg.DSN)
	for _, tc := range []struct {
		name string
		ser  serializer.Codec
		conn bool
	}{
		{"json", serializer.JSON{}, false},
		{"pickle", serializer.Pickle{}, false},
		{"json-conn-exec-mode", serializer.JSON{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int64
			storetest.Run(t, storetest.Config{
				Pickle: tc.ser.Name() == "pickle",
				New: func(t *testing.T) djangosess.Store {
					table := fmt.Sprintf("sess_%s_%d", tc.name, n.Add(1))
					if err := postgres.Migrate(ctx, db, table); err != nil {
						t.Fatal(err)
					}
					s, err := postgres.New(db, postgres.Config{Table: table, Codec: codec(t, tc.ser), ConnExecMode: tc.conn})
					if err != nil {
						t.Fatal(err)
					}
					return s
				},
			})
		})
	}
}

// One connection and a transaction fit the DB interface too, and Keys'
// loop body may use the store on that same connection.
func TestConnAndTx(t *testing.T) {
	pg := servertest.Postgres(t)
	conn, err := pgx.Connect(ctx, pg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := postgres.Migrate(ctx, conn, ""); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.New(conn, postgres.Config{Codec: codec(t, nil), KeysBatch: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for range 5 {
		k, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: serializer.DictOf("a", serializer.Int(1))})
		if err != nil {
			t.Fatal(err)
		}
		want[k] = true
	}
	for k, err := range s.Keys(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(ctx, k); err != nil { // same connection, inside the loop
			t.Fatalf("Load inside Keys: %v", err)
		}
		delete(want, k)
	}
	if len(want) != 0 {
		t.Errorf("Keys missed %d keys", len(want))
	}

	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := postgres.New(tx, postgres.Config{Codec: codec(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	key, err := djangosess.CreateNew(ctx, ts, djangosess.Record{Data: serializer.DictOf("tx", serializer.Bool(true))})
	if err != nil {
		t.Fatal(err)
	}
	// A taken key does not abort the transaction.
	if err := ts.Create(ctx, key, djangosess.Record{}); !errors.Is(err, djangosess.ErrExists) {
		t.Fatalf("Create of a taken key in a transaction = %v", err)
	}
	if _, err := ts.Load(ctx, key); err != nil {
		t.Fatalf("Load after a refused Create in the transaction: %v", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, key); !errors.Is(err, djangosess.ErrNotFound) {
		t.Errorf("Load after rollback = %v, want ErrNotFound", err)
	}
}

func TestConfigErrors(t *testing.T) {
	c := codec(t, nil)
	for name, tc := range map[string]struct {
		db  postgres.DB
		cfg postgres.Config
	}{
		"no db":       {nil, postgres.Config{Codec: c}},
		"no codec":    {&pgxpool.Pool{}, postgres.Config{}},
		"long table":  {&pgxpool.Pool{}, postgres.Config{Codec: c, Table: string(make([]byte, 64))}},
		"nul table":   {&pgxpool.Pool{}, postgres.Config{Codec: c, Table: "a\x00b"}},
		"bad schema":  {&pgxpool.Pool{}, postgres.Config{Codec: c, Schema: "\xff"}},
		"neg age":     {&pgxpool.Pool{}, postgres.Config{Codec: c, CookieAge: -time.Second}},
		"neg batches": {&pgxpool.Pool{}, postgres.Config{Codec: c, KeysBatch: -1}},
	} {
		if _, err := postgres.New(tc.db, tc.cfg); !errors.Is(err, djangosess.ErrConfig) {
			t.Errorf("%s: New = %v, want ErrConfig", name, err)
		}
	}
}

// A server that cannot be reached is ErrUnavailable, with the cause kept.
func TestUnavailable(t *testing.T) {
	p, err := pgxpool.New(ctx, "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s, err := postgres.New(p, postgres.Config{Codec: codec(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Load(ctx, "abcdefghijklmnopqrstuvwxyz012345")
	if !errors.Is(err, djangosess.ErrUnavailable) {
		t.Fatalf("Load from a closed port = %v, want ErrUnavailable", err)
	}
	var cause interface{ Unwrap() []error }
	if !errors.As(err, &cause) || len(cause.Unwrap()) < 2 {
		t.Errorf("error %v does not keep its cause", err)
	}
	if err := s.Create(ctx, "abcdefghijklmnopqrstuvwxyz012345", djangosess.Record{}); !errors.Is(err, djangosess.ErrUnavailable) {
		t.Errorf("Create = %v, want ErrUnavailable", err)
	}
	for _, err := range s.Keys(ctx) {
		if !errors.Is(err, djangosess.ErrUnavailable) {
			t.Errorf("Keys = %v, want ErrUnavailable", err)
		}
	}
}
