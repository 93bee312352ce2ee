package postgres_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/postgres"
	"github.com/djangosess/djangosess/djangosess/storetest"
	"github.com/djangosess/djangosess/internal/servertest"
	"github.com/djangosess/djangosess/serializer"
)

// Behind PgBouncer in transaction pooling mode, with one server connection
// shared by all clients, the store passes the conformance suite.
func TestPgBouncerTransactionPooling(t *testing.T) {
	pg := servertest.PgBouncer(t)
	db := pool(t, pg.DSN)
	var n atomic.Int64
	storetest.Run(t, storetest.Config{
		New: func(t *testing.T) djangosess.Store {
			table := fmt.Sprintf("sess_%d", n.Add(1))
			if err := postgres.MigrateSchema(ctx, db, pg.Schema, table); err != nil {
				t.Fatal(err)
			}
			s, err := postgres.New(db, postgres.Config{Schema: pg.Schema, Table: table, Codec: codec(t, nil)})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})

	// The control: pgx's default mode (named prepared statements, what
	// ConnExecMode keeps) breaks there, so the PgBouncer above really
	// pools transactions.
	s, err := postgres.New(db, postgres.Config{Schema: pg.Schema, Table: "sess_1", Codec: codec(t, nil), ConnExecMode: true})
	if err != nil {
		t.Fatal(err)
	}
	var failed atomic.Bool
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 20 {
				_, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: serializer.DictOf()})
				if err != nil {
					failed.Store(true)
					return
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	if !failed.Load() {
		t.Errorf("named prepared statements worked through PgBouncer: is it in transaction mode?")
	}
}
