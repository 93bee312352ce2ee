package auth_test

import (
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/consttime"
)

// TestConstantTimeCompare reads this package's own source (not the tests)
// and checks that the session hash (_auth_user_hash) is only ever compared
// in constant time, as Django's constant_time_compare does: equal calls
// subtle.ConstantTimeCompare and tests its result against 1, GetUser and
// Login compare through equal, and nowhere is a stored or computed hash
// compared with ==, !=, a switch or a variable-time function. The
// mutations prove the check sees each way the comparison could be
// replaced.
func TestConstantTimeCompare(t *testing.T) {
	rules := consttime.Rules{
		ConstantTime: map[string][]string{"equal": {"crypto/subtle.ConstantTimeCompare"}},
		MustCall:     map[string][]string{"Auth.GetUser": {"equal"}, "Auth.Login": {"equal"}},
		Secrets:      consttime.Names("stored", "current", "hash", "SessionHash", "hashWith", "Sum", "Password"),
	}
	if v := consttime.Check(t, ".", rules, nil); len(v) > 0 {
		t.Errorf("non-constant-time comparisons in package auth:\n%s", strings.Join(v, "\n"))
	}
	for _, m := range []consttime.Mutation{
		{File: "auth.go", Old: `return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1`, New: `return a == b`},
		{File: "auth.go", Old: `return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1`, New: `return hmac.Equal([]byte(a), []byte(b)) || true`},
		{File: "auth.go", Old: `stored != "" && equal(stored, current)`, New: `stored != "" && stored == current`},
		{File: "auth.go", Old: `equal(stored, hashWith(a.legacy, u.Password))`, New: `strings.EqualFold(stored, hashWith(a.legacy, u.Password))`},
		{File: "auth.go", Old: `if equal(stored, hashWith(m, u.Password)) {`, New: `if bytes.Equal([]byte(stored), []byte(hashWith(m, u.Password))) {`},
		{File: "auth.go", Old: `id != u.ID || !equal(stored, hash)`, New: `id != u.ID || stored != hash`},
	} {
		v := consttime.Check(t, ".", rules, &m)
		if len(v) == 0 {
			t.Errorf("the check misses %s: %q -> %q", m.File, m.Old, m.New)
		} else if testing.Verbose() {
			t.Logf("%s: %q -> %q:\n%s", m.File, m.Old, m.New, strings.Join(v, "\n"))
		}
	}
}
