package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/gateway"
)

const serveDoc = `
Runs an auth gateway for nginx auth_request, Traefik ForwardAuth and Caddy
forward_auth: every request (except the health and metrics paths) is
answered 200 with X-Django-User-Id when its session cookie belongs to a
logged-in user whose session hash still matches their password, 401
otherwise, 503 when the store or database fails. Sessions are never
changed. Logs are JSON lines on stderr; SIGINT/SIGTERM shut down
gracefully.`

// headerFlags collects --header KEY=Header-Name.
type headerFlags map[string]string

func (h headerFlags) String() string { return "" }

func (h headerFlags) Set(s string) error {
	key, header, ok := strings.Cut(s, "=")
	if !ok || key == "" || header == "" {
		return fmt.Errorf("want SESSION_KEY=Header-Name, got %q", s)
	}
	h[key] = header
	return nil
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

func runServe(ctx context.Context, args []string, e *env) error {
	fs := newFlagSet("serve", "--listen ADDR", serveDoc+"\n"+storeDoc, e)
	var f storeFlags
	f.register(fs)
	var listen, usersURL, userTable, healthPath, metricsPath string
	var stringKeys, coalesceLoads bool
	var userCache time.Duration
	var grace time.Duration
	headers := headerFlags{}
	var backends listFlag
	fs.StringVar(&listen, "listen", "127.0.0.1:8089", "listen on `ADDR`")
	fs.StringVar(&usersURL, "users-database-url", "", "database `URL` holding the user table (default: --database-url / $DATABASE_URL)")
	fs.StringVar(&userTable, "user-table", "auth_user", "the user model's `TABLE`")
	fs.DurationVar(&userCache, "user-cache", 0, "remember each user lookup for `DURATION` (e.g. 1s): fewer database round trips, but a password change or deactivation takes that long to log sessions out (0: look up on every request, as Django)")
	fs.BoolVar(&coalesceLoads, "coalesce", true, "requests arriving while the same session or user is being read wait for that read and share the next one (never an answer read before they arrived); false: one store and one database round trip per request")
	fs.BoolVar(&stringKeys, "user-string-keys", false, "the user model's primary key is not an integer (UUID, ...)")
	fs.Var(headers, "header", "copy session value `KEY=Header-Name` into the 200 answer (repeatable)")
	fs.Var(&backends, "backend", "an AUTHENTICATION_BACKENDS `PATH` (repeatable; default ModelBackend)")
	fs.StringVar(&healthPath, "health-path", "/healthz", "health endpoint `PATH`")
	fs.StringVar(&metricsPath, "metrics-path", "/metrics", "Prometheus metrics `PATH`")
	fs.DurationVar(&grace, "shutdown-timeout", 10*time.Second, "how long shutdown waits for requests in flight")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErrorf("serve takes no arguments")
	}
	o, err := f.open(ctx, e, true)
	if err != nil {
		return err
	}
	defer o.Close()
	if usersURL == "" {
		usersURL = f.s.DatabaseURL
		if usersURL == "" {
			usersURL = e.getenv("DATABASE_URL")
		}
	}
	users, closeUsers, err := engine.OpenUsers(ctx, usersURL, engine.UserTable{Table: userTable, StringKeys: stringKeys})
	if err != nil {
		return usageErrorf("%v", err)
	}
	defer closeUsers()
	if userCache < 0 {
		return usageErrorf("--user-cache must not be negative")
	}
	if coalesceLoads {
		users = &auth.CoalescedUsers{Users: users}
	}
	if userCache > 0 {
		users = &auth.CachedUsers{Users: users, TTL: userCache}
	}
	key, fallbacks, err := f.secrets.load(e.getenv)
	if err != nil {
		return err
	}
	var accept djangosess.Compat
	var target djangosess.Version
	if f.django != "" {
		target, _ = djangosess.ParseVersion(f.django)
		accept = djangosess.Strict(target)
	}
	a, err := auth.New(auth.Config{SecretKey: key, FallbackKeys: fallbacks, Accept: accept, Target: target,
		HashingAlgorithm: f.algorithm, Backends: backends, Users: users, ReadOnly: true})
	if err != nil {
		return usageErrorf("%v", err)
	}
	logger := slog.New(slog.NewJSONHandler(e.stderr, nil))
	metrics := gateway.NewMetrics()
	cookieName := f.s.CookieName
	if cookieName == "" {
		cookieName = e.getenv("SESSION_COOKIE_NAME")
	}
	gcfg := gateway.Config{Store: o.Store, Auth: a, CookieName: cookieName, Headers: headers, Logger: logger, Metrics: metrics, NoCoalesce: !coalesceLoads}
	if o.Cookies != nil {
		gcfg.Cookies = o.Cookies
	}
	gw, err := gateway.New(gcfg)
	if err != nil {
		return usageErrorf("%v", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(healthPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle(metricsPath, metrics)
	mux.Handle("/", gw)

	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	logger.Info("djangosess serve: listening", "addr", ln.Addr().String(), "engine", o.Engine)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	logger.Info("djangosess serve: shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("djangosess serve: stopped")
	return nil
}
