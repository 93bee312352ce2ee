package csrf_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/csrf"
)

func TestMaskUnmask(t *testing.T) {
	sec := csrf.NewSecret()
	if len(sec) != csrf.SecretLength || strings.Trim(sec, csrf.AllowedChars) != "" {
		t.Fatalf("NewSecret() = %q", sec)
	}
	a, err1 := csrf.MaskToken(sec)
	b, err2 := csrf.MaskToken(sec)
	if err1 != nil || err2 != nil || a == b || len(a) != csrf.TokenLength {
		t.Fatalf("MaskToken: %q %q %v %v", a, b, err1, err2)
	}
	for _, tok := range []string{a, b} {
		if u, err := csrf.UnmaskToken(tok); u != sec || err != nil {
			t.Errorf("UnmaskToken(%q) = %q, %v", tok, u, err)
		}
	}
	// Django's _mask_cipher_secret with a known mask (worked by hand from
	// the alphabet: a=0 … z=25, A=26 … Z=51, 0=52 … 9=61).
	if u, _ := csrf.UnmaskToken(strings.Repeat("b", 32) + strings.Repeat("a", 31) + "0"); u != strings.Repeat("9", 31)+"Z" {
		t.Errorf("unmask arithmetic: %q", u)
	}
	for _, bad := range []string{"", "abc", sec + "x", strings.Repeat("-", 32)} {
		if _, err := csrf.MaskToken(bad); !errors.Is(err, csrf.ErrInvalidToken) {
			t.Errorf("MaskToken(%q): %v", bad, err)
		}
	}
	for _, bad := range []string{"", sec, a[:63] + "!", a + "a"} {
		if _, err := csrf.UnmaskToken(bad); !errors.Is(err, csrf.ErrInvalidToken) {
			t.Errorf("UnmaskToken(%q): %v", bad, err)
		}
	}
}

func TestNewRefusesWhatDjangoRefuses(t *testing.T) {
	v32 := djangosess.Version{Major: 3, Minor: 2}
	for _, c := range []struct {
		cfg csrf.Config
		ok  bool
	}{
		{csrf.Config{}, true},
		{csrf.Config{TrustedOrigins: []string{"https://a.com", "https://*.b.com"}}, true},
		{csrf.Config{TrustedOrigins: []string{"a.com"}}, false}, // 4_0.E001
		{csrf.Config{TrustedOrigins: []string{"a.com"}, Target: v32}, true},
		{csrf.Config{TrustedOrigins: []string{"https://[::1"}}, false},
		{csrf.Config{HeaderName: "X-CSRFToken"}, false},
		{csrf.Config{HeaderName: "HTTP_X_CSRFTOKEN"}, true},
		{csrf.Config{SecureProxySSLHeader: [2]string{"X-Forwarded-Proto", "https"}}, false},
		{csrf.Config{Target: djangosess.Version{Major: 1, Minor: 8}}, false},
	} {
		_, err := csrf.New(c.cfg)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, csrf.ErrConfig)) {
			t.Errorf("New(%+v): %v", c.cfg, err)
		}
	}
}

func TestMiddleware(t *testing.T) {
	var reached int
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached++
		if r.URL.Path == "/x" && r.PostForm.Get("name") != "x" {
			t.Errorf("form not available to the handler: %v", r.PostForm)
		}
	})
	mw, err := csrf.Middleware(csrf.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h := mw(next)
	sec := csrf.NewSecret()
	tok, _ := csrf.MaskToken(sec)

	post := func(cookie, body string) *http.Request {
		r := httptest.NewRequest("POST", "http://example.com/x", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			r.Header.Set("Cookie", cookie)
		}
		return r
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, post("csrftoken="+sec, "name=x&csrfmiddlewaretoken="+tok))
	if w.Code != 200 || reached != 1 {
		t.Fatalf("good POST: %d, reached %d", w.Code, reached)
	}
	w = httptest.NewRecorder()
	h.ServeHTTP(w, post("", "name=x&csrfmiddlewaretoken="+tok))
	if w.Code != 403 || reached != 1 || !strings.Contains(w.Body.String(), csrf.ReasonNoCSRFCookie) {
		t.Fatalf("no cookie: %d %q, reached %d", w.Code, w.Body, reached)
	}

	// Exempt and a custom Reject hook.
	var hooked error
	c, _ := csrf.New(csrf.Config{
		Exempt: func(r *http.Request) bool { return r.URL.Path == "/webhook" },
		Reject: func(w http.ResponseWriter, r *http.Request, err error) { hooked = err; w.WriteHeader(419) },
	})
	h = c.Middleware(next)
	r := post("", "name=x")
	r.URL.Path = "/webhook"
	h.ServeHTTP(httptest.NewRecorder(), r)
	w = httptest.NewRecorder()
	h.ServeHTTP(w, post("", "name=x"))
	if reached != 2 || w.Code != 419 || !errors.Is(hooked, csrf.ErrNoCookie) {
		t.Fatalf("exempt/hook: reached %d, %d, %v", reached, w.Code, hooked)
	}

	// UseSessions without a session is a server error, not a 403.
	c, _ = csrf.New(csrf.Config{UseSessions: true})
	w = httptest.NewRecorder()
	c.Middleware(next).ServeHTTP(w, post("", "name=x"))
	if w.Code != 500 {
		t.Fatalf("no session: %d", w.Code)
	}
}

