package csrf

import (
	"errors"
	"net/http"
	"time"

	"github.com/djangosess/djangosess/djangosess"
)

// SessionWriter is what Token needs of a session under UseSessions.
// *djangosess.Session satisfies it.
type SessionWriter interface {
	SessionReader
	SetGo(key string, v any) error
}

// Middleware returns net/http middleware that checks every request as
// CsrfViewMiddleware does before the view runs: an unsafe request that
// fails Check goes to cfg.Reject (default: 403 with Django's reason) and
// never reaches next. Under UseSessions the session comes from
// cfg.Session (default: djangosess.FromContext, so install
// djangosess.Middleware outside this one).
func (c *Checker) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.cfg.Exempt != nil && c.cfg.Exempt(r) {
			next.ServeHTTP(w, r)
			return
		}
		var s SessionReader
		if c.cfg.UseSessions {
			s = c.session(r)
		}
		if err := c.Check(r, s); err != nil {
			c.reject(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Middleware is New(cfg) and Checker.Middleware, for a configuration
// known to be valid; an invalid one is returned as the error.
func Middleware(cfg Config) (func(http.Handler) http.Handler, error) {
	c, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return c.Middleware, nil
}

func (c *Checker) session(r *http.Request) SessionReader {
	if c.cfg.Session != nil {
		return c.cfg.Session(r)
	}
	if s, ok := djangosess.FromContext(r.Context()); ok && s != nil {
		return s
	}
	return nil
}

func (c *Checker) reject(w http.ResponseWriter, r *http.Request, err error) {
	if c.cfg.Reject != nil {
		c.cfg.Reject(w, r, err)
		return
	}
	var re *RejectError
	if errors.As(err, &re) {
		http.Error(w, "Forbidden (CSRF verification failed: "+re.Reason+")", http.StatusForbidden)
		return
	}
	http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
}

// Token is Django's get_token for a Go page that renders a form posting
// to Django (or to Go): it returns a new masked token for the request's
// secret, creating the secret if there is none or it is malformed, and
// stores it as the target Django would, so that the next request carries
// it: in the cookie (re-set on every call, renewing its age, with Vary:
// Cookie), or in the session under UseSessions (session may be nil
// otherwise). Django 4.1 and later store the bare 32-character secret
// (masked under CookieMasked); earlier versions a masked token, which is
// kept as it is when already valid.
func (c *Checker) Token(w http.ResponseWriter, r *http.Request, session SessionWriter) (string, error) {
	return c.token(w, r, session, false)
}

// Rotate is Django's rotate_token, which django.contrib.auth's login()
// calls so that a token seen before the login is useless after it: a new
// secret replaces the request's, stored where Token stores it (the cookie
// or, under UseSessions, the session), and a masked token for it is
// returned for the page. Call it after auth's Login, before the response
// header is written.
func (c *Checker) Rotate(w http.ResponseWriter, r *http.Request, session SessionWriter) (string, error) {
	return c.token(w, r, session, true)
}

func (c *Checker) token(w http.ResponseWriter, r *http.Request, session SessionWriter, rotate bool) (string, error) {
	if c.cfg.UseSessions && session == nil {
		return "", ErrNoSession
	}
	var stored string
	switch {
	case rotate:
	case c.cfg.UseSessions:
		stored, _ = session.String(SessionKey)
	default:
		stored, _ = cookie(r, c.cfg.CookieName)
	}
	var sec string
	switch {
	case len(stored) == TokenLength && validChars(stored):
		sec = unmask(stored)
	case len(stored) == SecretLength && validChars(stored):
		sec = stored
	default:
		sec = NewSecret()
	}
	keep := stored
	masked := c.target.Less(v4_1) || c.cfg.CookieMasked
	switch {
	case masked && len(stored) == TokenLength && validChars(stored):
		// Django before 4.1 keeps a valid masked cookie as it is.
	case masked:
		keep = maskWith(sec, randomString(SecretLength))
	default:
		keep = sec
	}
	if c.cfg.UseSessions {
		if cur, _ := session.String(SessionKey); cur != keep {
			if err := session.SetGo(SessionKey, keep); err != nil {
				return "", err
			}
		}
	} else {
		ck := &http.Cookie{
			Name: c.cfg.CookieName, Value: keep, Path: c.cfg.CookiePath, Domain: c.cfg.CookieDomain,
			Secure: c.cfg.CookieSecure, HttpOnly: c.cfg.CookieHTTPOnly, SameSite: c.cfg.CookieSameSite,
		}
		if c.cfg.CookieAge > 0 {
			ck.MaxAge = c.cfg.CookieAge
			ck.Expires = c.cfg.Now().Add(time.Duration(c.cfg.CookieAge) * time.Second).UTC()
		}
		http.SetCookie(w, ck)
		addVary(w.Header(), "Cookie")
	}
	return maskWith(sec, randomString(SecretLength)), nil
}

// addVary adds field to the Vary header unless it is there.
func addVary(h http.Header, field string) {
	for _, v := range h.Values("Vary") {
		for _, f := range splitComma(v) {
			if http.CanonicalHeaderKey(f) == field || f == "*" {
				return
			}
		}
	}
	h.Add("Vary", field)
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, trimSpaceASCII(s[start:i]))
			start = i + 1
		}
	}
	return out
}

func trimSpaceASCII(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
