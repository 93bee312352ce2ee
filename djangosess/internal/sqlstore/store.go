package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/keys"
	"github.com/djangosess/djangosess/serializer"
)

// Config is the configuration the public packages pass on (see their
// Config types for the documentation of each field).
type Config struct {
	Schema    string
	Table     string
	Codec     *djangosess.Codec
	CookieAge time.Duration
	Location  *time.Location
	Now       func() time.Time
	// KeysBatch is how many keys Keys reads per query (default 1000).
	KeysBatch int
}

// Store is Django's db session backend over one table.
type Store struct {
	e       *Engine
	c       Conn
	codec   *djangosess.Codec
	serName string
	age     time.Duration
	loc     *time.Location
	now     func() time.Time
	batch   int

	qLoad, qExists, qCreate, qSave, qDelete, qClear, qKeysFirst, qKeysNext, qScanFirst, qScanNext string
}

// New checks cfg and prepares the statements.
func New(e *Engine, c Conn, cfg Config) (*Store, error) {
	if c == nil {
		return nil, fmt.Errorf("%s: %w: no database", e.Name, djangosess.ErrConfig)
	}
	if cfg.Codec == nil {
		return nil, fmt.Errorf("%s: %w: Codec is required", e.Name, djangosess.ErrConfig)
	}
	if cfg.CookieAge < 0 {
		return nil, fmt.Errorf("%s: %w: negative CookieAge", e.Name, djangosess.ErrConfig)
	}
	if cfg.KeysBatch < 0 {
		return nil, fmt.Errorf("%s: %w: negative KeysBatch", e.Name, djangosess.ErrConfig)
	}
	table, err := e.Qualified(cfg.Schema, cfg.Table)
	if err != nil {
		return nil, err
	}
	s := &Store{e: e, c: c, codec: cfg.Codec, serName: cfg.Codec.Serializer().Name(),
		age: cfg.CookieAge, loc: cfg.Location, now: cfg.Now, batch: cfg.KeysBatch}
	if s.age == 0 {
		s.age = djangosess.DefaultCookieAge
	}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.batch == 0 {
		s.batch = 1000
	}
	key, data, exp := e.Quote(colKey), e.Quote(colData), e.Quote(colExpiry)
	p1, p2, p3 := e.param(1), e.param(2), e.param(3)
	s.qLoad = "SELECT " + data + ", " + exp + " FROM " + table + " WHERE " + key + " = " + p1 + " AND " + exp + " > " + p2
	s.qExists = "SELECT 1 FROM " + table + " WHERE " + key + " = " + p1 + " LIMIT 1"
	s.qCreate = "INSERT INTO " + table + " (" + key + ", " + data + ", " + exp + ") VALUES (" + p1 + ", " + p2 + ", " + p3 + ")"
	if e.OnConflict {
		s.qCreate += " ON CONFLICT (" + key + ") DO NOTHING"
	}
	s.qSave = "UPDATE " + table + " SET " + data + " = " + p1 + ", " + exp + " = " + p2 + " WHERE " + key + " = " + p3
	s.qDelete = "DELETE FROM " + table + " WHERE " + key + " = " + p1
	s.qClear = "DELETE FROM " + table + " WHERE " + exp + " < " + p1
	limit := fmt.Sprint(s.batch)
	s.qKeysFirst = "SELECT " + key + " FROM " + table + " ORDER BY " + key + " LIMIT " + limit
	s.qKeysNext = "SELECT " + key + " FROM " + table + " WHERE " + key + " > " + p1 + " ORDER BY " + key + " LIMIT " + limit
	row := "SELECT " + key + ", " + data + ", " + exp + " FROM " + table
	s.qScanFirst = row + " ORDER BY " + key + " LIMIT " + limit
	s.qScanNext = row + " WHERE " + key + " > " + p1 + " ORDER BY " + key + " LIMIT " + limit
	return s, nil
}

// Qualified checks and quotes a table name, with its schema if any.
func (e *Engine) Qualified(schema, table string) (string, error) {
	if table == "" {
		table = DefaultTable
	}
	if err := e.checkName("Table", table); err != nil {
		return "", err
	}
	if schema == "" {
		return e.Quote(table), nil
	}
	if err := e.checkName("Schema", schema); err != nil {
		return "", err
	}
	return e.Quote(schema) + "." + e.Quote(table), nil
}

