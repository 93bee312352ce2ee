// Package csrf is Django's CSRF protection (django/middleware/csrf.py)
// for Go handlers that receive forms posted from Django pages, and for Go
// pages that post to Django.
//
// Checker.Check decides a request as CsrfViewMiddleware.process_view of a
// chosen Django version (Config.Target, 1.11 to 6.0) decides it, and
// rejects with Django's reason text as a typed error (*RejectError, which
// matches ErrRejected and one of ErrBadOrigin, ErrNoReferer,
// ErrMalformedReferer, ErrInsecureReferer, ErrBadReferer, ErrNoCookie,
// ErrBadCookie, ErrTokenMissing, ErrBadToken):
//
//   - GET, HEAD, OPTIONS and TRACE pass;
//   - from Django 4.0, an Origin header must be the request's own origin
//     (scheme and a host ALLOWED_HOSTS allows) or one of
//     CSRF_TRUSTED_ORIGINS, where "https://*.example.com" covers
//     example.com and its subdomains over https;
//   - an HTTPS request without Origin needs an https Referer from the
//     request's host, the CSRF (or, under CSRF_USE_SESSIONS, session)
//     cookie domain with the port, or a trusted host;
//   - the secret comes from the csrftoken cookie (CSRF_COOKIE_NAME) or the
//     session's "_csrftoken" (CSRF_USE_SESSIONS; any session with a
//     String method, such as *djangosess.Session), 32 characters, or 64
//     when masked as Django before 4.1 stored it;
//   - the token comes from the csrfmiddlewaretoken field of a POSTed
//     urlencoded or multipart form (the last one), else from the
//     X-CSRFToken header (CSRF_HEADER_NAME); masked or not, it must carry
//     the same secret (compared in constant time).
//
// Checker.Middleware wraps a handler with the check (403 by default, a
// Reject hook otherwise); Checker.Token is get_token, for Go pages that
// render a form: it returns a masked token and stores the secret in the
// cookie or session as the target version does. MaskToken, UnmaskToken
// and NewSecret are Django's masking helpers.
//
// # Agreement with Django
//
// The tests send a table of about 90 requests (good and bad tokens,
// masked and unmasked, header and field, missing and malformed cookies,
// quoted and repeated cookies, same, evil, trusted and wildcard origins,
// HTTPS referers with cookie domains and ports, sessions, proxy headers)
// to Django 3.2, 4.2 and 5.2's CsrfViewMiddleware through RequestFactory
// and to Check: both accept, or both reject with the same reason text.
// Origins and referers are parsed with a port of CPython 3.11's urlsplit,
// since Django's answers depend on its leniency.
//
// # Differences from Django
//
//   - Where Django raises (a 500) — a Referer that urlsplit refuses under
//     Django ≤ 3.2, a session value that cannot be unmasked — Check
//     rejects.
//   - net/http has no SERVER_PORT; the port for the cookie-domain Referer
//     rule is the Host header's, else 443 or 80 by scheme (what gunicorn
//     sets), or X-Forwarded-Port under UseXForwardedPort.
//   - Header names containing "_" are ignored, as Django's development
//     server and common WSGI servers drop them.
//   - Django decodes header bytes as latin-1; non-ASCII bytes in an Origin
//     or Referer are compared as bytes (the same outcome) but appear in
//     reasons as they came.
//   - Before Django 5.2 (urlparse) a Referer's empty ";" parameter list
//     is dropped from the reason text; from 5.2 (urlsplit, Django pull
//     request 18187, merged after 5.1 branched) it is kept. Django 4.2 and
//     5.2 confirm the two ends; 5.0 and 5.1 are inferred.
package csrf
