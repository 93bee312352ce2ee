package sqlite

import (
	"database/sql"
	"fmt"
	"strings"

	_ "modernc.org/sqlite" // registers "sqlite"

	"github.com/djangosess/djangosess/djangosess"
)

// BusyTimeout is the busy timeout Open sets, in milliseconds: Python's
// sqlite3 default of 5 seconds, which Django keeps.
const BusyTimeout = 5000

// Open opens (creating it if needed) the SQLite database file at path with
// modernc.org/sqlite and a busy timeout of BusyTimeout. Like sql.Open it
// connects lazily. Use a file: each connection to ":memory:" would see a
// database of its own.
func Open(path string) (*sql.DB, error) {
	if path == "" || strings.IndexByte(path, 0) >= 0 {
		return nil, fmt.Errorf("%s: %w: bad database path", engine.Name, djangosess.ErrConfig)
	}
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	db, err := sql.Open("sqlite", fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)", esc, BusyTimeout))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", engine.Name, djangosess.ErrUnavailable, err)
	}
	return db, nil
}
