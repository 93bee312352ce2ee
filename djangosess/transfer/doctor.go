package transfer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	_ "github.com/go-sql-driver/mysql" // registers "mysql" for DoctorSettings
	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/internal/sqlstore"
	"github.com/djangosess/djangosess/djangosess/mysql"
	"github.com/djangosess/djangosess/djangosess/postgres"
	"github.com/djangosess/djangosess/djangosess/redis"
	"github.com/djangosess/djangosess/djangosess/sqlite"
	"github.com/djangosess/djangosess/keys"
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

// Django's deployment check on SECRET_KEY
// (django/core/checks/security/base.py).
const (
	secretKeyMinLength = 50
	secretKeyMinUnique = 5
	secretKeyInsecure  = "django-insecure-"
)

// WeakSecretKey reports whether Django's check_secret_key (security.W009)
// or check_secret_key_fallbacks (security.W025) would flag key, and the
// rules it breaks. Characters are counted as Python counts those of a
// str: code points, an invalid UTF-8 byte counting as one (Python's
// surrogateescape). An empty key is weak, as Django reports it.
func WeakSecretKey(key []byte) (weak bool, reasons []string) {
	n := 0
	seen := map[rune]struct{}{}
	for i := 0; i < len(key); {
		r, size := utf8.DecodeRune(key[i:])
		if r == utf8.RuneError && size == 1 {
			r = 0xDC00 + rune(key[i]) // surrogateescape
		}
		seen[r] = struct{}{}
		n++
		i += size
	}
	if n < secretKeyMinLength {
		reasons = append(reasons, fmt.Sprintf("shorter than %d characters", secretKeyMinLength))
	}
	if len(seen) < secretKeyMinUnique {
		reasons = append(reasons, fmt.Sprintf("fewer than %d distinct characters", secretKeyMinUnique))
	}
	if strings.HasPrefix(string(key), secretKeyInsecure) {
		reasons = append(reasons, fmt.Sprintf("starts with %q, which startproject writes", secretKeyInsecure))
	}
	return len(reasons) > 0, reasons
}

// CheckSecretKeys checks SECRET_KEY and its fallbacks as Django's
// deployment checks do: one finding for SECRET_KEY (W009), one warning
// per weak fallback (W025, Django 4.1+), and one ok for the fallbacks
// when none is weak. No key is ever shown.
func CheckSecretKeys(key []byte, fallbacks [][]byte) []Finding {
	const advice = "Generate a long random key (python -c 'from django.core.management.utils import get_random_secret_key; print(get_random_secret_key())'), " +
		"put the current one first in SECRET_KEY_FALLBACKS so existing sessions stay valid, and drop the old one once they have expired (djangosess resign rewrites them sooner)."
	var out []Finding
	if len(key) == 0 {
		out = append(out, Finding{Check: CheckSecretKey, Severity: SeverityInfo,
			Message: "no SECRET_KEY given, so it was not checked",
			Advice:  "Give SECRET_KEY (on the command line: $DJANGO_SECRET_KEY or --secret-key-file) to check it."})
	} else if weak, why := WeakSecretKey(key); weak {
		out = append(out, Finding{Check: CheckSecretKey, Severity: SeverityWarning,
			Message: "SECRET_KEY fails Django's check (security.W009): it is " + strings.Join(why, ", "),
			Advice:  advice})
	} else {
		out = append(out, Finding{Check: CheckSecretKey, Severity: SeverityOK,
			Message: "SECRET_KEY passes Django's check (security.W009)"})
	}
	weakFallbacks := 0
	for i, fb := range fallbacks {
		if weak, why := WeakSecretKey(fb); weak {
			weakFallbacks++
			out = append(out, Finding{Check: CheckSecretKey, Severity: SeverityWarning,
				Message: fmt.Sprintf("SECRET_KEY_FALLBACKS[%d] fails Django's check (security.W025): it is %s", i, strings.Join(why, ", ")),
				Advice:  "Sessions signed with a weak key can be forged: remove it from the fallbacks (its sessions end) or re-sign them first with djangosess resign."})
		}
	}
	if len(fallbacks) > 0 && weakFallbacks == 0 {
		out = append(out, Finding{Check: CheckSecretKey, Severity: SeverityOK,
			Message: fmt.Sprintf("the %d SECRET_KEY_FALLBACKS pass Django's check (security.W025)", len(fallbacks))})
	}
	return out
}

