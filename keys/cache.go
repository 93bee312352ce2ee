package keys

import "strconv"

// The logical cache-key prefixes of Django's session backends; the session
// key follows with no separator.
const (
	CachePrefix         = "django.contrib.sessions.cache"
	CachedDBCachePrefix = "django.contrib.sessions.cached_db"
)

// CacheKey is Django's default KEY_FUNCTION: "KEY_PREFIX:VERSION:key".
// Django's defaults are an empty prefix and version 1.
func CacheKey(prefix string, version int, key string) string {
	return prefix + ":" + strconv.Itoa(version) + ":" + key
}

// SessionCacheKey is the full cache key of a session of the cache backend,
// e.g. ":1:django.contrib.sessions.cache<key>".
func SessionCacheKey(prefix string, version int, sessionKey string) string {
	return CacheKey(prefix, version, CachePrefix+sessionKey)
}

// CachedDBCacheKey is the full cache key of the cache copy of a cached_db
// session, e.g. ":1:django.contrib.sessions.cached_db<key>".
func CachedDBCacheKey(prefix string, version int, sessionKey string) string {
	return CacheKey(prefix, version, CachedDBCachePrefix+sessionKey)
}
