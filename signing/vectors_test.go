package signing

import (
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/serializer"
)

// Known answers from django-formats.md §13, produced by running Django
// (2.2, 3.1, 3.2.25, 4.2, 5.2) with SECRET_KEY "test-secret-key-0123456789"
// and time.time() fixed at 1700000000.
const (
	vecSecret = "test-secret-key-0123456789"
	vecOldKey = "old-secret-key"
	vecTS     = 1700000000
)

// vecD is D of §13: the three auth keys, in that order.
func vecD() *serializer.Dict {
	return serializer.DictOf(
		"_auth_user_id", serializer.Str("1"),
		"_auth_user_backend", serializer.Str("django.contrib.auth.backends.ModelBackend"),
		"_auth_user_hash", serializer.Str(strings.Repeat("x", 64)),
	)
}

const vecDCompressed = ".eJyrVopPLC3JiC8tTi2Kz0xRslIyVNJBFktKTM5OzQNJpGQl5qXn6yXn55UUZSbpgZToQWWL9XzzU1JznKBqUQzISCzOAOquoBAo1QIAkBRETQ"

func vecClock() time.Time { return time.Unix(vecTS, 0) }

// vecStringCases are signatures of strings: Signer and TimestampSigner.
var vecStringCases = []struct {
	name      string
	key       string
	salt      string
	timestamp bool
	value     string
	sha256    string
	sha1      string
}{
	{name: "Signer(key=k, salt=s)", key: "k", salt: "s", value: "value",
		sha256: "value:UdW6EumfwvqkMdaD8Hynn--w1ZxfVvN6EQZh7oqy57g", sha1: "value:WAhB9FZzo8Omc-Y9J0P9GjgOk1E"},
	{name: "Signer(key=k)", key: "k", value: "value",
		sha256: "value:Crn9nxnSB6RMubXPCmcdjZoCptjbQQJlRn9eLaiSrVM", sha1: "value:oRBd5MQmdmd7nk7u_N597v7pzJg"},
	{name: "TimestampSigner(key=k, salt=s)", key: "k", salt: "s", timestamp: true, value: "value",
		sha256: "value:1r31eq:ssssc7HhCEZDPTrI0cH_gc2bSWH70EWncHw83Co0B0o", sha1: "value:1r31eq:Zh6RQBWJYlQgMrBGxAEflfbrzxY"},
	{name: "get_cookie_signer(salt=mycookie)", key: "django.http.cookies" + vecSecret, salt: "mycookie", timestamp: true, value: "v",
		sha256: "v:1r31eq:37j3h2DlL-SRfuNoMFUs1IYWBEOas58CP4iY_MGte7A", sha1: "v:1r31eq:8WmuROsKhj2B9gZPBBtXK6n80Iw"},
}

func TestVectorsSign(t *testing.T) {
	for _, c := range vecStringCases {
		for _, alg := range []string{"sha256", "sha1"} {
			want := c.sha256
			if alg == "sha1" {
				want = c.sha1
			}
			cfg := Config{Key: []byte(c.key), Salt: c.salt, Algorithm: alg, Now: vecClock}
			var got string
			var v Verified
			var err error
			if c.timestamp {
				s := mustTimestampSigner(t, cfg)
				got = s.Sign(c.value)
				v, err = s.Verify(want)
			} else {
				s := mustSigner(t, cfg)
				got = s.Sign(c.value)
				v, err = s.Verify(want)
			}
			if got != want {
				t.Errorf("%s %s: Sign = %q, want %q", c.name, alg, got, want)
			}
			if err != nil || v.Value != c.value || v.Algorithm != alg || v.KeyIndex != 0 {
				t.Errorf("%s %s: Verify = %+v, %v", c.name, alg, v, err)
			}
			if c.timestamp && v.Timestamp != vecTS {
				t.Errorf("%s: timestamp %d", c.name, v.Timestamp)
			}
		}
	}
}

func TestVectorsCookieKey(t *testing.T) {
	s := mustTimestampSigner(t, Config{Key: CookieKey([]byte(vecSecret)), Salt: "mycookie", Now: vecClock})
	if got, want := s.Sign("v"), vecStringCases[3].sha256; got != want {
		t.Fatalf("cookie signer: %q, want %q", got, want)
	}
}

// vecDumpsCases are dumps outputs that do not compress, so Go writes the
// same bytes as Django.
var vecDumpsCases = []struct {
	name     string
	salt     string
	value    serializer.Value
	compress bool
	sha256   string
	sha1     string
}{
	{name: `dumps("hello")`, value: serializer.Str("hello"),
		sha256: "ImhlbGxvIg:1r31eq:MwR1ymO1NEflTgfCSMH7km4WvyJ-_ySA0khI9A1bnBg", sha1: "ImhlbGxvIg:1r31eq:jV-4t3Ki6OMqCsONhLDLrlV6JEU"},
	{name: `dumps({"a":1}, compress=True)`, value: serializer.DictOf("a", serializer.Int(1)), compress: true,
		sha256: "eyJhIjoxfQ:1r31eq:lAXsj4cmI50s_GvTV_8kqO4UXq4x7k0Daq66vpqZ2MI", sha1: "eyJhIjoxfQ:1r31eq:u6auL9DNCBYOoZzKoPwacnBWy9w"},
	{name: "signed_cookies session {a:1}", salt: "django.contrib.sessions.backends.signed_cookies",
		value: serializer.DictOf("a", serializer.Int(1)), compress: true,
		sha256: "eyJhIjoxfQ:1r31eq:6mwj5pYsRWu2HYm-3TofBVIQ2_LcO4Ydsr-XpZwZ_fM", sha1: "eyJhIjoxfQ:1r31eq:ESd6ZgdBJHD5LxYgR8UzHb_5uQk"},
	{name: "4.1+ session with _session_expiry", salt: "django.contrib.sessions.SessionStore",
		value: serializer.DictOf("_session_expiry", serializer.Str("2030-01-02T03:04:05+00:00")), compress: true,
		sha256: "eyJfc2Vzc2lvbl9leHBpcnkiOiIyMDMwLTAxLTAyVDAzOjA0OjA1KzAwOjAwIn0:1r31eq:z6qElhCpWeYMdB69vvFa-OjAg-TqVuUag7Us-ua6UK4"},
}