func checkSerializer(name, eng string) (Finding, error) {
	ser, err := engine.SerializerCodec(name)
	if err != nil {
		return Finding{}, err
	}
	if ser.Name() != "pickle" {
		return Finding{Check: CheckSerializer, Severity: SeverityOK, Message: "sessions are serialized with JSON"}, nil
	}
	risk := "whoever can write the session store, or learns SECRET_KEY, can run code in the application"
	if eng == engine.SignedCookies {
		risk = "with signed_cookies, whoever learns SECRET_KEY can run code in the application by sending a cookie"
	}
	return Finding{Check: CheckSerializer, Severity: SeverityWarning,
		Message: "SESSION_SERIALIZER is PickleSerializer (deprecated in Django 4.1, removed in 5.0): " + risk,
		Advice:  "Move to JSONSerializer (djangosess copy --to-serializer json --dry-run reports the sessions holding values JSON cannot represent)."}, nil
}

// CheckRedis examines the Redis server(s) behind c for the cache or
// cached_db engine (eng): persistence and eviction, node by node on a
// cluster or ring. It only reads the configuration (CONFIG GET, or INFO
// when CONFIG is refused).
func CheckRedis(ctx context.Context, c redis.Client, eng string) []Finding {
	if name, err := engine.EngineName(eng); err == nil {
		eng = name
	}
	type node struct {
		label string
		do    doer
	}
	var nodes []node
	var mu sync.Mutex
	collect := func(ctx context.Context, n *goredis.Client) error {
		mu.Lock() // ForEachMaster calls it concurrently
		defer mu.Unlock()
		nodes = append(nodes, node{label: n.Options().Addr, do: n})
		return nil
	}
	var err error
	switch x := c.(type) {
	case redis.MasterRanger:
		err = x.ForEachMaster(ctx, collect)
	case redis.ShardRanger:
		err = x.ForEachShard(ctx, collect)
	default:
		nodes = append(nodes, node{do: c})
	}
	if err != nil {
		return []Finding{{Check: CheckStore, Severity: SeverityError, Message: "cannot reach Redis: " + errText(err),
			Advice: "Check CACHE_URL and that the server is up."}}
	}
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].label < nodes[j].label })
	var pers, evict []Finding
	for _, n := range nodes {
		st, err := readRedisState(ctx, n.do)
		prefix := ""
		if len(nodes) > 1 {
			prefix = n.label + ": "
		}
		if err != nil {
			return []Finding{{Check: CheckStore, Severity: SeverityError, Message: prefix + "cannot reach Redis: " + errText(err),
				Advice: "Check CACHE_URL and that the server is up."}}
		}
		p, e := st.findings(eng)
		p.Message, e.Message = prefix+p.Message, prefix+e.Message
		pers, evict = append(pers, p), append(evict, e)
	}
	return append(pers, evict...)
}

type doer interface {
	Do(ctx context.Context, args ...any) *goredis.Cmd
}

// redisState is what the checks need of one server's configuration;
// known is false when neither CONFIG nor INFO told.
type redisState struct {
	config                     bool // CONFIG GET answered
	save, appendonly           string
	maxmemory, policy          string
	aofKnown, memKnown, noInfo bool
}

