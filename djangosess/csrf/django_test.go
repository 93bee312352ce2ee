package csrf_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/csrf"
)

// settings are the Django settings a case changes; they become both the
// oracle's override_settings and the Go Config.
type settings struct {
	TrustedOrigins                       []string
	CookieDomain, SessionCookieDomain    string
	UseSessions                          bool
	AllowedHosts                         []string
	HeaderName, CookieName               string
	UseXForwardedHost, UseXForwardedPort bool
	SecureProxySSLHeader                 [2]string
}

func (s settings) django() map[string]any {
	m := map[string]any{"CSRF_USE_SESSIONS": s.UseSessions,
		"USE_X_FORWARDED_HOST": s.UseXForwardedHost, "USE_X_FORWARDED_PORT": s.UseXForwardedPort}
	if s.TrustedOrigins != nil {
		m["CSRF_TRUSTED_ORIGINS"] = s.TrustedOrigins
	}
	if s.CookieDomain != "" {
		m["CSRF_COOKIE_DOMAIN"] = s.CookieDomain
	}
	if s.SessionCookieDomain != "" {
		m["SESSION_COOKIE_DOMAIN"] = s.SessionCookieDomain
	}
	if s.AllowedHosts != nil {
		m["ALLOWED_HOSTS"] = s.AllowedHosts
	}
	if s.HeaderName != "" {
		m["CSRF_HEADER_NAME"] = s.HeaderName
	}
	if s.CookieName != "" {
		m["CSRF_COOKIE_NAME"] = s.CookieName
	}
	if s.SecureProxySSLHeader[0] != "" {
		m["SECURE_PROXY_SSL_HEADER"] = s.SecureProxySSLHeader
	}
	return m
}

func (s settings) config(v djangosess.Version) csrf.Config {
	return csrf.Config{Target: v, TrustedOrigins: s.TrustedOrigins, CookieDomain: s.CookieDomain,
		SessionCookieDomain: s.SessionCookieDomain, UseSessions: s.UseSessions, AllowedHosts: s.AllowedHosts,
		HeaderName: s.HeaderName, CookieName: s.CookieName, UseXForwardedHost: s.UseXForwardedHost,
		UseXForwardedPort: s.UseXForwardedPort, SecureProxySSLHeader: s.SecureProxySSLHeader}
}

// reqCase is one request, sent to Django's CsrfViewMiddleware through
// RequestFactory and to Check through httptest.
type reqCase struct {
	name        string
	set         settings
	method      string // default POST
	secure      bool
	host        string            // default "example.com"
	headers     map[string]string // "Origin", "Referer", "X-CSRFToken", …
	cookie      string            // the raw Cookie header
	body        string
	contentType string            // default form-urlencoded when there is a body
	session     map[string]string // under UseSessions
	legacyOnly  bool              // settings only Django < 4.0 takes
}

func (c reqCase) defaults() reqCase {
	if c.method == "" {
		c.method = "POST"
	}
	if c.host == "" {
		c.host = "example.com"
	}
	if c.contentType == "" && c.body != "" {
		c.contentType = "application/x-www-form-urlencoded"
	}
	return c
}

// serverPort is SERVER_PORT as the Go side derives it (see Checker.port).
func (c reqCase) serverPort() string {
	if _, p, err := net.SplitHostPort(c.host); err == nil {
		return p
	}
	if c.secure {
		return "443"
	}
	return "80"
}

func (c reqCase) request(op string) map[string]any {
	meta := map[string]any{"HTTP_HOST": c.host, "SERVER_PORT": c.serverPort()}
	for k, v := range c.headers {
		meta["HTTP_"+strings.ToUpper(strings.ReplaceAll(k, "-", "_"))] = v
	}
	if c.cookie != "" {
		meta["HTTP_COOKIE"] = c.cookie
	}
	r := map[string]any{"op": op, "settings": c.set.django(), "method": c.method, "secure": c.secure,
		"meta": meta, "body": c.body, "content_type": c.contentType}
	if c.set.UseSessions {
		s := c.session
		if s == nil {
			s = map[string]string{}
		}
		r["session"] = s
	}
	return r
}