func TestVectorsDumps(t *testing.T) {
	for _, c := range vecDumpsCases {
		for _, alg := range []string{"sha256", "sha1"} {
			want := c.sha256
			if alg == "sha1" {
				want = c.sha1
			}
			if want == "" {
				continue
			}
			cfg := Config{Key: []byte(vecSecret), Salt: c.salt, Algorithm: alg, Now: vecClock}
			got, err := Dumps(c.value, DumpsOptions{Config: cfg, Compress: c.compress})
			if err != nil || got != want {
				t.Errorf("%s %s: Dumps = %q, %v; want %q", c.name, alg, got, err, want)
			}
			v, err := Loads(want, LoadsOptions{Config: cfg})
			if err != nil || !serializer.Equal(v, c.value) {
				t.Errorf("%s %s: Loads = %#v, %v", c.name, alg, v, err)
			}
		}
	}
}

// TestVectorsLoads reads what Django wrote with compression (C zlib, so
// not reproducible byte for byte) and with keys and algorithms that only
// the fallback and legacy settings accept.
func TestVectorsLoads(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		salt     string
		legacy   []string
		fallback []string
		want     serializer.Value
		keyIndex int
		alg      string
	}{
		{name: "dumps(D, compress=True)", in: vecDCompressed + ":1r31eq:uZiD5hBh_vSpm39sPbuBqPjIuMY-6uUNoV9TmWzahmw",
			want: vecD(), alg: "sha256"},
		{name: "dumps(D, compress=True) sha1, read as 3.1/3.2 do", in: vecDCompressed + ":1r31eq:hY8WCvjoYVg0C9BEUgmRUsktdsM",
			legacy: []string{"sha1"}, want: vecD(), alg: "sha1"},
		{name: "SessionStore().encode(D)", in: vecDCompressed + ":1r31eq:1nFqQdaVLk0iNvoR_wPVHdB67wfNoABLURJHXEXzXew",
			salt: "django.contrib.sessions.SessionStore", want: vecD(), alg: "sha256"},
		{name: "dumps(hello, key=old-secret-key) through the fallback", in: "ImhlbGxvIg:1r31eq:ncPgC-ffWb4thEYUd5nucMPbKxHXFqJMh9NOeskq7zI",
			fallback: []string{"other", vecOldKey}, want: serializer.Str("hello"), keyIndex: 2, alg: "sha256"},
	}
	for _, c := range cases {
		var fb [][]byte
		for _, k := range c.fallback {
			fb = append(fb, []byte(k))
		}
		cfg := Config{Key: []byte(vecSecret), FallbackKeys: fb, LegacyAlgorithms: c.legacy, Salt: orDefault(c.salt, DefaultDumpsSalt), Now: vecClock}
		s := mustTimestampSigner(t, cfg)
		v, ver, err := s.VerifyObjectMaxAge(c.in, 0)
		if err != nil || !serializer.Equal(v, c.want) {
			t.Errorf("%s: %#v, %v", c.name, v, err)
			continue
		}
		if ver.KeyIndex != c.keyIndex || ver.Algorithm != c.alg || ver.Timestamp != vecTS {
			t.Errorf("%s: Verified %+v, want key %d, %s", c.name, ver, c.keyIndex, c.alg)
		}
		// Without the fallback key or the legacy algorithm, Django 4.0+
		// rejects it (django-formats.md §13, "Checks").
		if c.legacy != nil || c.fallback != nil {
			cfg.LegacyAlgorithms, cfg.FallbackKeys = nil, nil
			if _, err := mustTimestampSigner(t, cfg).UnsignObject(c.in); !isBadSignature(err) {
				t.Errorf("%s without fallback/legacy: %v, want ErrBadSignature", c.name, err)
			}
		}
	}
	// Loads reports the same.
	old := new(30 * time.Second)
	if v, err := Loads(cases[3].in, LoadsOptions{Config: Config{Key: []byte(vecSecret), FallbackKeys: [][]byte{[]byte(vecOldKey)}, Now: vecClock}, MaxAge: old}); err != nil || !serializer.Equal(v, serializer.Str("hello")) {
		t.Errorf("Loads with fallback: %#v, %v", v, err)
	}
}

func mustSigner(t testing.TB, cfg Config) *Signer {
	t.Helper()
	s, err := NewSigner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustTimestampSigner(t testing.TB, cfg Config) *TimestampSigner {
	t.Helper()
	s, err := NewTimestampSigner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
