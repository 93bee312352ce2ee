package gateway_test

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/auth"
	"github.com/djangosess/djangosess/djangosess/gateway"
	"github.com/djangosess/djangosess/djangosess/sqlite"
)

// The demo project testdata/demo/db.sqlite3 was made by Django 5.2
// (testdata/gen_demo_db.py): alice (id 1) is logged in under demoAlice,
// demoAnon holds a cart and no user.
const (
	demoAlice = "9vrgtn74d7ae0lh1ign1ey65wrpzel66"
	demoAnon  = "xh2cncjttfglr88r15pjxc9hizk53a68"
)

// demoDB copies the demo project's database and returns it open, with
// its SECRET_KEY and its session store.
func demoDB(t *testing.T) (*sql.DB, []byte, *sqlite.Store) {
	t.Helper()
	src, err := os.ReadFile("../../testdata/demo/db.sqlite3")
	if err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile("../../testdata/demo/secret_key")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	if err := os.WriteFile(path, src, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	secret := []byte(strings.TrimSpace(string(key)))
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: secret})
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.New(db, sqlite.Config{Codec: codec})
	if err != nil {
		t.Fatal(err)
	}
	return db, secret, store
}

func demo(t *testing.T, readOnly bool) (*gateway.Handler, *gateway.Metrics, error) {
	t.Helper()
	db, secret, store := demoDB(t)
	a, err := auth.New(auth.Config{SecretKey: secret, Users: auth.SQLUsers{DB: db}, ReadOnly: readOnly})
	if err != nil {
		t.Fatal(err)
	}
	m := gateway.NewMetrics()
	h, err := gateway.New(gateway.Config{Store: store, Auth: a, Metrics: m, Headers: map[string]string{"_auth_user_backend": "X-Backend"}})
	return h, m, err
}

// coalescedHandler is a read-only gateway over store whose user lookups
// in db are coalesced, as serve makes it by default.
func coalescedHandler(t *testing.T, db *sql.DB, secret []byte, store djangosess.Store) *gateway.Handler {
	t.Helper()
	a, err := auth.New(auth.Config{SecretKey: secret, Users: &auth.CoalescedUsers{Users: auth.SQLUsers{DB: db}}, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	h, err := gateway.New(gateway.Config{Store: store, Auth: a})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestGateway(t *testing.T) {
	h, m, err := demo(t, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cookie string
		status int
		user   string
	}{
		{demoAlice, 200, "1"},
		{demoAnon, 401, ""},
		{"", 401, ""},
		{"nosuchsessionkey0000000000000000", 401, ""},
	} {
		req := httptest.NewRequest("GET", "/auth", nil)
		if tc.cookie != "" {
			req.AddCookie(&http.Cookie{Name: "sessionid", Value: tc.cookie})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.status || rec.Header().Get(gateway.UserIDHeader) != tc.user {
			t.Errorf("cookie %q: %d %q, want %d %q", tc.cookie, rec.Code, rec.Header().Get(gateway.UserIDHeader), tc.status, tc.user)
		}
		if tc.status == 200 && rec.Header().Get("X-Backend") != "django.contrib.auth.backends.ModelBackend" {
			t.Errorf("X-Backend = %q", rec.Header().Get("X-Backend"))
		}
	}
	var b strings.Builder
	m.WriteTo(&b)
	for _, want := range []string{`djangosess_gateway_requests_total{result="ok"} 1`, `djangosess_gateway_requests_total{result="unauthorized"} 3`,
		`djangosess_gateway_request_duration_seconds_count{result="ok"} 1`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
}

func TestGatewayNeedsReadOnlyAuth(t *testing.T) {
	if _, _, err := demo(t, false); err == nil {
		t.Error("a gateway accepted an Auth that may cycle keys")
	}
}
