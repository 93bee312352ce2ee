package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/internal/coalesce"
	"github.com/djangosess/djangosess/serializer"
)

// UserIDHeader carries the user's primary key on a 200 answer.
const UserIDHeader = "X-Django-User-Id"

// Config configures a Handler. Exactly one of Store and Cookies is set.
type Config struct {
	Store   djangosess.Store
	Cookies djangosess.CookieStore
	// Auth verifies the user. It must be ReadOnly: a gateway cannot send
	// the cookie of a cycled session.
	Auth *auth.Auth
	// CookieName is SESSION_COOKIE_NAME ("sessionid").
	CookieName string
	// Headers maps session keys to response headers: their str, int,
	// float or bool values are copied on a 200 answer.
	Headers map[string]string
	// Session is passed to the sessions (cookie age, clock, ...).
	Session djangosess.SessionConfig
	// Logger receives one record per failure (never a key or cookie);
	// nil: slog.Default().
	Logger *slog.Logger
	// Metrics counts requests and latencies; nil: none.
	Metrics *Metrics
	// NoCoalesce makes every request load its session from Store itself.
	// By default requests that arrive while the same session is being
	// loaded wait for that load and share the next one, which starts
	// after they arrived: never an answer read before a request came
	// (a session deleted by a logout is gone for every later request),
	// but a burst of requests with one cookie costs about two round
	// trips instead of one each. Each request gets its own copy of the
	// session dict. When the load in flight fails with
	// djangosess.ErrUnavailable, the requests waiting for the next one
	// answer 503 at once rather than trying again one after the other.
	NoCoalesce bool
}

// Handler answers auth subrequests.
type Handler struct {
	cfg   Config
	store djangosess.Store
}

// coalescedStore is a Store whose loads of one key are coalesced.
type coalescedStore struct {
	djangosess.Store
	g coalesce.Group[string, djangosess.Record]
}

func unavailable(err error) bool { return errors.Is(err, djangosess.ErrUnavailable) }

func (c *coalescedStore) Load(ctx context.Context, key string) (djangosess.Record, error) {
	r, err, shared := c.g.Do(ctx, key, func(ctx context.Context) (djangosess.Record, error) { return c.Store.Load(ctx, key) })
	if shared && r.Data != nil {
		r.Data = r.Data.Clone()
	}
	return r, err
}

// New checks cfg.
func New(cfg Config) (*Handler, error) {
	if (cfg.Store == nil) == (cfg.Cookies == nil) || cfg.Auth == nil {
		return nil, errors.Join(djangosess.ErrConfig, errors.New("gateway: set one of Store and Cookies, and Auth"))
	}
	if !cfg.Auth.ReadOnly() {
		return nil, errors.Join(djangosess.ErrConfig, errors.New("gateway: Auth must be ReadOnly"))
	}
	if cfg.CookieName == "" {
		cfg.CookieName = "sessionid"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Handler{cfg: cfg, store: cfg.Store}
	if cfg.Store != nil && !cfg.NoCoalesce {
		h.store = &coalescedStore{Store: cfg.Store, g: coalesce.Group[string, djangosess.Record]{ShareErr: unavailable}}
	}
	return h, nil
}

// Outcome of one check, as reported in metrics.
const (
	ResultOK           = "ok"
	ResultUnauthorized = "unauthorized"
	ResultError        = "error"
)

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	result, status := h.check(r.Context(), w, r)
	if h.cfg.Metrics != nil {
		h.cfg.Metrics.observe(result, time.Since(start))
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
}

func (h *Handler) check(ctx context.Context, w http.ResponseWriter, r *http.Request) (string, int) {
	c, err := r.Cookie(h.cfg.CookieName)
	if err != nil || c.Value == "" {
		return ResultUnauthorized, http.StatusUnauthorized
	}
	var s *djangosess.Session
	if h.cfg.Cookies != nil {
		s = djangosess.NewCookieSession(ctx, h.cfg.Cookies, c.Value, h.cfg.Session)
	} else {
		s = djangosess.NewSession(ctx, h.store, c.Value, h.cfg.Session)
	}
	u, err := h.cfg.Auth.GetUser(ctx, s)
	if err == nil {
		err = s.Err()
	}
	if err != nil {
		h.cfg.Logger.LogAttrs(ctx, slog.LevelError, "djangosess gateway: session check failed", slog.String("err", err.Error()))
		return ResultError, http.StatusServiceUnavailable
	}
	if u == nil {
		return ResultUnauthorized, http.StatusUnauthorized
	}
	w.Header().Set(UserIDHeader, u.ID)
	for key, header := range h.cfg.Headers {
		if v, ok := s.Get(key); ok {
			if text, ok := headerValue(v); ok {
				w.Header().Set(header, text)
			}
		}
	}
	return ResultOK, http.StatusOK
}

// headerValue is the text of a scalar session value, if it is one that
// fits in a header.
func headerValue(v serializer.Value) (string, bool) {
	switch x := v.(type) {
	case serializer.Str:
		for i := 0; i < len(x); i++ {
			if c := x[i]; c < 0x20 || c == 0x7f {
				return "", false
			}
		}
		return string(x), true
	case serializer.Int:
		return strconv.FormatInt(int64(x), 10), true
	case serializer.Bool:
		if x {
			return "True", true
		}
		return "False", true
	case serializer.Float:
		return serializer.FormatFloat(float64(x)), true
	}
	return "", false
}
