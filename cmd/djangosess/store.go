package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/signing"
)

const storeDoc = `
The store is configured as Django's settings configure it, by flag or by
environment variable (flags win): SESSION_ENGINE (--engine: db, file,
cache, cached_db, signed_cookies, or Django's dotted names), DATABASE_URL
(--database-url: postgres://, sqlite:///path, mysql://), CACHE_URL
(--cache-url: redis://, rediss://, unix://, redis+cluster://,
redis+sentinel://), SESSION_FILE_PATH, SESSION_COOKIE_NAME,
SESSION_SERIALIZER, SESSION_COOKIE_AGE, TIME_ZONE (for USE_TZ = False),
CACHE_KEY_PREFIX, CACHE_VERSION. With nothing set, the engine is db on
sqlite:///db.sqlite3 in the current directory, Django's own default.`

// storeFlags are the flags of every store command.
type storeFlags struct {
	secrets   secretSource
	django    string
	algorithm string
	s         engine.Settings
	age       int64
	timeout   time.Duration
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.secrets.keyFile, "secret-key-file", "", "read SECRET_KEY from `PATH` (default: $DJANGO_SECRET_KEY)")
	fs.StringVar(&f.secrets.fallbackFile, "fallback-keys-file", "", "read SECRET_KEY_FALLBACKS from `PATH`, one per line (default: $DJANGO_SECRET_KEY_FALLBACKS)")
	fs.StringVar(&f.django, "django", "", "behave as Django `VERSION` (accept what it reads, write what it writes); default: accept 1.11–6.0, write the newest")
	fs.StringVar(&f.algorithm, "algorithm", "", "DEFAULT_HASHING_ALGORITHM `NAME` of Django 3.1/3.2 (sha1 or sha256)")
	fs.StringVar(&f.s.Engine, "engine", "", "SESSION_ENGINE `NAME` (default $SESSION_ENGINE, else db)")
	fs.StringVar(&f.s.DatabaseURL, "database-url", "", "database `URL` (default $DATABASE_URL, else sqlite:///db.sqlite3)")
	fs.StringVar(&f.s.Table, "table", "", "session `TABLE` (default django_session)")
	fs.StringVar(&f.s.CacheURL, "cache-url", "", "Redis `URL` (default $CACHE_URL, else redis://127.0.0.1:6379/0)")
	fs.StringVar(&f.s.CacheKeyPrefix, "cache-key-prefix", "", "the cache's KEY_PREFIX `P` (default $CACHE_KEY_PREFIX)")
	fs.IntVar(&f.s.CacheVersion, "cache-version", 0, "the cache's VERSION `N` (default $CACHE_VERSION, else 1)")
	fs.StringVar(&f.s.CacheClient, "cache-client", "", "`CLIENT` of the cache: django-redis (default) or django (RedisCache, 4.0+)")
	fs.StringVar(&f.s.CacheSerializer, "cache-serializer", "", "django-redis SERIALIZER: `pickle` (default), json or msgpack")
	fs.StringVar(&f.s.Compressor, "compressor", "", "django-redis COMPRESSOR: `none` (default), zlib, gzip, lzma, lz4, zstd")
	fs.IntVar(&f.s.PickleProtocol, "pickle-protocol", 0, "pickle protocol `N` for cache values (default: the client's)")
	fs.StringVar(&f.s.FilePath, "file-path", "", "SESSION_FILE_PATH `DIR` (default $SESSION_FILE_PATH, else the temp dir)")
	fs.StringVar(&f.s.CookieName, "cookie-name", "", "SESSION_COOKIE_NAME `NAME` (default $SESSION_COOKIE_NAME, else sessionid)")
	fs.StringVar(&f.s.Serializer, "session-serializer", "", "SESSION_SERIALIZER: `json` (default) or pickle")
	fs.Int64Var(&f.age, "cookie-age", 0, "SESSION_COOKIE_AGE in `SECONDS` (default $SESSION_COOKIE_AGE, else 1209600)")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "give up on the store after `DURATION`: the operation of get, set, new or delete, the whole of doctor; list, stats and the like run until done (0: never)")
	fs.StringVar(&f.s.TimeZone, "time-zone", "", "TIME_ZONE `ZONE` of naive datetimes when USE_TZ = False (default $TIME_ZONE; empty: USE_TZ = True)")
}

