package e2e

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/pyrun"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/internal/servertest"
)

var (
	gunicornAddr  = regexp.MustCompile(`Listening at: http://(127\.0\.0\.1:\d+)`)
	goserviceAddr = regexp.MustCompile(`"msg":"goservice: listening","addr":"([^"]+)"`)
	serveAddr     = regexp.MustCompile(`"msg":"djangosess serve: listening","addr":"([^"]+)"`)
)

// backendHeader is the header `serve` copies _auth_user_backend into.
const backendHeader = "X-Django-Backend"

// world is one Django version's deployment: its schema and key prefix,
// and the three servers once started.
type world struct {
	t         *testing.T
	django    djangotest.Django
	root      string // repository root
	project   string // examples/django
	gunicorn  string
	goservice string
	djs       string // the djangosess command
	env       map[string]string
	redis     *redis.Client
	prefix    string // CACHE_KEY_PREFIX

	dj, gs, gw *proc // Django (gunicorn), the Go service, serve
}

// newWorld makes the schema and the key prefix, migrates and creates
// the users.
func newWorld(t *testing.T, d djangotest.Django, cacheClient string) *world {
	t.Helper()
	root := djangotest.Root(t)
	gunicorn, err := exec.LookPath("gunicorn")
	if err != nil {
		pyrun.Missing(t, "e2e: gunicorn not found (apt-get install gunicorn): %v", err)
	}
	goservice, djs := binaries(t, root)
	pg := servertest.Postgres(t)
	rc := redistest.Local(t)
	prefix := redistest.Prefix(t, rc)
	w := &world{t: t, django: d, root: root, project: filepath.Join(root, "examples", "django"),
		gunicorn: gunicorn, goservice: goservice, djs: djs,
		redis: rc, prefix: prefix,
		env: map[string]string{
			"DATABASE_URL":     pg.DSN,
			"CACHE_URL":        "redis://" + redistest.Addr() + "/0",
			"CACHE_KEY_PREFIX": prefix,
			"CACHE_CLIENT":     cacheClient,
			"SESSION_ENGINE":   "cached_db",
			"DJANGO_VERSION":   d.Version,
			"DB_CONN_MAX_AGE":  "0", // no connection outlives a request: the schema is dropped at the end
		},
	}
	if d.PythonPath != "" {
		w.env["PYTHONPATH"] = d.PythonPath
	}
	w.env["DJANGO_SECRET_KEY"] = "e2e-first-secret-key"
	w.manage(t, nil, "migrate", "--noinput", "-v", "0")
	return w
}

// manage runs manage.py with the world's environment and returns its
// standard output.
func (w *world) manage(t *testing.T, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command(pyrun.Python, append([]string{"manage.py"}, args...)...)
	cmd.Dir = w.project
	cmd.Env = environ(w.env)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("manage.py %s (Django %s): %v\n%s", strings.Join(args, " "), w.django.Version, err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// user creates a user with Django's setpassword command and returns its id.
func (w *world) user(t *testing.T, name, password string) string {
	t.Helper()
	return w.manage(t, []byte(password+"\n"), "setpassword", name)
}

// setKeys sets SECRET_KEY and SECRET_KEY_FALLBACKS for the next start.
func (w *world) setKeys(key string, fallbacks ...string) {
	w.env["DJANGO_SECRET_KEY"] = key
	w.env["DJANGO_SECRET_KEY_FALLBACKS"] = strings.Join(fallbacks, "\n")
}

// startDjango runs the project under gunicorn (one sync worker).
func (w *world) startDjango(t *testing.T) {
	t.Helper()
	cmd := exec.Command(w.gunicorn, "--bind", "127.0.0.1:0", "--workers", "1", "--chdir", w.project,
		"--timeout", "120", // a PBKDF2 login on a loaded machine takes seconds
		"--graceful-timeout", "5", "sharedlogin.wsgi")
	cmd.Env = environ(w.env)
	w.dj = start(t, "gunicorn (Django "+w.django.Version+")", cmd, gunicornAddr, "/whoami/", 401)
}

// startGo runs examples/goservice.
func (w *world) startGo(t *testing.T) {
	t.Helper()
	cmd := exec.Command(w.goservice)
	env := map[string]string{"LISTEN": "127.0.0.1:0"}
	for k, v := range w.env {
		env[k] = v
	}
	cmd.Env = environ(env)
	w.gs = start(t, "goservice", cmd, goserviceAddr, "/healthz", 200)
}

// serveCmd is `djangosess serve` on the world's settings.
func (w *world) serveCmd() *exec.Cmd {
	cmd := exec.Command(w.djs, "serve", "--listen", "127.0.0.1:0", "--django", w.django.Version,
		"--cache-client", w.env["CACHE_CLIENT"], "--header", "_auth_user_backend="+backendHeader)
	cmd.Env = environ(w.env)
	return cmd
}

// startServe runs `djangosess serve`.
func (w *world) startServe(t *testing.T) {
	t.Helper()
	w.gw = start(t, "djangosess serve", w.serveCmd(), serveAddr, "/healthz", 200)
}

func (w *world) startAll(t *testing.T) {
	t.Helper()
	w.startDjango(t)
	w.startGo(t)
	w.startServe(t)
}

func (w *world) stopAll(t *testing.T) {
	t.Helper()
	for _, p := range []*proc{w.dj, w.gs, w.gw} {
		if p != nil {
			p.stop(t)
		}
	}
}