// TestSessionsWithDjangosess: under UseSessions the middleware finds the
// *djangosess.Session that djangosess.Middleware puts in the context, and
// Token keeps the secret there.
func TestSessionsWithDjangosess(t *testing.T) {
	ctx := context.Background()
	sess := djangosess.NewSession(ctx, nil, "", djangosess.SessionConfig{})
	c, err := csrf.New(csrf.Config{UseSessions: true})
	if err != nil {
		t.Fatal(err)
	}
	page := httptest.NewRequest("GET", "http://example.com/form", nil)
	tok, err := c.Token(httptest.NewRecorder(), page, sess)
	if err != nil {
		t.Fatal(err)
	}
	stored, ok := sess.String(csrf.SessionKey)
	if u, _ := csrf.UnmaskToken(tok); !ok || u != stored || !sess.Modified() {
		t.Fatalf("session holds %q (%v), token unmasks to %q", stored, ok, u)
	}
	var reached bool
	h := c.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	r := httptest.NewRequest("POST", "http://example.com/form", strings.NewReader("csrfmiddlewaretoken="+tok))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r = r.WithContext(djangosess.NewContext(r.Context(), sess))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if !reached || w.Code != 200 {
		t.Fatalf("POST with the session's token: %d", w.Code)
	}
}

func TestTokenCookie(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c, _ := csrf.New(csrf.Config{CookieDomain: ".example.com", CookieSecure: true, CookieHTTPOnly: true,
		Now: func() time.Time { return now }})
	w := httptest.NewRecorder()
	if _, err := c.Token(w, httptest.NewRequest("GET", "/", nil), nil); err != nil {
		t.Fatal(err)
	}
	set := w.Header().Get("Set-Cookie")
	for _, want := range []string{"Path=/", "Domain=example.com", "Max-Age=31449600", "Expires=Fri, 01 Jan 2027 03:04:05 GMT",
		"HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(set, want) {
			t.Errorf("Set-Cookie %q lacks %q", set, want)
		}
	}
	// A browser-session cookie, masked as Django 4.1/4.2 do under
	// CSRF_COOKIE_MASKED, without SameSite.
	c, _ = csrf.New(csrf.Config{Target: djangosess.Version{Major: 4, Minor: 2}, CookieAge: -1, CookieMasked: true,
		CookieSameSite: http.SameSiteDefaultMode})
	w = httptest.NewRecorder()
	c.Token(w, httptest.NewRequest("GET", "/", nil), nil)
	ck := w.Result().Cookies()[0]
	if len(ck.Value) != csrf.TokenLength || ck.MaxAge != 0 || !ck.Expires.IsZero() || strings.Contains(w.Header().Get("Set-Cookie"), "SameSite") {
		t.Errorf("masked session cookie: %q", w.Header().Get("Set-Cookie"))
	}
}

// FuzzCheck: whatever the headers, Check never panics and only rejects
// with a *RejectError.
func FuzzCheck(f *testing.F) {
	sec := csrf.NewSecret()
	tok, _ := csrf.MaskToken(sec)
	f.Add("http://example.com", "https://example.com/", "csrftoken="+sec, tok, "example.com", true)
	f.Add("null", "https://[::1]/", `csrftoken="\141\"`, "", "[::1]:80", false)
	f.Add("https://[v1.x]", "https://a@[::1]x/", "", tok[:63]+"é", "EXAMPLE.com.", true)
	checkers := []*csrf.Checker{}
	for _, cfg := range []csrf.Config{
		{TrustedOrigins: []string{"https://*.example.com"}, CookieDomain: ".example.com"},
		{Target: djangosess.Version{Major: 3, Minor: 2}, TrustedOrigins: []string{".example.com"}},
		{UseXForwardedHost: true, SecureProxySSLHeader: [2]string{"HTTP_X_FORWARDED_PROTO", "https"}},
	} {
		c, err := csrf.New(cfg)
		if err != nil {
			f.Fatal(err)
		}
		checkers = append(checkers, c)
	}
	f.Fuzz(func(t *testing.T, origin, referer, cookie, token, host string, secure bool) {
		for _, c := range checkers {
			r := httptest.NewRequest("POST", "http://example.com/", strings.NewReader("csrfmiddlewaretoken="+token))
			r.Host = host
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header["Origin"] = []string{origin}
			r.Header["Referer"] = []string{referer}
			r.Header["Cookie"] = []string{cookie}
			r.Header["X-Forwarded-Host"] = []string{host}
			if !secure {
				r.TLS = nil
			}
			err := c.Check(r, nil)
			var re *csrf.RejectError
			if err != nil && (!errors.As(err, &re) || !errors.Is(err, csrf.ErrRejected) || re.Reason == "") {
				t.Fatalf("untyped rejection %v", err)
			}
		}
	})
}
