package csrf_test

import (
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/consttime"
)

// TestConstantTimeCompare reads this package's own source (not the tests)
// and checks that a CSRF token is only ever compared with the secret in
// constant time, as Django's _does_token_match does (constant_time_compare
// after unmasking): equal calls subtle.ConstantTimeCompare and tests its
// result against 1, matches goes through equal, and nowhere is a token or
// secret compared with ==, !=, a switch or a variable-time function. The
// mutations prove the check sees each way the comparison could be
// replaced.
func TestConstantTimeCompare(t *testing.T) {
	rules := consttime.Rules{
		ConstantTime: map[string][]string{"equal": {"crypto/subtle.ConstantTimeCompare"}},
		MustCall:     map[string][]string{"matches": {"equal"}, "Checker.checkToken": {"matches"}, "Checker.checkTokenLegacy": {"matches"}},
		Secrets:      consttime.Names("token", "secret", "unmask", "UnmaskToken", "sec"),
	}
	if v := consttime.Check(t, ".", rules, nil); len(v) > 0 {
		t.Errorf("non-constant-time comparisons in package csrf:\n%s", strings.Join(v, "\n"))
	}
	for _, m := range []consttime.Mutation{
		{File: "token.go", Old: `return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1`, New: `return a == b`},
		{File: "token.go", Old: `return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1`, New: `return subtle.ConstantTimeCompare([]byte(a), []byte(b)) > -1`},
		{File: "check.go", Old: `return s.usable && equal(token, s.value)`, New: `return s.usable && token == s.value`},
		{File: "check.go", Old: `return s.usable && equal(token, s.value)`, New: `return s.usable && strings.Compare(token, s.value) == 0`},
		{File: "check.go", Old: `if !matches(token, s) {`, New: `if unmask(token) != s.value {`},
	} {
		v := consttime.Check(t, ".", rules, &m)
		if len(v) == 0 {
			t.Errorf("the check misses %s: %q -> %q", m.File, m.Old, m.New)
		} else if testing.Verbose() {
			t.Logf("%s: %q -> %q:\n%s", m.File, m.Old, m.New, strings.Join(v, "\n"))
		}
	}
}
