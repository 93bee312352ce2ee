package hashers_test

import (
	"errors"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/hashers"
)

// FuzzCheck: Check never panics, never answers true with an error, and
// only returns its typed errors, whatever the encoded password. The
// limits are low so that fuzzing explores formats rather than hashing.
func FuzzCheck(f *testing.F) {
	v := djangosess.Version{Major: 4, Minor: 2}
	for _, alg := range allAlgorithms {
		enc, err := hashers.Make("pw", hashers.MakeOptions{Algorithm: alg, Django: v, Params: cheap(v)})
		if err != nil {
			f.Fatal(err)
		}
		f.Add("pw", enc)
	}
	f.Add("pw", "argon2$argon2id$v=19$m=256,t=1,p=2$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA\x00x")
	f.Add("", "!")
	f.Add("x", "")
	c := hashers.Checker{Limits: hashers.Limits{
		PBKDF2Iterations: 2000, Argon2MemoryKiB: 512, Argon2Time: 2, Argon2Parallelism: 4,
		ScryptMemory: 4 << 20, ScryptParallelism: 4, BcryptCost: 5,
	}}
	f.Fuzz(func(t *testing.T, password, encoded string) {
		ok, err := c.Check(password, encoded)
		if ok && err != nil {
			t.Fatalf("true with %v", err)
		}
		if err != nil {
			for _, e := range []error{hashers.ErrUnknownHasher, hashers.ErrMalformed, hashers.ErrTooExpensive,
				hashers.ErrUnsupported, hashers.ErrPassword} {
				if errors.Is(err, e) {
					return
				}
			}
			t.Fatalf("untyped error %v", err)
		}
		// Deterministic, and MustUpdate/Identify do not panic either.
		if ok2, _ := c.Check(password, encoded); ok2 != ok {
			t.Fatalf("Check answered %v then %v", ok, ok2)
		}
		hashers.MustUpdate(encoded, v)
	})
}
