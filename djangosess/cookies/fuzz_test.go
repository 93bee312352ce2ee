package cookies_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/cookies"
	"github.com/djangosess/djangosess/djangosess/files"
	"github.com/djangosess/djangosess/internal/djangotest"
	"github.com/djangosess/djangosess/keys"
	"github.com/djangosess/djangosess/serializer"
)

// FuzzCookieHeader feeds arbitrary Cookie headers through the session
// middleware, once over the signed_cookies store and once over the file
// store, with a handler that reads the session and changes it. Whatever
// the header holds:
//   - nothing panics, and the answer is the handler's 200 (a bad cookie is
//     an empty session, as in Django, never an error page);
//   - a session comes back with data only when the cookie's value carries a
//     valid signature (the cookie store) or names an existing file (the
//     file store: the fuzzer cannot create one, so never);
//   - the key the file store hands out is a fresh valid key, never the one
//     the request brought (no fixation), and the file it names holds the
//     handler's value.
//
// Seeds are the signed values real Django produced (testdata/vectors).
func FuzzCookieHeader(f *testing.F) {
	vf := djangotest.Vectors(f)
	last := vf[len(vf)-1]
	for _, v := range vf {
		for _, c := range v.Cases {
			if c.Op != "session_encode" && c.Op != "sign_object" && c.Op != "timestamp_sign" {
				continue
			}
			var out string
			if json.Unmarshal(c.Output, &out) != nil || out == "" {
				continue
			}
			f.Add("sessionid=" + out)
			f.Add(`csrftoken=abc; sessionid="` + out + `"; sessionid=second`)
		}
	}
	f.Add("sessionid=abcdefghijklmnopqrstuvwxyz012345")
	f.Add("sessionid=../../../../etc/passwd")
	f.Add("sessionid=" + strings.Repeat("A", 5000))
	f.Add("sessionid=; sessionid=\x00; =sessionid")

	now := time.Unix(last.Timestamp, 0)
	clock := func() time.Time { return now }
	cs, err := cookies.New(cookies.Config{SecretKey: []byte(last.SecretKey), Now: clock})
	if err != nil {
		f.Fatal(err)
	}
	codec, err := djangosess.NewCodec(djangosess.CodecConfig{SecretKey: []byte(last.SecretKey)})
	if err != nil {
		f.Fatal(err)
	}
	fs, err := files.New(files.Config{Dir: f.TempDir(), Codec: codec, Now: clock})
	if err != nil {
		f.Fatal(err)
	}
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := djangosess.FromContext(r.Context())
		n := s.Len()
		w.Header().Set("X-Loaded", strings.Repeat("x", n))
		s.Set("fuzz", serializer.Bool(true))
	})
	byCookie := djangosess.Middleware(djangosess.MiddlewareConfig{Cookies: cs, Session: djangosess.SessionConfig{Now: clock}})(handler)
	byFile := djangosess.Middleware(djangosess.MiddlewareConfig{Store: fs, Session: djangosess.SessionConfig{Now: clock}})(handler)
	ctx := context.Background()

	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Cookie", header)
		var value string
		if c, err := req.Cookie("sessionid"); err == nil {
			value = c.Value
		}

		rec := httptest.NewRecorder()
		byCookie.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("cookie store: status %d for %q", rec.Code, header)
		}
		if rec.Header().Get("X-Loaded") != "" {
			if _, err := cs.Load(ctx, value); err != nil {
				t.Fatalf("cookie store: a session loaded from %q, whose signature does not check: %v", value, err)
			}
		}
		set := sessionCookie(t, rec)
		if set == nil {
			t.Fatalf("cookie store: no session cookie set for %q", header)
		}
		if r, err := cs.Load(ctx, set.Value); err != nil || !has(r.Data, "fuzz") {
			t.Fatalf("cookie store: the cookie set does not load back: %v", err)
		}

		rec = httptest.NewRecorder()
		byFile.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("file store: status %d for %q", rec.Code, header)
		}
		if rec.Header().Get("X-Loaded") != "" {
			t.Fatalf("file store: a session loaded from %q", header)
		}
		set = sessionCookie(t, rec)
		if set == nil {
			t.Fatalf("file store: no session cookie set for %q", header)
		}
		if set.Value == value || keys.Validate(set.Value) != nil {
			t.Fatalf("file store: handed out key %q for request key %q", set.Value, value)
		}
		if r, err := fs.Load(ctx, set.Value); err != nil || !has(r.Data, "fuzz") {
			t.Fatalf("file store: the new session does not load back: %v", err)
		}
		if err := fs.Delete(ctx, set.Value); err != nil {
			t.Fatal(err)
		}
	})
}

func sessionCookie(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == "sessionid" {
			return c
		}
	}
	return nil
}

func has(d *serializer.Dict, key string) bool {
	_, ok := d.GetStr(key)
	return ok
}
