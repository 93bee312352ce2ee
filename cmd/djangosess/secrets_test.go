package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
)

// Secrets that must never come out of the command: SECRET_KEY, a fallback
// key, the target's key and a re-signing key, and the password of every
// database and cache URL. Each carries the marker, so that a partial leak
// is caught too; the password is made of URL-unreserved characters, so that
// an escaped copy would be the same text.
const (
	secMarker     = "NEVERPRINT"
	secKey        = "s3cr3t-Zq8Xv-" + secMarker + "-0001"
	secFallback   = "f4llb4ck-Kp2-" + secMarker + "-0002"
	secToKey      = "t0-s3cr3t-" + secMarker + "-0003"
	secNewKey     = "n3w-s3cr3t-" + secMarker + "-0004"
	secDBPassword = "dbpw-" + secMarker + "-0005"
)

var secAll = []string{secKey, secFallback, secToKey, secNewKey, secDBPassword, secMarker}

// secOutput fails the test if the run printed a secret, as is or in
// base64 or hex (as a key would appear in a dump of a signing config).
func secOutput(t *testing.T, label string, r result) {
	t.Helper()
	for _, s := range secAll {
		forms := []string{s, base64.StdEncoding.EncodeToString([]byte(s)), base64.RawURLEncoding.EncodeToString([]byte(s)),
			fmt.Sprintf("%x", s)}
		for _, f := range forms {
			if strings.Contains(r.stdout, f) || strings.Contains(r.stderr, f) {
				t.Errorf("%s: the output holds the secret %q (as %q)\nstdout: %s\nstderr: %s", label, s, f, r.stdout, r.stderr)
			}
		}
	}
}

// secRun is runCLI with a deadline, for commands that may block.
func secRun(t *testing.T, ctx context.Context, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code := run(ctx, args, e)
	return result{code, out.String(), errb.String()}
}

var secFlagRe = regexp.MustCompile(`(?m)^  -([a-z0-9-]+)(?: (\S+))?$`)

// TestNoSecretOnTheCommandLine: no flag of any command takes a secret
// itself. Every flag whose name speaks of a secret, a key or a password
// takes a PATH and ends in -file, except the ones that name no secret
// (a cache key prefix, --show-keys, ...); giving the secret as a flag
// (--secret-key=..., --password=...) is a usage error that does not echo
// the value.
func TestNoSecretOnTheCommandLine(t *testing.T) {
	notSecret := map[string]bool{
		"cache-key-prefix": true, "from-cache-key-prefix": true, "to-cache-key-prefix": true,
		"show-keys": true, "user-string-keys": true, "only-fallback": true,
	}
	secretish := regexp.MustCompile(`secret|key|passw|token|fallback|auth|credential`)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	keyFiles := 0
	for _, name := range names {
		r := runCLI(t, nil, "", name, "-h")
		if r.code != 0 {
			t.Errorf("%s -h: exit %d: %s", name, r.code, r.stderr)
			continue
		}
		flags := secFlagRe.FindAllStringSubmatch(r.stderr, -1)
		if len(flags) == 0 {
			t.Errorf("%s -h lists no flags:\n%s", name, r.stderr)
		}
		for _, f := range flags {
			flagName, arg := f[1], f[2]
			if !secretish.MatchString(flagName) || notSecret[flagName] {
				continue
			}
			if !strings.HasSuffix(flagName, "-file") || arg != "PATH" {
				t.Errorf("%s --%s %s: a flag about a secret that does not take a file PATH", name, flagName, arg)
			}
			if flagName == "secret-key-file" || flagName == "from-secret-key-file" {
				keyFiles++
			}
		}
		for _, bad := range []string{"--secret-key=" + secKey, "--secret-key", "--password=" + secDBPassword, "--key=" + secKey} {
			args := []string{name, bad}
			if !strings.Contains(bad, "=") {
				args = append(args, secKey)
			}
			r := runCLI(t, nil, "", args...)
			if r.code != exitUsage {
				t.Errorf("%s %s: exit %d, want a usage error", name, bad, r.code)
			}
			secOutput(t, name+" "+bad, r)
		}
	}
	// The commands that sign or verify read the key from a file (or the
	// environment): the help of every one of them says so.
	if keyFiles < 14 {
		t.Errorf("only %d commands take --secret-key-file or --from-secret-key-file", keyFiles)
	}
	r := runCLI(t, nil, "", "help")
	if !strings.Contains(r.stdout, "never from the command line") {
		t.Errorf("the usage does not say where the secret comes from:\n%s", r.stdout)
	}
}

