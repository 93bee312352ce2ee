package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/sqlite"
	"github.com/djangosess/djangosess/serializer"
)

// TestWritersTakeTurns: many goroutines writing through one store take
// turns instead of racing for SQLite's lock, so none fails with
// SQLITE_BUSY; a writer waiting for its turn gives up with its context.
func TestWritersTakeTurns(t *testing.T) {
	db := open(t, filepath.Join(t.TempDir(), "db.sqlite3"))
	if err := sqlite.Migrate(ctx, db, ""); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.New(db, sqlite.Config{Codec: codec(t, serializer.JSON{})})
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 16, 150
	var failed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range each {
				key, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: serializer.DictOf("i", serializer.Int(i))})
				if err == nil {
					err = s.Save(ctx, key, djangosess.Record{Data: serializer.DictOf("i", serializer.Int(-i))})
				}
				if err != nil {
					failed.Add(1)
					t.Errorf("write: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	n := 0
	for _, err := range s.Keys(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if failed.Load() != 0 || n != workers*each {
		t.Errorf("%d writes failed, %d sessions stored, want %d", failed.Load(), n, workers*each)
	}

	// A writer waiting for its turn gives up with its context: another
	// connection holds SQLite's write lock, one store write waits on it
	// (holding the turn), and a second one with a short deadline returns
	// the context's error without touching the database.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM django_session WHERE session_key = 'none'`); err != nil {
		t.Fatal(err)
	}
	first := make(chan error, 1)
	go func() {
		_, err := djangosess.CreateNew(ctx, s, djangosess.Record{Data: serializer.NewDict(0)})
		first <- err
	}()
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	// Wait until the first writer holds the turn: a write that can take
	// it would otherwise succeed here.
	for {
		err := s.Delete(short, "nosuchkey0000000000000000000000")
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("a write waiting for its turn: %v, want the context's deadline", err)
			}
			break
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-first; err != nil {
		t.Errorf("the write that waited on the lock: %v", err)
	}
}
