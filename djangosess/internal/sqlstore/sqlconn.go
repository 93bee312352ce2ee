package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/djangosess/djangosess/djangosess"
)

// DB is what the database/sql stores need: *sql.DB, *sql.Conn and *sql.Tx
// have these methods.
type DB interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Preparer is a DB that prepares statements; *sql.DB, *sql.Conn and
// *sql.Tx are.
type Preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// ErrClosed is returned by a store used after Close.
var ErrClosed = errors.New("store closed")

// SQLConn adapts a DB to Conn. With prepare, each statement is prepared on
// first use and kept until Close (database/sql prepares it again on each
// connection of a pool as needed).
type SQLConn struct {
	db     DB
	prep   Preparer // nil: statements are not prepared
	mu     sync.Mutex
	stmts  sync.Map // query -> *sql.Stmt
	closed bool
}

// NewSQLConn returns a Conn on db; prepare requires a Preparer.
func NewSQLConn(name string, db DB, prepare bool) (*SQLConn, error) {
	c := &SQLConn{db: db}
	if prepare {
		p, ok := db.(Preparer)
		if !ok {
			return nil, fmt.Errorf("%s: %w: Prepare needs a DB with PrepareContext", name, djangosess.ErrConfig)
		}
		c.prep = p
	}
	return c, nil
}

// stmt returns the prepared statement of query, or nil when statements
// are not prepared.
func (c *SQLConn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if c.prep == nil {
		return nil, nil
	}
	if st, ok := c.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, ErrClosed
	}
	if st, ok := c.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.prep.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts.Store(query, st)
	return st, nil
}

// Close closes the prepared statements; later calls fail with ErrClosed.
func (c *SQLConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.prep == nil || c.closed {
		c.closed = true
		return nil
	}
	c.closed = true
	var errs []error
	c.stmts.Range(func(k, v any) bool {
		errs = append(errs, v.(*sql.Stmt).Close())
		c.stmts.Delete(k)
		return true
	})
	return errors.Join(errs...)
}

// Exec implements Conn.
func (c *SQLConn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return 0, err
	}
	var res sql.Result
	if st != nil {
		res, err = st.ExecContext(ctx, args...)
	} else {
		res, err = c.db.ExecContext(ctx, query, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// QueryRow implements Conn.
func (c *SQLConn) QueryRow(ctx context.Context, query string, args []any, dest ...any) (bool, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return false, err
	}
	var row *sql.Row
	if st != nil {
		row = st.QueryRowContext(ctx, args...)
	} else {
		row = c.db.QueryRowContext(ctx, query, args...)
	}
	err = row.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// QueryStrings implements Conn.
func (c *SQLConn) QueryStrings(ctx context.Context, dst []string, query string, args ...any) ([]string, error) {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return dst, err
	}
	var rows *sql.Rows
	if st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = c.db.QueryContext(ctx, query, args...)
	}
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

// QueryRows implements Conn.
func (c *SQLConn) QueryRows(ctx context.Context, query string, args []any, dest []any, each func() error) error {
	st, err := c.stmt(ctx, query)
	if err != nil {
		return err
	}
	var rows *sql.Rows
	if st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = c.db.QueryContext(ctx, query, args...)
	}
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
