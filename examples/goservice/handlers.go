package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
)

// answer is the JSON body of every route: the user id, or null.
type answer struct {
	UserID *string `json:"user_id"`
	Error  string  `json:"error,omitempty"`
}

func reply(w http.ResponseWriter, status int, a answer) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(a)
}

// unavailable answers a store or database failure; the error goes to the
// log (it never holds a key or a password).
func (app *app) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	app.logger.LogAttrs(r.Context(), slog.LevelError, "goservice: request failed",
		slog.String("path", r.URL.Path), slog.String("err", err.Error()))
	reply(w, http.StatusServiceUnavailable, answer{Error: "unavailable"})
}

// sessionError is the middleware's OnError hook.
func (app *app) sessionError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, djangosess.ErrVanished) {
		reply(w, http.StatusBadRequest, answer{Error: "session ended during the request"})
		return
	}
	app.unavailable(w, r, err)
}

// whoami is request.user: the Django user the session is logged in as.
func (app *app) whoami(w http.ResponseWriter, r *http.Request) {
	s, _ := djangosess.FromContext(r.Context())
	u, err := app.auth.GetUser(r.Context(), s)
	switch {
	case err != nil:
		app.unavailable(w, r, err)
	case u == nil:
		reply(w, http.StatusUnauthorized, answer{})
	default:
		reply(w, http.StatusOK, answer{UserID: &u.ID})
	}
}

// login is Django's LoginView in Go: the form's username and password are
// checked against auth_user, and the session is logged in as
// django.contrib.auth.login would (new key, user id, backend, hash).
func (app *app) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		reply(w, http.StatusBadRequest, answer{Error: "bad form"})
		return
	}
	username, password := r.PostForm.Get("username"), r.PostForm.Get("password")
	u, err := app.users.byUsername(ctx, username)
	if errors.Is(err, auth.ErrNoUser) {
		app.checker.Check(password, app.dummy) // same time as a wrong password
		reply(w, http.StatusUnauthorized, answer{Error: "wrong username or password"})
		return
	}
	if err != nil {
		app.unavailable(w, r, err)
		return
	}
	ok, err := app.checker.Check(password, u.Password)
	if err != nil {
		// An unknown, malformed or too expensive hash: no login, and
		// a line in the log for whoever looks after the database.
		app.logger.LogAttrs(ctx, slog.LevelWarn, "goservice: password hash not checked",
			slog.String("user_id", u.ID), slog.String("err", err.Error()))
	}
	if !ok || !u.Active { // ModelBackend.user_can_authenticate
		reply(w, http.StatusUnauthorized, answer{Error: "wrong username or password"})
		return
	}
	s, _ := djangosess.FromContext(ctx)
	if err := app.auth.Login(ctx, s, u, ""); err != nil {
		app.unavailable(w, r, err)
		return
	}
	if err := app.users.touchLogin(ctx, u.ID, app.now()); err != nil {
		app.unavailable(w, r, err)
		return
	}
	reply(w, http.StatusOK, answer{UserID: &u.ID})
}

// logout is django.contrib.auth.logout: the session is flushed, here and
// for Django.
func (app *app) logout(w http.ResponseWriter, r *http.Request) {
	s, _ := djangosess.FromContext(r.Context())
	if err := app.auth.Logout(r.Context(), s); err != nil {
		app.unavailable(w, r, err)
		return
	}
	reply(w, http.StatusOK, answer{})
}
