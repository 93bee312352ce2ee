// Command goservice is a Go web service that shares login with the Django
// project in examples/django: a user logged in to Django is logged in here,
// and a user logged in here is logged in to Django. Both read the same
// environment (see examples/README.md):
//
//	DJANGO_SECRET_KEY            SECRET_KEY (required)
//	DJANGO_SECRET_KEY_FALLBACKS  SECRET_KEY_FALLBACKS, one key per line
//	DATABASE_URL                 the Django database (postgres://... or sqlite:///...)
//	CACHE_URL, CACHE_KEY_PREFIX, CACHE_VERSION, CACHE_CLIENT
//	                             the Django cache (Redis)
//	SESSION_ENGINE               default cached_db, as the Django project
//	SESSION_COOKIE_NAME, SESSION_COOKIE_AGE
//	DJANGO_VERSION               the Django version to behave as (e.g. 4.2);
//	                             default: read every version, write the newest
//	LISTEN                       address to listen on (default 127.0.0.1:8001)
//
// Routes (github.com/go-chi/chi/v5 behind djangosess.Middleware):
//
//	GET  /whoami   200 {"user_id": "1"} for a logged-in user, 401 otherwise
//	POST /login    username and password (a form); checks the password
//	               against Django's hash and logs the user in
//	POST /logout   logs out (flushes the session, as Django's logout)
//	GET  /healthz  200 "ok"
//
// Logs are JSON lines on stderr; the first says where it listens.
// SIGINT and SIGTERM shut it down gracefully.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(ctx, os.Getenv, logger); err != nil {
		fmt.Fprintln(os.Stderr, "goservice:", err)
		os.Exit(1)
	}
}
