package djangosess_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/cookies"
	"github.com/djangosess/djangosess/serializer"
)

// The clock of the reference document's verified header (Django 2.2, 4.2
// and 5.2 all send exactly this for a session saved at 1700000000).
var headerClock = func() time.Time { return time.Unix(1700000000, 0) }

func cookieStore(t *testing.T) *cookies.Store {
	t.Helper()
	s, err := cookies.New(cookies.Config{SecretKey: []byte(oracleSecret), Now: headerClock})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func serve(t *testing.T, cfg djangosess.MiddlewareConfig, cookie string, h http.HandlerFunc) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	if cookie != "" {
		req.Header.Set("Cookie", "sessionid="+cookie)
	}
	rec := httptest.NewRecorder()
	djangosess.Middleware(cfg)(h).ServeHTTP(rec, req)
	return rec.Result()
}

func session(t *testing.T, r *http.Request) *djangosess.Session {
	s, ok := djangosess.FromContext(r.Context())
	if !ok {
		t.Fatal("no session in the request context")
	}
	return s
}

func TestMiddlewareSetsDjangosCookie(t *testing.T) {
	cfg := djangosess.MiddlewareConfig{Cookies: cookieStore(t), Session: djangosess.SessionConfig{Now: headerClock}}
	resp := serve(t, cfg, "", func(w http.ResponseWriter, r *http.Request) {
		session(t, r).Set("_auth_user_id", serializer.Str("1"))
		io.WriteString(w, "ok")
	})
	sc := resp.Header.Get("Set-Cookie")
	value, attrs, _ := strings.Cut(sc, "; ")
	if want := "expires=Tue, 28 Nov 2023 22:13:20 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax"; attrs != want {
		t.Errorf("Set-Cookie attributes %q, want Django's %q", attrs, want)
	}
	if got := resp.Header.Get("Vary"); got != "Cookie" {
		t.Errorf("Vary = %q", got)
	}
	key := strings.TrimPrefix(value, "sessionid=")
	// The cookie is the session, as Django's signed_cookies writes it.
	resp = serve(t, cfg, key, func(w http.ResponseWriter, r *http.Request) {
		if id, ok := session(t, r).String("_auth_user_id"); !ok || id != "1" {
			t.Errorf("next request sees %q, %v", id, ok)
		}
	})
	if sc := resp.Header.Get("Set-Cookie"); sc != "" {
		t.Errorf("a read-only request set a cookie: %q", sc)
	}
	if resp.Header.Get("Vary") != "Cookie" {
		t.Error("an accessed session gave no Vary: Cookie")
	}
}

func TestMiddlewareUntouched(t *testing.T) {
	cfg := djangosess.MiddlewareConfig{Cookies: cookieStore(t)}
	resp := serve(t, cfg, "", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	if resp.Header.Get("Set-Cookie") != "" || resp.Header.Get("Vary") != "" {
		t.Errorf("untouched session: Set-Cookie %q, Vary %q", resp.Header.Get("Set-Cookie"), resp.Header.Get("Vary"))
	}
}

func TestMiddlewareDeletesFlushedCookie(t *testing.T) {
	store := cookieStore(t)
	cookie, err := store.Save(t.Context(), djangosess.Record{Data: serializer.DictOf("a", serializer.Int(1))})
	if err != nil {
		t.Fatal(err)
	}
	cfg := djangosess.MiddlewareConfig{Cookies: store, Session: djangosess.SessionConfig{Now: headerClock}}
	resp := serve(t, cfg, cookie, func(w http.ResponseWriter, r *http.Request) {
		if err := session(t, r).Flush(r.Context()); err != nil {
			t.Error(err)
		}
	})
	if got, want := resp.Header.Get("Set-Cookie"), `sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax`; got != want {
		t.Errorf("deletion Set-Cookie %q, want Django's %q", got, want)
	}
	if resp.Header.Get("Vary") != "Cookie" {
		t.Error("no Vary: Cookie on deletion")
	}
}

func TestMiddlewareStatusRules(t *testing.T) {
	for _, tc := range []struct {
		target string
		status int
		saved  bool
	}{
		{"4.1", 500, false}, {"4.1", 503, true}, {"4.2", 503, false}, {"5.2", 502, false}, {"5.2", 404, true}, {"3.2", 200, true},
	} {
		v, _ := djangosess.ParseVersion(tc.target)
		cfg := djangosess.MiddlewareConfig{Cookies: cookieStore(t), Session: djangosess.SessionConfig{Target: v}}
		resp := serve(t, cfg, "", func(w http.ResponseWriter, r *http.Request) {
			session(t, r).Set("x", serializer.Int(1))
			w.WriteHeader(tc.status)
		})
		if saved := resp.Header.Get("Set-Cookie") != ""; saved != tc.saved || resp.StatusCode != tc.status {
			t.Errorf("Django %s, status %d: saved %v (status %d), want %v", tc.target, tc.status, saved, resp.StatusCode, tc.saved)
		}
	}
}

func TestMiddlewareCookieSettings(t *testing.T) {
	cfg := djangosess.MiddlewareConfig{
		Cookies: cookieStore(t), CookieName: "sid", CookieDomain: ".example.com", CookiePath: "/app",
		CookieSecure: true, CookieNotHTTPOnly: true, CookieSameSite: "Strict",
		Session: djangosess.SessionConfig{Now: headerClock, ExpireAtBrowserClose: true},
	}
	resp := serve(t, cfg, "", func(w http.ResponseWriter, r *http.Request) { session(t, r).Set("x", serializer.Int(1)) })
	_, attrs, _ := strings.Cut(resp.Header.Get("Set-Cookie"), "; ")
	if want := "Domain=.example.com; Path=/app; SameSite=Strict; Secure"; attrs != want {
		t.Errorf("attributes %q, want %q", attrs, want)
	}
	cfg.SaveEveryRequest = true
	cfg.CookieSameSite = "-"
	cfg.Session.ExpireAtBrowserClose = false
	resp = serve(t, cfg, "", func(w http.ResponseWriter, r *http.Request) { session(t, r).Get("x") })
	if sc := resp.Header.Get("Set-Cookie"); sc != "" {
		t.Errorf("an empty session was saved: %q", sc)
	}
}

func TestMiddlewareUnwrap(t *testing.T) {
	cfg := djangosess.MiddlewareConfig{Cookies: cookieStore(t)}
	resp := serve(t, cfg, "", func(w http.ResponseWriter, r *http.Request) {
		session(t, r).Set("x", serializer.Int(1))
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("ResponseController.Flush: %v", err)
		}
		io.WriteString(w, "streamed")
	})
	if resp.Header.Get("Set-Cookie") == "" {
		t.Error("the cookie was lost when the handler flushed first")
	}
}
