package transfer_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	goredis "github.com/redis/go-redis/v9"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/djangosess/sqlite"
	"github.com/djangosess/djangosess/djangosess/transfer"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/pyrun"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/internal/servertest"
	"github.com/djangosess/djangosess/serializer"
)

// doctorKeys are SECRET_KEY candidates around each rule of Django's
// check: length in characters (not bytes), distinct characters, the
// startproject prefix, invalid UTF-8 (Python's surrogateescape), empty.
var doctorKeys = [][]byte{
	[]byte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"), // 50: ok
	[]byte("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"),  // 49
	[]byte("django-insecure-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"),
	[]byte("DJANGO-INSECURE-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX"),
	[]byte(strings.Repeat("abcd", 15)),                          // 4 distinct
	[]byte(strings.Repeat("abcde", 10)),                         // 5 distinct, 50
	[]byte(strings.Repeat("é", 45) + "abcd"),                    // 49 characters, 94 bytes
	[]byte(strings.Repeat("αβγδε", 10)),                         // 50 characters, 100 bytes
	[]byte(strings.Repeat("abcdefg", 7) + "\xff"),               // 50 with an invalid byte
	[]byte(strings.Repeat("\xff", 50)),                          // 1 distinct
	[]byte(strings.Repeat("\xff\xfe\xfd\xfc", 12) + "\xfb\xfa"), // 50, 6 distinct, all invalid
	{},
}

// djangoSecretVerdicts runs Django's own deployment checks on the keys:
// check_secret_key with each as SECRET_KEY (W009) and, where Django has
// it (4.1+), check_secret_key_fallbacks with all of them as
// SECRET_KEY_FALLBACKS (W025, the indexes it names).
const djangoSecretVerdicts = `import base64, json, re, sys
import django
from django.conf import settings
settings.configure(SECRET_KEY="x" * 60, INSTALLED_APPS=[])
django.setup()
from django.core.checks.security import base
from django.test.utils import override_settings
keys = [base64.b64decode(l).decode("utf-8", "surrogateescape") for l in sys.stdin.read().split()]
out = {"w009": [], "w025": None}
for k in keys:
    with override_settings(SECRET_KEY=k):
        out["w009"].append([w.id for w in base.check_secret_key(None)] == ["security.W009"])
if hasattr(base, "check_secret_key_fallbacks"):
    with override_settings(SECRET_KEY_FALLBACKS=keys):
        ws = base.check_secret_key_fallbacks(None)
        out["w025"] = sorted(int(re.search(r"\[(\d+)\]", w.msg).group(1)) for w in ws if w.id == "security.W025")
print(json.dumps(out))
`

