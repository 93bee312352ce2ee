package djangosess

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MiddlewareConfig mirrors the settings Django's SessionMiddleware reads.
// Exactly one of Store and Cookies is set.
type MiddlewareConfig struct {
	// Store is the keyed session store (db, file, cache, cached_db).
	Store Store
	// Cookies is the signed_cookies store.
	Cookies CookieStore
	// Session holds SESSION_COOKIE_AGE, SESSION_EXPIRE_AT_BROWSER_CLOSE,
	// the target Django version and the clock.
	Session SessionConfig
	// CookieName is SESSION_COOKIE_NAME ("sessionid").
	CookieName string
	// CookieDomain is SESSION_COOKIE_DOMAIN (empty: host-only).
	CookieDomain string
	// CookiePath is SESSION_COOKIE_PATH ("/").
	CookiePath string
	// CookieSecure is SESSION_COOKIE_SECURE.
	CookieSecure bool
	// CookieNotHTTPOnly turns SESSION_COOKIE_HTTPONLY off (Django's
	// default, and ours, is on).
	CookieNotHTTPOnly bool
	// CookieSameSite is SESSION_COOKIE_SAMESITE: "Lax" (the default when
	// empty), "Strict", "None", or "-" to omit the attribute (Django's
	// False).
	CookieSameSite string
	// SaveEveryRequest is SESSION_SAVE_EVERY_REQUEST.
	SaveEveryRequest bool
	// OnError answers a request whose session could not be loaded or
	// saved. err matches ErrVanished when the session was deleted while
	// the request ran (Django answers 400, SessionInterrupted),
	// ErrInvalidKey when the store refused the cookie's key on save
	// (Django 400 too), and ErrUnavailable when the store failed. Nil:
	// 400 for ErrVanished and ErrInvalidKey, 503 for the rest, with a
	// short text body.
	OnError func(w http.ResponseWriter, r *http.Request, err error)
}

type sessionCtxKey struct{}

// FromContext returns the request's session, set by the middleware.
func FromContext(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(sessionCtxKey{}).(*Session)
	return s, ok
}

// NewContext returns ctx carrying s.
func NewContext(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, sessionCtxKey{}, s)
}

// Middleware returns net/http middleware that behaves as Django's
// SessionMiddleware: the session named by the request's cookie is loaded
// lazily (no store round trip for a handler that never looks), saved
// after the handler when it was modified (or on every request with
// SaveEveryRequest) unless the status is 500 or above, with the cookie set
// as Django sets it; the cookie is deleted when the session was emptied;
// "Vary: Cookie" is added when the session was accessed. Handlers reach the
// session through FromContext. The wrapped ResponseWriter has Unwrap, for
// http.ResponseController.
func Middleware(cfg MiddlewareConfig) func(http.Handler) http.Handler {
	if cfg.CookieName == "" {
		cfg.CookieName = "sessionid"
	}
	if cfg.CookiePath == "" {
		cfg.CookiePath = "/"
	}
	if cfg.OnError == nil {
		cfg.OnError = defaultSessionError
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var key string
			if c, err := r.Cookie(cfg.CookieName); err == nil {
				key = c.Value
			}
			var s *Session
			if cfg.Cookies != nil {
				s = NewCookieSession(r.Context(), cfg.Cookies, key, cfg.Session)
			} else {
				s = NewSession(r.Context(), cfg.Store, key, cfg.Session)
			}
			sw := &sessionWriter{ResponseWriter: w, r: r, cfg: &cfg, s: s, hadCookie: key != ""}
			next.ServeHTTP(sw, r.WithContext(NewContext(r.Context(), s)))
			if !sw.wroteHeader {
				sw.WriteHeader(http.StatusOK)
			}
		})
	}
}

func defaultSessionError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrVanished) || errors.Is(err, ErrInvalidKey) {
		// Django: SessionInterrupted, or the file backend's
		// InvalidSessionKey (a SuspiciousOperation): both 400.
		http.Error(w, "The request's session was deleted before the request completed.", http.StatusBadRequest)
		return
	}
	http.Error(w, "Session store unavailable.", http.StatusServiceUnavailable)
}

