package postgres

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/internal/sqlstore"
)

// DB is what the store needs from PostgreSQL; *pgxpool.Pool, *pgx.Conn and
// pgx.Tx have these methods.
type DB interface {
	Exec(ctx context.Context, sql string, arguments ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Config configures a Store. Only Codec is required.
type Config struct {
	// Table is the session model's db_table; default "django_session".
	Table string
	// Schema qualifies Table ("" leaves it to the search_path). Prefer
	// it to a search_path behind PgBouncer.
	Schema string
	// Codec encodes and decodes session_data (SECRET_KEY,
	// SESSION_SERIALIZER, ...). Required.
	Codec *djangosess.Codec
	// CookieAge is SESSION_COOKIE_AGE, the expiry of a session without
	// _session_expiry; default djangosess.DefaultCookieAge.
	CookieAge time.Duration
	// Location is where naive _session_expiry datetimes are read: UTC
	// (nil) for USE_TZ=True, TIME_ZONE for USE_TZ=False. Loaded expiries
	// are given in it.
	Location *time.Location
	// Now is the clock (time.Now if nil): the "now" of Django's
	// expire_date > now and of the default expiry.
	Now func() time.Time
	// ConnExecMode sends statements in the connection's
	// DefaultQueryExecMode (pgx caches named prepared statements by
	// default) instead of pgx.QueryExecModeExec. Do not set it behind a
	// transaction-pooling PgBouncer older than 1.21.
	ConnExecMode bool
	// KeysBatch is how many keys Keys reads per query; default 1000.
	KeysBatch int
}

// Store is Django's db session backend on PostgreSQL. It is safe for
// concurrent use when its DB is (a pool is; a single connection or a
// transaction is not).
type Store struct{ s *sqlstore.Store }

var _ djangosess.Store = (*Store)(nil)

var engine = &sqlstore.Engine{
	Name:          "djangosess/postgres",
	QuoteChar:     '"',
	Numbered:      true,
	MaxNameLength: 63,
	OnConflict:    true,
	TextType:      "text",
	DateTimeType:  "timestamp with time zone",
	LikeIndex:     true,
}

// New returns a Store on db. A bad Config is an error matching
// djangosess.ErrConfig.
func New(db DB, cfg Config) (*Store, error) {
	var c sqlstore.Conn
	if db != nil {
		c = conn{db: db, mode: !cfg.ConnExecMode}
	}
	s, err := sqlstore.New(engine, c, sqlstore.Config{Schema: cfg.Schema, Table: cfg.Table, Codec: cfg.Codec,
		CookieAge: cfg.CookieAge, Location: cfg.Location, Now: cfg.Now, KeysBatch: cfg.KeysBatch})
	if err != nil {
		return nil, err
	}
	return &Store{s}, nil
}

// Load returns the session under key unless it has expired
// (djangosess.ErrNotFound then, as for a missing one).
func (s *Store) Load(ctx context.Context, key string) (djangosess.Record, error) {
	return s.s.Load(ctx, key)
}

// Create inserts a new session; a taken key is djangosess.ErrExists. A
// zero r.Expiry is Django's get_expiry_date() at Now.
func (s *Store) Create(ctx context.Context, key string, r djangosess.Record) error {
	return s.s.Create(ctx, key, r)
}

// Save updates an existing session; a missing one is
// djangosess.ErrVanished. A zero r.Expiry is Django's get_expiry_date()
// at Now.
func (s *Store) Save(ctx context.Context, key string, r djangosess.Record) error {
	return s.s.Save(ctx, key, r)
}

// Delete deletes the session; a missing one is not an error.
func (s *Store) Delete(ctx context.Context, key string) error { return s.s.Delete(ctx, key) }

// Exists reports whether a row has the key, expired or not.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) { return s.s.Exists(ctx, key) }

// ClearExpired deletes the expired rows, as Django's clearsessions does,
// and returns how many it deleted.
func (s *Store) ClearExpired(ctx context.Context) (int, error) { return s.s.ClearExpired(ctx) }

// Keys yields every key, expired or not, in key order.
func (s *Store) Keys(ctx context.Context) iter.Seq2[string, error] { return s.s.Keys(ctx) }

// Scan yields every session, expired ones included, in key order, read in
// pages of whole rows: djangosess.Scanner, which transfer uses.
func (s *Store) Scan(ctx context.Context) iter.Seq2[djangosess.Scanned, error] { return s.s.Scan(ctx) }

// conn adapts a DB to sqlstore.Conn.
type conn struct {
	db   DB
	mode bool // pass pgx.QueryExecModeExec
}

func (c conn) args(args []any) []any {
	if !c.mode {
		return args
	}
	out := make([]any, 0, len(args)+1)
	return append(append(out, pgx.QueryExecModeExec), args...)
}

func (c conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := c.db.Exec(ctx, query, c.args(args)...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (c conn) QueryRow(ctx context.Context, query string, args []any, dest ...any) (bool, error) {
	err := c.db.QueryRow(ctx, query, c.args(args)...).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (c conn) QueryStrings(ctx context.Context, dst []string, query string, args ...any) ([]string, error) {
	rows, err := c.db.Query(ctx, query, c.args(args)...)
	if err != nil {
		return dst, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return dst, err
		}
		dst = append(dst, s)
	}
	return dst, rows.Err()
}

func (c conn) QueryRows(ctx context.Context, query string, args []any, dest []any, each func() error) error {
	rows, err := c.db.Query(ctx, query, c.args(args)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if err := each(); err != nil {
			return err
		}
	}
	return rows.Err()
}
