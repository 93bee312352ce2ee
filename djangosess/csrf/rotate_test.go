package csrf_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/djangosess/djangosess/djangosess/csrf"
)

// TestRotateAsDjango: Rotate replaces the request's secret as Django's
// rotate_token (called by auth's login()) does, for each Django version,
// in the cookie and under CSRF_USE_SESSIONS: the stored value has the
// shape Django stores (a bare secret from 4.1, a masked token before),
// holds a new secret, and Django accepts a token of the new secret and
// rejects one of the old.
func TestRotateAsDjango(t *testing.T) {
	for _, o := range oracles(t) {
		t.Run(o.django.Version, func(t *testing.T) {
			old := csrf.NewSecret()
			oldTok, _ := csrf.MaskToken(old)
			for _, sessions := range []bool{false, true} {
				set := settings{UseSessions: sessions}
				c := reqCase{set: set, method: "GET"}.defaults()
				sess := mapSession{}
				if sessions {
					sess["_csrftoken"] = mustMaskIfOld(t, old, o.version)
					c.session = map[string]string{"_csrftoken": sess["_csrftoken"]}
				} else {
					c.cookie = "csrftoken=" + old
				}
				var dj struct {
					Cookie  *string           `json:"cookie"`
					Session map[string]string `json:"session"`
				}
				a := o.do(t, c.request("rotate_token"))[0]
				if err := json.Unmarshal(a.Value, &dj); err != nil {
					t.Fatal(err, a.Error, a.Message)
				}
				djStored := dj.Session["_csrftoken"]
				if !sessions {
					djStored = *dj.Cookie
				}

				chk, err := csrf.New(set.config(o.version))
				if err != nil {
					t.Fatal(err)
				}
				w := httptest.NewRecorder()
				tok, err := chk.Rotate(w, c.goRequest(), sess)
				if err != nil {
					t.Fatal(err)
				}
				stored := sess["_csrftoken"]
				if !sessions {
					cookies := w.Result().Cookies()
					if len(cookies) != 1 {
						t.Fatalf("Rotate set %d cookies", len(cookies))
					}
					stored = cookies[0].Value
				}
				if len(stored) != len(djStored) {
					t.Errorf("sessions=%v: Rotate stored %d characters, Django %d", sessions, len(stored), len(djStored))
				}
				if unmaskAny(stored) == old || unmaskAny(djStored) == old {
					t.Errorf("sessions=%v: the secret did not change (Go %v, Django %v)", sessions, unmaskAny(stored) == old, unmaskAny(djStored) == old)
				}
				var reqs []map[string]any
				for _, token := range []string{tok, oldTok} {
					post := reqCase{set: set, body: form("csrfmiddlewaretoken", token)}.defaults()
					if sessions {
						post.session = map[string]string{"_csrftoken": stored}
					} else {
						post.cookie = "csrftoken=" + stored
					}
					reqs = append(reqs, post.request("check"))
				}
				as := o.do(t, reqs...)
				if string(as[0].Value) != "null" {
					t.Errorf("sessions=%v: Django rejects the token Rotate returned: %s", sessions, as[0].Value)
				}
				if string(as[1].Value) == "null" {
					t.Errorf("sessions=%v: Django accepts a token of the secret Rotate replaced", sessions)
				}
			}
		})
	}
}

// unmaskAny is the secret in a stored value, masked or bare.
func unmaskAny(s string) string {
	if len(s) == csrf.TokenLength {
		u, _ := csrf.UnmaskToken(s)
		return u
	}
	return s
}
