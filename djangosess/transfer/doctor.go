package transfer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	_ "github.com/go-sql-driver/mysql" // registers "mysql" for DoctorSettings
	"github.com/jackc/pgx/v5"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/postgres"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// Severity grades a Finding.
type Severity string

// The severities, from best to worst.
const (
	// SeverityOK: checked, nothing to do.
	SeverityOK Severity = "ok"
	// SeverityInfo: worth knowing but not a risk, or not determinable
	// (Redis with CONFIG disabled, as on managed services).
	SeverityInfo Severity = "info"
	// SeverityWarning: a risk to fix: sessions lost on a restart or an
	// eviction, sessions readable by other users, a weak SECRET_KEY,
	// expired sessions piling up, a missing index.
	SeverityWarning Severity = "warning"
	// SeverityError: the store cannot be used or examined as configured
	// (an unreachable server, a missing table, directory or database
	// file, a permission denied).
	SeverityError Severity = "error"
)

// Problem reports whether s calls for action (a warning or an error).
func (s Severity) Problem() bool { return s == SeverityWarning || s == SeverityError }

// The checks Doctor runs, by their stable ids (Finding.Check).
const (
	// CheckSecretKey: SECRET_KEY and each SECRET_KEY_FALLBACKS entry
	// against Django's own deployment check (security.W009 and W025: at
	// least 50 characters, at least 5 distinct ones, and not the
	// "django-insecure-" prefix startproject writes). The key is never
	// shown, not even in part.
	CheckSecretKey = "secret-key"
	// CheckSerializer: SESSION_SERIALIZER. PickleSerializer was
	// deprecated in Django 4.1 and removed in 5.0; whoever learns
	// SECRET_KEY (or, for the database and file engines, can write the
	// store) runs code in the application.
	CheckSerializer = "session-serializer"
	// CheckStore: the store could not be opened or examined (server
	// down, table or directory missing). Reported only when that
	// happens; the checks that need the store are then skipped.
	CheckStore = "store"
	// CheckRedisPersistence: CONFIG GET save and appendonly (INFO
	// persistence when CONFIG is refused). For the cache engine a Redis
	// that persists nothing loses every session on a restart, the
	// data loss Django's documentation warns of ("session data may not
	// be persistent"); for cached_db only the cache copy is lost.
	CheckRedisPersistence = "redis-persistence"
	// CheckRedisEviction: maxmemory and maxmemory-policy. Every Django
	// session key has a TTL, so with a maxmemory set, allkeys-* and
	// volatile-* policies alike evict sessions when memory runs out.
	CheckRedisEviction = "redis-eviction"
	// CheckFilePermissions: SESSION_FILE_PATH and up to
	// DoctorOptions.MaxFiles session files. A directory other users can
	// list shows them the session keys (they are the file names); files
	// they can read show them the sessions.
	CheckFilePermissions = "file-permissions"
	// CheckExpireDateIndex: Django's migration indexes expire_date,
	// which clearsessions (DELETE ... WHERE expire_date < now) needs.
	CheckExpireDateIndex = "expire-date-index"
	// CheckExpiredSessions: expired sessions left in the table or the
	// directory, which only clearsessions removes.
	CheckExpiredSessions = "expired-sessions"
)

// Finding is the outcome of one check.
type Finding struct {
	// Check is the check's id (CheckSecretKey, ...).
	Check string `json:"check"`
	// Severity grades it.
	Severity Severity `json:"severity"`
	// Message says what was found; it never holds a secret key, a
	// session key or a password.
	Message string `json:"message"`
	// Advice says what to do, when there is something to do.
	Advice string `json:"advice,omitempty"`
}

// DoctorOptions tunes Doctor. The zero value is the defaults.
type DoctorOptions struct {
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// MaxFiles is how many session files the file checks examine
	// (stat); default 1000. Every session file name is counted.
	MaxFiles int
	// ExpiredLimit: more expired sessions than this is a warning, as is
	// a store where more than half the sessions have expired; default
	// 100000.
	ExpiredLimit int64
	// ExpiredAge: an expired session older than this means expired
	// sessions are not being cleared on a schedule (a warning); default
	// 7 days.
	ExpiredAge time.Duration
}

