package csrf

import (
	"net/http"
	"strings"
)

// SessionReader is what Check needs of a session under UseSessions: the
// string stored under a key. *djangosess.Session satisfies it.
type SessionReader interface {
	String(key string) (string, bool)
}

// Check decides r as the target Django's CsrfViewMiddleware.process_view
// decides the same request, and returns nil to accept it or a
// *RejectError carrying Django's reason:
//
//   - GET, HEAD, OPTIONS and TRACE are accepted;
//   - from Django 4.0, a request with an Origin header must come from the
//     request's own origin (scheme and allowed host) or a trusted origin
//     ("https://*.example.com" covers the subdomains);
//   - otherwise an HTTPS request's Referer must be https and from the
//     request's host, the cookie domain, or a trusted host;
//   - the secret comes from the cookie (or the session under UseSessions,
//     where session is read; it may be nil otherwise), masked or not;
//   - the token comes from the csrfmiddlewaretoken field of a POSTed form,
//     or else from the header; masked (64 characters) or not (32), it must
//     carry the same secret, compared in constant time.
//
// A POSTed form is parsed into r.PostForm (and r.MultipartForm) on the
// way, as Django parses request.POST.
func (c *Checker) Check(r *http.Request, session SessionReader) error {
	switch strings.ToUpper(r.Method) {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return nil
	}
	if c.cfg.UseSessions && session == nil {
		return ErrNoSession
	}
	if c.legacy() {
		if c.isSecure(r) {
			if err := c.checkReferer(r); err != nil {
				return err
			}
		}
		return c.checkTokenLegacy(r, session)
	}
	if origin, ok := meta(r, "HTTP_ORIGIN"); ok {
		if !c.originVerified(r, origin) {
			return reject(ErrBadOrigin, ReasonBadOrigin, origin)
		}
	} else if c.isSecure(r) {
		if err := c.checkReferer(r); err != nil {
			return err
		}
	}
	return c.checkToken(r, session)
}

// originVerified is CsrfViewMiddleware._origin_verified (4.0+).
func (c *Checker) originVerified(r *http.Request, origin string) bool {
	if host, err := c.host(r); err == nil && origin == c.scheme(r)+"://"+host {
		return true
	}
	if c.exactOrigins[origin] {
		return true
	}
	u, err := urlsplit(origin)
	if err != nil {
		return false
	}
	for _, host := range c.subdomainOrigins[u.scheme] {
		if isSameDomain(u.netloc, host) {
			return true
		}
	}
	return false
}

// checkReferer is the Referer check of HTTPS requests: _check_referer
// (4.0+) or its inline form (≤ 3.2).
func (c *Checker) checkReferer(r *http.Request) error {
	referer, ok := meta(r, "HTTP_REFERER")
	if !ok {
		return reject(ErrNoReferer, ReasonNoReferer)
	}
	u, err := urlsplit(referer)
	if err != nil {
		// Django ≤ 3.2 lets the ValueError through (a 500).
		return reject(ErrMalformedReferer, ReasonMalformedReferer)
	}
	if u.scheme == "" || u.netloc == "" {
		return reject(ErrMalformedReferer, ReasonMalformedReferer)
	}
	if u.scheme != "https" {
		return reject(ErrInsecureReferer, ReasonInsecureReferer)
	}
	bad := reject(ErrBadReferer, ReasonBadReferer, u.geturl(c.target.Less(v5_2)))

	good := c.cfg.CookieDomain
	if c.cfg.UseSessions {
		good = c.cfg.SessionCookieDomain
	}
	if good != "" {
		if p := c.port(r); p != "443" && p != "80" {
			good += ":" + p
		}
	}
	if c.legacy() {
		hosts := append([]string(nil), c.cfg.TrustedOrigins...)
		if good == "" {
			if h, err := c.host(r); err == nil {
				good = h
			}
		}
		if good != "" {
			hosts = append(hosts, good)
		}
		for _, h := range hosts {
			if isSameDomain(u.netloc, h) {
				return nil
			}
		}
		return bad
	}
	for _, h := range c.trustedHosts {
		if isSameDomain(u.netloc, h) {
			return nil
		}
	}
	if good == "" {
		h, err := c.host(r)
		if err != nil {
			return bad
		}
		good = h
	}
	if !isSameDomain(u.netloc, good) {
		return bad
	}
	return nil
}

