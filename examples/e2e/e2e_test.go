package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/djangosess/djangosess/internal/djangotest"
)

// cacheClient alternates the two Redis cache backends over the versions:
// django-redis for 3.2 and 5.2, Django's own RedisCache (4.0+) for 4.2.
func cacheClient(version string) string {
	if djangotest.Series(version) == "4.2" {
		return "django"
	}
	return "django-redis"
}

// hasFallbacks: SECRET_KEY_FALLBACKS, and get_user trying them, arrived in
// Django 4.1.8.
func hasFallbacks(version string) bool {
	s := djangotest.Series(version)
	return s != "3.2" && s != "4.0"
}

func TestSharedLogin(t *testing.T) {
	for _, d := range djangotest.Versions(t) {
		t.Run(d.Version, func(t *testing.T) { sharedLogin(t, d) })
	}
}

func sharedLogin(t *testing.T, d djangotest.Django) {
	w := newWorld(t, d, cacheClient(d.Version))
	const alicePw, bobPw, alicePw2 = "alice-first-pw", "bob-pw", "alice-second-pw"
	alice := w.user(t, "alice", alicePw)
	bob := w.user(t, "bob", bobPw)
	if alice == "" || bob == "" || alice == bob {
		t.Fatalf("setpassword gave ids %q and %q", alice, bob)
	}
	w.startAll(t)

	// Nobody is logged in yet.
	a := newBrowser(t, w, "browser A")
	a.expect(t, "before login", "")
	if got := a.djangoPostWithoutToken(t, "alice", alicePw); got != http.StatusForbidden {
		t.Fatalf("Django's login form without a CSRF token answered %d, want 403", got)
	}

	// A logs in through Django's login form: Go and serve see alice.
	a.djangoLogin(t, "alice", alicePw)
	a.expect(t, "after Django login", alice)

	// B logs in through Go: Django's request.user is bob.
	b := newBrowser(t, w, "browser B")
	if got := b.goLogin(t, "bob", "wrong"); got != http.StatusUnauthorized {
		t.Fatalf("Go login with a wrong password: %d, want 401", got)
	}
	if got := b.goLogin(t, "nobody", bobPw); got != http.StatusUnauthorized {
		t.Fatalf("Go login of an unknown user: %d, want 401", got)
	}
	b.expect(t, "after failed Go logins", "")
	if got := b.goLogin(t, "bob", bobPw); got != http.StatusOK {
		t.Fatalf("Go login as bob: %d, want 200", got)
	}
	b.expect(t, "after Go login", bob)

	// Logging out on either side logs out everywhere.
	a.goLogout(t)
	a.expect(t, "after Go logout", "")
	b.expect(t, "B after A's Go logout", bob)
	b.djangoLogout(t)
	b.expect(t, "after Django logout", "")

	// C (Django) and D (Go) are alice. C changes her password in Django:
	// Django keeps C logged in (update_session_auth_hash), and every
	// other session of hers, D, is rejected by Go.
	c := newBrowser(t, w, "browser C")
	c.djangoLogin(t, "alice", alicePw)
	dd := newBrowser(t, w, "browser D")
	if got := dd.goLogin(t, "alice", alicePw); got != http.StatusOK {
		t.Fatalf("Go login as alice: %d, want 200", got)
	}
	dd.expect(t, "D before the password change", alice)
	c.djangoChangePassword(t, alicePw, alicePw2)
	if got := gatewaySees(t, dd); got != "" {
		t.Errorf("serve still sees %q on the session from before the password change", got)
	}
	if got := goSees(t, dd); got != "" {
		t.Errorf("Go still sees %q on the session from before the password change", got)
	}
	if dd.sessionKey(t) != "" {
		t.Errorf("Go kept the cookie of the session it rejected (Django flushes it)")
	}
	dd.expect(t, "D after the password change", "")
	c.expect(t, "C, which changed the password", alice)
	if got := dd.goLogin(t, "alice", alicePw); got != http.StatusUnauthorized {
		t.Errorf("Go login with the old password: %d, want 401", got)
	}
	if got := dd.goLogin(t, "alice", alicePw2); got != http.StatusOK {
		t.Fatalf("Go login with the password Django set: %d, want 200", got)
	}
	dd.expect(t, "D logged in again through Go", alice)

	if !hasFallbacks(d.Version) {
		t.Logf("Django %s has no SECRET_KEY_FALLBACKS: key rotation not tested", d.Version)
		return
	}
	rotateKey(t, w, c, dd, alice)
}

// rotateKey restarts everything with a new SECRET_KEY and the old one in
// SECRET_KEY_FALLBACKS: the sessions of c (logged in through Django) and
// dd (through Go) survive on every side.
func rotateKey(t *testing.T, w *world, c, dd *browser, user string) {
	oldKey := w.env["DJANGO_SECRET_KEY"]
	cKey, dKey := c.sessionKey(t), dd.sessionKey(t)
	w.stopAll(t)

	// C's session is no longer in the cache: whoever reads it next
	// decodes the database row, signed with the old key.
	cacheKey := w.prefix + ":1:django.contrib.sessions.cached_db" + cKey
	if n, err := w.redis.Del(context.Background(), cacheKey).Result(); err != nil || n != 1 {
		t.Fatalf("removing C's cached session: %d keys, %v (want 1: the cache key format changed?)", n, err)
	}

	// Without the old key in the fallbacks, the sessions are dead.
	w.setKeys("e2e-second-secret-key")
	noFallbacks := start(t, "djangosess serve without fallbacks", w.serveCmd(), serveAddr, "/healthz", 200)
	w.gw = noFallbacks
	for _, br := range []*browser{c, dd} {
		if got := gatewaySees(t, br); got != "" {
			t.Fatalf("%s: serve with the new key and no fallbacks sees %q", br.name, got)
		}
	}
	noFallbacks.stop(t)

	w.setKeys("e2e-second-secret-key", oldKey)
	w.startAll(t)
	// Django reads C first, Go reads D first: each verifies the old hash
	// under the fallback key and moves the session to a new key.
	if got := djangoSees(t, c); got != user {
		t.Fatalf("Django after the rotation sees %q on C, want %q", got, user)
	}
	if c.sessionKey(t) == cKey {
		t.Errorf("Django did not cycle C's session key after the fallback-key match")
	}
	if got := goSees(t, dd); got != user {
		t.Fatalf("Go after the rotation sees %q on D, want %q", got, user)
	}
	if dd.sessionKey(t) == dKey {
		t.Errorf("Go did not cycle D's session key after the fallback-key match")
	}
	c.expect(t, "C after the rotation", user)
	dd.expect(t, "D after the rotation", user)

	// The sessions now hold the new key's hash: they survive the old key
	// leaving the fallbacks.
	w.stopAll(t)
	w.setKeys("e2e-second-secret-key")
	w.startAll(t)
	c.expect(t, "C with the old key retired", user)
	dd.expect(t, "D with the old key retired", user)
}
