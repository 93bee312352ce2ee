// Package sqlite is Django's db session backend
// (django.contrib.sessions.backends.db) on SQLite through database/sql:
// the django_session table of Django's default database (or a custom
// AbstractBaseSession model's table), read and written with the statements
// Django's ORM issues, so that Go and Django share sessions in both
// directions. Open opens a database with the pure-Go driver
// modernc.org/sqlite (registered as "sqlite"); New takes any *sql.DB,
// *sql.Conn or *sql.Tx.
//
// Django keeps expire_date as text, "YYYY-MM-DD HH:MM:SS[.ffffff]" (a
// space, no offset, the fraction only when it is not zero), and compares
// it as text; the store writes and compares exactly that shape: the
// naive UTC wall clock under USE_TZ=True, the naive wall clock in
// TIME_ZONE under USE_TZ=False (Config.Location).
//
// Concurrency. SQLite has one writer at a time. Open sets a 5-second busy
// timeout, as Python's sqlite3 module (and so Django) does, so a writer
// waits for another instead of failing with SQLITE_BUSY. Every operation
// is one autocommit statement, and Keys reads the keys in pages rather
// than holding a read transaction open while the loop body runs, so the
// store never holds a lock between calls. With Django and Go processes
// writing the same file, WAL mode (PRAGMA journal_mode=WAL, which the
// file remembers) lets readers go on while one writes; Django reads a WAL
// database as it is. The store does not switch the mode itself: that is
// the database owner's decision.
//
// Config.Prepare keeps the statements prepared (Python's sqlite3 module,
// and so Django, caches them too); a Load is then about a quarter faster.
// Most of the rest of a Load is SQLite taking and dropping its file locks
// (fcntl, and the hot-journal check in the default rollback-journal mode),
// which WAL mode also makes cheaper.
//
// Migrate creates the table and index as Django's migration
// sessions.0001_initial does; sqlite_master then holds the very statements
// Django's migrate stores.
package sqlite