// readRedisState asks CONFIG GET, and INFO when CONFIG is refused (a
// renamed command, an ACL without +config, a managed service). An error
// is a failed connection or PING (a wrong password, too).
func readRedisState(ctx context.Context, c doer) (redisState, error) {
	var st redisState
	// PING first: a refused connection or password is not a refused
	// CONFIG.
	if err := c.Do(ctx, "PING").Err(); err != nil {
		return st, err
	}
	vals := map[string]*string{"save": &st.save, "appendonly": &st.appendonly, "maxmemory": &st.maxmemory, "maxmemory-policy": &st.policy}
	st.config = true
	for _, name := range []string{"save", "appendonly", "maxmemory", "maxmemory-policy"} {
		v, err := configGet(ctx, c, name)
		if err != nil {
			var rerr goredis.Error
			if !errors.As(err, &rerr) {
				return st, err
			}
			st.config = false
			break
		}
		*vals[name] = v
	}
	if st.config {
		st.aofKnown, st.memKnown = true, true
		return st, nil
	}
	st.save, st.appendonly, st.maxmemory, st.policy = "", "", "", ""
	info := func(section string) (map[string]string, error) {
		s, err := c.Do(ctx, "INFO", section).Text()
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, line := range strings.Split(s, "\n") {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
				m[k] = v
			}
		}
		return m, nil
	}
	p, err := info("persistence")
	if err != nil {
		var rerr goredis.Error
		if !errors.As(err, &rerr) {
			return st, err
		}
		st.noInfo = true
		return st, nil
	}
	if v, ok := p["aof_enabled"]; ok {
		st.aofKnown = true
		st.appendonly = map[string]string{"1": "yes", "0": "no"}[v]
	}
	m, err := info("memory")
	if err == nil {
		if mm, ok := m["maxmemory"]; ok {
			st.memKnown = true
			st.maxmemory, st.policy = mm, m["maxmemory_policy"]
		}
	}
	return st, nil
}

// configGet is CONFIG GET name's value ("" when the server has none),
// from a RESP2 array or a RESP3 map.
func configGet(ctx context.Context, c doer, name string) (string, error) {
	v, err := c.Do(ctx, "CONFIG", "GET", name).Result()
	if err != nil {
		return "", err
	}
	switch x := v.(type) {
	case []any:
		for i := 0; i+1 < len(x); i += 2 {
			if k, _ := x[i].(string); k == name {
				s, _ := x[i+1].(string)
				return s, nil
			}
		}
	case map[any]any:
		s, _ := x[name].(string)
		return s, nil
	case map[string]any:
		s, _ := x[name].(string)
		return s, nil
	}
	return "", nil
}

// findings grades a server's state for engine eng.
func (st redisState) findings(eng string) (pers, evict Finding) {
	cache := eng == engine.Cache
	pers.Check, evict.Check = CheckRedisPersistence, CheckRedisEviction
	const persistAdvice = "Turn on the append-only file (appendonly yes, appendfsync everysec) or RDB snapshots (save 3600 1 300 100 60 10000), " +
		"or use SESSION_ENGINE cached_db so that the database keeps the sessions."
	switch {
	case st.appendonly == "yes":
		pers.Severity, pers.Message = SeverityOK, "Redis writes an append-only file (appendonly yes): sessions survive a restart"
	case st.config && st.save != "":
		pers.Severity = SeverityInfo
		pers.Message = fmt.Sprintf("Redis persists RDB snapshots only (save %q, appendonly no): a crash loses the sessions written since the last snapshot", st.save)
		if !cache {
			pers.Message += ", which cached_db reads again from the database"
		} else {
			pers.Advice = "For sessions that survive a crash, turn on the append-only file (appendonly yes)."
		}
	case st.config:
		if cache {
			pers.Severity = SeverityWarning
			pers.Message = "Redis persists nothing (save \"\", appendonly no): a restart or failover loses every session and logs everyone out; " +
				"Django's documentation warns that with the cache engine session data may not be persistent"
			pers.Advice = persistAdvice
		} else {
			pers.Severity = SeverityInfo
			pers.Message = "Redis persists nothing (save \"\", appendonly no): a restart empties the cache, and cached_db reads the sessions again from the database"
		}
	default:
		pers.Severity = SeverityInfo
		what := "CONFIG is refused (renamed, or not allowed to this user, as on managed Redis services)"
		if st.noInfo {
			what += " and so is INFO"
		} else if st.aofKnown {
			what += "; INFO shows no append-only file"
		}
		pers.Message = what + ": whether Redis keeps the sessions across a restart is unknown"
		if cache {
			pers.Advice = "Check your provider's persistence settings (AOF or RDB snapshots), or use SESSION_ENGINE cached_db."
		}
	}
	switch {
	case !st.memKnown:
		evict.Severity, evict.Message = SeverityInfo, "maxmemory and maxmemory-policy could not be read: whether Redis evicts sessions is unknown"
		if cache {
			evict.Advice = "Check that the provider's eviction policy is noeviction, or that maxmemory leaves room for every session."
		}
	case st.maxmemory == "" || st.maxmemory == "0":
		evict.Severity, evict.Message = SeverityOK, "no maxmemory: Redis never evicts sessions"
	case st.policy == "noeviction":
		evict.Severity = SeverityInfo
		evict.Message = fmt.Sprintf("maxmemory %s with noeviction: when memory is full, saving a session fails with an OOM error instead of evicting one", st.maxmemory)
	default:
		evict.Message = fmt.Sprintf("maxmemory %s with maxmemory-policy %s: when memory is full Redis evicts keys, and every session key has a TTL, so sessions go too", st.maxmemory, st.policy)
		if cache {
			evict.Severity = SeverityWarning
			evict.Message += " (users are logged out)"
			evict.Advice = "Use maxmemory-policy noeviction on the sessions' Redis (or a Redis of their own), give it more memory, or use SESSION_ENGINE cached_db."
		} else {
			evict.Severity = SeverityInfo
			evict.Message += "; cached_db then reads them from the database"
		}
	}
	return pers, evict
}

