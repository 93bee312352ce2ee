package transfer_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/engine"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/internal/pyrun"
	"github.com/djangosess/djangosess/internal/redistest"
	"github.com/djangosess/djangosess/internal/servertest"
	"github.com/djangosess/djangosess/serializer"
)

var ctx = context.Background()

const (
	oldKey = "transfer-old-secret-key-0123456789-abcdefghijklmnop"
	newKey = "transfer-new-secret-key-9876543210-qrstuvwxyzabcdef"
)

// open opens the store s describes and closes it when the test ends.
func open(t *testing.T, s engine.Settings) djangosess.Store {
	t.Helper()
	o, err := engine.Open(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	if o.Migrate != nil {
		if err := o.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return o.Store
}

func fileStore(t *testing.T, dir, ser, key string, fallbacks ...string) djangosess.Store {
	return open(t, engine.Settings{Engine: "file", FilePath: dir, Serializer: ser, SecretKey: []byte(key), FallbackKeys: bytesList(fallbacks)})
}

func sqliteSettings(path, ser, key string, fallbacks ...string) engine.Settings {
	return engine.Settings{DatabaseURL: "sqlite:///" + path, Serializer: ser, SecretKey: []byte(key), FallbackKeys: bytesList(fallbacks)}
}

func pgStore(t *testing.T, ser, key string) djangosess.Store {
	pg := servertest.Postgres(t)
	return open(t, engine.Settings{DatabaseURL: pg.DSN, Serializer: ser, SecretKey: []byte(key)})
}

// withParam returns the URL dsn with the query parameter name=value.
func withParam(t *testing.T, dsn, name, value string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(name, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func redisLocal(t *testing.T) djangosess.Store {
	c := redistest.Local(t)
	return open(t, engine.Settings{Engine: "cache", CacheURL: "redis://" + redistest.Addr() + "/0", CacheKeyPrefix: redistest.Prefix(t, c)})
}

func bytesList(ss []string) [][]byte {
	var out [][]byte
	for _, s := range ss {
		out = append(out, []byte(s))
	}
	return out
}

func tagged(t *testing.T, v serializer.Value) json.RawMessage {
	t.Helper()
	b, err := serializer.MarshalTagged(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// session is the i-th test session: a login, a cart, unicode, nesting;
// with rich, a datetime and a set that JSON cannot hold.
func session(i int, rich bool) *serializer.Dict {
	d := serializer.NewDict(0)
	if i%3 == 0 {
		d.SetStr("_auth_user_id", serializer.Str(fmt.Sprint(i%40)))
		d.SetStr("_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"))
		d.SetStr("_auth_user_hash", serializer.Str(strings.Repeat("ab", 32)))
	}
	d.SetStr("cart", serializer.List{serializer.Int(int64(i)), serializer.Int(7), serializer.Float(1.5)})
	d.SetStr("name", serializer.Str(fmt.Sprintf("ünï-%d ☃", i)))
	d.SetStr("nested", serializer.DictOf("a", serializer.List{serializer.Bool(true), serializer.None{}}, "b", serializer.Str("x")))
	if rich {
		d.SetStr("when", serializer.DateTimeOf(time.Date(2024, 5, 6, 7, 8, 9, 123000, time.UTC)))
		d.SetStr("tags", serializer.Set{serializer.Int(1), serializer.Int(2)})
	}
	return d
}

// djangoWrite has Django (3.2) create n sessions in a session directory,
// with the serializer ser and DEFAULT_HASHING_ALGORITHM alg ("" for
// Django's default), and returns their keys.
func djangoWrite(t *testing.T, dj djangotest.Django, dir string, n, offset int, rich bool, ser, alg string) []string {
	t.Helper()
	keys, err := djangoCreate(startBulk(t, dj, fileConf(dir, oldKey, ser, alg)), n, offset, rich)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// fileConf configures a bulk Django on a session directory.
func fileConf(dir, key, ser, alg string) bulkConf {
	return bulkConf{
		Settings:  map[string]any{"SESSION_ENGINE": "django.contrib.sessions.backends.file", "SESSION_FILE_PATH": dir},
		SecretKey: key, Serializer: ser, HashingAlgorithm: alg,
	}
}

// sqliteConf configures a bulk Django on the SQLite database at path.
func sqliteConf(path, key, ser string) bulkConf {
	return bulkConf{
		Settings: map[string]any{
			"SESSION_ENGINE": "django.contrib.sessions.backends.db",
			"DATABASES":      map[string]any{"default": map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": path}},
		},
		SecretKey: key, Serializer: ser,
	}
}

// djangoCreate has the bulk Django b create the sessions offset …
// offset+n-1 (session(i, rich); every fourth with its own expiry) and
// returns their keys. It may run in any goroutine.
func djangoCreate(b *bulkDjango, n, offset int, rich bool) ([]string, error) {
	keys := make([]string, 0, n)
	err := b.run(func(w *bufio.Writer) error {
		for i := range n {
			v, err := serializer.MarshalTagged(session(offset+i, rich))
			if err != nil {
				return err
			}
			w.WriteString(`{"create":`)
			w.Write(v)
			if i%4 == 1 {
				fmt.Fprintf(w, `,"set_expiry":%d`, 3600+i)
			}
			w.WriteString("}\n")
		}
		return nil
	}, func(line []byte) error {
		var a bulkAnswer
		if err := json.Unmarshal(line, &a); err != nil {
			return err
		}
		if a.Error != "" || a.Key == "" {
			return fmt.Errorf("Django's store_create: %s %s", a.Error, a.Message)
		}
		keys = append(keys, a.Key)
		return nil
	})
	if err == nil && len(keys) != n {
		err = fmt.Errorf("Django created %d sessions of %d", len(keys), n)
	}
	return keys, err
}

// bulkScript runs testdata/djangoops.py's bulk_lines.
const bulkScript = `import os, sys
sys.dont_write_bytecode = True
sys.path.insert(0, os.environ["DJANGOSESS_TESTDATA"])
import djangoops
djangoops.bulk_lines(sys.stdin.buffer, sys.stdout)
`

// bulkConf is the first line bulk_lines reads: its Django settings.
type bulkConf struct {
	Settings         map[string]any `json:"settings"`
	SecretKey        string         `json:"secret_key"`
	Serializer       string         `json:"serializer,omitempty"`
	HashingAlgorithm string         `json:"hashing_algorithm,omitempty"`
}

// bulkAnswer is one answer line of bulk_lines.
type bulkAnswer struct {
	Key     string          `json:"key"`
	Found   bool            `json:"found"`
	Data    json.RawMessage `json:"data"`
	JSON    json.RawMessage `json:"json"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
}

// bulkDjango is a Django process running bulk_lines: sessions streamed
// through it one line each, none of them held in memory.
type bulkDjango struct {
	dj  djangotest.Django
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// startBulk starts bulk_lines under dj with conf; it is stopped when the
// test ends. Use it once, with run.
func startBulk(t *testing.T, dj djangotest.Django, conf bulkConf) *bulkDjango {
	t.Helper()
	pyrun.Require(t)
	cmd, in, out := dj.Piped(t, 1<<16, "-c", bulkScript)
	t.Cleanup(func() {
		in.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	b, _ := json.Marshal(conf)
	if _, err := in.Write(append(b, '\n')); err != nil {
		t.Fatalf("writing to Django: %v", err)
	}
	return &bulkDjango{dj: dj, cmd: cmd, in: in, out: out}
}

// run writes what feed writes (one request line per session, from its
// own goroutine) to Django, and calls each with every answer line, in
// order, until Django ends at the end of its input. The first error of
// feed, each or Django ends the run (and the process). It may run in any
// goroutine.
func (b *bulkDjango) run(feed func(w *bufio.Writer) error, each func(line []byte) error) error {
	fed := make(chan error, 1)
	go func() {
		w := bufio.NewWriterSize(b.in, 1<<16)
		err := feed(w)
		if err == nil {
			err = w.Flush()
		}
		b.in.Close()
		fed <- err
	}()
	var err error
	for {
		line, rerr := b.out.ReadBytes('\n')
		if len(line) > 0 && err == nil {
			if err = each(line); err != nil {
				b.cmd.Process.Kill()
			}
		}
		if rerr != nil {
			break
		}
	}
	ferr := <-fed
	werr := b.cmd.Wait()
	switch {
	case err != nil:
		return err
	case ferr != nil:
		return ferr
	case werr != nil:
		return fmt.Errorf("Django %s (bulk_lines): %w", b.dj.Version, werr)
	}
	return nil
}

// djangoLoad has Django load keys from the SQLite database at path.
func djangoLoad(t *testing.T, dj djangotest.Django, path, key string, keys []string, flags ...string) []*serializer.Dict {
	t.Helper()
	settings, _ := json.Marshal(map[string]any{
		"SESSION_ENGINE": "django.contrib.sessions.backends.db",
		"DATABASES":      map[string]any{"default": map[string]any{"ENGINE": "django.db.backends.sqlite3", "NAME": path}},
	})
	o := dj.Start(t, append([]string{"--settings=" + string(settings), "--secret-key=" + key, "--serializer=json"}, flags...)...)
	var reqs []map[string]any
	for _, k := range keys {
		reqs = append(reqs, map[string]any{"op": "store_load", "data": k})
	}
	var out []*serializer.Dict
	for i, a := range o.Do(t, reqs...) {
		if !a.OK {
			t.Fatalf("store_load: %s %s", a.Error, a.Message)
		}
		res, _ := a.Tagged(t).(*serializer.Dict)
		found, _ := res.Bool("found")
		data, _ := res.Dict("data")
		if !found {
			t.Errorf("Django did not find session %d on the target", i)
		}
		out = append(out, data)
	}
	return out
}

func newestDjango(t *testing.T) djangotest.Django {
	vs := djangotest.Versions(t)
	return vs[len(vs)-1]
}

func system32(t *testing.T) djangotest.Django {
	for _, v := range djangotest.Versions(t) {
		if djangotest.Series(v.Version) == "3.2" {
			return v
		}
	}
	djangotest.Missing(t, "Django 3.2 not found")
	return djangotest.Django{}
}

func sqlitePath(t *testing.T) string { return filepath.Join(t.TempDir(), "db.sqlite3") }

// fastDir is a new directory in memory (/dev/shm) when the machine has
// one, else t.TempDir(); removed when the test ends. Creating a file is
// a thousand times cheaper there than on a journaled disk, which makes
// the difference for Django writing 100,000 session files and for SQLite
// committing 100,000 rows one at a time.
func fastDir(t *testing.T) string {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "djangosess-test-"); err == nil {
			t.Cleanup(func() { os.RemoveAll(dir) })
			return dir
		}
	}
	return t.TempDir()
}

// chainN is the number of sessions of each kind in TestChain:
// $DJANGOSESS_CHAIN_N, default 60 (25000 is the 100,000-session run).
func chainN(t *testing.T) int {
	t.Helper()
	s := os.Getenv("DJANGOSESS_CHAIN_N")
	if s == "" {
		return 60
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 4 {
		t.Fatalf("DJANGOSESS_CHAIN_N=%q: want a number of sessions per kind, at least 4", s)
	}
	return n
}
