package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// Vectors produced by real Django (django-formats.md §13): SECRET_KEY
// "test-secret-key-0123456789", time 1700000000 (b62 "1r31eq").
const (
	secret      = "test-secret-key-0123456789"
	sessionD    = ".eJyrVopPLC3JiC8tTi2Kz0xRslIyVNJBFktKTM5OzQNJpGQl5qXn6yXn55UUZSbpgZToQWWL9XzzU1JznKBqUQzISCzOAOquoBAo1QIAkBRETQ:1r31eq:1nFqQdaVLk0iNvoR_wPVHdB67wfNoABLURJHXEXzXew"
	legacyD     = "MjlhZTRmOGEyMTA2YmZmNjhkZGM3MDBhZjZjODAxYzA4ODAyNWViNDp7Il9hdXRoX3VzZXJfaWQiOiIxIiwiX2F1dGhfdXNlcl9iYWNrZW5kIjoiZGphbmdvLmNvbnRyaWIuYXV0aC5iYWNrZW5kcy5Nb2RlbEJhY2tlbmQiLCJfYXV0aF91c2VyX2hhc2giOiJ4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4In0="
	taggedD     = `{"_auth_user_id":"1","_auth_user_backend":"django.contrib.auth.backends.ModelBackend","_auth_user_hash":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}`
	expiry41    = "eyJfc2Vzc2lvbl9leHBpcnkiOiIyMDMwLTAxLTAyVDAzOjA0OjA1KzAwOjAwIn0:1r31eq:z6qElhCpWeYMdB69vvFa-OjAg-TqVuUag7Us-ua6UK4"
	dumpsHello  = "ImhlbGxvIg:1r31eq:MwR1ymO1NEflTgfCSMH7km4WvyJ-_ySA0khI9A1bnBg"
	dumpsHello1 = "ImhlbGxvIg:1r31eq:jV-4t3Ki6OMqCsONhLDLrlV6JEU" // sha1
	dumpsOld    = "ImhlbGxvIg:1r31eq:ncPgC-ffWb4thEYUd5nucMPbKxHXFqJMh9NOeskq7zI"
	pickleUID   = "gAWVGAAAAAAAAAB9lIwNX2F1dGhfdXNlcl9pZJSMATGUcy4:1r31eq:U6REuRHzcxmrPTyNDPO2UcJxP-3M-dwgYoxmliOKJfE" // PickleSerializer, 4.x
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, vars map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb,
		getenv: func(k string) string { return vars[k] },
	}
	code := run(context.Background(), args, e)
	return result{code, out.String(), errb.String()}
}

var withKey = map[string]string{envSecretKey: secret}