// CheckFiles examines a session directory (the file engine): its mode
// and owner, the modes of up to opts.MaxFiles session files, and how
// many of those were last written longer than cookieAge ago. That is
// the expiry Django computes for a session without _session_expiry,
// so such files are (almost all) expired: a session given a later
// expiry by set_expiry is counted too. Nothing is opened or changed.
func CheckFiles(ctx context.Context, dir, cookieName string, cookieAge time.Duration, opts DoctorOptions) []Finding {
	opts = opts.withDefaults()
	if cookieName == "" {
		cookieName = "sessionid"
	}
	if cookieAge <= 0 {
		cookieAge = djangosess.DefaultCookieAge
	}
	if dir == "" {
		dir = os.TempDir()
	}
	storeErr := func(msg string) []Finding {
		return []Finding{{Check: CheckStore, Severity: SeverityError, Message: msg,
			Advice: "Create SESSION_FILE_PATH, owned by the web server's user, mode 0700."}}
	}
	di, err := os.Stat(dir)
	switch {
	case err != nil:
		return storeErr(fmt.Sprintf("SESSION_FILE_PATH %s cannot be read: %s", dir, pathErrText(err)))
	case !di.IsDir():
		return storeErr(fmt.Sprintf("SESSION_FILE_PATH %s is not a directory", dir))
	}
	now := opts.Now()
	var total, sampled, loose, stale, staleOld int
	var looseMode fs.FileMode
	d, err := os.Open(dir)
	if err != nil {
		return storeErr(fmt.Sprintf("SESSION_FILE_PATH %s cannot be listed: %s", dir, pathErrText(err)))
	}
	defer d.Close()
	for {
		if err := ctx.Err(); err != nil {
			return nil
		}
		ents, err := d.ReadDir(256)
		for _, ent := range ents {
			key, ok := strings.CutPrefix(ent.Name(), cookieName)
			if !ok || keys.ValidateFileKey(key) != nil {
				continue
			}
			total++
			if sampled >= opts.MaxFiles {
				continue
			}
			fi, err := ent.Info()
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			sampled++
			if fi.Mode().Perm()&0o077 != 0 {
				loose++
				looseMode = fi.Mode()
			}
			if exp := fi.ModTime().Add(cookieAge); exp.Before(now) {
				stale++
				if exp.Add(opts.ExpiredAge).Before(now) {
					staleOld++
				}
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return storeErr(fmt.Sprintf("SESSION_FILE_PATH %s cannot be listed: %s", dir, pathErrText(err)))
		}
	}
	var out []Finding
	perm := modeBits(di.Mode())
	if perm&0o044 != 0 {
		out = append(out, Finding{Check: CheckFilePermissions, Severity: SeverityWarning,
			Message: fmt.Sprintf("SESSION_FILE_PATH %s (mode %04o) can be listed by other users, and the file names are the session keys: anyone on the machine can take over any session", dir, perm),
			Advice:  "Give the sessions a directory of their own, owned by the web server's user, mode 0700 (the default, the system's temporary directory, is listable by everyone)."})
	}
	if perm&0o022 != 0 {
		msg := fmt.Sprintf("SESSION_FILE_PATH %s (mode %04o) is writable by other users: they can add session files", dir, perm)
		if di.Mode()&fs.ModeSticky == 0 {
			msg += ", and delete or replace those of the application"
		}
		out = append(out, Finding{Check: CheckFilePermissions, Severity: SeverityWarning, Message: msg,
			Advice: "Make the directory writable by the web server's user only (chmod 0700)."})
	}
	if loose > 0 {
		out = append(out, Finding{Check: CheckFilePermissions, Severity: SeverityWarning,
			Message: fmt.Sprintf("%d of %d session files examined are open to group or other users (e.g. mode %04o): they can read the sessions", loose, sampled, modeBits(looseMode)),
			Advice:  "chmod 0600 the session files (Django writes them 0600; a umask or a copy changed that)."})
	}
	if uid, ok := ownerUID(di); ok && os.Geteuid() >= 0 && uid != os.Geteuid() {
		out = append(out, Finding{Check: CheckFilePermissions, Severity: SeverityInfo,
			Message: fmt.Sprintf("SESSION_FILE_PATH %s is owned by uid %d, not by the user running this check (uid %d)", dir, uid, os.Geteuid()),
			Advice:  "Make sure it belongs to the web server's user."})
	}
	if len(out) == 0 {
		out = append(out, Finding{Check: CheckFilePermissions, Severity: SeverityOK,
			Message: fmt.Sprintf("SESSION_FILE_PATH %s (mode %04o) and the %d session files examined are private to their owner", dir, perm, sampled)})
	}
	of := ""
	if sampled < total {
		of = fmt.Sprintf(" (of %d session files)", total)
	}
	f := Finding{Check: CheckExpiredSessions, Severity: SeverityOK,
		Message: fmt.Sprintf("%d of %d session files examined%s were written more than SESSION_COOKIE_AGE (%s) ago", stale, sampled, of, roundAge(cookieAge))}
	if total == 0 {
		f.Message = "there are no session files"
	}
	switch {
	case stale == 0:
	case int64(stale) > opts.ExpiredLimit || 2*stale > sampled:
		f.Severity, f.Advice = SeverityWarning, clearAdvice
		f.Message += ": expired sessions are piling up"
	case staleOld > 0:
		f.Severity, f.Advice = SeverityWarning, clearAdvice
		f.Message += fmt.Sprintf(": %d of them expired more than %s ago, so nothing clears them", staleOld, roundAge(opts.ExpiredAge))
	}
	return append(out, f)
}

const clearAdvice = "Delete expired sessions on a schedule: manage.py clearsessions from cron (Django's documentation suggests daily), or djangosess clear-expired."

// modeBits is a mode as chmod takes it: the permissions with the
// setuid, setgid and sticky bits.
func modeBits(m fs.FileMode) uint32 {
	b := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}

// ownerUID is the owner of a file, where FileInfo.Sys has a Uid field
// (syscall.Stat_t on Unix systems).
func ownerUID(fi fs.FileInfo) (int, bool) {
	v := reflect.ValueOf(fi.Sys())
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 0, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return 0, false
	}
	f := v.FieldByName("Uid")
	if !f.IsValid() || !f.CanUint() {
		return 0, false
	}
	return int(f.Uint()), true
}

