package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/hashers"
)

// run opens the session store and the user table the environment names,
// and serves until ctx ends.
func run(ctx context.Context, getenv func(string) string, logger *slog.Logger) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	s := cfg.settings
	store, err := engine.Open(ctx, s)
	if err != nil {
		return err
	}
	defer store.Close()
	if store.Store == nil {
		return fmt.Errorf("%w: this example needs a keyed session engine (db, cache, cached_db)", djangosess.ErrConfig)
	}
	u, err := openUsers(s.DatabaseURL)
	if err != nil {
		return err
	}
	defer u.Close()
	var accept djangosess.Compat
	if !s.Django.IsZero() {
		accept = djangosess.Strict(s.Django)
	}
	a, err := auth.New(auth.Config{SecretKey: s.SecretKey, FallbackKeys: s.FallbackKeys,
		Accept: accept, Target: s.Django, Users: u.byID})
	if err != nil {
		return err
	}
	app, err := newApp(a, u, s.Django, logger)
	if err != nil {
		return err
	}
	sessions := djangosess.Middleware(djangosess.MiddlewareConfig{
		Store:      store.Store,
		Session:    djangosess.SessionConfig{CookieAge: s.CookieAge, Target: s.Django},
		CookieName: s.CookieName,
		OnError:    app.sessionError,
	})

	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: app.routes(sessions), ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	logger.Info("goservice: listening", "addr", ln.Addr().String(), "engine", store.Engine)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("goservice: stopped")
	return nil
}

// app holds the handlers.
type app struct {
	auth    *auth.Auth
	users   *users
	checker hashers.Checker
	// dummy is a hash of a random password, checked when the username
	// is unknown so that a login takes as long either way (Django's
	// ModelBackend does the same).
	dummy  string
	now    func() time.Time
	logger *slog.Logger
}

func newApp(a *auth.Auth, u *users, django djangosess.Version, logger *slog.Logger) (*app, error) {
	dummy, err := hashers.Make(rand.Text(), hashers.MakeOptions{Django: django})
	if err != nil {
		return nil, err
	}
	return &app{auth: a, users: u, checker: hashers.Checker{Algorithms: hashers.DefaultAlgorithms(django)},
		dummy: dummy, now: time.Now, logger: logger}, nil
}

// routes is the service's router. Any router that takes net/http
// middleware works the same way; this one is chi.
func (app *app) routes(sessions func(http.Handler) http.Handler) http.Handler {
	r := chi.NewRouter()
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	r.Group(func(r chi.Router) {
		// Browsers send Sec-Fetch-Site/Origin: cross-site POSTs (login
		// CSRF, forced logout) are refused before they reach a handler.
		r.Use(http.NewCrossOriginProtection().Handler)
		r.Use(sessions)
		r.Get("/whoami", app.whoami)
		r.Post("/login", app.login)
		r.Post("/logout", app.logout)
	})
	return r
}