// open builds the store the flags and environment describe.
func (f *storeFlags) open(ctx context.Context, e *env, needKey bool) (*engine.Opened, error) {
	s, err := engine.FromEnv(f.s, e.getenv)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	if f.age < 0 {
		return nil, usageErrorf("--cookie-age must be positive")
	}
	if f.age > 0 {
		s.CookieAge = time.Duration(f.age) * time.Second
	}
	if f.django != "" {
		if s.Django, err = djangosess.ParseVersion(f.django); err != nil {
			return nil, usageErrorf("--django: %v", err)
		}
	}
	s.HashingAlgorithm = f.algorithm
	name, err := engine.EngineName(s.Engine)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	if name != engine.Cache || needKey {
		if s.SecretKey, s.FallbackKeys, err = f.secrets.load(e.getenv); err != nil {
			return nil, err
		}
	}
	o, err := engine.Open(ctx, s)
	if err != nil {
		if errors.Is(err, djangosess.ErrConfig) {
			return nil, usageErrorf("%v", err)
		}
		return nil, err
	}
	return o, nil
}

// storeCommand parses a store command's flags and opens the store.
func storeCommand(ctx context.Context, name, argsUsage, doc string, args []string, e *env, extra func(*flag.FlagSet)) (*engine.Opened, []string, error) {
	fs := newFlagSet(name, argsUsage, doc+"\n"+storeDoc, e)
	var f storeFlags
	f.register(fs)
	if extra != nil {
		extra(fs)
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, nil, err
	}
	e.timeout = f.timeout
	o, err := f.open(ctx, e, false)
	if err != nil {
		return nil, nil, err
	}
	return o, pos, nil
}

func oneKey(pos []string, what string) (string, error) {
	if len(pos) != 1 {
		return "", usageErrorf("want exactly one argument, the %s", what)
	}
	return pos[0], nil
}

func runGet(ctx context.Context, args []string, e *env) error {
	var meta bool
	o, pos, err := storeCommand(ctx, "get", "KEY", `
Prints the session stored under KEY (for signed_cookies, the cookie value)
as tagged JSON. Exit status 1 when it is missing or expired.`, args, e, func(fs *flag.FlagSet) {
		fs.BoolVar(&meta, "meta", false, "print {\"key\", \"expiry\", \"size\", \"data\"} instead of the data alone")
	})
	if err != nil {
		return err
	}
	defer o.Close()
	ctx, cancel := e.opContext(ctx)
	defer cancel()
	key, err := oneKey(pos, "session key")
	if err != nil {
		return err
	}
	r, err := o.Load(ctx, key)
	if err != nil {
		return err
	}
	out, err := serializer.AppendTagged(nil, r.Data)
	if err != nil {
		return err
	}
	if meta {
		out, err = json.Marshal(listItem{Key: key, Expiry: r.Expiry.UTC().Format(time.RFC3339Nano), Size: r.Size, Data: out})
		if err != nil {
			return err
		}
	}
	_, err = e.stdout.Write(append(out, '\n'))
	return err
}

// expiryFlags are --expire-in and --expire-at: Django's set_expiry(n)
// and set_expiry(datetime).
type expiryFlags struct {
	in, at string
}

func (x *expiryFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&x.in, "expire-in", "", "set_expiry(`SECONDS`): expire after that many seconds of inactivity (0: at browser close)")
	fs.StringVar(&x.at, "expire-at", "", "set_expiry(datetime): expire at `TIME` (RFC 3339, or Unix seconds)")
}

// apply writes _session_expiry into d as Django's set_expiry does for
// the target version; without either flag d keeps what it holds.
func (x *expiryFlags) apply(d *serializer.Dict, o *engine.Opened) error {
	switch {
	case x.in != "" && x.at != "":
		return usageErrorf("--expire-in and --expire-at exclude each other")
	case x.in != "":
		n, err := strconv.ParseInt(x.in, 10, 64)
		if err != nil {
			return usageErrorf("--expire-in: want whole seconds, got %q", x.in)
		}
		d.SetStr(djangosess.ExpiryKey, serializer.Int(n))
	case x.at != "":
		var t time.Time
		if n, err := strconv.ParseInt(x.at, 10, 64); err == nil {
			t = time.Unix(n, 0)
		} else if t, err = time.Parse(time.RFC3339Nano, x.at); err != nil {
			return usageErrorf("--expire-at: want RFC 3339 or Unix seconds, got %q", x.at)
		}
		d.SetStr(djangosess.ExpiryKey, djangosess.ExpiryValue(t, o.Django, o.Location))
	}
	return nil
}