func (c reqCase) goRequest() *http.Request {
	scheme := "http"
	if c.secure {
		scheme = "https"
	}
	r := httptest.NewRequest(c.method, scheme+"://"+c.host+"/submit/", strings.NewReader(c.body))
	r.Host = c.host
	for k, v := range c.headers {
		r.Header.Set(k, v)
	}
	if c.cookie != "" {
		r.Header.Set("Cookie", c.cookie)
	}
	if c.contentType != "" {
		r.Header.Set("Content-Type", c.contentType)
	}
	return r
}

type mapSession map[string]string

func (m mapSession) String(k string) (string, bool) { v, ok := m[k]; return v, ok }

func (m mapSession) SetGo(k string, v any) error {
	s, ok := v.(string)
	if !ok {
		return errors.New("not a string")
	}
	m[k] = s
	return nil
}

func (c reqCase) goCheck(t *testing.T, v djangosess.Version) (string, error) {
	chk, err := csrf.New(c.set.config(v))
	if err != nil {
		return "", err
	}
	var s csrf.SessionReader
	if c.set.UseSessions {
		s = mapSession(c.session)
	}
	err = chk.Check(c.goRequest(), s)
	var re *csrf.RejectError
	switch {
	case err == nil:
		return "accept", nil
	case errors.As(err, &re):
		if !errors.Is(err, csrf.ErrRejected) || !errors.Is(err, re.Kind) {
			t.Errorf("%s: %v does not match its kind", c.name, err)
		}
		return re.Reason, nil
	default:
		return "", err
	}
}