// CheckDatabase examines a session table: whether it exists, whether
// expire_date has an index usable for clearsessions (a valid, complete
// index whose first column is expire_date), and how many rows have
// expired and since when. It reads the catalog and counts rows (one
// pass over the table). The error is for a bad DoctorDatabase
// (ErrConfig); server failures are findings.
func CheckDatabase(ctx context.Context, d DoctorDatabase, opts DoctorOptions) ([]Finding, error) {
	opts = opts.withDefaults()
	table := d.Table
	if table == "" {
		table = "django_session"
	}
	loc := d.Location
	if loc == nil {
		loc = time.UTC
	}
	var q querier
	var exists, indexed bool
	var createIndex []string
	var err error
	var now any
	switch d.Dialect {
	case "postgres":
		if d.Postgres == nil {
			return nil, fmt.Errorf("%w: doctor: no PostgreSQL connection", djangosess.ErrConfig)
		}
		q = pgQuerier{d.Postgres}
		createIndex, err = postgres.MigrateSQL(d.Schema, table)
		now = opts.Now().Truncate(time.Microsecond)
	case "sqlite", "mysql":
		if d.SQL == nil {
			return nil, fmt.Errorf("%w: doctor: no %s connection", djangosess.ErrConfig, d.Dialect)
		}
		if d.Schema != "" {
			return nil, fmt.Errorf("%w: doctor: Schema is for PostgreSQL only", djangosess.ErrConfig)
		}
		q = sqlQuerier{d.SQL}
		if d.Dialect == "sqlite" {
			createIndex, err = sqlite.MigrateSQL(table)
		} else {
			createIndex, err = mysql.MigrateSQL(table)
		}
		if err == nil {
			now, err = sqlstore.FormatNaive(opts.Now(), loc)
		}
	default:
		return nil, fmt.Errorf("%w: doctor: database dialect %q is not postgres, sqlite or mysql", djangosess.ErrConfig, d.Dialect)
	}
	if err != nil {
		return nil, err
	}
	storeErr := func(err error) ([]Finding, error) {
		if cerr := ctx.Err(); cerr != nil {
			return nil, cerr
		}
		return []Finding{{Check: CheckStore, Severity: SeverityError, Message: "cannot examine the session table: " + errText(err),
			Advice: "Check DATABASE_URL and that the server is up."}}, nil
	}
	var quoted string
	switch d.Dialect {
	case "postgres":
		ident := pgx.Identifier{table}
		if d.Schema != "" {
			ident = pgx.Identifier{d.Schema, table}
		}
		quoted = ident.Sanitize()
		err = q.row(ctx, `SELECT to_regclass($1::text) IS NOT NULL, EXISTS (
  SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
  WHERE i.indrelid = to_regclass($1::text) AND a.attname = 'expire_date' AND i.indisvalid AND i.indpred IS NULL)`,
			[]any{quoted}, &exists, &indexed)
	case "mysql":
		quoted = "`" + strings.ReplaceAll(table, "`", "``") + "`"
		var nt, ni int64
		err = q.row(ctx, `SELECT
  (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?),
  (SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ?
     AND column_name = 'expire_date' AND seq_in_index = 1)`, []any{table, table}, &nt, &ni)
		exists, indexed = nt > 0, ni > 0
	case "sqlite":
		quoted = `"` + strings.ReplaceAll(table, `"`, `""`) + `"`
		var nt, ni int64
		err = q.row(ctx, `SELECT
  (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE),
  (SELECT COUNT(*) FROM pragma_index_list(?) AS l, pragma_index_info(l.name) AS c
     WHERE c.seqno = 0 AND c.name = 'expire_date' COLLATE NOCASE AND l.partial = 0)`, []any{table, table}, &nt, &ni)
		exists, indexed = nt > 0, ni > 0
	}
	if err != nil {
		return storeErr(err)
	}
	if !exists {
		return []Finding{{Check: CheckStore, Severity: SeverityError,
			Message: fmt.Sprintf("the session table %s does not exist", table),
			Advice:  "Run manage.py migrate (or djangosess migrate)."}}, nil
	}
	var out []Finding
	if indexed {
		out = append(out, Finding{Check: CheckExpireDateIndex, Severity: SeverityOK,
			Message: fmt.Sprintf("%s.expire_date is indexed, as Django's migration makes it", table)})
	} else {
		out = append(out, Finding{Check: CheckExpireDateIndex, Severity: SeverityWarning,
			Message: fmt.Sprintf("%s.expire_date has no index: clearsessions (DELETE ... WHERE expire_date < now) reads the whole table, holding locks as it goes", table),
			Advice:  "Create the index Django's migration sessions.0001_initial makes: " + createIndex[len(createIndex)-1] + ";"})
	}
	p := "?"
	if d.Dialect == "postgres" {
		p = "$1"
	}
	var total, expired int64
	var oldest any
	var pgOldest *time.Time
	dest := []any{&total, &expired, &oldest}
	if d.Dialect == "postgres" {
		dest[2] = &pgOldest
	}
	err = q.row(ctx, "SELECT COUNT(*), COUNT(CASE WHEN expire_date < "+p+" THEN 1 END), MIN(expire_date) FROM "+quoted, []any{now}, dest...)
	if err != nil {
		return storeErr(err)
	}
	var oldestAt time.Time
	switch {
	case pgOldest != nil:
		oldestAt = *pgOldest
	case oldest != nil:
		if oldestAt, err = sqlstore.NaiveValue(oldest, loc); err != nil {
			return storeErr(err)
		}
	}
	return append(out, expiredFinding(total, expired, oldestAt, opts)), nil
}

