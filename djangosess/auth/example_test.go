package auth_test

import (
	"fmt"
	"net/http"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// A Go handler behind djangosess.Middleware that knows who is logged in
// to the Django site sharing its database.
func ExampleAuth_GetUser() {
	db, err := sqlite.Open("db.sqlite3") // Django's DATABASES["default"]
	if err != nil {
		panic(err)
	}
	a, err := auth.New(auth.Config{
		SecretKey: []byte("django-insecure-example-key"),
		Users:     auth.SQLUsers{DB: db},
	})
	if err != nil {
		panic(err)
	}
	http.HandleFunc("/whoami", func(w http.ResponseWriter, r *http.Request) {
		s, _ := djangosess.FromContext(r.Context())
		u, err := a.GetUser(r.Context(), s)
		switch {
		case err != nil:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		case u == nil:
			http.Error(w, "not logged in", http.StatusUnauthorized)
		default:
			fmt.Fprintln(w, "user", u.ID)
		}
	})
}
