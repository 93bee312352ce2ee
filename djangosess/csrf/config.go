package csrf

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/djangosess/djangosess/djangosess"
)

// Config mirrors the Django settings CsrfViewMiddleware reads. The zero
// Config is Django's defaults for djangosess.Newest, with every host
// allowed.
type Config struct {
	// Target is the Django version whose checks and reasons are
	// reproduced (zero: djangosess.Newest): before 4.0 there is no Origin
	// check, CSRF_TRUSTED_ORIGINS are hosts, and every token failure is
	// "CSRF token missing or incorrect."; before 4.1 cookies hold masked
	// tokens, from 4.1 the bare secret.
	Target djangosess.Version

	// CookieName is CSRF_COOKIE_NAME; default "csrftoken".
	CookieName string
	// HeaderName is CSRF_HEADER_NAME, in Django's request.META form;
	// default "HTTP_X_CSRFTOKEN" (the X-CSRFToken header).
	HeaderName string
	// UseSessions is CSRF_USE_SESSIONS: the secret lives in the session
	// under "_csrftoken" instead of a cookie.
	UseSessions bool
	// TrustedOrigins is CSRF_TRUSTED_ORIGINS: from Django 4.0 origins with
	// a scheme ("https://example.com", "https://*.example.com"); before,
	// hosts ("example.com", ".example.com").
	TrustedOrigins []string
	// CookieDomain is CSRF_COOKIE_DOMAIN, and SessionCookieDomain
	// SESSION_COOKIE_DOMAIN (used instead under UseSessions): an HTTPS
	// Referer may come from that domain. Empty means None.
	CookieDomain        string
	SessionCookieDomain string
	// AllowedHosts is ALLOWED_HOSTS, which decides whether the request's
	// own host counts as a good origin or referer; nil allows every
	// well-formed host (["*"]).
	AllowedHosts []string
	// UseXForwardedHost and UseXForwardedPort are USE_X_FORWARDED_HOST and
	// USE_X_FORWARDED_PORT.
	UseXForwardedHost, UseXForwardedPort bool
	// SecureProxySSLHeader is SECURE_PROXY_SSL_HEADER, e.g.
	// {"HTTP_X_FORWARDED_PROTO", "https"}; without it a request is secure
	// when it came over TLS (r.TLS).
	SecureProxySSLHeader [2]string

	// The cookie Token sets: CSRF_COOKIE_AGE (0: 31449600 seconds; < 0: a
	// browser-session cookie), CSRF_COOKIE_PATH (default "/"),
	// CSRF_COOKIE_SECURE, CSRF_COOKIE_HTTPONLY and CSRF_COOKIE_SAMESITE
	// (zero: Lax; http.SameSiteDefaultMode: no attribute).
	CookieAge      int
	CookiePath     string
	CookieSecure   bool
	CookieHTTPOnly bool
	CookieSameSite http.SameSite
	// CookieMasked is CSRF_COOKIE_MASKED (Django 4.1 and 4.2): Token
	// stores a masked token in the cookie, as Django before 4.1 did.
	CookieMasked bool

	// MaxMemory bounds the memory a multipart form may take while the
	// token field is read (the rest goes to temporary files, as
	// net/http's ParseMultipartForm does); default 32 MiB.
	MaxMemory int64

	// The middleware's hooks. Session returns the request's session under
	// UseSessions; default: the *djangosess.Session that
	// djangosess.Middleware put in the context. Exempt marks requests not
	// to check (Django's csrf_exempt). Reject answers a failed check;
	// default: 403 with Django's reason for a rejection, 500 otherwise.
	Session func(*http.Request) SessionReader
	Exempt  func(*http.Request) bool
	Reject  func(w http.ResponseWriter, r *http.Request, err error)

	// Now is the clock for the cookie's Expires; default time.Now.
	Now func() time.Time
}

var (
	v4_0 = djangosess.Version{Major: 4}
	v4_1 = djangosess.Version{Major: 4, Minor: 1}
	v5_2 = djangosess.Version{Major: 5, Minor: 2}
)