// expiredFinding grades expired rows: a warning when more than
// ExpiredLimit, more than half of them, or one older than ExpiredAge
// (clearsessions is not running on a schedule).
func expiredFinding(total, expired int64, oldest time.Time, opts DoctorOptions) Finding {
	f := Finding{Check: CheckExpiredSessions, Severity: SeverityOK}
	switch {
	case total == 0:
		f.Message = "the session table is empty"
		return f
	case expired == 0:
		f.Message = fmt.Sprintf("none of the %d sessions has expired", total)
		return f
	}
	age := opts.Now().Sub(oldest)
	f.Message = fmt.Sprintf("%d of %d sessions have expired, the oldest %s ago (%s)", expired, total, roundAge(age), oldest.UTC().Format("2006-01-02 15:04 MST"))
	f.Advice = clearAdvice
	switch {
	case expired > opts.ExpiredLimit:
		f.Severity = SeverityWarning
		f.Message += fmt.Sprintf(": over %d are piling up", opts.ExpiredLimit)
	case 2*expired > total:
		f.Severity = SeverityWarning
		f.Message += ": most of the table is dead rows"
	case age > opts.ExpiredAge:
		f.Severity = SeverityWarning
		f.Message += fmt.Sprintf(": nothing has cleared them for more than %s", roundAge(opts.ExpiredAge))
	default:
		f.Advice = ""
	}
	return f
}

// roundAge writes a duration in days, hours or minutes.
func roundAge(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + " days"
	case d >= 2*time.Hour:
		return strconv.FormatInt(int64(d/time.Hour), 10) + " hours"
	case d >= time.Minute:
		return strconv.FormatInt(int64(d/time.Minute), 10) + " minutes"
	}
	return "under a minute"
}

// querier runs a one-row query on either driver.
type querier interface {
	row(ctx context.Context, query string, args []any, dest ...any) error
}

type pgQuerier struct{ db postgres.DB }

func (p pgQuerier) row(ctx context.Context, query string, args []any, dest ...any) error {
	// The simple protocol: no prepared statement, so PgBouncer in
	// transaction mode is fine.
	return p.db.QueryRow(ctx, query, append([]any{pgx.QueryExecModeSimpleProtocol}, args...)...).Scan(dest...)
}

type sqlQuerier struct{ db *sql.DB }

func (s sqlQuerier) row(ctx context.Context, query string, args []any, dest ...any) error {
	return s.db.QueryRowContext(ctx, query, args...).Scan(dest...)
}
