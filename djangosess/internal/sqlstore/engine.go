package sqlstore

import (
	"context"
	"strconv"
	"strings"
)

// Engine describes one database as Django's backend for it does.
type Engine struct {
	// Name prefixes error messages ("djangosess/postgres").
	Name string
	// QuoteChar quotes identifiers ('"' or '`'); inside a name it is
	// doubled.
	QuoteChar byte
	// Numbered placeholders ($1, $2, ...) instead of ?.
	Numbered bool
	// MaxNameLength is Django's connection.ops.max_name_length() (0: no
	// limit, 200 for index names), which shapes index names.
	MaxNameLength int
	// Naive: expire_date holds a naive wall-clock time in the store's
	// Location (SQLite text, MySQL datetime(6)), written as Django's
	// str(datetime). Otherwise it is a timestamptz and times travel as
	// time.Time.
	Naive bool
	// OnConflict: Create is INSERT ... ON CONFLICT (session_key) DO
	// NOTHING and a duplicate shows as zero rows. Otherwise a duplicate
	// is an error for which IsDuplicate reports true.
	OnConflict  bool
	IsDuplicate func(error) bool
	// UpdateCountsChanged: an UPDATE reports the rows it changed rather
	// than those it matched (MySQL without CLIENT_FOUND_ROWS), so zero
	// rows may mean an unchanged row; Save then checks that the row is
	// there.
	UpdateCountsChanged bool
	// TextType and DateTimeType are the column types of session_data and
	// expire_date in Django's migration; LikeIndex adds PostgreSQL's
	// varchar_pattern_ops index on session_key.
	TextType, DateTimeType string
	LikeIndex              bool
}

// Quote quotes an identifier.
func (e *Engine) Quote(name string) string {
	q := string(e.QuoteChar)
	return q + strings.ReplaceAll(name, q, q+q) + q
}

func (e *Engine) param(n int) string {
	if e.Numbered {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// Conn is a database connection, pool or transaction as the store uses it.
type Conn interface {
	// Exec runs a statement and returns the number of rows it affected.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// QueryRow runs a query that returns at most one row and scans it
	// into dest; found is false when there was no row.
	QueryRow(ctx context.Context, query string, args []any, dest ...any) (found bool, err error)
	// QueryStrings runs a query with one string column and appends every
	// value to dst, closing the rows before it returns.
	QueryStrings(ctx context.Context, dst []string, query string, args ...any) ([]string, error)
	// QueryRows runs a query, scans each row into dest and calls each
	// after every scan (an error from each stops the rows and is
	// returned), closing the rows before it returns.
	QueryRows(ctx context.Context, query string, args []any, dest []any, each func() error) error
}