func (o DoctorOptions) withDefaults() DoctorOptions {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxFiles <= 0 {
		o.MaxFiles = 1000
	}
	if o.ExpiredLimit <= 0 {
		o.ExpiredLimit = 100000
	}
	if o.ExpiredAge <= 0 {
		o.ExpiredAge = 7 * 24 * time.Hour
	}
	return o
}

// DoctorTarget is what Doctor examines, with handles the caller opened.
// Fields an engine does not use are ignored; a handle the engine needs
// but that is nil skips the checks that need it.
type DoctorTarget struct {
	// Engine is SESSION_ENGINE (short or dotted name; empty: db).
	Engine string
	// SecretKey and FallbackKeys are SECRET_KEY and
	// SECRET_KEY_FALLBACKS. An empty SecretKey is reported as not
	// checked (SeverityInfo).
	SecretKey    []byte
	FallbackKeys [][]byte
	// Serializer is SESSION_SERIALIZER ("", "json", "pickle" or Django's
	// dotted names).
	Serializer string
	// Redis is the cache of the cache and cached_db engines. A cluster
	// client (redis.MasterRanger) or a ring (redis.ShardRanger) is
	// examined node by node.
	Redis redis.Client
	// FileDir is SESSION_FILE_PATH (file engine); CookieName is
	// SESSION_COOKIE_NAME ("sessionid"), which starts the file names;
	// CookieAge is SESSION_COOKIE_AGE (djangosess.DefaultCookieAge).
	FileDir    string
	CookieName string
	CookieAge  time.Duration
	// Database is the session table of the db and cached_db engines.
	Database *DoctorDatabase
}

// DoctorDatabase is a session table and a connection to its database.
type DoctorDatabase struct {
	// Dialect is "postgres", "sqlite" or "mysql".
	Dialect string
	// Postgres is the connection for "postgres" (*pgxpool.Pool,
	// *pgx.Conn); SQL the one for "sqlite" and "mysql".
	Postgres postgres.DB
	SQL      *sql.DB
	// Schema (PostgreSQL only; empty: the search_path's) and Table
	// (empty: django_session) name the table.
	Schema, Table string
	// Location is TIME_ZONE under USE_TZ = False, where SQLite and MySQL
	// keep naive expire_date values (nil: UTC).
	Location *time.Location
}

