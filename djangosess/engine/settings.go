package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// Settings are the Django settings that pick and configure a session
// store, by their Django names. The zero value is Django's defaults:
// the db engine on sqlite:///db.sqlite3 (in the current directory), the
// JSON serializer, cookie name "sessionid", two weeks' cookie age. Only
// SecretKey is required (except for the cache engine, which signs
// nothing).
type Settings struct {
	// Engine is SESSION_ENGINE: "db", "file", "cache", "cached_db",
	// "signed_cookies", or Django's dotted names for them
	// ("django.contrib.sessions.backends.db", ...). Empty: "db".
	Engine string
	// DatabaseURL is DATABASES["default"] as a dj-database-url URL (see
	// ParseDatabaseURL). Empty: sqlite:///db.sqlite3.
	DatabaseURL string
	// Table is the session model's table (custom AbstractBaseSession
	// models). Empty: django_session.
	Table string
	// CacheURL is the Redis LOCATION of SESSION_CACHE_ALIAS (see
	// ParseCacheURL). Empty: redis://127.0.0.1:6379/0.
	CacheURL string
	// CacheKeyPrefix and CacheVersion are the cache's KEY_PREFIX and
	// VERSION (empty and 1 by default).
	CacheKeyPrefix string
	CacheVersion   int
	// CacheClient is "django-redis" (django_redis.cache.RedisCache, the
	// default) or "django" (Django 4.0+'s own RedisCache).
	CacheClient string
	// CacheSerializer ("pickle", "json", "msgpack"), Compressor ("none",
	// "zlib", "gzip", "lzma", "lz4", "zstd") and PickleProtocol are
	// django-redis's OPTIONS; see cachevalue.Codec.
	CacheSerializer string
	Compressor      string
	PickleProtocol  int
	// FilePath is SESSION_FILE_PATH. Empty: the temporary directory, as
	// Django's tempfile.gettempdir().
	FilePath string
	// CookieName is SESSION_COOKIE_NAME ("sessionid"); the file engine
	// names its files after it.
	CookieName string
	// Serializer is SESSION_SERIALIZER: "json" (default) or "pickle", or
	// the dotted names of Django's classes.
	Serializer string
	// SecretKey and FallbackKeys are SECRET_KEY and SECRET_KEY_FALLBACKS.
	SecretKey    []byte
	FallbackKeys [][]byte
	// CookieAge is SESSION_COOKIE_AGE (djangosess.DefaultCookieAge).
	CookieAge time.Duration
	// Django is the Django version to behave as: what to accept when
	// reading (that version only) and what to write. Zero: accept every
	// version 1.11–6.0, write for the newest.
	Django djangosess.Version
	// HashingAlgorithm is DEFAULT_HASHING_ALGORITHM (Django 3.1/3.2).
	HashingAlgorithm string
	// TimeZone is TIME_ZONE when USE_TZ is False: the zone of naive
	// datetimes in the database and in _session_expiry. Empty means
	// USE_TZ = True (naive values are UTC).
	TimeZone string
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// OnCacheError receives cached_db's cache failures (see cacheddb).
	OnCacheError func(ctx context.Context, op, key string, err error)
}

// Names of the engines, as Django's SESSION_ENGINE module basenames.
const (
	DB            = "db"
	File          = "file"
	Cache         = "cache"
	CachedDB      = "cached_db"
	SignedCookies = "signed_cookies"
)

// EngineName returns the short name of a SESSION_ENGINE value.
func EngineName(engine string) (string, error) {
	name := strings.TrimPrefix(engine, "django.contrib.sessions.backends.")
	switch name {
	case "":
		return DB, nil
	case DB, File, Cache, CachedDB, SignedCookies:
		return name, nil
	}
	return "", fmt.Errorf("%w: SESSION_ENGINE %q is not db, file, cache, cached_db or signed_cookies", djangosess.ErrConfig, engine)
}

// Environment variable names FromEnv reads, as Django projects commonly
// name them (the secret keys are read by the caller, which must keep them
// out of argv).
var EnvNames = []string{
	"SESSION_ENGINE", "DATABASE_URL", "CACHE_URL", "CACHE_KEY_PREFIX", "CACHE_VERSION", "CACHE_CLIENT",
	"SESSION_FILE_PATH", "SESSION_COOKIE_NAME", "SESSION_SERIALIZER", "SESSION_COOKIE_AGE", "TIME_ZONE",
}