func TestDoctorSecretKeyAgreesWithDjango(t *testing.T) {
	var in []string
	for _, k := range doctorKeys {
		if len(k) > 0 { // Django's settings refuse an empty key outright
			in = append(in, base64.StdEncoding.EncodeToString(k))
		}
	}
	for _, dj := range djangotest.Versions(t) {
		t.Run(dj.Version, func(t *testing.T) {
			out := pyrun.Output(t, djangoSecretVerdicts, []string{"PYTHONPATH=" + dj.PythonPath}, []byte(strings.Join(in, "\n")+"\n"))
			var got struct {
				W009 []bool `json:"w009"`
				W025 []int  `json:"w025"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%s: %v", out, err)
			}
			if len(got.W009) != len(in) {
				t.Fatalf("Django judged %d keys, want %d", len(got.W009), len(in))
			}
			i := 0
			var fallbacks [][]byte
			var want025 []int
			for _, k := range doctorKeys {
				if len(k) == 0 {
					continue
				}
				weak, why := transfer.WeakSecretKey(k)
				if weak != got.W009[i] {
					t.Errorf("key %d (%q): WeakSecretKey = %v %v, Django's W009: %v", i, k, weak, why, got.W009[i])
				}
				f := transfer.CheckSecretKeys(k, nil)
				if len(f) != 1 || (f[0].Severity == transfer.SeverityWarning) != got.W009[i] {
					t.Errorf("key %d: CheckSecretKeys = %+v, Django's W009: %v", i, f, got.W009[i])
				}
				if weak {
					want025 = append(want025, len(fallbacks))
				}
				fallbacks = append(fallbacks, k)
				i++
			}
			if got.W025 != nil {
				if fmt.Sprint(got.W025) != fmt.Sprint(want025) {
					t.Errorf("Django's W025 flags fallbacks %v, WeakSecretKey %v", got.W025, want025)
				}
				var flagged []int
				for _, f := range transfer.CheckSecretKeys(doctorKeys[0], fallbacks) {
					if f.Severity != transfer.SeverityWarning {
						continue
					}
					var n int
					if _, err := fmt.Sscanf(f.Message, "SECRET_KEY_FALLBACKS[%d]", &n); err != nil {
						t.Fatalf("%q: %v", f.Message, err)
					}
					flagged = append(flagged, n)
				}
				if fmt.Sprint(flagged) != fmt.Sprint(got.W025) {
					t.Errorf("CheckSecretKeys flags fallbacks %v, Django %v", flagged, got.W025)
				}
			}
		})
	}
	// The empty key: Django's settings refuse it (ImproperlyConfigured),
	// which check_secret_key reports as W009.
	if weak, _ := transfer.WeakSecretKey(nil); !weak {
		t.Error("the empty key is not weak")
	}
}

func TestDoctorSecretKeyNeverShown(t *testing.T) {
	key := []byte("django-insecure-" + strings.Repeat("Zq9", 5))
	fb := []byte("Qx7-tiny-Wv8")
	f := transfer.CheckSecretKeys(key, [][]byte{fb, []byte(strings.Repeat("Kp7#", 20))})
	b, _ := json.Marshal(f)
	for _, k := range [][]byte{key[len("django-insecure-"):], fb} {
		for i := 0; i+6 <= len(k); i++ {
			if strings.Contains(string(b), string(k[i:i+6])) {
				t.Fatalf("findings show part of a key (%q): %s", k[i:i+6], b)
			}
		}
	}
	if len(f) != 3 || f[0].Severity != transfer.SeverityWarning || f[1].Severity != transfer.SeverityWarning || f[2].Severity != transfer.SeverityWarning ||
		!strings.Contains(f[0].Message, "shorter than 50") || !strings.Contains(f[0].Message, "django-insecure-") {
		t.Errorf("findings = %+v", f)
	}
	if f := transfer.CheckSecretKeys(nil, nil); len(f) != 1 || f[0].Severity != transfer.SeverityInfo {
		t.Errorf("no key: %+v", f)
	}
}

// doctorRedis starts a private redis-server on a free loopback port with
// extra arguments, stopped when the test ends, and returns its address.
// The shared server on 6379 is never reconfigured.
func doctorRedis(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath(redistest.Server())
	if err != nil {
		pyrun.Missing(t, "%s not found: %v", redistest.Server(), err)
	}
	for attempt := 1; ; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		dir := t.TempDir()
		all := append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--logfile", filepath.Join(dir, "redis.log"), "--daemonize", "no"}, args...)
		cmd := exec.Command(bin, all...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		stop := func() {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
			}
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		c := goredis.NewClient(&goredis.Options{Addr: addr, MaxRetries: -1})
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var perr error
		for {
			if perr = c.Ping(ctx).Err(); perr == nil {
				break
			}
			exited := false
			select {
			case <-done:
				exited = true
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
				continue
			}
			if exited || ctx.Err() != nil {
				break
			}
		}
		cancel()
		c.Close()
		if perr == nil {
			t.Cleanup(stop)
			return addr
		}
		stop()
		if attempt == 3 {
			log, _ := os.ReadFile(filepath.Join(dir, "redis.log"))
			t.Fatalf("redis-server %v did not start: %v\n%s", args, perr, log)
		}
	}
}

// doctorRun runs DoctorSettings with a fixed clock.
func doctorRun(t *testing.T, s engine.Settings, now time.Time, opts transfer.DoctorOptions) []transfer.Finding {
	t.Helper()
	opts.Now = func() time.Time { return now }
	f, err := transfer.DoctorSettings(ctx, s, opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// doctorFind returns the findings of one check.
func doctorFind(fs []transfer.Finding, check string) []transfer.Finding {
	var out []transfer.Finding
	for _, f := range fs {
		if f.Check == check {
			out = append(out, f)
		}
	}
	return out
}

// doctorWant checks that check gave exactly the severities want, each
// message holding the matching substring (when not "").
func doctorWant(t *testing.T, all []transfer.Finding, check string, want ...any) {
	t.Helper()
	got := doctorFind(all, check)
	if len(got) != len(want)/2 {
		t.Fatalf("%s: %d findings %+v, want %d\nall: %+v", check, len(got), got, len(want)/2, all)
	}
	for i := range got {
		sev, sub := want[2*i].(transfer.Severity), want[2*i+1].(string)
		if got[i].Severity != sev || !strings.Contains(got[i].Message, sub) {
			t.Errorf("%s[%d] = %s %q; want %s containing %q", check, i, got[i].Severity, got[i].Message, sev, sub)
		}
		if sev.Problem() && got[i].Advice == "" {
			t.Errorf("%s[%d]: a %s without advice", check, i, sev)
		}
	}
}

func TestDoctorRedis(t *testing.T) {
	now := time.Now()
	cache := func(url string) engine.Settings { return engine.Settings{Engine: "cache", CacheURL: url} }
	bare := doctorRedis(t, "--save", "", "--appendonly", "no")
	aof := doctorRedis(t, "--save", "", "--appendonly", "yes")
	renamed := doctorRedis(t, "--save", "", "--appendonly", "yes", "--rename-command", "CONFIG", "")

	t.Run("no persistence", func(t *testing.T) {
		f := doctorRun(t, cache("redis://"+bare+"/0"), now, transfer.DoctorOptions{})
		doctorWant(t, f, transfer.CheckRedisPersistence, transfer.SeverityWarning, `save "", appendonly no`)
		doctorWant(t, f, transfer.CheckRedisEviction, transfer.SeverityOK, "no maxmemory")
		doctorWant(t, f, transfer.CheckStore)
		// cached_db: the database keeps the sessions.
		s := cache("redis://" + bare + "/0")
		s.Engine, s.DatabaseURL = "cached_db", "sqlite:///"+doctorSQLite(t)
		f = doctorRun(t, s, now, transfer.DoctorOptions{})
		doctorWant(t, f, transfer.CheckRedisPersistence, transfer.SeverityInfo, "cached_db reads the sessions again")
		doctorWant(t, f, transfer.CheckExpireDateIndex, transfer.SeverityOK, "indexed")
	})
	t.Run("aof", func(t *testing.T) {
		f := doctorRun(t, cache("redis://"+aof+"/0"), now, transfer.DoctorOptions{})
		doctorWant(t, f, transfer.CheckRedisPersistence, transfer.SeverityOK, "appendonly yes")
	})
	t.Run("rdb and eviction", func(t *testing.T) {
		// A private server: reconfiguring it touches no other test.
		c := goredis.NewClient(&goredis.Options{Addr: bare})
		defer c.Close()
		for _, kv := range [][2]string{{"save", "60 1"}, {"maxmemory", "100mb"}, {"maxmemory-policy", "allkeys-lru"}} {
			if err := c.ConfigSet(ctx, kv[0], kv[1]).Err(); err != nil {
				t.Fatal(err)
			}
		}
		f := doctorRun(t, cache("redis://"+bare+"/0"), now, transfer.DoctorOptions{})
		doctorWant(t, f, transfer.CheckRedisPersistence, transfer.SeverityInfo, `RDB snapshots only (save "60 1"`)
		doctorWant(t, f, transfer.CheckRedisEviction, transfer.SeverityWarning, "maxmemory-policy allkeys-lru")
		for _, pol := range []string{"volatile-ttl", "volatile-lru"} {
			c.ConfigSet(ctx, "maxmemory-policy", pol)
			f = doctorRun(t, cache("redis://"+bare+"/0"), now, transfer.DoctorOptions{})
			doctorWant(t, f, transfer.CheckRedisEviction, transfer.SeverityWarning, "maxmemory-policy "+pol)
		}
		c.ConfigSet(ctx, "maxmemory-policy", "noeviction")
		f = doctorRun(t, cache("redis://"+bare+"/0"), now, transfer.DoctorOptions{})
		doctorWant(t, f, transfer.CheckRedisEviction, transfer.SeverityInfo, "noeviction")
		if err := c.ConfigSet(ctx, "maxmemory", "0").Err(); err != nil {
			t.Fatal(err)
		}
		c.ConfigSet(ctx, "save", "")
	})
	t.Run("config renamed", func(t *testing.T) {
		f := doctorRun(t, cache("redis://"+renamed+"/0"), now, transfer.DoctorOptions{})
		doctorWant(t, f, transfer.CheckRedisPersistence, transfer.SeverityOK, "appendonly yes") // from INFO
		doctorWant(t, f, transfer.CheckRedisEviction, transfer.SeverityOK, "no maxmemory")
	})
	t.Run("acl without config", func(t *testing.T) {
		const pw = "doctor-Pw-7fQx2"
		c := goredis.NewClient(&goredis.Options{Addr: bare})
		defer c.Close()
		if err := c.Do(ctx, "ACL", "SETUSER", "doctor", "on", ">"+pw, "~*", "&*", "+@all", "-config").Err(); err != nil {
			t.Fatal(err)
		}
		url := "redis://doctor:" + pw + "@" + bare + "/0"
		f := doctorRun(t, cache(url), now, transfer.DoctorOptions{})
		doctorWant(t, f, transfer.CheckRedisPersistence, transfer.SeverityInfo, "unknown")
		doctorWant(t, f, transfer.CheckRedisEviction, transfer.SeverityOK, "no maxmemory")
		if err := c.Do(ctx, "ACL", "SETUSER", "doctor", "-info").Err(); err != nil {
			t.Fatal(err)
		}
		f = doctorRun(t, cache(url), now, transfer.DoctorOptions{})
		doctorWant(t, f, transfer.CheckRedisPersistence, transfer.SeverityInfo, "and so is INFO")
		doctorWant(t, f, transfer.CheckRedisEviction, transfer.SeverityInfo, "unknown")
		// A wrong password is a store error that does not repeat it.
		f = doctorRun(t, cache("redis://doctor:wrong-Pw-zz9@"+bare+"/0"), now, transfer.DoctorOptions{})
		doctorWant(t, f, transfer.CheckStore, transfer.SeverityError, "cannot reach Redis")
		doctorWant(t, f, transfer.CheckRedisPersistence)
		b, _ := json.Marshal(f)
		if strings.Contains(string(b), "wrong-Pw") || strings.Contains(string(b), pw) {
			t.Errorf("findings show the password: %s", b)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		f := doctorRun(t, cache("redis://"+addr+"/0"), now, transfer.DoctorOptions{})
		doctorWant(t, f, transfer.CheckStore, transfer.SeverityError, "cannot reach Redis")
	})
	t.Run("cluster", func(t *testing.T) {
		redistest.Cluster(t)
		addrs := redistest.ClusterAddrs()
		f := doctorRun(t, cache("redis+cluster://"+strings.Join(addrs, ",")), now, transfer.DoctorOptions{})
		got := doctorFind(f, transfer.CheckRedisPersistence)
		if len(got) != len(addrs) {
			t.Fatalf("%d persistence findings for %d masters: %+v", len(got), len(addrs), f)
		}
		for _, g := range got {
			if g.Severity != transfer.SeverityWarning || !strings.HasPrefix(g.Message, "127.0.0.1:") {
				t.Errorf("cluster finding %+v", g)
			}
		}
	})
}

// doctorSQLite is a new SQLite database migrated by djangosess (Django's
// DDL), for the checks that need one beside another engine.
func doctorSQLite(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	open(t, engine.Settings{DatabaseURL: "sqlite:///" + path, SecretKey: []byte(oldKey)})
	return path
}

func doctorDjango(t *testing.T) djangotest.Django {
	vs := djangotest.Versions(t)
	return vs[len(vs)-1]
}

// doctorOracle starts Django on the database, migrates it with Django's
// own migrations, and returns the oracle.
func doctorOracle(t *testing.T, database map[string]any, extra map[string]any) *djangotest.Oracle {
	t.Helper()
	settings := map[string]any{"SESSION_ENGINE": "django.contrib.sessions.backends.db", "DATABASES": map[string]any{"default": database}}
	for k, v := range extra {
		settings[k] = v
	}
	b, _ := json.Marshal(settings)
	o := doctorDjango(t).Start(t, "--settings="+string(b), "--secret-key="+oldKey)
	doctorDo(t, o, map[string]any{"op": "call_command", "value": []string{"migrate", "--verbosity", "0"}})
	return o
}

func doctorDo(t *testing.T, o *djangotest.Oracle, req map[string]any) json.RawMessage {
	t.Helper()
	a := o.Do(t, req)[0]
	if !a.OK {
		t.Fatalf("%v: %s %s", req["op"], a.Error, a.Message)
	}
	return a.Value
}

// doctorDB is one database engine under test: Django's DATABASES entry,
// DATABASE_URL, and a connection for the test's own statements.
type doctorDB struct {
	django   map[string]any
	url      string
	exec     func(t *testing.T, stmt string)
	dropStmt func(index, table string) string
}

// doctorDBs makes each database for a test, by name.
var doctorDBs = []struct {
	name string
	make func(t *testing.T) doctorDB
}{
	{"sqlite", func(t *testing.T) doctorDB {
		path := filepath.Join(t.TempDir(), "db.sqlite3")
		db, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return doctorDB{
			django: map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": path},
			url:    "sqlite:///" + path,
			exec: func(t *testing.T, stmt string) {
				if _, err := db.Exec(stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			},
			dropStmt: func(index, _ string) string { return `DROP INDEX "` + index + `"` },
		}
	}},
	{"postgres", func(t *testing.T) doctorDB {
		pg := servertest.Postgres(t)
		conn, err := pgx.Connect(ctx, pg.DSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(context.Background()) })
		return doctorDB{
			django: map[string]any{"ENGINE": "django.db.backends.postgresql", "NAME": pg.Database, "USER": pg.User,
				"PASSWORD": pg.Password, "HOST": pg.Host, "PORT": pg.Port,
				"OPTIONS": map[string]any{"options": "-c search_path=" + pg.Schema}},
			url: pg.DSN,
			exec: func(t *testing.T, stmt string) {
				if _, err := conn.Exec(ctx, stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			},
			dropStmt: func(index, _ string) string { return `DROP INDEX "` + index + `"` },
		}
	}},
	{"mysql", func(t *testing.T) doctorDB {
		my := servertest.MySQL(t)
		db, err := sql.Open("mysql", my.DSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		u := "mysql://" + my.User
		if my.Password != "" {
			u += ":" + my.Password
		}
		return doctorDB{
			django: map[string]any{"ENGINE": "django.db.backends.mysql", "NAME": my.Database, "USER": my.User,
				"PASSWORD": my.Password, "HOST": my.Host, "PORT": my.Port},
			url: u + "@" + net.JoinHostPort(my.Host, my.Port) + "/" + my.Database,
			exec: func(t *testing.T, stmt string) {
				if _, err := db.Exec(stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			},
			dropStmt: func(index, table string) string { return "DROP INDEX `" + index + "` ON `" + table + "`" },
		}
	}},
}

// TestDoctorDatabase: on tables Django's migrate made and sessions Django
// wrote, the index is found and the expired rows counted are the ones
// Django's clear_expired deletes; without the index (dropped, on another
// column first, partial, or a table made by hand) it is a warning whose
// advice creates it.
func TestDoctorDatabase(t *testing.T) {
	for _, db := range doctorDBs {
		t.Run(db.name, func(t *testing.T) {
			d := db.make(t)
			o := doctorOracle(t, d.django, nil)
			for _, exp := range []int{0, 0, 0, -3600, -8 * 86400} {
				req := map[string]any{"op": "store_create", "value": json.RawMessage(`{"a":1}`)}
				if exp != 0 {
					req["params"] = map[string]any{"set_expiry": exp}
				}
				doctorDo(t, o, req)
			}
			s := engine.Settings{DatabaseURL: d.url, SecretKey: []byte(oldKey)}
			now := time.Now()
			f := doctorRun(t, s, now, transfer.DoctorOptions{})
			doctorWant(t, f, transfer.CheckStore)
			doctorWant(t, f, transfer.CheckExpireDateIndex, transfer.SeverityOK, "django_session.expire_date is indexed")
			doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityWarning, "2 of 5 sessions have expired, the oldest 8 days ago")
			// With a week's grace raised to ten days it is only counted.
			f = doctorRun(t, s, now, transfer.DoctorOptions{ExpiredAge: 10 * 24 * time.Hour})
			doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityOK, "2 of 5 sessions have expired")
			f = doctorRun(t, s, now, transfer.DoctorOptions{ExpiredAge: 10 * 24 * time.Hour, ExpiredLimit: 1})
			doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityWarning, "over 1 are piling up")

			doctorDo(t, o, map[string]any{"op": "store_clear_expired"})
			f = doctorRun(t, s, time.Now(), transfer.DoctorOptions{})
			doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityOK, "none of the 3 sessions has expired")

			// Without the index.
			idx := "django_session_expire_date_a5c62663"
			d.exec(t, d.dropStmt(idx, "django_session"))
			f = doctorRun(t, s, time.Now(), transfer.DoctorOptions{})
			doctorWant(t, f, transfer.CheckExpireDateIndex, transfer.SeverityWarning, "has no index")
			advice := doctorFind(f, transfer.CheckExpireDateIndex)[0].Advice
			_, create, ok := strings.Cut(advice, "makes: ")
			if !ok || !strings.Contains(create, idx) {
				t.Fatalf("advice %q", advice)
			}
			// An index on (session_key, expire_date) does not serve
			// expire_date < now.
			d.exec(t, "CREATE INDEX other_idx ON django_session (session_key, expire_date)")
			f = doctorRun(t, s, time.Now(), transfer.DoctorOptions{})
			doctorWant(t, f, transfer.CheckExpireDateIndex, transfer.SeverityWarning, "has no index")
			if db.name != "mysql" {
				d.exec(t, "CREATE INDEX partial_idx ON django_session (expire_date) WHERE session_key > 'm'")
				f = doctorRun(t, s, time.Now(), transfer.DoctorOptions{})
				doctorWant(t, f, transfer.CheckExpireDateIndex, transfer.SeverityWarning, "has no index")
			}
			d.exec(t, strings.TrimSuffix(create, ";"))
			f = doctorRun(t, s, time.Now(), transfer.DoctorOptions{})
			doctorWant(t, f, transfer.CheckExpireDateIndex, transfer.SeverityOK, "indexed")

			// A table made by hand, without the index.
			dt := "datetime"
			switch db.name {
			case "postgres":
				dt = "timestamp with time zone"
			case "mysql":
				dt = "datetime(6)"
			}
			d.exec(t, "CREATE TABLE my_sessions (session_key varchar(40) NOT NULL PRIMARY KEY, session_data text NOT NULL, expire_date "+dt+" NOT NULL)")
			s.Table = "my_sessions"
			f = doctorRun(t, s, time.Now(), transfer.DoctorOptions{})
			doctorWant(t, f, transfer.CheckExpireDateIndex, transfer.SeverityWarning, "my_sessions.expire_date has no index")
			doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityOK, "the session table is empty")
			if a := doctorFind(f, transfer.CheckExpireDateIndex)[0].Advice; !strings.Contains(a, "my_sessions_expire_date_") {
				t.Errorf("advice %q", a)
			}

			// A missing table.
			s.Table = "no_such_table"
			f = doctorRun(t, s, time.Now(), transfer.DoctorOptions{})
			doctorWant(t, f, transfer.CheckStore, transfer.SeverityError, "no_such_table does not exist")
			doctorWant(t, f, transfer.CheckExpireDateIndex)
		})
	}
}

// TestDoctorDatabaseNaive: under USE_TZ = False SQLite keeps naive local
// times; the count is of the rows Django's clear_expired deletes.
func TestDoctorDatabaseNaive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db.sqlite3")
	// Django's naive datetimes are the process's local time
	// (settings.configure() leaves TZ alone): a zone far from UTC shows
	// a mix-up.
	t.Setenv("TZ", "Pacific/Auckland")
	o := doctorOracle(t, map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": path},
		map[string]any{"USE_TZ": false, "TIME_ZONE": "Pacific/Auckland"})
	for _, exp := range []int{0, -120, 7200} {
		req := map[string]any{"op": "store_create", "value": json.RawMessage(`{"a":1}`)}
		if exp != 0 {
			req["params"] = map[string]any{"set_expiry": exp}
		}
		doctorDo(t, o, req)
	}
	s := engine.Settings{DatabaseURL: "sqlite:///" + path, SecretKey: []byte(oldKey), TimeZone: "Pacific/Auckland"}
	f := doctorRun(t, s, time.Now(), transfer.DoctorOptions{})
	doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityOK, "1 of 3 sessions have expired")
	doctorDo(t, o, map[string]any{"op": "store_clear_expired"})
	f = doctorRun(t, s, time.Now(), transfer.DoctorOptions{})
	doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityOK, "none of the 2 sessions")
}

func TestDoctorDatabaseMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.sqlite3")
	f := doctorRun(t, engine.Settings{DatabaseURL: "sqlite:///" + path}, time.Now(), transfer.DoctorOptions{})
	doctorWant(t, f, transfer.CheckStore, transfer.SeverityError, "cannot be opened")
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("doctor created the database file: %v", err)
	}
	f = doctorRun(t, engine.Settings{DatabaseURL: "postgres://nobody@127.0.0.1:1/x?connect_timeout=5"}, time.Now(), transfer.DoctorOptions{})
	doctorWant(t, f, transfer.CheckStore, transfer.SeverityError, "cannot connect to PostgreSQL")
}

func TestDoctorFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// Django writes the session files.
	settings, _ := json.Marshal(map[string]any{"SESSION_ENGINE": "django.contrib.sessions.backends.file", "SESSION_FILE_PATH": dir})
	o := doctorDjango(t).Start(t, "--settings="+string(settings), "--secret-key="+oldKey)
	var names []string
	for range 3 {
		var key string
		if err := json.Unmarshal(doctorDo(t, o, map[string]any{"op": "store_create", "value": json.RawMessage(`{"a":1}`)}), &key); err != nil {
			t.Fatal(err)
		}
		names = append(names, filepath.Join(dir, "sessionid"+key))
	}
	for _, n := range names {
		fi, err := os.Stat(n)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Fatalf("Django wrote a session file with mode %v", fi.Mode())
		}
	}
	// Files that are not sessions are not counted.
	os.WriteFile(filepath.Join(dir, "sessionid"+"abcdefgh12345678_out_xyz"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "README"), nil, 0o644)
	s := engine.Settings{Engine: "file", FilePath: dir, SecretKey: []byte(oldKey)}
	now := time.Now()

	f := doctorRun(t, s, now, transfer.DoctorOptions{})
	doctorWant(t, f, transfer.CheckFilePermissions, transfer.SeverityOK, "(mode 0700) and the 3 session files examined are private")
	doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityOK, "0 of 3 session files examined were written more than SESSION_COOKIE_AGE (14 days) ago")

	if err := os.Chmod(names[0], 0o644); err != nil {
		t.Fatal(err)
	}
	f = doctorRun(t, s, now, transfer.DoctorOptions{})
	doctorWant(t, f, transfer.CheckFilePermissions, transfer.SeverityWarning, "1 of 3 session files examined are open to group or other users (e.g. mode 0644)")

	os.Chmod(names[0], 0o600)
	for mode, want := range map[os.FileMode][]string{
		0o755: {"can be listed by other users"},
		0o733: {"writable by other users: they can add session files, and delete or replace"},
	} {
		if err := os.Chmod(dir, mode); err != nil {
			t.Fatal(err)
		}
		f = doctorRun(t, s, now, transfer.DoctorOptions{})
		doctorWant(t, f, transfer.CheckFilePermissions, transfer.SeverityWarning, want[0])
	}
	if err := os.Chmod(dir, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	f = doctorRun(t, s, now, transfer.DoctorOptions{})
	doctorWant(t, f, transfer.CheckFilePermissions, transfer.SeverityWarning, "(mode 1777) can be listed",
		transfer.SeverityWarning, "(mode 1777) is writable by other users: they can add session files")
	if strings.Contains(doctorFind(f, transfer.CheckFilePermissions)[1].Message, "delete") {
		t.Errorf("sticky directory: %+v", f)
	}
	os.Chmod(dir, 0o700)

	// Expiry by modification time: SESSION_COOKIE_AGE is two weeks.
	age := djangosess.DefaultCookieAge
	os.Chtimes(names[0], now, now.Add(-age-time.Hour))
	f = doctorRun(t, s, now, transfer.DoctorOptions{})
	doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityOK, "1 of 3 session files")
	os.Chtimes(names[0], now, now.Add(-age-8*24*time.Hour))
	f = doctorRun(t, s, now, transfer.DoctorOptions{})
	doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityWarning, "1 of them expired more than 7 days ago")
	os.Chtimes(names[1], now, now.Add(-age-time.Hour))
	f = doctorRun(t, s, now, transfer.DoctorOptions{})
	doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityWarning, "2 of 3 session files examined were written more than SESSION_COOKIE_AGE (14 days) ago: expired sessions are piling up")
	// Django's clear_expired removes exactly those two.
	doctorDo(t, o, map[string]any{"op": "store_clear_expired"})
	f = doctorRun(t, s, now, transfer.DoctorOptions{})
	doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityOK, "0 of 1 session files")

	f = doctorRun(t, s, now, transfer.DoctorOptions{MaxFiles: 1})
	doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityOK, "0 of 1 session files examined were")
	for range 2 {
		doctorDo(t, o, map[string]any{"op": "store_create", "value": json.RawMessage(`{"a":1}`)})
	}
	f = doctorRun(t, s, now, transfer.DoctorOptions{MaxFiles: 2})
	doctorWant(t, f, transfer.CheckExpiredSessions, transfer.SeverityOK, "0 of 2 session files examined (of 3 session files)")

	s.FilePath = filepath.Join(dir, "absent")
	f = doctorRun(t, s, now, transfer.DoctorOptions{})
	doctorWant(t, f, transfer.CheckStore, transfer.SeverityError, "cannot be read: no such file or directory")
	doctorWant(t, f, transfer.CheckFilePermissions)
}

func TestDoctorEngines(t *testing.T) {
	f := doctorRun(t, engine.Settings{Engine: "signed_cookies", Serializer: "pickle", SecretKey: doctorKeys[0]}, time.Now(), transfer.DoctorOptions{})
	if len(f) != 2 {
		t.Fatalf("signed_cookies: %+v", f)
	}
	doctorWant(t, f, transfer.CheckSecretKey, transfer.SeverityOK, "passes")
	doctorWant(t, f, transfer.CheckSerializer, transfer.SeverityWarning, "by sending a cookie")
	if _, err := transfer.DoctorSettings(ctx, engine.Settings{Engine: "memcached"}, transfer.DoctorOptions{}); !errors.Is(err, djangosess.ErrConfig) {
		t.Errorf("unknown engine: %v", err)
	}
	if _, err := transfer.Doctor(ctx, transfer.DoctorTarget{Database: &transfer.DoctorDatabase{Dialect: "oracle"}}, transfer.DoctorOptions{}); !errors.Is(err, djangosess.ErrConfig) {
		t.Errorf("unknown dialect: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := transfer.Doctor(cancelled, transfer.DoctorTarget{Engine: "file", FileDir: t.TempDir()}, transfer.DoctorOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// ExampleDoctorSettings checks a project's session setup: here a SQLite
// database with one session that expired weeks ago and a key Django's
// own check calls weak.
func ExampleDoctorSettings() {
	dir, err := os.MkdirTemp("", "doctor-example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	s := engine.Settings{DatabaseURL: "sqlite:///" + filepath.Join(dir, "db.sqlite3"), SecretKey: []byte("django-insecure-example")}
	s.Now = func() time.Time { return time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC) }
	o, err := engine.Open(context.Background(), s)
	if err != nil {
		panic(err)
	}
	o.Migrate(context.Background())
	o.New(context.Background(), djangosess.Record{Data: serializer.NewDict(0)})
	o.Close()

	s.Now = func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }
	findings, err := transfer.DoctorSettings(context.Background(), s, transfer.DoctorOptions{})
	if err != nil {
		panic(err)
	}
	for _, f := range findings {
		fmt.Println(f.Severity, f.Check, f.Message)
	}
	// Output:
	// warning secret-key SECRET_KEY fails Django's check (security.W009): it is shorter than 50 characters, starts with "django-insecure-", which startproject writes
	// ok session-serializer sessions are serialized with JSON
	// ok expire-date-index django_session.expire_date is indexed, as Django's migration makes it
	// warning expired-sessions 1 of 1 sessions have expired, the oldest 17 days ago (2024-12-15 00:00 UTC): most of the table is dead rows
}