// Doctor runs the checks that apply to t.Engine and returns their
// findings, in a fixed order: secret-key, session-serializer, store,
// redis-persistence, redis-eviction, file-permissions,
// expire-date-index, expired-sessions. It only reads: nothing in the
// store or in the servers' configuration changes.
//
// A server that fails or refuses a check is a finding (SeverityError or,
// for a refused CONFIG, SeverityInfo), not an error. The error is for a
// bad target (ErrConfig) or a context that ended.
func Doctor(ctx context.Context, t DoctorTarget, opts DoctorOptions) ([]Finding, error) {
	name, err := engine.EngineName(t.Engine)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	out := CheckSecretKeys(t.SecretKey, t.FallbackKeys)
	if name != engine.Cache {
		f, err := checkSerializer(t.Serializer, name)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	var more []Finding
	switch name {
	case engine.Cache, engine.CachedDB:
		if t.Redis != nil {
			more = append(more, CheckRedis(ctx, t.Redis, name)...)
		}
	case engine.File:
		more = append(more, CheckFiles(ctx, t.FileDir, t.CookieName, t.CookieAge, opts)...)
	}
	if (name == engine.DB || name == engine.CachedDB) && t.Database != nil {
		fs, err := CheckDatabase(ctx, *t.Database, opts)
		if err != nil {
			return nil, err
		}
		more = append(more, fs...)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return append(out, sortFindings(more)...), nil
}

// sortFindings puts the store error first, then the checks in Doctor's
// order, keeping the order within a check.
func sortFindings(fs []Finding) []Finding {
	order := []string{CheckStore, CheckRedisPersistence, CheckRedisEviction, CheckFilePermissions, CheckExpireDateIndex, CheckExpiredSessions}
	out := make([]Finding, 0, len(fs))
	for _, c := range order {
		for _, f := range fs {
			if f.Check == c {
				out = append(out, f)
			}
		}
	}
	return out
}

// DoctorSettings opens what the settings describe (its own connections,
// closed before it returns; a SQLite file that does not exist is
// reported, never created) and runs Doctor on it. s.Now, when set, is
// the clock unless opts.Now is set.
func DoctorSettings(ctx context.Context, s engine.Settings, opts DoctorOptions) ([]Finding, error) {
	name, err := engine.EngineName(s.Engine)
	if err != nil {
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = s.Now
	}
	t := DoctorTarget{Engine: name, SecretKey: s.SecretKey, FallbackKeys: s.FallbackKeys, Serializer: s.Serializer,
		CookieName: s.CookieName, CookieAge: s.CookieAge}
	var storeErr []Finding
	if name == engine.Cache || name == engine.CachedDB {
		c, err := engine.RedisClient(s.CacheURL)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		t.Redis = c
	}
	if name == engine.File {
		t.FileDir = s.FilePath
		if t.FileDir == "" {
			t.FileDir = os.TempDir()
		}
	}
	if name == engine.DB || name == engine.CachedDB {
		db, closer, f, err := openDoctorDB(ctx, s)
		if err != nil {
			return nil, err
		}
		if closer != nil {
			defer closer()
		}
		t.Database = db
		storeErr = f
	}
	out, err := Doctor(ctx, t, opts)
	if err != nil {
		return nil, err
	}
	if len(storeErr) > 0 {
		// Keep Doctor's order: the store error goes before the checks of
		// the store.
		i := 0
		for i < len(out) && (out[i].Check == CheckSecretKey || out[i].Check == CheckSerializer) {
			i++
		}
		out = append(out[:i], append(storeErr, out[i:]...)...)
	}
	return out, nil
}

// openDoctorDB opens the settings' database for DoctorSettings. A
// database that cannot be opened is a finding (db nil), not an error.
func openDoctorDB(ctx context.Context, s engine.Settings) (*DoctorDatabase, func(), []Finding, error) {
	u := s.DatabaseURL
	if u == "" {
		u = engine.DefaultDatabaseURL
	}
	parsed, err := engine.ParseDatabaseURL(u)
	if err != nil {
		return nil, nil, nil, err
	}
	var loc *time.Location
	if s.TimeZone != "" {
		if loc, err = time.LoadLocation(s.TimeZone); err != nil {
			return nil, nil, nil, fmt.Errorf("%w: TIME_ZONE %q: %v", djangosess.ErrConfig, s.TimeZone, err)
		}
	}
	d := &DoctorDatabase{Dialect: parsed.Engine, Table: s.Table, Location: loc}
	fail := func(msg string, advice string) (*DoctorDatabase, func(), []Finding, error) {
		return nil, nil, []Finding{{Check: CheckStore, Severity: SeverityError, Message: msg, Advice: advice}}, nil
	}
	switch parsed.Engine {
	case "sqlite":
		if parsed.DSN != ":memory:" {
			if _, err := os.Stat(parsed.DSN); err != nil {
				return fail(fmt.Sprintf("the SQLite database %s cannot be opened: %v", parsed.DSN, errText(err)),
					"Check DATABASE_URL (sqlite:///relative/path or sqlite:////absolute/path) and run manage.py migrate.")
			}
		}
		db, err := sqlite.Open(parsed.DSN)
		if err != nil {
			return nil, nil, nil, err
		}
		d.SQL = db
		return d, func() { db.Close() }, nil, nil
	case "mysql":
		db, err := sql.Open("mysql", parsed.DSN)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%w: DATABASE_URL is not a MySQL DSN the driver reads", djangosess.ErrConfig)
		}
		d.SQL = db
		return d, func() { db.Close() }, nil, nil
	case "postgres":
		conn, err := pgx.Connect(ctx, parsed.DSN)
		if err != nil {
			if cerr := ctx.Err(); cerr != nil {
				return nil, nil, nil, cerr
			}
			return fail("cannot connect to PostgreSQL: "+errText(err), "Check DATABASE_URL and that the server is up.")
		}
		d.Postgres = conn
		return d, func() { conn.Close(context.Background()) }, nil, nil
	}
	return nil, nil, nil, fmt.Errorf("%w: unknown database engine %q", djangosess.ErrConfig, parsed.Engine)
}

// errText is an error's text without a trailing period.
func errText(err error) string { return strings.TrimSuffix(err.Error(), ".") }

// pathErrText is the reason of a file system error, without the path.
func pathErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return errText(err)
}