// FromEnv fills the settings that are empty in s from the environment.
func FromEnv(s Settings, getenv func(string) string) (Settings, error) {
	set := func(dst *string, name string) {
		if *dst == "" {
			*dst = getenv(name)
		}
	}
	set(&s.Engine, "SESSION_ENGINE")
	set(&s.DatabaseURL, "DATABASE_URL")
	set(&s.CacheURL, "CACHE_URL")
	set(&s.CacheKeyPrefix, "CACHE_KEY_PREFIX")
	set(&s.CacheClient, "CACHE_CLIENT")
	set(&s.FilePath, "SESSION_FILE_PATH")
	set(&s.CookieName, "SESSION_COOKIE_NAME")
	set(&s.Serializer, "SESSION_SERIALIZER")
	set(&s.TimeZone, "TIME_ZONE")
	if v := getenv("CACHE_VERSION"); s.CacheVersion == 0 && v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return s, fmt.Errorf("%w: CACHE_VERSION must be an integer", djangosess.ErrConfig)
		}
		s.CacheVersion = n
	}
	if v := getenv("SESSION_COOKIE_AGE"); s.CookieAge == 0 && v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return s, fmt.Errorf("%w: SESSION_COOKIE_AGE must be a positive number of seconds", djangosess.ErrConfig)
		}
		s.CookieAge = time.Duration(n) * time.Second
	}
	return s, nil
}

// SerializerCodec returns the codec SESSION_SERIALIZER names.
func SerializerCodec(name string) (serializer.Codec, error) {
	switch name {
	case "", "json", "django.contrib.sessions.serializers.JSONSerializer", "django.core.signing.JSONSerializer":
		return serializer.JSON{}, nil
	case "pickle", "django.contrib.sessions.serializers.PickleSerializer":
		return serializer.Pickle{}, nil
	}
	return nil, fmt.Errorf("%w: SESSION_SERIALIZER %q is not json or pickle", djangosess.ErrConfig, name)
}

// CacheValueCodec returns the cache value format the settings describe.
func (s Settings) CacheValueCodec() (cachevalue.Codec, error) {
	c := cachevalue.Codec{Serializer: s.CacheSerializer, Compressor: s.Compressor, PickleProtocol: s.PickleProtocol}
	switch s.CacheClient {
	case "", "django-redis", "django_redis", "django_redis.cache.RedisCache":
		c.Client = cachevalue.DjangoRedis
	case "django", "django.core.cache.backends.redis.RedisCache":
		c.Client = cachevalue.Django
		if (s.CacheSerializer != "" && s.CacheSerializer != "pickle") || (s.Compressor != "" && s.Compressor != "none") {
			return c, fmt.Errorf("%w: Django's RedisCache only pickles, uncompressed", djangosess.ErrConfig)
		}
	default:
		return c, fmt.Errorf("%w: cache client %q is not django-redis or django", djangosess.ErrConfig, s.CacheClient)
	}
	if _, err := c.Encode(serializer.Int(0)); err != nil {
		return c, fmt.Errorf("%w: %v", djangosess.ErrConfig, err)
	}
	return c, nil
}

// location is the zone of naive datetimes.
func (s Settings) location() (*time.Location, error) {
	if s.TimeZone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("%w: TIME_ZONE %q: %v", djangosess.ErrConfig, s.TimeZone, err)
	}
	return loc, nil
}

// codec builds the session_data codec.
func (s Settings) codec() (*djangosess.Codec, error) {
	ser, err := SerializerCodec(s.Serializer)
	if err != nil {
		return nil, err
	}
	var accept djangosess.Compat
	if !s.Django.IsZero() {
		accept = djangosess.Strict(s.Django)
	}
	return djangosess.NewCodec(djangosess.CodecConfig{
		SecretKey: s.SecretKey, FallbackKeys: s.FallbackKeys, Serializer: ser,
		Accept: accept, Target: s.Django, HashingAlgorithm: s.HashingAlgorithm, Now: s.Now,
	})
}