// secSources gives the keys to a command from the environment, or from
// files named by flags.
type secSource struct {
	name string
	vars map[string]string
	args []string // inserted after the command name
}

func secSources(t *testing.T) []secSource {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyFile := write("secret_key", secKey+"\n")
	fbFile := write("fallbacks", "unused-"+secMarker+"\n"+secFallback+"\n")
	return []secSource{
		{"env", map[string]string{envSecretKey: secKey, envFallbackKeys: secFallback + "\n", "TO_" + envSecretKey: secToKey}, nil},
		{"files", map[string]string{"TO_" + envSecretKey: secToKey}, []string{"--secret-key-file", keyFile, "--fallback-keys-file", fbFile}},
	}
}

// secSigned returns session data signed with key (the current key or a
// fallback), and a signing.dumps-style value, so that the error paths are
// reached with data that nearly verifies.
func secSigned(t *testing.T, key string, pickle bool) string {
	t.Helper()
	cfg := djangosess.CodecConfig{SecretKey: []byte(key), Now: func() time.Time { return time.Unix(1700000000, 0) }}
	if pickle {
		cfg.Serializer = serializer.Pickle{}
	}
	c, err := djangosess.NewCodec(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Encode(serializer.DictOf("_auth_user_id", serializer.Str("1"), "secret_hint", serializer.Str("x")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// tamper flips one character of the signature.
func tamper(s string) string {
	b := []byte(s)
	i := len(b) - 3
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// TestSecretsNeverPrinted runs every data command on bad input, with the
// keys in the environment and in files, and checks that neither stdout nor
// stderr ever holds a key. Every case must be rejected (exit 1 or 2), so
// that the error paths are the ones exercised.
func TestSecretsNeverPrinted(t *testing.T) {
	good := secSigned(t, secKey, false)
	oldKey := secSigned(t, secFallback, false)
	other := secSigned(t, "some-other-key", false)
	pickled := secSigned(t, secKey, true)
	legacy := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef01234567:{\"a\":1}"))
	cases := []struct {
		stdin string
		args  []string
	}{
		{"", []string{"decode", tamper(good)}},
		{"", []string{"decode", tamper(oldKey)}},
		{"", []string{"decode", other}},
		{"", []string{"decode", "!!!not-base64!!!:1r31eq:" + strings.Repeat("A", 43)}},
		{"", []string{"decode", good[:len(good)/2]}},
		{"", []string{"decode", legacy}},
		{"", []string{"decode", "--django", "4.2", legacy}},
		{"", []string{"decode", "--django", "3.0", good}},
		{"", []string{"decode", "--salt", "other.salt", good}},
		{"", []string{"decode", "--max-age", "1", "--now", "1800000000", "--salt", "django.contrib.sessions.SessionStore", good}},
		{"", []string{"decode", "--serializer", "pickle", good}},
		{"", []string{"decode", "--algorithm", "md4", good}},
		{"", []string{"decode", "--serializer", "json", pickled}},
		{tamper(good) + "\n" + other + "\nnot base64 at all\n\n" + good[:20] + "\n", []string{"decode", "--lines"}},
		{"\x80\x05garbage", []string{"decode", "--cache-value"}},
		{"x\x9c\x01garbage", []string{"decode", "--cache-value", "--compressor", "zlib"}},
		{"", []string{"encode", "not json"}},
		{"", []string{"encode", `{"$type":"nope"}`}},
		{"", []string{"encode", "--serializer", "pickle", `{"x":{"$type":"object","module":"os","name":"system","build":"reduce","args":{"$type":"tuple","value":["id"]}}}`}},
		{"", []string{"encode", "--django", "banana", `{}`}},
		{"", []string{"encode", "--algorithm", "md4", `{}`}},
		{"", []string{"sign", "--algorithm", "md4", "value"}},
		{"", []string{"sign", "--sep", "abc", "value"}},
		{"", []string{"unsign", "value:" + strings.Repeat("A", 43)}},
		{"", []string{"unsign", "--timestamped", "value:1r31eq:" + strings.Repeat("A", 43)}},
		{"", []string{"unsign", "--timestamped", "--max-age", "1", "--now", "1800000000", "value:1r31eq:" + strings.Repeat("A", 43)}},
		{"", []string{"unsign", "no separator"}},
	}
	for _, src := range secSources(t) {
		for _, tc := range cases {
			args := append([]string{tc.args[0]}, append(append([]string{}, src.args...), tc.args[1:]...)...)
			label := src.name + ": " + strings.Join(args, " ")
			r := runCLI(t, src.vars, tc.stdin, args...)
			if r.code == exitOK {
				t.Errorf("%s: accepted (exit 0), want a rejection\nstdout: %s", label, r.stdout)
			}
			if r.stderr == "" && r.stdout == "" {
				t.Errorf("%s: exit %d and no message", label, r.code)
			}
			secOutput(t, label, r)
		}
		// The accepted paths print no key either, including data that
		// verified with a fallback key.
		for _, args := range [][]string{{"decode", good}, {"decode", oldKey}, {"sign", "value"}, {"encode", `{"a":1}`}} {
			args = append([]string{args[0]}, append(append([]string{}, src.args...), args[1:]...)...)
			r := runCLI(t, src.vars, "", args...)
			if r.code != exitOK {
				t.Errorf("%s: %s: exit %d: %s", src.name, strings.Join(args, " "), r.code, r.stderr)
			}
			secOutput(t, src.name+": "+strings.Join(args, " "), r)
		}
	}
	// A missing or unreadable key names where it looked, not what it found.
	for _, tc := range []struct {
		vars map[string]string
		args []string
	}{
		{nil, []string{"decode", good}},
		{map[string]string{envSecretKey: secKey}, []string{"decode", "--fallback-keys-file", "/nonexistent/" + secMarker, good}},
		{nil, []string{"decode", "--secret-key-file", t.TempDir(), good}},
	} {
		r := runCLI(t, tc.vars, "", tc.args...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d", tc.args, r.code, exitUsage)
		}
		// The path holds the marker on purpose: only the path may appear.
		r.stderr = strings.ReplaceAll(r.stderr, "/nonexistent/"+secMarker, "/nonexistent/…")
		secOutput(t, strings.Join(tc.args, " "), r)
	}
}

// TestStorePasswordsNeverPrinted runs the store commands against database
// and cache URLs that carry a password and cannot work (a closed port, a
// database that does not exist, a wrong password, a malformed URL): the
// error says what failed without the password, and without the key.
// Nothing here can write to the shared servers: every database named is
// missing, and the cache URLs that reach the shared Redis only go to the
// commands that read.
func TestStorePasswordsNeverPrinted(t *testing.T) {
	pw := secDBPassword
	dbURLs := []string{
		"postgres://postgres:" + pw + "@127.0.0.1:1/djangosess_missing",
		"postgres://postgres:" + pw + "@127.0.0.1:5432/djangosess_missing_db_" + strings.ToLower(secMarker),
		"mysql://root:" + pw + "@127.0.0.1:3306/djangosess_missing",
		"postgresql://u:" + pw + "@[::1/db",
		"postgres://u:" + pw + "%zz@127.0.0.1/db",
		"postgres://u:" + pw + "@127.0.0.1:99999/db",
		"postgres://127.0.0.1:1/db?password=" + pw,
		"mysql://root:" + pw + "@127.0.0.1:1/djangosess_missing",
		"mysql://root:" + pw + "@tcp(127.0.0.1/x",
		"sqlite:///nonexistent/dir/" + pw + "/db.sqlite3?password=" + pw,
		"oracle://u:" + pw + "@h/db",
		"u:" + pw + "@127.0.0.1/db",
	}
	cacheURLs := []string{
		"redis://:" + pw + "@127.0.0.1:1/0",
		"redis://user:" + pw + "@127.0.0.1:1/0",
		"rediss://:" + pw + "@127.0.0.1:1/0",
		"unix://:" + pw + "@/nonexistent/redis.sock?db=0",
		"redis+cluster://:" + pw + "@127.0.0.1:1",
		"redis+sentinel://:" + pw + "@127.0.0.1:1/mymaster",
		"redis://:" + pw + "%zz@127.0.0.1:1/0",
		"redis+cluster://:" + pw + "@127.0.0.1:1,,",
		"memcached://u:" + pw + "@127.0.0.1:1",
	}

	vars := map[string]string{envSecretKey: secKey, envFallbackKeys: secFallback}
	key := "abcdefgh12345678abcdefgh12345678"
	type run struct {
		stdin   string
		args    []string
		mayPass bool // the command needs no server (or only reads one)
	}
	var runs []run
	commandsFor := func(flagArgs ...string) []run {
		return []run{
			{"", append([]string{"get", key}, flagArgs...), false},
			{`{"a":1}`, append([]string{"set", key}, flagArgs...), false},
			{`{"a":1}`, append([]string{"new"}, flagArgs...), false},
			{"", append([]string{"delete", key}, flagArgs...), false},
			{"", append([]string{"list"}, flagArgs...), false},
			{"", append([]string{"clear-expired"}, flagArgs...), false},
			{"", append([]string{"migrate"}, flagArgs...), false},
			{"", append([]string{"stats"}, flagArgs...), false},
			{"", append([]string{"resign"}, flagArgs...), false},
		}
	}
	// Every command on the URLs that reach a server or fail at once; one
	// read and one write on the rest, which fail alike in every command
	// (go-redis retries a refused dial for a while, and a Sentinel until
	// the context ends).
	for i, u := range dbURLs {
		rs := commandsFor("--database-url", u)
		if i > 2 {
			rs = rs[:2]
		}
		runs = append(runs, rs...)
	}
	runs = append(runs, commandsFor("--engine", "cached_db", "--database-url", dbURLs[0], "--cache-url", cacheURLs[0])[:2]...)
	for i, u := range cacheURLs {
		rs := commandsFor("--engine", "cache", "--cache-url", u)
		switch {
		case i == 0:
			rs[5].mayPass = true // clear-expired: Redis expires sessions itself
		case i < 6:
			rs = rs[:1]
		default:
			rs = rs[:2]
		}
		runs = append(runs, rs...)
	}
	// A Redis whose default user has no password accepts any: the shared
	// one, for commands that only read, in a database the tests do not
	// use for sessions.
	for _, cmd := range [][]string{{"get", key}, {"list"}, {"stats"}} {
		runs = append(runs, run{"", append(cmd, "--engine", "cache", "--cache-url", "redis://:"+pw+"@127.0.0.1:6379/15"), true})
	}
	// copy and verify: a good source (a copy of the demo database) and a
	// target that fails, and the other way round.
	demo := demoVars(t)
	for _, u := range append(dbURLs[:4:4], cacheURLs[0]) {
		to := []string{"--to-database-url", u}
		from := []string{"--from-database-url", u}
		if strings.HasPrefix(u, "redis") {
			// A cache URL alone leaves the engine at db (and its
			// default, ./db.sqlite3): name the engine.
			to = []string{"--to-engine", "cache", "--to-cache-url", u}
			from = []string{"--from-engine", "cache", "--from-cache-url", u}
		}
		for _, cmd := range []string{"copy", "verify"} {
			runs = append(runs, run{"", append([]string{cmd, "--from-database-url", demo["DATABASE_URL"]}, to...), false})
			runs = append(runs, run{"", append(append([]string{cmd}, from...), "--to-database-url", demo["DATABASE_URL"]), false})
		}
	}
	runs = append(runs, run{"", []string{"serve", "--listen", "127.0.0.1:0", "--database-url", dbURLs[3]}, false})
	runs = append(runs, run{"", []string{"serve", "--listen", "127.0.0.1:0", "--database-url", demo["DATABASE_URL"],
		"--users-database-url", dbURLs[3]}, false})

	// Nothing may fall back to Django's default database, ./db.sqlite3.
	if _, err := os.Stat("db.sqlite3"); err == nil {
		t.Fatal("db.sqlite3 exists in the package directory before the test")
	}
	defer func() {
		if _, err := os.Stat("db.sqlite3"); err == nil {
			os.Remove("db.sqlite3")
			t.Error("a command created the default database ./db.sqlite3")
		}
	}()
	// The commands run eight at a time: most fail at once, but the ones
	// whose Redis refuses connections wait out go-redis's retries.
	type outcome struct {
		res     result
		elapsed time.Duration
	}
	outcomes := make([]outcome, len(runs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i, r := range runs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			res := secRun(t, ctx, vars, r.stdin, r.args...)
			outcomes[i] = outcome{res, time.Since(start)}
		})
	}
	wg.Wait()
	for i, r := range runs {
		label := strings.Join(r.args, " ")
		res := outcomes[i].res
		if testing.Verbose() {
			t.Logf("%s: exit %d in %v: %s", label, res.code, outcomes[i].elapsed.Round(time.Millisecond), strings.TrimSpace(res.stderr))
		}
		if res.code == exitOK && !r.mayPass {
			t.Errorf("%s: exit 0, want a failure\nstdout: %s\nstderr: %s", label, res.stdout, res.stderr)
		}
		if res.stderr == "" && !r.mayPass {
			t.Errorf("%s: exit %d and nothing on stderr", label, res.code)
		}
		secOutput(t, label, res)
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in
// different goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeNeverLogsSecrets runs serve on (a copy of) the demo project
// and sends it forged, tampered and valid session cookies: its answers, its
// metrics and its logs never hold the secret key, and never the session
// cookie a request carried (a session key is a credential).
func TestServeNeverLogsSecrets(t *testing.T) {
	vars := demoVars(t)
	demoKey := vars[envSecretKey]
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "secret_key")
	if err := os.WriteFile(keyFile, []byte(demoKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	delete(vars, envSecretKey)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--secret-key-file", keyFile, "--header", "_auth_user_backend=X-Backend"}, e)
	}()
	addrRe := regexp.MustCompile(`"addr":"([^"]+)"`)
	var addr string
	deadline := time.Now().Add(30 * time.Second)
	for addr == "" {
		if m := addrRe.FindStringSubmatch(errb.String()); m != nil {
			addr = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d before listening: %s", code, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen within 30s: %s", errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}

	forged, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte("attacker-guess")})
	if err != nil {
		t.Fatal(err)
	}
	f, err := forged.Encode(serializer.DictOf("_auth_user_id", serializer.Str("1")))
	if err != nil {
		t.Fatal(err)
	}
	cookies := []string{
		demoAlice, demoBob, demoAnon, demoExpired, // real sessions: 200, 200, 401, 401
		"attackerchosenkey000000000000000", strings.Repeat("z", 41), "short", "../../etc/passwd",
		f, tamper(f), "\x80\x81", `"quoted"`,
	}
	client := &http.Client{Timeout: 10 * time.Second}
	var answers strings.Builder
	for _, c := range cookies {
		req, err := http.NewRequest("GET", "http://"+addr+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Cookie", "sessionid="+c)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Fprintf(&answers, "%d %v %s\n", resp.StatusCode, resp.Header, body)
		want, user := http.StatusUnauthorized, ""
		switch c {
		case demoAlice:
			want, user = http.StatusOK, "1"
		case demoBob:
			want, user = http.StatusOK, "2"
		}
		if resp.StatusCode != want || resp.Header.Get("X-Django-User-Id") != user {
			t.Errorf("cookie %q: status %d, user %q; want %d, %q", c, resp.StatusCode, resp.Header.Get("X-Django-User-Id"), want, user)
		}
	}
	for _, p := range []string{"/metrics", "/healthz"} {
		resp, err := client.Get("http://" + addr + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Fprintf(&answers, "%s %s\n", p, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}

	logs := errb.String() + out.String()
	if testing.Verbose() {
		t.Logf("serve's logs:\n%s\nanswers:\n%s", logs, answers.String())
	}
	all := logs + answers.String()
	if strings.Contains(all, demoKey) {
		t.Errorf("serve's answers or logs hold the secret key:\n%s", all)
	}
	for _, c := range cookies {
		if len(c) >= 8 && strings.Contains(logs, c) {
			t.Errorf("serve's logs hold a session cookie %q:\n%s", c, logs)
		}
	}
	// The logs are JSON lines.
	sc := bufio.NewScanner(strings.NewReader(errb.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Errorf("a log line that is not JSON: %q", sc.Text())
		}
	}
}
