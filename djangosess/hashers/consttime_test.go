package hashers_test

import (
	"strings"
	"testing"

	"github.com/djangosess/djangosess/internal/consttime"
)

// TestConstantTimeCompare reads this package's own source (not the tests)
// and checks that a password hash is only ever compared in constant time,
// as Django's hashers do with constant_time_compare: equal (and argon2's
// verify) call subtle.ConstantTimeCompare and test the result against 1,
// bcrypt's verify leaves the comparison to bcrypt.CompareHashAndPassword,
// every other hasher's verify goes through equal, and nowhere is an
// encoded password or a derived key compared with ==, !=, a switch or a
// variable-time function. The mutations prove the check sees each way the
// comparison could be replaced.
func TestConstantTimeCompare(t *testing.T) {
	rules := consttime.Rules{
		ConstantTime: map[string][]string{
			"equal":               {"crypto/subtle.ConstantTimeCompare"},
			"argon2Hasher.verify": {"crypto/subtle.ConstantTimeCompare"},
			"bcryptHasher.verify": {"golang.org/x/crypto/bcrypt.CompareHashAndPassword"},
		},
		MustCall: map[string][]string{
			"pbkdf2Hasher.verify": {"equal"}, "scryptHasher.verify": {"equal"}, "saltedHasher.verify": {"equal"},
			"unsaltedSHA1.verify": {"equal"}, "unsaltedMD5.verify": {"equal"},
		},
		Secrets: consttime.Names("encoded", "again", "got", "hash", "hexDigest", "argon2Key", "key", "Key", "digest", "password"),
	}
	if v := consttime.Check(t, ".", rules, nil); len(v) > 0 {
		t.Errorf("non-constant-time comparisons in package hashers:\n%s", strings.Join(v, "\n"))
	}
	for _, m := range []consttime.Mutation{
		{File: "check.go", Old: `return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1`, New: `return a == b`},
		{File: "pbkdf2.go", Old: `return equal(encoded, again), nil`, New: `return encoded == again, nil`},
		{File: "scrypt.go", Old: `return equal(encoded, again), nil`, New: `return strings.EqualFold(encoded, again), nil`},
		{File: "argon2.go", Old: `return subtle.ConstantTimeCompare(got, f.hash) == 1, nil`, New: `return bytes.Equal(got, f.hash), nil`},
		{File: "legacy.go", Old: `return equal(encoded, h.hash(password, salt)), nil`, New: `return encoded == h.hash(password, salt), nil`},
		{File: "legacy.go", Old: `return equal(encoded, hexDigest(md5.New, password)), nil`, New: `return encoded == hexDigest(md5.New, password), nil`},
		{File: "bcrypt.go", Old: `bcrypt.CompareHashAndPassword([]byte(data), secret)`, New: `compareBcrypt([]byte(data), secret)`},
	} {
		v := consttime.Check(t, ".", rules, &m)
		if len(v) == 0 {
			t.Errorf("the check misses %s: %q -> %q", m.File, m.Old, m.New)
		} else if testing.Verbose() {
			t.Logf("%s: %q -> %q:\n%s", m.File, m.Old, m.New, strings.Join(v, "\n"))
		}
	}
}
