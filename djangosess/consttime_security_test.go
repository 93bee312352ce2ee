package djangosess_test

import (
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/consttime"
)

// TestConstantTimeCompare reads this package's own source (not the tests)
// and checks that the legacy (Django ≤ 3.0) session_data MAC is compared in
// constant time, as Django's constant_time_compare does:
// legacyCodec.decode calls subtle.ConstantTimeCompare and tests its result
// against 1, and nowhere in the package is a MAC compared with ==, !=, a
// switch or a variable-time function. (The signed format is checked in
// package signing.) The mutations prove the check sees each way the
// comparison could be replaced.
func TestConstantTimeCompare(t *testing.T) {
	rules := consttime.Rules{
		ConstantTime: map[string][]string{"legacyCodec.decode": {"crypto/subtle.ConstantTimeCompare"}},
		Secrets:      consttime.Names("mac", "sum"),
	}
	if v := consttime.Check(t, ".", rules, nil); len(v) > 0 {
		t.Errorf("non-constant-time comparisons in package djangosess:\n%s", strings.Join(v, "\n"))
	}
	for _, m := range []consttime.Mutation{
		{File: "legacy.go", Old: `subtle.ConstantTimeCompare(mac, l.mac(payload)) != 1`, New: `!bytes.Equal(mac, l.mac(payload))`},
		{File: "legacy.go", Old: `subtle.ConstantTimeCompare(mac, l.mac(payload)) != 1`, New: `string(mac) != string(l.mac(payload))`},
		{File: "legacy.go", Old: `subtle.ConstantTimeCompare(mac, l.mac(payload)) != 1`, New: `subtle.ConstantTimeCompare(mac, l.mac(payload)) < 0`},
	} {
		v := consttime.Check(t, ".", rules, &m)
		if len(v) == 0 {
			t.Errorf("the check misses %s: %q -> %q", m.File, m.Old, m.New)
		} else if testing.Verbose() {
			t.Logf("%s: %q -> %q:\n%s", m.File, m.Old, m.New, strings.Join(v, "\n"))
		}
	}
}
