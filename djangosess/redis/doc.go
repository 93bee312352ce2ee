// Package redis is Django's cache session engine
// (SESSION_ENGINE = "django.contrib.sessions.backends.cache") on Redis, and
// the cache half of cached_db, through go-redis v9: one node, Sentinel
// (failover clients), Redis Cluster and Ring all work, since the store
// asks only for the commands of Client, each naming a single key.
//
// # What is stored
//
// A session lives at KEY_FUNCTION(KEY_PREFIX, VERSION,
// "django.contrib.sessions.cache"+key), by default
// ":1:django.contrib.sessions.cache<key>" (".cached_db" for cached_db).
// The value is the session dict itself, never signed and never put
// through SESSION_SERIALIZER, encoded by the cache backend (see
// serializer/cachevalue): django-redis's serializer (pickle protocol 4 by
// default, JSON, msgpack) and compressor, or Django 4.0+'s own RedisCache
// (pickle protocol 5). Config.Value picks the backend; a store and Django
// pointed at the same Redis with the same CACHES entry read and write each
// other's sessions.
//
// # Expiry
//
// The expiry is the key's TTL, which Django sets to get_expiry_age() on
// every save: SESSION_COOKIE_AGE, or _session_expiry (a number of seconds
// as is; a datetime or ISO string as the whole seconds until it). The
// command is the backend's: django-redis sends SET … PX int(age*1000),
// Django's RedisCache SET … EX int(age). A Record with Expiry set is
// stored with the whole seconds until Expiry, rounded down. An age that is
// not positive stores nothing (Create) or deletes the key (Save, Set), as
// both backends do. Load gives now plus the remaining PTTL, so within a
// second of what Django computed for the whole-second timeouts.
//
// # Operations
//
//   - Load: GET and PTTL in one round trip (a pipeline on one key). A
//     missing key, or a stored None, is djangosess.ErrNotFound.
//   - Create: SET … NX (Django's cache.add); a taken key is
//     djangosess.ErrExists.
//   - Save: SET … XX. Django does a GET and then a SET; one command with
//     XX gives the same result without the race in which a session
//     deleted between the two comes back. A missing key is
//     djangosess.ErrVanished (Django's UpdateError).
//   - Set: an unconditional SET (Django's cache.set), for cached_db.
//   - Delete: DEL. Exists: EXISTS. ClearExpired: nothing (the TTLs).
//   - Keys: SCAN MATCH on every master of a cluster.
//
// Failures of Redis or of the connection match djangosess.ErrUnavailable
// (with the go-redis error wrapped beside it); a canceled or expired
// context gives the context's error. Errors never contain session keys.
package redis
