package consttime_test

import (
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/consttime"
)

// A package's test names the function that must compare in constant time
// and the names that hold secrets, then proves the check catches a
// variable-time replacement of its own code.
func ExampleCheck() {
	test := func(t *testing.T) {
		rules := consttime.Rules{
			ConstantTime: map[string][]string{"equal": {"crypto/subtle.ConstantTimeCompare"}},
			Secrets:      consttime.Names("mac", "sig"),
		}
		if v := consttime.Check(t, ".", rules, nil); len(v) > 0 {
			t.Error(strings.Join(v, "\n"))
		}
		m := consttime.Mutation{File: "sign.go", Old: "equal(mac, sig)", New: "mac == sig"}
		if len(consttime.Check(t, ".", rules, &m)) == 0 {
			t.Error("the check misses ==")
		}
	}
	_ = test
}