func (e *Engine) checkName(field, name string) error {
	max := e.MaxNameLength
	if max == 0 {
		max = 200
	}
	switch {
	case !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0:
		return fmt.Errorf("%s: %w: %s is not valid UTF-8 without NUL", e.Name, djangosess.ErrConfig, field)
	case utf8.RuneCountInString(name) > max:
		return fmt.Errorf("%s: %w: %s is longer than %d characters", e.Name, djangosess.ErrConfig, field, max)
	}
	return nil
}

var _ djangosess.Store = (*Store)(nil)

// Close releases what the Conn holds (prepared statements), if anything.
func (s *Store) Close() error {
	if c, ok := s.c.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

// checkKey is Django's rule (a key of at least 8 characters) plus what the
// session_key column can hold: at most 40 characters of valid UTF-8
// without NUL. Lengths count characters, as Python's len does.
func checkKey(key string) error {
	if len(key) >= keys.MinLength && len(key) <= keys.MaxLength && isPlainASCII(key) {
		return nil
	}
	if !utf8.ValidString(key) || strings.IndexByte(key, 0) >= 0 {
		return fmt.Errorf("%w: not valid UTF-8 without NUL", djangosess.ErrInvalidKey)
	}
	switch n := utf8.RuneCountInString(key); {
	case n < keys.MinLength:
		return fmt.Errorf("%w: shorter than %d characters", djangosess.ErrInvalidKey, keys.MinLength)
	case n > keys.MaxLength:
		return fmt.Errorf("%w: longer than %d characters", djangosess.ErrInvalidKey, keys.MaxLength)
	}
	return nil
}

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 0 || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// begin checks the context and the key before any work.
func (s *Store) begin(ctx context.Context, op, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %s: %w", s.e.Name, op, err)
	}
	if err := checkKey(key); err != nil {
		return fmt.Errorf("%s: %s: %w", s.e.Name, op, err)
	}
	return nil
}

// fail wraps a database error: a context error stays one, anything else
// is ErrUnavailable with the cause kept. Session keys never appear in
// errors.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%s: %s: %w (%w)", s.e.Name, op, cerr, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %s: %w", s.e.Name, op, err)
	}
	return fmt.Errorf("%s: %s: %w: %w", s.e.Name, op, djangosess.ErrUnavailable, err)
}

// timeArg is a moment as a statement parameter: Django's str() of the
// naive wall clock in the store's location, or the instant.
func (s *Store) timeArg(t time.Time) (any, error) {
	t = t.Truncate(time.Microsecond)
	if !s.e.Naive {
		if y := t.In(s.loc).Year(); y < 1 || y > 9999 {
			return nil, ErrDateRange
		}
		return t, nil
	}
	return FormatNaive(t, s.loc)
}

// Load is SessionStore.load(): the row under key whose expire_date is
// after now, decoded.
func (s *Store) Load(ctx context.Context, key string) (djangosess.Record, error) {
	if err := s.begin(ctx, "load", key); err != nil {
		return djangosess.Record{}, err
	}
	now, err := s.timeArg(s.now())
	if err != nil {
		return djangosess.Record{}, fmt.Errorf("%s: load: now: %w", s.e.Name, err)
	}
	var data string
	var exp time.Time
	var found bool
	args := []any{key, now}
	if s.e.Naive {
		var raw any
		if found, err = s.c.QueryRow(ctx, s.qLoad, args, &data, &raw); err == nil && found {
			if exp, err = NaiveValue(raw, s.loc); err != nil {
				return djangosess.Record{}, fmt.Errorf("%s: load: %w", s.e.Name, err)
			}
		}
	} else {
		found, err = s.c.QueryRow(ctx, s.qLoad, args, &data, &exp)
		exp = exp.In(s.loc)
	}
	if err != nil {
		return djangosess.Record{}, s.fail(ctx, "load", err)
	}
	if !found {
		return djangosess.Record{}, djangosess.ErrNotFound
	}
	dec, err := s.codec.DecodeInfo(data)
	if err != nil {
		return djangosess.Record{}, fmt.Errorf("%s: load: %w", s.e.Name, err)
	}
	return djangosess.Record{Data: dec.Data, Expiry: exp, Size: len(data),
		Stored: djangosess.StoredOf(dec, s.serName)}, nil
}