// sessionWriter runs Django's process_response when the handler first
// writes the header, so that the cookie goes out with it.
type sessionWriter struct {
	http.ResponseWriter
	r           *http.Request
	cfg         *MiddlewareConfig
	s           *Session
	hadCookie   bool
	wroteHeader bool
	discard     bool // the session failed and OnError answered instead
}

func (w *sessionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *sessionWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.discard {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *sessionWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok && !w.discard {
		f.Flush()
	}
}

func (w *sessionWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if status >= 100 && status < 200 { // informational: not the response yet
		w.wroteHeader = false
		w.ResponseWriter.WriteHeader(status)
		return
	}
	if err := w.processResponse(status); err != nil {
		w.discard = true
		w.ResponseWriter.Header().Del("Set-Cookie")
		w.cfg.OnError(w.ResponseWriter, w.r, err)
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

// processResponse is SessionMiddleware.process_response.
func (w *sessionWriter) processResponse(status int) error {
	s, cfg, h := w.s, w.cfg, w.ResponseWriter.Header()
	if err := s.Err(); err != nil {
		return err
	}
	accessed := s.Accessed()
	empty := s.IsEmpty()
	if w.hadCookie && empty {
		// The session was flushed (or never existed): delete the cookie.
		h.Add("Set-Cookie", w.cookie(`""`, "Thu, 01 Jan 1970 00:00:00 GMT", "0", true))
		addVary(h, "Cookie")
		return nil
	}
	if accessed {
		addVary(h, "Cookie")
	}
	if !(s.Modified() || cfg.SaveEveryRequest) || empty {
		return nil
	}
	var maxAge, expires string
	if !s.ExpireAtBrowserClose() {
		age, err := s.ExpiryAge()
		if err != nil {
			return err
		}
		maxAge = strconv.FormatInt(age, 10)
		expires = s.cfg.now().Add(time.Duration(age) * time.Second).UTC().Format(http.TimeFormat)
	}
	// Django ≤ 4.1 skips saving on 500 only; 4.2+ on every 5xx.
	if status == http.StatusInternalServerError || (status > 500 && !s.cfg.Target.orNewest().Less(Version{4, 2, 0})) {
		return nil
	}
	if err := s.Save(w.r.Context()); err != nil {
		return err
	}
	h.Add("Set-Cookie", w.cookie(s.Key(), expires, maxAge, false))
	// Django 5.2 (not 4.2; 5.0 and 5.1 unchecked) also varies on Cookie
	// whenever it sets the cookie, accessed or not.
	if !s.cfg.Target.orNewest().Less(Version{5, 2, 0}) {
		addVary(h, "Cookie")
	}
	return nil
}

// cookie formats a Set-Cookie value as Python's Morsel does: attributes
// in alphabetical order of their keys. A deletion (Django's
// delete_cookie) carries no HttpOnly, and Secure only where a browser
// requires it (SameSite=None, __Secure- and __Host- names).
func (w *sessionWriter) cookie(value, expires, maxAge string, deletion bool) string {
	cfg := w.cfg
	var b strings.Builder
	b.WriteString(cfg.CookieName + "=" + value)
	if cfg.CookieDomain != "" {
		b.WriteString("; Domain=" + cfg.CookieDomain)
	}
	if expires != "" {
		b.WriteString("; expires=" + expires)
	}
	if !cfg.CookieNotHTTPOnly && !deletion {
		b.WriteString("; HttpOnly")
	}
	if maxAge != "" {
		b.WriteString("; Max-Age=" + maxAge)
	}
	b.WriteString("; Path=" + cfg.CookiePath)
	switch ss := cfg.CookieSameSite; ss {
	case "-":
	case "":
		b.WriteString("; SameSite=Lax")
	default:
		b.WriteString("; SameSite=" + ss)
	}
	secure := cfg.CookieSecure
	if deletion {
		secure = strings.EqualFold(cfg.CookieSameSite, "None") || strings.HasPrefix(cfg.CookieName, "__Secure-") || strings.HasPrefix(cfg.CookieName, "__Host-")
	}
	if secure {
		b.WriteString("; Secure")
	}
	return b.String()
}

// addVary adds field to the Vary header unless it is there, as Django's
// patch_vary_headers.
func addVary(h http.Header, field string) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); strings.EqualFold(f, field) || f == "*" {
				return
			}
		}
	}
	h.Add("Vary", field)
}
