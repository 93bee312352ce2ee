package redis

import (
	"time"

	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// Config describes the Django cache the sessions live in: the CACHES entry
// (client, serializer, compressor, KEY_PREFIX, VERSION, KEY_FUNCTION) and
// the session settings. The zero Config is Django's default session cache
// on django-redis: SESSION_ENGINE "django.contrib.sessions.backends.cache",
// django-redis with its PickleSerializer and no compressor, no KEY_PREFIX,
// VERSION 1, SESSION_COOKIE_AGE two weeks.
type Config struct {
	// Value is how the cache backend encodes the session dict: the
	// client (cachevalue.DjangoRedis, the default, or cachevalue.Django
	// for django.core.cache.backends.redis.RedisCache), django-redis's
	// SERIALIZER and COMPRESSOR, and the pickle protocol (by default 4,
	// as django-redis 5.1+ writes, or 5 for Django's RedisCache). The
	// client also sets the expiry command: django-redis sends
	// SET … PX <milliseconds>, Django's RedisCache SET … EX <seconds>.
	// Compressor "auto" is refused: the store writes too.
	Value cachevalue.Codec
	// KeyPrefix is the cache's KEY_PREFIX (default "").
	KeyPrefix string
	// Version is the cache's VERSION; 0 means Django's default, 1.
	Version int
	// KeyFunc is the cache's KEY_FUNCTION, called as Django calls it but
	// with the arguments in this order: (KEY_PREFIX, VERSION, key). Nil
	// means Django's default, keys.CacheKey: "prefix:version:key".
	// Keys reverses it by locating the key in its output, so a function
	// that does not embed the key verbatim (a hash, say) cannot be
	// listed; every other method works with any function.
	KeyFunc func(prefix string, version int, key string) string
	// CachedDB selects the cache copy of the cached_db engine
	// (logical key "django.contrib.sessions.cached_db"+key) instead of
	// the cache engine's "django.contrib.sessions.cache"+key.
	CachedDB bool
	// CookieAge is SESSION_COOKIE_AGE, the timeout of a session without
	// _session_expiry (default djangosess.DefaultCookieAge).
	CookieAge time.Duration
	// Location is TIME_ZONE for naive datetimes in _session_expiry
	// (USE_TZ=False); nil means UTC.
	Location *time.Location
	// Now is the clock (default time.Now). Redis keeps its own clock for
	// TTLs; Now turns a datetime expiry into a timeout and a TTL back into
	// an expiry.
	Now func() time.Time
}
