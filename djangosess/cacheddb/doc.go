// Package cacheddb is Django's cached_db session backend
// (django.contrib.sessions.backends.cached_db): the database is
// authoritative and a cache holds a copy of each session dict under
// "django.contrib.sessions.cached_db"+key, written through on every save
// and dropped on every delete in Django's order, so that Django never
// serves a stale copy after a Go write.
//
// As in Django 5.1+, a failing cache does not fail the request: reads fall
// back to the database and writes still go to it. The failure is reported
// to Config.OnCacheError (by default logged with log/slog), never
// swallowed.
package cacheddb
