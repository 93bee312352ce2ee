package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/internal/sqlstore"
)

// DB is what the store needs from database/sql; *sql.DB, *sql.Conn and
// *sql.Tx have these methods.
type DB interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Config configures a Store. Only Codec is required.
type Config struct {
	// Table is the session model's db_table; default "django_session".
	Table string
	// Codec encodes and decodes session_data (SECRET_KEY,
	// SESSION_SERIALIZER, ...). Required.
	Codec *djangosess.Codec
	// CookieAge is SESSION_COOKIE_AGE, the expiry of a session without
	// _session_expiry; default djangosess.DefaultCookieAge.
	CookieAge time.Duration
	// Location is the zone of the naive times in expire_date and in
	// _session_expiry: UTC (nil) for USE_TZ=True, TIME_ZONE for
	// USE_TZ=False. Loaded expiries are given in it.
	Location *time.Location
	// Now is the clock (time.Now if nil): the "now" of Django's
	// expire_date > now and of the default expiry.
	Now func() time.Time
	// KeysBatch is how many keys Keys reads per query; default 1000.
	KeysBatch int
	// Prepare prepares each statement on first use and keeps it until
	// Close (database/sql prepares it again on each pooled connection as
	// needed), saving the parsing of every statement (about a quarter of a Load on SQLite). The DB must
	// have PrepareContext, as *sql.DB, *sql.Conn and *sql.Tx do. Close the
	// store when it is no longer used; a store on a *sql.Tx is closed
	// with the transaction.
	Prepare bool
}

// Store is Django's db session backend on SQLite. It is safe for
// concurrent use when its DB is (a *sql.DB is). SQLite has one writer at
// a time: the store's own writes (Create, Save, Delete, ClearExpired)
// take turns in the process instead of racing for the database lock,
// where a loser waits out the busy timeout and fails (16 goroutines
// creating 100,000 sessions lost 2 to SQLITE_BUSY that way); waiting for
// a turn ends with ctx.
type Store struct {
	s     *sqlstore.Store
	write chan struct{} // a token: held while writing
}

var _ djangosess.Store = (*Store)(nil)

var engine = &sqlstore.Engine{
	Name:         "djangosess/sqlite",
	QuoteChar:    '"',
	Naive:        true,
	OnConflict:   true,
	TextType:     "text",
	DateTimeType: "datetime",
}

// New returns a Store on db. A bad Config is an error matching
// djangosess.ErrConfig.
func New(db DB, cfg Config) (*Store, error) {
	var c sqlstore.Conn
	if db != nil {
		sc, err := sqlstore.NewSQLConn(engine.Name, db, cfg.Prepare)
		if err != nil {
			return nil, err
		}
		c = sc
	}
	s, err := sqlstore.New(engine, c, sqlstore.Config{Table: cfg.Table, Codec: cfg.Codec,
		CookieAge: cfg.CookieAge, Location: cfg.Location, Now: cfg.Now, KeysBatch: cfg.KeysBatch})
	if err != nil {
		return nil, err
	}
	return &Store{s: s, write: make(chan struct{}, 1)}, nil
}

// turn waits for the write token; release with done.
func (s *Store) turn(ctx context.Context) (done func(), err error) {
	select {
	case s.write <- struct{}{}:
		return func() { <-s.write }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: waiting to write: %w", engine.Name, ctx.Err())
	}
}

// Load returns the session under key unless it has expired
// (djangosess.ErrNotFound then, as for a missing one).
func (s *Store) Load(ctx context.Context, key string) (djangosess.Record, error) {
	return s.s.Load(ctx, key)
}

// Create inserts a new session; a taken key is djangosess.ErrExists. A
// zero r.Expiry is Django's get_expiry_date() at Now.
func (s *Store) Create(ctx context.Context, key string, r djangosess.Record) error {
	done, err := s.turn(ctx)
	if err != nil {
		return err
	}
	defer done()
	return s.s.Create(ctx, key, r)
}

// Save updates an existing session; a missing one is
// djangosess.ErrVanished. A zero r.Expiry is Django's get_expiry_date()
// at Now.
func (s *Store) Save(ctx context.Context, key string, r djangosess.Record) error {
	done, err := s.turn(ctx)
	if err != nil {
		return err
	}
	defer done()
	return s.s.Save(ctx, key, r)
}

// Delete deletes the session; a missing one is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	done, err := s.turn(ctx)
	if err != nil {
		return err
	}
	defer done()
	return s.s.Delete(ctx, key)
}

// Exists reports whether a row has the key, expired or not.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) { return s.s.Exists(ctx, key) }

// ClearExpired deletes the expired rows, as Django's clearsessions does,
// and returns how many it deleted.
func (s *Store) ClearExpired(ctx context.Context) (int, error) {
	done, err := s.turn(ctx)
	if err != nil {
		return 0, err
	}
	defer done()
	return s.s.ClearExpired(ctx)
}

// Keys yields every key, expired or not, in key order.
func (s *Store) Keys(ctx context.Context) iter.Seq2[string, error] { return s.s.Keys(ctx) }

// Scan yields every session, expired ones included, in key order, read in
// pages of whole rows: djangosess.Scanner, which transfer uses.
func (s *Store) Scan(ctx context.Context) iter.Seq2[djangosess.Scanned, error] { return s.s.Scan(ctx) }

// Close closes the statements Config.Prepare prepared; the store must not
// be used afterwards. It does not close the DB. Without Prepare it does
// nothing.
func (s *Store) Close() error { return s.s.Close() }
