package csrf_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/djangosess/djangosess/djangosess/csrf"
)

// A Go handler receiving a form posted from a Django page: the browser
// sends Django's csrftoken cookie and the csrfmiddlewaretoken field
// {% csrf_token %} rendered; the middleware checks them as Django's
// CsrfViewMiddleware would, and answers 403 with Django's reason if they
// do not match.
func Example() {
	checker, err := csrf.New(csrf.Config{
		TrustedOrigins: []string{"https://*.example.com"}, // CSRF_TRUSTED_ORIGINS
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /comments", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "saved %q", r.PostFormValue("text"))
	})
	handler := checker.Middleware(mux)

	// What a Django 5.2 page left in the browser: the secret in the cookie,
	// a masked token in the form.
	secret := csrf.NewSecret()
	token, _ := csrf.MaskToken(secret)

	post := func(token string) string {
		form := url.Values{"text": {"hello"}, "csrfmiddlewaretoken": {token}}
		r := httptest.NewRequest("POST", "http://shop.example.com/comments", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Origin", "https://www.example.com")
		r.AddCookie(&http.Cookie{Name: "csrftoken", Value: secret})
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		return fmt.Sprint(w.Code, " ", strings.TrimSpace(w.Body.String()))
	}
	fmt.Println(post(token))
	other, _ := csrf.MaskToken(csrf.NewSecret())
	fmt.Println(post(other))
	// Output:
	// 200 saved "hello"
	// 403 Forbidden (CSRF verification failed: CSRF token from POST incorrect.)
}

// Token is get_token for Go pages: it returns the value to render in a
// csrfmiddlewaretoken field and sets the cookie Django will check.
func ExampleChecker_Token() {
	checker, _ := csrf.New(csrf.Config{})
	w := httptest.NewRecorder()
	token, _ := checker.Token(w, httptest.NewRequest("GET", "/form", nil), nil)
	cookie := w.Result().Cookies()[0]

	secret, _ := csrf.UnmaskToken(token)
	fmt.Println(len(token), cookie.Name, secret == cookie.Value)
	// Output:
	// 64 csrftoken true
}