// readDict reads a tagged JSON dict from stdin; empty input is {} when
// allowEmpty.
func readDict(e *env, allowEmpty bool) (*serializer.Dict, error) {
	b, err := io.ReadAll(io.LimitReader(e.stdin, maxStdin+1))
	if err != nil {
		return nil, fmt.Errorf("reading stdin: %w", err)
	}
	if len(b) > maxStdin {
		return nil, fmt.Errorf("%w: stdin over %d bytes", signing.ErrTooLarge, maxStdin)
	}
	b = trimEOL(b)
	if len(b) == 0 && allowEmpty {
		return serializer.NewDict(0), nil
	}
	v, err := serializer.UnmarshalTagged(b)
	if err != nil {
		return nil, err
	}
	d, ok := v.(*serializer.Dict)
	if !ok {
		return nil, usageErrorf("stdin must be a tagged JSON dict (a session), not a %s", v.Kind())
	}
	return d, nil
}

func runSet(ctx context.Context, args []string, e *env) error {
	var x expiryFlags
	o, pos, err := storeCommand(ctx, "set", "KEY < DATA.json", `
Stores the session read from stdin (tagged JSON, a dict) under KEY,
replacing what is there or creating it.`, args, e, x.register)
	if err != nil {
		return err
	}
	defer o.Close()
	ctx, cancel := e.opContext(ctx)
	defer cancel()
	key, err := oneKey(pos, "session key")
	if err != nil {
		return err
	}
	if o.Store == nil {
		return usageErrorf("the %s engine has no keys: use \"djangosess new\" to make a cookie", o.Engine)
	}
	d, err := readDict(e, false)
	if err != nil {
		return err
	}
	if err := x.apply(d, o); err != nil {
		return err
	}
	return djangosess.Put(ctx, o.Store, key, djangosess.Record{Data: d})
}

func runNew(ctx context.Context, args []string, e *env) error {
	var x expiryFlags
	o, pos, err := storeCommand(ctx, "new", "[< DATA.json]", `
Creates a session holding the tagged JSON dict on stdin (empty input: an
empty session) under a new key, and prints the key (for signed_cookies,
the cookie value).`, args, e, x.register)
	if err != nil {
		return err
	}
	defer o.Close()
	ctx, cancel := e.opContext(ctx)
	defer cancel()
	if len(pos) != 0 {
		return usageErrorf("new takes no arguments")
	}
	d, err := readDict(e, true)
	if err != nil {
		return err
	}
	if err := x.apply(d, o); err != nil {
		return err
	}
	key, err := o.New(ctx, djangosess.Record{Data: d})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, key)
	return err
}

func runDelete(ctx context.Context, args []string, e *env) error {
	o, pos, err := storeCommand(ctx, "delete", "KEY", `
Deletes the session stored under KEY (a missing one is not an error).`, args, e, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	ctx, cancel := e.opContext(ctx)
	defer cancel()
	key, err := oneKey(pos, "session key")
	if err != nil {
		return err
	}
	if o.Store == nil {
		return usageErrorf("the %s engine keeps nothing to delete: the cookie is the session", o.Engine)
	}
	return o.Store.Delete(ctx, key)
}

func runClearExpired(ctx context.Context, args []string, e *env) error {
	o, pos, err := storeCommand(ctx, "clear-expired", "", `
Deletes expired sessions, as Django's clearsessions command does, and
prints how many.`, args, e, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	if len(pos) != 0 {
		return usageErrorf("clear-expired takes no arguments")
	}
	if o.Store == nil {
		_, err = fmt.Fprintln(e.stdout, 0)
		return err
	}
	n, err := o.Store.ClearExpired(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.stdout, n)
	return err
}

func runMigrate(ctx context.Context, args []string, e *env) error {
	o, pos, err := storeCommand(ctx, "migrate", "", `
Creates the session table and its indexes exactly as Django's
sessions/0001_initial migration does, unless they exist (db and cached_db
engines).`, args, e, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	if len(pos) != 0 {
		return usageErrorf("migrate takes no arguments")
	}
	if o.Migrate == nil {
		return usageErrorf("the %s engine has no table to create", o.Engine)
	}
	return o.Migrate(ctx)
}
