package djangosess_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/cookies"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/serializer"
)

// TestMiddlewareMatchesDjango runs Django's SessionMiddleware (with the
// signed_cookies engine, so that the cookie value itself is deterministic)
// and ours on the same requests, with the same clock and settings: the
// Set-Cookie values, Vary headers and statuses must be Django's.
func TestMiddlewareMatchesDjango(t *testing.T) {
	const now = 1700000000
	clock := func() time.Time { return time.Unix(now, 0) }
	type setting struct {
		django map[string]any
		apply  func(*djangosess.MiddlewareConfig)
	}
	settingsCases := map[string]setting{
		"defaults": {map[string]any{}, func(*djangosess.MiddlewareConfig) {}},
		"attributes": {map[string]any{"SESSION_COOKIE_DOMAIN": ".example.com", "SESSION_COOKIE_PATH": "/app",
			"SESSION_COOKIE_SECURE": true, "SESSION_COOKIE_HTTPONLY": false, "SESSION_COOKIE_SAMESITE": "Strict", "SESSION_COOKIE_NAME": "sid"},
			func(c *djangosess.MiddlewareConfig) {
				c.CookieDomain, c.CookiePath, c.CookieSecure, c.CookieNotHTTPOnly, c.CookieSameSite, c.CookieName = ".example.com", "/app", true, true, "Strict", "sid"
			}},
		"no samesite, age 60": {map[string]any{"SESSION_COOKIE_SAMESITE": false, "SESSION_COOKIE_AGE": 60},
			func(c *djangosess.MiddlewareConfig) { c.CookieSameSite = "-"; c.Session.CookieAge = time.Minute }},
		"save every request": {map[string]any{"SESSION_SAVE_EVERY_REQUEST": true},
			func(c *djangosess.MiddlewareConfig) { c.SaveEveryRequest = true }},
		"expire at browser close": {map[string]any{"SESSION_EXPIRE_AT_BROWSER_CLOSE": true},
			func(c *djangosess.MiddlewareConfig) { c.Session.ExpireAtBrowserClose = true }},
	}
	actions := []struct {
		action    string
		status    int
		hasCookie bool
	}{
		{"none", 200, false}, {"read", 200, false}, {"set", 200, false}, {"set", 500, false}, {"set", 503, false},
		{"set", 404, false}, {"browser_close", 200, false}, {"expiry_seconds", 200, false},
		{"read", 200, true}, {"set", 200, true}, {"flush", 200, true}, {"none", 200, true},
	}
	for _, dj := range djangotest.Versions(t) {
		v, err := djangosess.ParseVersion(dj.Version)
		if err != nil {
			t.Fatal(err)
		}
		o := dj.Start(t, `--settings={"SESSION_ENGINE": "django.contrib.sessions.backends.signed_cookies"}`)
		store, err := cookies.New(cookies.Config{SecretKey: []byte(oracleSecret), Now: clock, Target: v})
		if err != nil {
			t.Fatal(err)
		}
		existing, err := store.Save(t.Context(), djangosess.Record{Data: serializer.DictOf("x", serializer.Int(0), "y", serializer.Str("z"))})
		if err != nil {
			t.Fatal(err)
		}
		for name, sc := range settingsCases {
			for _, ac := range actions {
				t.Run(fmt.Sprintf("%s/%s/%s-%d-cookie=%v", dj.Version, name, ac.action, ac.status, ac.hasCookie), func(t *testing.T) {
					cookie := ""
					if ac.hasCookie {
						cookie = existing
					}
					ans := o.Do(t, map[string]any{"op": "middleware_response", "data": cookie,
						"params": map[string]any{"action": ac.action, "status": ac.status, "now": now, "settings": sc.django}})[0]
					if !ans.OK {
						t.Fatalf("Django: %s: %s", ans.Error, ans.Message)
					}
					want := ans.Tagged(t).(*serializer.Dict)

					cfg := djangosess.MiddlewareConfig{Cookies: store, Session: djangosess.SessionConfig{Now: clock, Target: v}}
					sc.apply(&cfg)
					name := cfg.CookieName
					if name == "" {
						name = "sessionid"
					}
					req := httptest.NewRequest("GET", "/", nil)
					if cookie != "" {
						req.Header.Set("Cookie", name+"="+cookie)
					}
					rec := httptest.NewRecorder()
					djangosess.Middleware(cfg)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						s, _ := djangosess.FromContext(r.Context())
						switch ac.action {
						case "read":
							s.Get("x")
						case "set":
							s.Set("x", serializer.Int(1))
						case "flush":
							s.Flush(r.Context())
						case "browser_close":
							s.Set("x", serializer.Int(1))
							s.SetExpiryAtBrowserClose()
						case "expiry_seconds":
							s.Set("x", serializer.Int(1))
							s.SetExpirySeconds(300)
						}
						w.WriteHeader(ac.status)
						io.WriteString(w, "ok")
					})).ServeHTTP(rec, req)
					resp := rec.Result()

					wantCookie, _ := want.String("set_cookie")
					wantVary, _ := want.String("vary")
					wantStatus, _ := want.Int64("status")
					if got := resp.Header.Get("Set-Cookie"); got != wantCookie {
						t.Errorf("Set-Cookie:\n got  %q\n want %q (Django)", got, wantCookie)
					}
					if got := resp.Header.Get("Vary"); got != wantVary {
						t.Errorf("Vary %q, Django %q", got, wantVary)
					}
					if int64(resp.StatusCode) != wantStatus {
						t.Errorf("status %d, Django %d", resp.StatusCode, wantStatus)
					}
				})
			}
		}
	}
}