func TestCLI(t *testing.T) {
	fallback := map[string]string{envSecretKey: secret, envFallbackKeys: "unused\nold-secret-key\n"}
	for _, tc := range []struct {
		name   string
		vars   map[string]string
		stdin  string
		args   []string
		code   int
		stdout string
		stderr string // substring
	}{
		{"decode arg", withKey, "", []string{"decode", sessionD}, 0, taggedD + "\n", ""},
		{"decode stdin", withKey, sessionD + "\n", []string{"decode"}, 0, taggedD + "\n", ""},
		{"decode legacy", withKey, "", []string{"decode", legacyD}, 0, taggedD + "\n", ""},
		{"decode legacy as 3.2", withKey, "", []string{"decode", "--django", "3.2", legacyD}, 0, taggedD + "\n", ""},
		{"decode legacy as 4.2", withKey, "", []string{"decode", "--django", "4.2", legacyD}, 1, "", "bad signature"},
		{"decode flags after arg", withKey, "", []string{"decode", legacyD, "--django", "4.2"}, 1, "", "bad signature"},
		{"decode tampered", withKey, "", []string{"decode", strings.Replace(sessionD, "1r31eq", "1r31er", 1)}, 1, "", "bad signature"},
		{"decode wrong key", map[string]string{envSecretKey: "other"}, "", []string{"decode", sessionD}, 1, "", "bad signature"},
		{"decode garbage", withKey, "", []string{"decode", "garbage"}, 1, "", ""},
		{"decode iso expiry", withKey, "", []string{"decode", expiry41}, 0, `{"_session_expiry":"2030-01-02T03:04:05+00:00"}` + "\n", ""},
		{"decode max-age ok", withKey, "", []string{"decode", "--max-age", "10", "--now", "1700000010", sessionD}, 0, taggedD + "\n", ""},
		{"decode max-age expired", withKey, "", []string{"decode", "--max-age", "10", "--now", "1700000010.5", sessionD}, 1, "", "expired"},
		{"loads", withKey, "", []string{"decode", "--salt", "django.core.signing", dumpsHello}, 0, `"hello"` + "\n", ""},
		{"loads sha1 by 3.2", withKey, "", []string{"decode", "--salt", "django.core.signing", "--django", "3.2", dumpsHello1}, 0, `"hello"` + "\n", ""},
		{"loads sha1 by 4.2", withKey, "", []string{"decode", "--salt", "django.core.signing", "--django", "4.2", dumpsHello1}, 1, "", "bad signature"},
		{"loads fallback", fallback, "", []string{"decode", "--salt", "django.core.signing", dumpsOld}, 0, `"hello"` + "\n", ""},
		{"loads fallback not by 4.0", fallback, "", []string{"decode", "--salt", "django.core.signing", "--django", "4.0", dumpsOld}, 1, "", "bad signature"},
		{"loads wrong salt", withKey, "", []string{"decode", "--salt", "other", dumpsHello}, 1, "", "bad signature"},
		{"decode pickle", withKey, "", []string{"decode", "--serializer", "pickle", pickleUID}, 0, `{"_auth_user_id":"1"}` + "\n", ""},
		{"decode pickle as json", withKey, "", []string{"decode", pickleUID}, 1, "", "malformed"},
		{"encode pickle", withKey, "", []string{"encode", "--serializer", "pickle", "--timestamp", "1700000000", `{"_auth_user_id":"1"}`}, 0, pickleUID + "\n", ""},
		{"unknown serializer", withKey, "", []string{"decode", "--serializer", "yaml", pickleUID}, 2, "", "unknown serializer"},
		{"encode uncompressed", withKey, "", []string{"encode", "--timestamp", "1700000000", `{"_session_expiry":"2030-01-02T03:04:05+00:00"}`}, 0, expiry41 + "\n", ""},
		{"encode legacy", withKey, taggedD, []string{"encode", "--django", "2.2"}, 0, legacyD + "\n", ""},
		{"encode legacy sha1 3.2", withKey, taggedD, []string{"encode", "--django", "3.2", "--algorithm", "sha1"}, 0, legacyD + "\n", ""},
		{"encode not a dict", withKey, "", []string{"encode", `[1]`}, 1, "", "unsupported"},
		{"encode bad json", withKey, "", []string{"encode", `{`}, 1, "", "malformed"},
		{"dumps", withKey, "", []string{"encode", "--salt", "django.core.signing", "--timestamp", "1700000000", `"hello"`}, 0, dumpsHello + "\n", ""},
		{"dumps sha1", withKey, "", []string{"encode", "--salt", "django.core.signing", "--algorithm", "sha1", "--now", "1700000000.9", `"hello"`}, 0, dumpsHello1 + "\n", ""},
		{"sign", map[string]string{envSecretKey: "k"}, "", []string{"sign", "--salt", "s", "value"}, 0, "value:UdW6EumfwvqkMdaD8Hynn--w1ZxfVvN6EQZh7oqy57g\n", ""},
		{"sign default salt", map[string]string{envSecretKey: "k"}, "", []string{"sign", "value"}, 0, "value:Crn9nxnSB6RMubXPCmcdjZoCptjbQQJlRn9eLaiSrVM\n", ""},
		{"sign sha1 as 3.0", map[string]string{envSecretKey: "k"}, "", []string{"sign", "--salt", "s", "--django", "3.0", "value"}, 0, "value:WAhB9FZzo8Omc-Y9J0P9GjgOk1E\n", ""},
		{"sign timestamped", map[string]string{envSecretKey: "k"}, "", []string{"sign", "--timestamped", "--salt", "s", "--timestamp", "1700000000", "value"}, 0, "value:1r31eq:ssssc7HhCEZDPTrI0cH_gc2bSWH70EWncHw83Co0B0o\n", ""},
		{"unsign", map[string]string{envSecretKey: "k"}, "", []string{"unsign", "--salt", "s", "value:UdW6EumfwvqkMdaD8Hynn--w1ZxfVvN6EQZh7oqy57g"}, 0, "value\n", ""},
		{"unsign timestamped expired", map[string]string{envSecretKey: "k"}, "", []string{"unsign", "--timestamped", "--salt", "s", "--max-age", "60", "--now", "1700000061", "value:1r31eq:ssssc7HhCEZDPTrI0cH_gc2bSWH70EWncHw83Co0B0o"}, 1, "", "expired"},
		{"unsign bad", map[string]string{envSecretKey: "k"}, "", []string{"unsign", "--salt", "s", "value:x"}, 1, "", "bad signature"},
		{"unsafe sep", map[string]string{envSecretKey: "k"}, "", []string{"sign", "--sep", "a", "value"}, 2, "", "separator"},
		{"no secret", nil, "", []string{"decode", sessionD}, 2, "", "DJANGO_SECRET_KEY"},
		{"unknown command", withKey, "", []string{"frobnicate"}, 2, "", "unknown command"},
		{"unknown flag", withKey, "", []string{"decode", "--secret-key", "x"}, 2, "", "flag provided but not defined"},
		{"bad version", withKey, "", []string{"decode", "--django", "1.8", sessionD}, 2, "", "older than"},
		{"untimed without salt", withKey, "", []string{"decode", "--untimed", sessionD}, 2, "", "--untimed needs --salt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.vars, tc.stdin, tc.args...)
			if r.code != tc.code || (tc.code == 0 && r.stdout != tc.stdout) || !strings.Contains(r.stderr, tc.stderr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr containing %q",
					r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.stderr)
			}
			if tc.code != 0 && r.stdout != "" {
				t.Fatalf("rejected data printed %q on stdout", r.stdout)
			}
			for _, k := range []string{secret, "old-secret-key"} {
				if strings.Contains(r.stdout+r.stderr, k) {
					t.Fatalf("output shows a secret key: %q %q", r.stdout, r.stderr)
				}
			}
		})
	}
}

