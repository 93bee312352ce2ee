// Package engine opens the session store a Django settings module
// describes — SESSION_ENGINE, DATABASES (as a DATABASE_URL), CACHES (as a
// CACHE_URL), SESSION_FILE_PATH, SESSION_COOKIE_NAME, SESSION_SERIALIZER,
// SECRET_KEY — with Django's defaults for everything left out: with
// nothing set it is the db engine on sqlite:///db.sqlite3, Django's own
// default. The djangosess command is built on it.
package engine