// row encodes r as Django's save() does: encode(data), and
// get_expiry_date() at save time unless r.Expiry is set.
func (s *Store) row(op string, r djangosess.Record) (data string, exp any, err error) {
	d := r.Data
	if d == nil {
		d = serializer.NewDict(0)
	}
	t := r.Expiry
	if t.IsZero() {
		if t, err = djangosess.ExpiryDate(d, s.now(), s.age, s.loc); err != nil {
			return "", nil, fmt.Errorf("%s: %s: %w", s.e.Name, op, err)
		}
	}
	if exp, err = s.timeArg(t); err != nil {
		return "", nil, fmt.Errorf("%s: %s: %w: %w", s.e.Name, op, serializer.ErrMalformed, err)
	}
	if data, err = s.codec.Encode(d); err != nil {
		return "", nil, fmt.Errorf("%s: %s: %w", s.e.Name, op, err)
	}
	return data, exp, nil
}

// Create is save(must_create=True): an INSERT; a taken key is
// djangosess.ErrExists and nothing is written.
func (s *Store) Create(ctx context.Context, key string, r djangosess.Record) error {
	if err := s.begin(ctx, "create", key); err != nil {
		return err
	}
	data, exp, err := s.row("create", r)
	if err != nil {
		return err
	}
	n, err := s.c.Exec(ctx, s.qCreate, key, data, exp)
	switch {
	case err != nil && !s.e.OnConflict && s.e.IsDuplicate(err):
		return djangosess.ErrExists
	case err != nil:
		return s.fail(ctx, "create", err)
	case n == 0:
		return djangosess.ErrExists
	}
	return nil
}

// Save is save(must_create=False): an UPDATE of session_data and
// expire_date; no row is djangosess.ErrVanished (Django's UpdateError).
func (s *Store) Save(ctx context.Context, key string, r djangosess.Record) error {
	if err := s.begin(ctx, "save", key); err != nil {
		return err
	}
	data, exp, err := s.row("save", r)
	if err != nil {
		return err
	}
	n, err := s.c.Exec(ctx, s.qSave, data, exp, key)
	if err != nil {
		return s.fail(ctx, "save", err)
	}
	if n > 0 {
		return nil
	}
	if s.e.UpdateCountsChanged {
		// Zero changed rows: the row may hold these very values.
		ok, err := s.exists(ctx, "save", key)
		if err != nil || ok {
			return err
		}
	}
	return djangosess.ErrVanished
}

// Delete removes the row; a missing one is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := s.begin(ctx, "delete", key); err != nil {
		return err
	}
	if _, err := s.c.Exec(ctx, s.qDelete, key); err != nil {
		return s.fail(ctx, "delete", err)
	}
	return nil
}

// Exists is exists(): whether a row has the key, expired or not.
func (s *Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := s.begin(ctx, "exists", key); err != nil {
		return false, err
	}
	return s.exists(ctx, "exists", key)
}

func (s *Store) exists(ctx context.Context, op, key string) (bool, error) {
	var one int
	found, err := s.c.QueryRow(ctx, s.qExists, []any{key}, &one)
	if err != nil {
		return false, s.fail(ctx, op, err)
	}
	return found, nil
}

// ClearExpired is clear_expired(): it deletes the rows whose expire_date
// is before now and returns how many.
func (s *Store) ClearExpired(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("%s: clear expired: %w", s.e.Name, err)
	}
	now, err := s.timeArg(s.now())
	if err != nil {
		return 0, fmt.Errorf("%s: clear expired: now: %w", s.e.Name, err)
	}
	n, err := s.c.Exec(ctx, s.qClear, now)
	if err != nil {
		return 0, s.fail(ctx, "clear expired", err)
	}
	return int(n), nil
}

// Keys yields every session key, expired or not, in key order, reading
// KeysBatch keys per query (keyset pagination on the primary key), so no
// cursor or connection is held while the caller's loop body runs: the
// body may use the store, even over a single connection or inside a
// transaction.
func (s *Store) Keys(ctx context.Context) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		var batch []string
		last := ""
		for first := true; ; first = false {
			if err := ctx.Err(); err != nil {
				yield("", fmt.Errorf("%s: keys: %w", s.e.Name, err))
				return
			}
			var err error
			if first {
				batch, err = s.c.QueryStrings(ctx, batch[:0], s.qKeysFirst)
			} else {
				batch, err = s.c.QueryStrings(ctx, batch[:0], s.qKeysNext, last)
			}
			if err != nil {
				yield("", s.fail(ctx, "keys", err))
				return
			}
			for _, k := range batch {
				if !yield(k, nil) {
					return
				}
			}
			if len(batch) < s.batch {
				return
			}
			last = batch[len(batch)-1]
		}
	}
}