// secret is the request's CSRF secret: what Django's _get_secret (4.1+),
// or the unmasking in _compare_masked_tokens (before), makes of the
// cookie or session value. ok false means none (REASON_NO_CSRF_COOKIE);
// a non-empty formatReason that the cookie is malformed (4.0+); usable
// false a value that can never match.
type secret struct {
	value        string
	ok, usable   bool
	formatReason string
}

func (c *Checker) secret(r *http.Request, session SessionReader) secret {
	if c.cfg.UseSessions {
		v, ok := session.String(SessionKey)
		if !ok {
			return secret{}
		}
		switch {
		case len(v) == TokenLength && validChars(v):
			return secret{value: unmask(v), ok: true, usable: true}
		case c.target.Less(v4_1):
			// Before 4.1 the session holds a masked token, unmasked
			// without a format check: anything else never matches.
			return secret{ok: true}
		case len(v) == TokenLength:
			return secret{ok: true} // Django raises on unmasking it
		default:
			return secret{value: v, ok: true, usable: true}
		}
	}
	v, ok := cookie(r, c.cfg.CookieName)
	if !ok {
		return secret{}
	}
	if reason := checkFormat(v); reason != "" {
		if c.legacy() {
			return secret{ok: true} // replaced by a new token, which never matches
		}
		return secret{ok: true, formatReason: reason}
	}
	if len(v) == TokenLength {
		v = unmask(v)
	}
	return secret{value: v, ok: true, usable: true}
}

// requestToken is the non-cookie token: the POSTed field, else the
// header. source is "POST" or the header's name; present is false when
// neither is there.
func (c *Checker) requestToken(r *http.Request) (token, source string, present bool) {
	if strings.ToUpper(r.Method) == http.MethodPost {
		token = c.postToken(r)
	}
	if token != "" {
		return token, "POST", true
	}
	token, present = meta(r, c.cfg.HeaderName)
	return token, "the '" + c.header + "' HTTP header", present
}

// matches reports whether a token (checked to be 32 or 64 characters of
// the alphabet) carries the secret: _does_token_match.
func matches(token string, s secret) bool {
	if len(token) == TokenLength {
		token = unmask(token)
	}
	return s.usable && equal(token, s.value)
}

// checkToken is CsrfViewMiddleware._check_token (4.0+).
func (c *Checker) checkToken(r *http.Request, session SessionReader) error {
	s := c.secret(r, session)
	if s.formatReason != "" {
		return reject(ErrBadCookie, "CSRF cookie "+s.formatReason+".")
	}
	if !s.ok {
		return reject(ErrNoCookie, ReasonNoCSRFCookie)
	}
	token, source, present := c.requestToken(r)
	if !present {
		return reject(ErrTokenMissing, ReasonCSRFTokenMissing)
	}
	if reason := checkFormat(token); reason != "" {
		return reject(ErrBadToken, "CSRF token from "+source+" "+reason+".")
	}
	if !matches(token, s) {
		return reject(ErrBadToken, "CSRF token from "+source+" incorrect.")
	}
	return nil
}

// checkTokenLegacy is the token check of Django ≤ 3.2: a missing secret
// is REASON_NO_CSRF_COOKIE, every other failure REASON_BAD_TOKEN.
func (c *Checker) checkTokenLegacy(r *http.Request, session SessionReader) error {
	s := c.secret(r, session)
	if !s.ok {
		return reject(ErrNoCookie, ReasonNoCSRFCookie)
	}
	token, _, _ := c.requestToken(r)
	// _sanitize_token replaces a malformed token with a new one, which
	// never matches.
	if checkFormat(token) != "" || !matches(token, s) {
		return reject(ErrBadToken, ReasonBadToken)
	}
	return nil
}