func TestCLIUntimed(t *testing.T) {
	r := runCLI(t, withKey, "", "encode", "--salt", "mysalt", "--untimed", `{"a":[1,2.5,null]}`)
	if r.code != 0 || strings.Count(r.stdout, ":") != 1 {
		t.Fatalf("encode --untimed: %+v", r)
	}
	back := runCLI(t, withKey, "", "decode", "--salt", "mysalt", "--untimed", strings.TrimSpace(r.stdout))
	if back.code != 0 || back.stdout != `{"a":[1,2.5,null]}`+"\n" {
		t.Fatalf("decode --untimed: %+v", back)
	}
	// A timed reader does not take an untimed value.
	if r := runCLI(t, withKey, "", "decode", "--salt", "mysalt", strings.TrimSpace(r.stdout)); r.code != 1 {
		t.Fatalf("timed decode of untimed data: %+v", r)
	}
}

func TestCLILines(t *testing.T) {
	var in strings.Builder
	var want strings.Builder
	for i := range 1000 {
		switch i % 3 {
		case 0:
			in.WriteString(sessionD + "\n")
			want.WriteString(taggedD + "\n")
		case 1:
			in.WriteString(legacyD + "\r\n")
			want.WriteString(taggedD + "\n")
		default:
			in.WriteString("not-a-session\n")
			want.WriteString(`{"$error":"malformed"}` + "\n") // not base64: no legacy data either
		}
	}
	r := runCLI(t, withKey, in.String(), "decode", "--lines")
	if r.code != 1 {
		t.Fatalf("exit %d with bad items, want 1 (stderr %q)", r.code, r.stderr)
	}
	if r.stdout != want.String() {
		t.Fatalf("--lines output differs from the expected, in order, one line per item")
	}

	// encode --lines: an empty line for a bad item, output in order.
	r = runCLI(t, withKey, taggedD+"\n[1]\n"+taggedD+"\n", "encode", "--lines", "--django", "2.2")
	if r.code != 1 || r.stdout != legacyD+"\n\n"+legacyD+"\n" {
		t.Fatalf("encode --lines: %+v", r)
	}
	// All good: exit 0; a last line without a newline counts.
	r = runCLI(t, withKey, sessionD+"\n"+sessionD, "decode", "--lines")
	if r.code != 0 || r.stdout != taggedD+"\n"+taggedD+"\n" {
		t.Fatalf("decode --lines all good: %+v", r)
	}
}

// The Redis values of pickle.dumps({"_auth_user_id":"1"}, p) from
// django-formats.md §13 (made by CPython): protocol 4 is what django-redis
// ≥ 5.1 stores, protocol 5 what Django's RedisCache stores.
func TestCLICacheValue(t *testing.T) {
	p4 := "\x80\x04\x95\x18\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\r_auth_user_id\x94\x8c\x011\x94s."
	p5 := "\x80\x05" + p4[2:]
	const uid = `{"_auth_user_id":"1"}`
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		stdout      string
	}{
		{"decode django-redis", p4, []string{"decode", "--cache-value"}, 0, uid + "\n"},
		{"decode django", p5, []string{"decode", "--cache-value", "--cache-client", "django"}, 0, uid + "\n"},
		{"decode int", "42", []string{"decode", "--cache-value"}, 0, "42\n"},
		{"decode garbage", "\x80\x04junk", []string{"decode", "--cache-value"}, 1, ""},
		{"encode django-redis", uid, []string{"encode", "--cache-value"}, 0, p4},
		{"encode django", uid, []string{"encode", "--cache-value", "--cache-client", "django"}, 0, p5},
		{"bad client", uid, []string{"encode", "--cache-value", "--cache-client", "memcached"}, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, nil, tc.stdin, tc.args...)
			if r.code != tc.code || (tc.code == 0 && r.stdout != tc.stdout) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %d, %q", r.code, r.stdout, r.stderr, tc.code, tc.stdout)
			}
		})
	}
}
