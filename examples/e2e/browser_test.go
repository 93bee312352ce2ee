package e2e

import (
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// browser is one user agent: a net/http client with its own cookie jar,
// which, like a browser, sends 127.0.0.1's cookies to every port, so the
// Django project, the Go service and the gateway share them as they would
// behind one domain.
type browser struct {
	name string
	w    *world
	c    *http.Client
	jar  *cookiejar.Jar
}

func newBrowser(t *testing.T, w *world, name string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{name: name, w: w, jar: jar, c: &http.Client{
		Jar:     jar,
		Timeout: 120 * time.Second, // a PBKDF2 login on a loaded machine
		// Redirects are checked, not followed.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// do sends req and returns the response (body read and closed) and body.
func (b *browser) do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s: %s %s: %v", b.name, req.Method, req.URL.Path, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("%s: %s %s: reading the body: %v", b.name, req.Method, req.URL.Path, err)
	}
	return resp, string(body)
}

func (b *browser) get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b.do(t, req)
}

func (b *browser) postForm(t *testing.T, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(t, req)
}

// sessionKey is the session cookie the jar holds ("" for none).
func (b *browser) sessionKey(t *testing.T) string {
	t.Helper()
	return b.cookie(t, "sessionid")
}

func (b *browser) cookie(t *testing.T, name string) string {
	t.Helper()
	u, _ := url.Parse(b.w.dj.url("/"))
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var csrfField = regexp.MustCompile(`<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"`)

// formToken GETs a Django page and returns its form's csrfmiddlewaretoken.
func (b *browser) formToken(t *testing.T, path string) string {
	t.Helper()
	resp, body := b.get(t, b.w.dj.url(path))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: GET %s on Django: %s\n%s", b.name, path, resp.Status, body)
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s: no csrfmiddlewaretoken in Django's %s:\n%s", b.name, path, body)
	}
	if b.cookie(t, "csrftoken") == "" {
		t.Fatalf("%s: Django's %s set no csrftoken cookie", b.name, path)
	}
	return html.UnescapeString(m[1])
}

// djangoLogin goes through Django's login form.
func (b *browser) djangoLogin(t *testing.T, username, password string) {
	t.Helper()
	token := b.formToken(t, "/accounts/login/")
	resp, body := b.postForm(t, b.w.dj.url("/accounts/login/"), url.Values{
		"csrfmiddlewaretoken": {token}, "username": {username}, "password": {password}, "next": {"/whoami/"}})
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/whoami/" {
		t.Fatalf("%s: Django login as %s: %s (Location %q), want 302 to /whoami/\n%s",
			b.name, username, resp.Status, resp.Header.Get("Location"), body)
	}
	if b.sessionKey(t) == "" {
		t.Fatalf("%s: Django's login set no session cookie", b.name)
	}
}

// djangoPostWithoutToken posts Django's login form with no CSRF token:
// Django must refuse it.
func (b *browser) djangoPostWithoutToken(t *testing.T, username, password string) int {
	t.Helper()
	resp, _ := b.postForm(t, b.w.dj.url("/accounts/login/"), url.Values{"username": {username}, "password": {password}})
	return resp.StatusCode
}

// djangoLogout posts the logout form of Django's home page.
func (b *browser) djangoLogout(t *testing.T) {
	t.Helper()
	token := b.formToken(t, "/")
	resp, body := b.postForm(t, b.w.dj.url("/accounts/logout/"), url.Values{"csrfmiddlewaretoken": {token}})
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("%s: Django logout: %s, want 302\n%s", b.name, resp.Status, body)
	}
}

// djangoChangePassword goes through Django's PasswordChangeView.
func (b *browser) djangoChangePassword(t *testing.T, old, newPassword string) {
	t.Helper()
	token := b.formToken(t, "/accounts/password/")
	resp, body := b.postForm(t, b.w.dj.url("/accounts/password/"), url.Values{"csrfmiddlewaretoken": {token},
		"old_password": {old}, "new_password1": {newPassword}, "new_password2": {newPassword}})
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/accounts/password/done/" {
		t.Fatalf("%s: Django password change: %s (Location %q)\n%s", b.name, resp.Status, resp.Header.Get("Location"), body)
	}
}

// goLogin posts username and password to the Go service and returns the
// status.
func (b *browser) goLogin(t *testing.T, username, password string) int {
	t.Helper()
	resp, _ := b.postForm(t, b.w.gs.url("/login"), url.Values{"username": {username}, "password": {password}})
	return resp.StatusCode
}

// goLogout posts to the Go service's /logout.
func (b *browser) goLogout(t *testing.T) {
	t.Helper()
	resp, body := b.postForm(t, b.w.gs.url("/logout"), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: Go logout: %s\n%s", b.name, resp.Status, body)
	}
}

// whoami is the user id a side sees ("" for anonymous).
type side func(t *testing.T, b *browser) string

// djangoSees is request.user in Django's /whoami/.
func djangoSees(t *testing.T, b *browser) string {
	t.Helper()
	return jsonUser(t, b, "Django /whoami/", b.w.dj.url("/whoami/"))
}

// goSees is the Go service's /whoami.
func goSees(t *testing.T, b *browser) string {
	t.Helper()
	return jsonUser(t, b, "Go /whoami", b.w.gs.url("/whoami"))
}

func jsonUser(t *testing.T, b *browser, what, u string) string {
	t.Helper()
	resp, body := b.get(t, u)
	var got struct {
		UserID *string `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%s: %s: %s, body %q: %v", b.name, what, resp.Status, body, err)
	}
	switch {
	case resp.StatusCode == http.StatusOK && got.UserID != nil && *got.UserID != "":
		return *got.UserID
	case resp.StatusCode == http.StatusUnauthorized && got.UserID == nil:
		return ""
	}
	t.Fatalf("%s: %s answered %s %s", b.name, what, resp.Status, body)
	return ""
}

// gatewaySees is `djangosess serve`'s answer, as nginx's auth_request
// would get it: the session cookie forwarded, X-Django-User-Id back.
func gatewaySees(t *testing.T, b *browser) string {
	t.Helper()
	resp, body := b.get(t, b.w.gw.url("/auth"))
	switch resp.StatusCode {
	case http.StatusOK:
		id := resp.Header.Get("X-Django-User-Id")
		if id == "" {
			t.Fatalf("%s: serve answered 200 without X-Django-User-Id", b.name)
		}
		if got := resp.Header.Get(backendHeader); got != "django.contrib.auth.backends.ModelBackend" {
			t.Errorf("%s: serve's %s = %q, want the session's _auth_user_backend", b.name, backendHeader, got)
		}
		return id
	case http.StatusUnauthorized:
		return ""
	}
	t.Fatalf("%s: serve answered %s %s", b.name, resp.Status, body)
	return ""
}

// sides are the three views of one login, in the order checked.
var sides = []struct {
	name string
	sees side
}{
	{"serve", gatewaySees}, // read-only first: it never changes the session
	{"Go", goSees},
	{"Django", djangoSees},
}

// expect checks that every side sees user ("" for anonymous).
func (b *browser) expect(t *testing.T, step, user string) {
	t.Helper()
	for _, s := range sides {
		if got := s.sees(t, b); got != user {
			t.Errorf("%s: %s: %s sees user %q, want %q", step, b.name, s.name, got, user)
		}
	}
}