func form(kv ...string) string {
	v := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

func multipartBody(field, value string) (string, string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("name", "x")
	w.WriteField(field, value)
	w.Close()
	return b.String(), w.FormDataContentType()
}

// cases returns the table, with tokens for one secret: sec in the cookie,
// good tokens masked by Go and by Django, and a token of another secret.
func cases(sec, goTok, djTok, masked, other string) []reqCase {
	ck := "csrftoken=" + sec
	post := form("csrfmiddlewaretoken", goTok)
	mp, mpType := multipartBody("csrfmiddlewaretoken", goTok)
	wild := settings{TrustedOrigins: []string{"https://*.example.org", "https://trusted.com"}}
	return []reqCase{
		{name: "good Go-masked token", cookie: ck, body: post},
		{name: "good Django-masked token", cookie: ck, body: form("csrfmiddlewaretoken", djTok)},
		{name: "masked cookie (Django < 4.1)", cookie: "csrftoken=" + masked, body: post},
		{name: "unmasked token in the form", cookie: ck, body: form("csrfmiddlewaretoken", sec)},
		{name: "token in X-CSRFToken", cookie: ck, headers: map[string]string{"X-CSRFToken": goTok}},
		{name: "unmasked token in the header", cookie: ck, headers: map[string]string{"X-CSRFToken": sec}},
		{name: "CSRF_HEADER_NAME", set: settings{HeaderName: "HTTP_X_XSRF_TOKEN"}, cookie: ck, headers: map[string]string{"X-XSRF-TOKEN": goTok}},
		{name: "CSRF_HEADER_NAME, default header sent", set: settings{HeaderName: "HTTP_X_XSRF_TOKEN"}, cookie: ck, headers: map[string]string{"X-CSRFToken": goTok}},
		{name: "CSRF_COOKIE_NAME", set: settings{CookieName: "xsrf"}, cookie: "xsrf=" + sec, body: post},
		{name: "bad token", cookie: ck, body: form("csrfmiddlewaretoken", other)},
		{name: "bad token in the header", cookie: ck, headers: map[string]string{"X-CSRFToken": other}},
		{name: "short token", cookie: ck, body: form("csrfmiddlewaretoken", "abc")},
		{name: "token with bad characters", cookie: ck, body: form("csrfmiddlewaretoken", goTok[:63]+"!")},
		{name: "bad header token length", cookie: ck, headers: map[string]string{"X-CSRFToken": goTok + "a"}},
		{name: "no token", cookie: ck},
		{name: "no token, other form fields", cookie: ck, body: form("name", "x")},
		{name: "empty field, header token", cookie: ck, body: form("csrfmiddlewaretoken", ""), headers: map[string]string{"X-CSRFToken": goTok}},
		{name: "bad field wins over good header", cookie: ck, body: form("csrfmiddlewaretoken", other), headers: map[string]string{"X-CSRFToken": goTok}},
		{name: "repeated field: the last counts (bad)", cookie: ck, body: form("csrfmiddlewaretoken", goTok, "csrfmiddlewaretoken", other)},
		{name: "repeated field: the last counts (good)", cookie: ck, body: form("csrfmiddlewaretoken", other, "csrfmiddlewaretoken", goTok)},
		{name: "multipart form", cookie: ck, body: mp, contentType: mpType},
		{name: "text/plain body is not a form", cookie: ck, body: post, contentType: "text/plain"},
		{name: "no cookie", body: post},
		{name: "other cookies only", cookie: "sessionid=abc; theme=dark", body: post},
		{name: "empty cookie", cookie: "csrftoken=", body: post},
		{name: "short cookie", cookie: "csrftoken=abc", body: post},
		{name: "cookie with bad characters", cookie: "csrftoken=" + sec[:31] + "-", body: post},
		{name: "quoted cookie", cookie: `csrftoken="` + sec + `"`, body: post},
		{name: "repeated cookie: the last counts", cookie: "csrftoken=abc; csrftoken=" + sec, body: post},
		{name: "cookie among others, spaces", cookie: "a=1;  csrftoken = " + sec + " ; b=2", body: post},
		{name: "GET needs nothing", method: "GET"},
		{name: "HEAD", method: "HEAD"},
		{name: "OPTIONS", method: "OPTIONS"},
		{name: "TRACE", method: "TRACE"},
		{name: "PUT with the header", method: "PUT", cookie: ck, headers: map[string]string{"X-CSRFToken": goTok}},
		{name: "PUT with a form field only", method: "PUT", cookie: ck, body: post},
		{name: "DELETE without token", method: "DELETE", cookie: ck},
		{name: "PATCH bad token", method: "PATCH", cookie: ck, headers: map[string]string{"X-CSRFToken": other}},
		{name: "lower-case post", method: "post", cookie: ck},
		{name: "same origin", cookie: ck, body: post, headers: map[string]string{"Origin": "http://example.com"}},
		{name: "evil origin", cookie: ck, body: post, headers: map[string]string{"Origin": "http://evil.com"}},
		{name: "origin with other port", cookie: ck, body: post, headers: map[string]string{"Origin": "http://example.com:8000"}},
		{name: "origin and host with port", host: "example.com:8000", cookie: ck, body: post, headers: map[string]string{"Origin": "http://example.com:8000"}},
		{name: "https origin, http request", cookie: ck, body: post, headers: map[string]string{"Origin": "https://example.com"}},
		{name: "upper-case host", host: "Example.com", cookie: ck, body: post, headers: map[string]string{"Origin": "http://example.com"}},
		{name: "null origin", cookie: ck, body: post, headers: map[string]string{"Origin": "null"}},
		{name: "empty origin", cookie: ck, body: post, headers: map[string]string{"Origin": ""}},
		{name: "malformed origin", cookie: ck, body: post, headers: map[string]string{"Origin": "http://[::1"}},
		{name: "trusted origin", set: wild, cookie: ck, body: post, headers: map[string]string{"Origin": "https://trusted.com"}},
		{name: "trusted origin, other scheme", set: wild, cookie: ck, body: post, headers: map[string]string{"Origin": "http://trusted.com"}},
		{name: "wildcard subdomain", set: wild, cookie: ck, body: post, headers: map[string]string{"Origin": "https://a.b.example.org"}},
		{name: "wildcard base domain", set: wild, cookie: ck, body: post, headers: map[string]string{"Origin": "https://example.org"}},
		{name: "wildcard, other scheme", set: wild, cookie: ck, body: post, headers: map[string]string{"Origin": "http://a.example.org"}},
		{name: "wildcard, port", set: wild, cookie: ck, body: post, headers: map[string]string{"Origin": "https://a.example.org:8443"}},
		{name: "wildcard, suffix lookalike", set: wild, cookie: ck, body: post, headers: map[string]string{"Origin": "https://evilexample.org"}},
		{name: "good origin, bad token", set: wild, cookie: ck, body: form("csrfmiddlewaretoken", other), headers: map[string]string{"Origin": "https://trusted.com"}},
		{name: "disallowed host, same origin", set: settings{AllowedHosts: []string{"other.com"}}, cookie: ck, body: post, headers: map[string]string{"Origin": "http://example.com"}},
		{name: "allowed subdomain host", set: settings{AllowedHosts: []string{".example.com"}}, host: "www.example.com", cookie: ck, body: post, headers: map[string]string{"Origin": "http://www.example.com"}},
		{name: "https, no referer", secure: true, cookie: ck, body: post},
		{name: "https, same-host referer", secure: true, cookie: ck, body: post, headers: map[string]string{"Referer": "https://example.com/form/"}},
		{name: "https, http referer", secure: true, cookie: ck, body: post, headers: map[string]string{"Referer": "http://example.com/form/"}},
		{name: "https, referer without scheme", secure: true, cookie: ck, body: post, headers: map[string]string{"Referer": "example.com/form/"}},
		{name: "https, referer without host", secure: true, cookie: ck, body: post, headers: map[string]string{"Referer": "https:///form/"}},
		{name: "https, evil referer", secure: true, cookie: ck, body: post, headers: map[string]string{"Referer": "https://evil.com/p?q=1#frag"}},
		{name: "https, referer with empty params", secure: true, cookie: ck, body: post, headers: map[string]string{"Referer": "https://evil.com/a;"}},
		{name: "https, referer with empty query", secure: true, cookie: ck, body: post, headers: map[string]string{"Referer": "HTTPS://evil.com/a?#"}},
		{name: "https, referer with bad IPv6", secure: true, cookie: ck, body: post, headers: map[string]string{"Referer": "https://[::1/x"}},
		{name: "https, referer with bracketed IPv4", secure: true, cookie: ck, body: post, headers: map[string]string{"Referer": "https://[1.2.3.4]/x"}},
		{name: "https, referer IPv6 host", secure: true, host: "[::1]", cookie: ck, body: post, headers: map[string]string{"Referer": "https://[::1]/x"}},
		{name: "https, referer from another port", secure: true, cookie: ck, body: post, headers: map[string]string{"Referer": "https://example.com:8443/"}},
		{name: "https, same origin skips referer", secure: true, cookie: ck, body: post, headers: map[string]string{"Origin": "https://example.com"}},
		{name: "https, cookie domain referer", secure: true, set: settings{CookieDomain: ".example.com"}, cookie: ck, body: post, headers: map[string]string{"Referer": "https://sub.example.com/"}},
		{name: "https, cookie domain, other domain", secure: true, set: settings{CookieDomain: ".example.com"}, cookie: ck, body: post, headers: map[string]string{"Referer": "https://example.net/"}},
		{name: "https, cookie domain on port 8443", secure: true, host: "example.com:8443", set: settings{CookieDomain: ".example.com"}, cookie: ck, body: post, headers: map[string]string{"Referer": "https://sub.example.com:8443/"}},
		{name: "https, cookie domain, port mismatch", secure: true, host: "example.com:8443", set: settings{CookieDomain: ".example.com"}, cookie: ck, body: post, headers: map[string]string{"Referer": "https://sub.example.com/"}},
		{name: "https, trusted referer", secure: true, set: wild, cookie: ck, body: post, headers: map[string]string{"Referer": "https://trusted.com/x"}},
		{name: "https, wildcard referer", secure: true, set: wild, cookie: ck, body: post, headers: map[string]string{"Referer": "https://a.example.org/x"}},
		{name: "https, disallowed host", secure: true, set: settings{AllowedHosts: []string{"other.com"}}, cookie: ck, body: post, headers: map[string]string{"Referer": "https://example.com/"}},
		{name: "https, legacy trusted host", secure: true, set: settings{TrustedOrigins: []string{".example.org"}}, cookie: ck, body: post, headers: map[string]string{"Referer": "https://a.example.org/"}, legacyOnly: true},
		{name: "sessions: secret", set: settings{UseSessions: true}, session: map[string]string{"_csrftoken": sec}, body: post},
		{name: "sessions: masked", set: settings{UseSessions: true}, session: map[string]string{"_csrftoken": masked}, body: post},
		{name: "sessions: none", set: settings{UseSessions: true}, cookie: ck, body: post},
		{name: "sessions: empty", set: settings{UseSessions: true}, session: map[string]string{"_csrftoken": ""}, body: post},
		{name: "sessions: bad token", set: settings{UseSessions: true}, session: map[string]string{"_csrftoken": sec}, body: form("csrfmiddlewaretoken", other)},
		{name: "sessions: https referer on session domain", secure: true, set: settings{UseSessions: true, SessionCookieDomain: ".example.com", CookieDomain: "nope.invalid"},
			session: map[string]string{"_csrftoken": masked}, body: post, headers: map[string]string{"Referer": "https://sub.example.com/"}},
		{name: "proxy ssl header: https", set: settings{SecureProxySSLHeader: [2]string{"HTTP_X_FORWARDED_PROTO", "https"}}, cookie: ck, body: post, headers: map[string]string{"X-Forwarded-Proto": "https"}},
		{name: "proxy ssl header: list", set: settings{SecureProxySSLHeader: [2]string{"HTTP_X_FORWARDED_PROTO", "https"}}, cookie: ck, body: post, headers: map[string]string{"X-Forwarded-Proto": "https, http"}},
		{name: "proxy ssl header: origin", set: settings{SecureProxySSLHeader: [2]string{"HTTP_X_FORWARDED_PROTO", "https"}}, cookie: ck, body: post, headers: map[string]string{"X-Forwarded-Proto": "https", "Origin": "https://example.com"}},
		{name: "proxy ssl header says http over tls", secure: true, set: settings{SecureProxySSLHeader: [2]string{"HTTP_X_FORWARDED_PROTO", "https"}}, cookie: ck, body: post, headers: map[string]string{"X-Forwarded-Proto": "http"}},
		{name: "x-forwarded-host", set: settings{UseXForwardedHost: true}, cookie: ck, body: post, headers: map[string]string{"X-Forwarded-Host": "proxy.example", "Origin": "http://proxy.example"}},
		{name: "x-forwarded-host ignored", cookie: ck, body: post, headers: map[string]string{"X-Forwarded-Host": "proxy.example", "Origin": "http://proxy.example"}},
		{name: "x-forwarded-port", secure: true, set: settings{UseXForwardedPort: true, CookieDomain: ".example.com"}, cookie: ck, body: post, headers: map[string]string{"X-Forwarded-Port": "8443", "Referer": "https://a.example.com:8443/"}},
	}
}

// TestCheckIsDjangos runs the table through Django's CsrfViewMiddleware
// (process_request, process_view) and through Check, for each Django
// version with Target set to it: both accept, or both reject with the
// same reason.
func TestCheckIsDjangos(t *testing.T) {
	for _, o := range oracles(t) {
		t.Run(o.django.Version, func(t *testing.T) {
			sec := csrf.NewSecret()
			goTok, _ := csrf.MaskToken(sec)
			masked, _ := csrf.MaskToken(sec)
			other, _ := csrf.MaskToken(csrf.NewSecret())
			djTok := o.do(t, map[string]any{"op": "mask", "secret": sec})[0].str(t)
			if u, err := csrf.UnmaskToken(djTok); err != nil || u != sec {
				t.Fatalf("UnmaskToken(Django's token) = %q, %v", u, err)
			}
			var cs []reqCase
			var reqs []map[string]any
			legacy := o.version.Less(djangosess.Version{Major: 4})
			for _, c := range cases(sec, goTok, djTok, masked, other) {
				if c.legacyOnly && !legacy {
					continue
				}
				c = c.defaults()
				cs, reqs = append(cs, c), append(reqs, c.request("check"))
			}
			accepted, rejected, raised := 0, 0, 0
			for i, a := range o.do(t, reqs...) {
				c := cs[i]
				got, err := c.goCheck(t, o.version)
				if err != nil {
					t.Errorf("%s: Go: %v", c.name, err)
					continue
				}
				if a.Error != "" {
					// Django raises (a 500) where it has no answer; Go
					// must at least reject.
					raised++
					t.Logf("%-45s Django raises %s (%s); Go: %s", c.name, a.Error, a.Message, got)
					if got == "accept" {
						t.Errorf("%s: Django raises %s, Go accepts", c.name, a.Error)
					}
					continue
				}
				want := "accept"
				if string(a.Value) != "null" {
					want = a.str(t)
					rejected++
				} else {
					accepted++
				}
				if got != want {
					t.Errorf("%s:\n Go:     %s\n Django: %s", c.name, got, want)
				}
				if testing.Verbose() {
					t.Logf("%-45s %s", c.name, want)
				}
			}
			t.Logf("Django %s: %d requests, %d accepted and %d rejected by both with the same reason, %d where Django raises",
				o.django.Version, len(cs), accepted, rejected, raised)
		})
	}
}

// TestTokensAcrossDjango: tokens Django's get_token hands out verify in
// Go; the cookie or session value and token Go's Token hands out pass
// Django's CsrfViewMiddleware; masking agrees both ways.
func TestTokensAcrossDjango(t *testing.T) {
	for _, o := range oracles(t) {
		t.Run(o.django.Version, func(t *testing.T) {
			sec := csrf.NewSecret()
			goTok, _ := csrf.MaskToken(sec)
			for _, sessions := range []bool{false, true} {
				set := settings{UseSessions: sessions}
				// Django's get_token, for a request without a secret and
				// for one with ours.
				base := reqCase{set: set, method: "GET"}.defaults()
				withSecret := base
				if sessions {
					withSecret.session = map[string]string{"_csrftoken": mustMaskIfOld(t, sec, o.version)}
				} else {
					withSecret.cookie = "csrftoken=" + sec
				}
				as := o.do(t, base.request("get_token"), withSecret.request("get_token"),
					map[string]any{"op": "unmask", "token": goTok})
				if got := as[2].str(t); got != sec {
					t.Errorf("Django unmasks Go's token to %q, want %q", got, sec)
				}
				for i, a := range as[:2] {
					var g struct {
						Token   string            `json:"token"`
						Cookie  *string           `json:"cookie"`
						Session map[string]string `json:"session"`
					}
					if err := json.Unmarshal(a.Value, &g); err != nil {
						t.Fatal(err, a.Error, a.Message)
					}
					stored := g.Session["_csrftoken"]
					if !sessions {
						stored = *g.Cookie
					}
					// Go accepts Django's token with Django's stored value.
					c := reqCase{set: set, body: form("csrfmiddlewaretoken", g.Token)}.defaults()
					if sessions {
						c.session = map[string]string{"_csrftoken": stored}
					} else {
						c.cookie = "csrftoken=" + stored
					}
					if got, err := c.goCheck(t, o.version); got != "accept" || err != nil {
						t.Errorf("sessions=%v: Go on Django's get_token: %s %v", sessions, got, err)
					}
					if i == 1 {
						if u, _ := csrf.UnmaskToken(g.Token); u != sec {
							t.Errorf("Django's token for our secret unmasks to %q", u)
						}
					}
				}

				// Go's Token: Django accepts what it stores and returns.
				chk, err := csrf.New(set.config(o.version))
				if err != nil {
					t.Fatal(err)
				}
				var reqs []map[string]any
				for _, start := range []string{"", sec, goTok, "garbage"} {
					c := reqCase{set: set, method: "GET"}.defaults()
					sess := mapSession{}
					if start != "" {
						if sessions {
							sess["_csrftoken"] = start
						} else {
							c.cookie = "csrftoken=" + start
						}
					}
					w := httptest.NewRecorder()
					tok, err := chk.Token(w, c.goRequest(), sess)
					if err != nil {
						t.Fatal(err)
					}
					post := reqCase{set: set, body: form("csrfmiddlewaretoken", tok)}.defaults()
					if sessions {
						post.session = sess
					} else {
						cookies := w.Result().Cookies()
						if len(cookies) != 1 || w.Header().Get("Vary") != "Cookie" {
							t.Fatalf("Token set %v, Vary %q", cookies, w.Header().Get("Vary"))
						}
						post.cookie = "csrftoken=" + cookies[0].Value
						if n := len(cookies[0].Value); (n == 32) != !o.version.Less(djangosess.Version{Major: 4, Minor: 1}) {
							t.Errorf("Django %v: Token stored %d characters", o.version, n)
						}
					}
					reqs = append(reqs, post.request("check"))
				}
				for i, a := range o.do(t, reqs...) {
					if string(a.Value) != "null" {
						t.Errorf("sessions=%v, start %d: Django rejects Go's token: %s %s", sessions, i, a.Value, a.Error)
					}
				}
			}
		})
	}
}

// mustMaskIfOld returns what the target Django keeps in the session: the
// secret from 4.1, a masked token before.
func mustMaskIfOld(t *testing.T, sec string, v djangosess.Version) string {
	if !v.Less(djangosess.Version{Major: 4, Minor: 1}) {
		return sec
	}
	m, err := csrf.MaskToken(sec)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
