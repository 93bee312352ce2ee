// Package cookies is Django's signed_cookies session backend
// (django.contrib.sessions.backends.signed_cookies): the cookie value is the
// whole session, signing.dumps(session, compress=True,
// salt="django.contrib.sessions.backends.signed_cookies"), verified with a
// max age of SESSION_COOKIE_AGE.
//
// There is no server-side record, so the backend has no keys to create,
// look up or delete: Store implements djangosess.CookieStore rather than
// djangosess.Store. As in Django, a per-session set_expiry is not honoured
// on the server (Django ticket #19201): only the signature's age counts.
package cookies