// Checker is Django's CsrfViewMiddleware for one configuration. It is
// safe for concurrent use.
type Checker struct {
	cfg    Config
	target djangosess.Version
	header string // the HTTP header CSRF_HEADER_NAME names, "X-Csrftoken"

	trustedHosts     []string            // netlocs of TrustedOrigins, "*" stripped (≥ 4.0)
	exactOrigins     map[string]bool     // TrustedOrigins without "*" (≥ 4.0)
	subdomainOrigins map[string][]string // scheme → ".example.com" (≥ 4.0)
}

// New validates cfg as Django's system checks would and returns its
// Checker.
func New(cfg Config) (*Checker, error) {
	c := &Checker{cfg: cfg, target: cfg.Target}
	if c.target.IsZero() {
		c.target = djangosess.Newest
	}
	if c.target.Less(djangosess.Oldest) {
		return nil, fmt.Errorf("%w: Django %v is older than %v", ErrConfig, c.target, djangosess.Oldest)
	}
	if c.cfg.CookieName == "" {
		c.cfg.CookieName = "csrftoken"
	}
	if c.cfg.HeaderName == "" {
		c.cfg.HeaderName = "HTTP_X_CSRFTOKEN"
	}
	name, ok := strings.CutPrefix(c.cfg.HeaderName, "HTTP_")
	if !ok || name == "" || strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != "" {
		return nil, fmt.Errorf("%w: HeaderName %q is not a request.META header key like HTTP_X_CSRFTOKEN", ErrConfig, c.cfg.HeaderName)
	}
	c.header = titleHeader(name)
	if h := c.cfg.SecureProxySSLHeader[0]; h != "" && !strings.HasPrefix(h, "HTTP_") {
		return nil, fmt.Errorf("%w: SecureProxySSLHeader %q is not a request.META header key", ErrConfig, h)
	}
	if c.cfg.CookiePath == "" {
		c.cfg.CookiePath = "/"
	}
	if c.cfg.CookieAge == 0 {
		c.cfg.CookieAge = 31449600
	}
	if c.cfg.CookieSameSite == 0 {
		c.cfg.CookieSameSite = http.SameSiteLaxMode
	}
	if c.cfg.MaxMemory <= 0 {
		c.cfg.MaxMemory = 32 << 20
	}
	if c.cfg.Now == nil {
		c.cfg.Now = time.Now
	}
	if c.legacy() {
		return c, nil
	}
	c.exactOrigins = map[string]bool{}
	c.subdomainOrigins = map[string][]string{}
	for _, o := range c.cfg.TrustedOrigins {
		if !strings.Contains(o, "://") {
			// Django's system check 4_0.E001.
			return nil, fmt.Errorf("%w: from Django 4.0, CSRF_TRUSTED_ORIGINS must start with a scheme (%q)", ErrConfig, o)
		}
		u, err := urlsplit(o)
		if err != nil {
			return nil, fmt.Errorf("%w: CSRF_TRUSTED_ORIGINS %q: %v", ErrConfig, o, err)
		}
		c.trustedHosts = append(c.trustedHosts, strings.TrimLeft(u.netloc, "*"))
		if strings.Contains(o, "*") {
			c.subdomainOrigins[u.scheme] = append(c.subdomainOrigins[u.scheme], strings.TrimLeft(u.netloc, "*"))
		} else {
			c.exactOrigins[o] = true
		}
	}
	return c, nil
}

// legacy reports Django ≤ 3.2 behaviour: no Origin check, host-only
// CSRF_TRUSTED_ORIGINS, one reason for every token failure.
func (c *Checker) legacy() bool { return c.target.Less(v4_0) }

// titleHeader is HttpHeaders.parse_header_name's
// header.replace("_", "-").title(): "X_CSRFTOKEN" → "X-Csrftoken".
func titleHeader(name string) string {
	b := []byte(strings.ReplaceAll(name, "_", "-"))
	prevLetter := false
	for i, ch := range b {
		isLetter := isASCIILetter(ch)
		switch {
		case isLetter && !prevLetter && 'a' <= ch && ch <= 'z':
			b[i] = ch - 32
		case isLetter && prevLetter && 'A' <= ch && ch <= 'Z':
			b[i] = ch + 32
		}
		prevLetter = isLetter
	}
	return string(b)
}
