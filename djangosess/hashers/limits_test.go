package hashers_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/djangosess/hashers"
)

// TestLimits: work factors above the limits are refused before any
// hashing (each of these would take minutes or gigabytes).
func TestLimits(t *testing.T) {
	h16 := "AAAAAAAAAAAAAAAAAAAAAA"
	for _, c := range []struct {
		encoded string
		lim     hashers.Limits
		param   string
	}{
		{"pbkdf2_sha256$10000001$salt$hash", hashers.Limits{}, "iterations"},
		{"pbkdf2_sha1$999999999999$salt$hash", hashers.Limits{}, "iterations"},
		{"pbkdf2_sha256$1001$salt$hash", hashers.Limits{PBKDF2Iterations: 1000}, "iterations"},
		{"argon2$argon2id$v=19$m=1048577,t=2,p=8$c2FsdHNhbHQ$" + h16, hashers.Limits{}, "memory_cost"},
		{"argon2$argon2id$v=19$m=4294967295,t=2,p=8$c2FsdHNhbHQ$" + h16, hashers.Limits{}, "memory_cost"},
		{"argon2$argon2id$v=19$m=102400,t=33,p=8$c2FsdHNhbHQ$" + h16, hashers.Limits{}, "time_cost"},
		{"argon2$argon2id$v=19$m=102400,t=2,p=256$c2FsdHNhbHQ$" + h16, hashers.Limits{}, "parallelism"},
		{"argon2$argon2i$v=19$m=102400,t=2,p=8$c2FsdHNhbHQ$" + h16, hashers.Limits{Argon2MemoryKiB: 65536}, "memory_cost"},
		{"scrypt$1073741824$salt$8$1$hash", hashers.Limits{}, "memory"},
		{"scrypt$1099511627776$salt$8$1$hash", hashers.Limits{}, "memory"},
		{"scrypt$16384$salt$8$65$hash", hashers.Limits{}, "parallelism"},
		{"scrypt$16384$salt$8$5$hash", hashers.Limits{ScryptMemory: 1 << 20}, "memory"},
		{"bcrypt_sha256$$2b$17$" + strings.Repeat(".", 53), hashers.Limits{}, "rounds"},
		{"bcrypt$$2b$31$" + strings.Repeat(".", 53), hashers.Limits{}, "rounds"},
		{"bcrypt$$2b$12$" + strings.Repeat(".", 53), hashers.Limits{BcryptCost: 10}, "rounds"},
	} {
		c2 := hashers.Checker{Limits: c.lim}
		ok, err := c2.Check("pw", c.encoded)
		var le *hashers.LimitError
		if ok || !errors.Is(err, hashers.ErrTooExpensive) || !errors.As(err, &le) || le.Param != c.param {
			t.Errorf("Check(%q) = %v, %v; want a %s LimitError", c.encoded, ok, err, c.param)
		}
	}
}

// TestErrors: each kind of bad input has its typed error.
func TestErrors(t *testing.T) {
	for _, c := range []struct {
		encoded string
		want    error
	}{
		{"", hashers.ErrUnknownHasher},
		{"plaintext-password", hashers.ErrUnknownHasher},
		{"crypt$$abN0vLx5nQE2I", hashers.ErrUnsupported},
		{"argon2$argon2d$v=19$m=256,t=1,p=2$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", hashers.ErrUnsupported},
		{"argon2$argon2id$m=256,t=1,p=2$c2FsdHNhbHQ$AAAAAAAAAAAAAAAAAAAAAA", hashers.ErrUnsupported},
		{"pbkdf2_sha256$x$salt$hash", hashers.ErrMalformed},
		{"pbkdf2_sha256$1000$$hash", hashers.ErrMalformed},
		{"argon2$argon2id$v=19$m=256,t=1,p=2$c2FsdA$AAAAAAAAAAAAAAAAAAAAAA", hashers.ErrMalformed}, // 4-byte salt
		{"scrypt$1000$salt$8$1$hash", hashers.ErrMalformed},
		{"bcrypt$$2b$12$short", hashers.ErrMalformed},
		{"md5$$abc", hashers.ErrMalformed},
	} {
		ok, err := hashers.Check("pw", c.encoded)
		if ok || !errors.Is(err, c.want) {
			t.Errorf("Check(%q) = %v, %v; want %v", c.encoded, ok, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("error %q mentions the password", err)
		}
	}
	// A plaintext password stored by mistake is not echoed in the error.
	if _, err := hashers.Check("x", "hunter2"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v", err)
	}
	// The Checker's algorithm list is Django's PASSWORD_HASHERS.
	md5 := "md5$salt$" + strings.Repeat("0", 32)
	c := hashers.Checker{Algorithms: hashers.DefaultAlgorithms(djangosess.Version{Major: 5, Minor: 2})}
	if _, err := c.Check("pw", md5); !errors.Is(err, hashers.ErrUnknownHasher) {
		t.Errorf("md5 with the default PASSWORD_HASHERS: %v", err)
	}

	for _, c := range []struct {
		name string
		opts hashers.MakeOptions
		pw   string
		want error
	}{
		{"unknown", hashers.MakeOptions{Algorithm: "rot13"}, "pw", hashers.ErrUnknownHasher},
		{"crypt", hashers.MakeOptions{Algorithm: hashers.Crypt}, "pw", hashers.ErrUnsupported},
		{"scrypt in 3.2", hashers.MakeOptions{Algorithm: hashers.Scrypt, Django: djangosess.Version{Major: 3, Minor: 2}}, "pw", hashers.ErrUnsupported},
		{"sha1 in 5.1", hashers.MakeOptions{Algorithm: hashers.SHA1, Django: djangosess.Version{Major: 5, Minor: 1}}, "pw", hashers.ErrUnsupported},
		{"dollar salt", hashers.MakeOptions{Salt: "a$b"}, "pw", hashers.ErrSalt},
		{"salted unsalted", hashers.MakeOptions{Algorithm: hashers.UnsaltedMD5, Django: djangosess.Version{Major: 4, Minor: 2}, Salt: "s"}, "pw", hashers.ErrSalt},
		{"bcrypt salt", hashers.MakeOptions{Algorithm: hashers.BcryptSHA256, Salt: "$2b$12$abcdefghijklmnopqrstuu"}, "pw", hashers.ErrSalt},
		{"argon2 short salt", hashers.MakeOptions{Algorithm: hashers.Argon2, Salt: "short"}, "pw", hashers.ErrSalt},
		{"bcrypt NUL", hashers.MakeOptions{Algorithm: hashers.Bcrypt}, "p\x00w", hashers.ErrPassword},
		{"bcrypt 73 bytes", hashers.MakeOptions{Algorithm: hashers.Bcrypt}, strings.Repeat("x", 73), hashers.ErrPassword},
	} {
		if _, err := hashers.Make(c.pw, c.opts); !errors.Is(err, c.want) {
			t.Errorf("%s: Make: %v, want %v", c.name, err, c.want)
		}
	}
}

// TestDefaultIterations: the §11.3 table, including the versions no
// Django on this machine covers.
func TestDefaultIterations(t *testing.T) {
	for v, n := range map[string]int{
		"1.11": 36000, "2.0": 100000, "2.1": 120000, "2.2.28": 150000, "3.0": 180000, "3.1": 216000, "3.2": 260000,
		"4.0": 320000, "4.1": 390000, "4.2": 600000, "5.0": 720000, "5.1": 870000, "5.2": 1000000, "6.0": 1200000,
		"7.0": 1200000,
	} {
		pv, err := djangosess.ParseVersion(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := hashers.DefaultParams(pv).PBKDF2Iterations; got != n {
			t.Errorf("Django %s: %d iterations, want %d", v, got, n)
		}
	}
	if got := hashers.DefaultParams(djangosess.Version{}).PBKDF2Iterations; got != 1200000 {
		t.Errorf("zero Version: %d", got)
	}
	old := hashers.DefaultParams(djangosess.Version{Major: 3, Minor: 1})
	if old.Argon2 != (hashers.Argon2Params{Variant: "argon2i", Time: 2, MemoryKiB: 512, Parallelism: 2, HashLen: 16}) || old.SaltEntropy != 0 {
		t.Errorf("Django 3.1: %+v", old)
	}
	// Before 3.2 salts are 12 characters and never too short.
	enc, _ := hashers.Make("pw", hashers.MakeOptions{Algorithm: hashers.MD5, Django: djangosess.Version{Major: 3, Minor: 1}})
	if salt := strings.Split(enc, "$")[1]; len(salt) != 12 || hashers.MustUpdate("md5$s$"+strings.Repeat("0", 32), djangosess.Version{Major: 3, Minor: 1}) != true {
		t.Errorf("Django 3.1 salt %q", salt)
	}
	if old.MustUpdate("pbkdf2_sha256$216000$s$hash") {
		t.Errorf("Django 3.1 wants a longer salt")
	}
}

// TestRoundTrip: Make then Check for every algorithm and some passwords,
// with cheap work factors.
func TestRoundTrip(t *testing.T) {
	v := djangosess.Version{Major: 4, Minor: 2}
	for _, alg := range allAlgorithms {
		for _, pw := range []string{"", "a", "ü\x00ü", strings.Repeat("z", 200)} {
			if alg == hashers.Bcrypt && (len(pw) > 72 || strings.Contains(pw, "\x00")) {
				continue
			}
			enc, err := hashers.Make(pw, hashers.MakeOptions{Algorithm: alg, Django: v, Params: cheap(v)})
			if err != nil {
				t.Fatalf("Make(%s): %v", alg, err)
			}
			if a, err := hashers.Identify(enc); a != alg || err != nil {
				t.Errorf("Identify(%q) = %q, %v", enc, a, err)
			}
			if ok, err := hashers.Check(pw, enc); !ok || err != nil {
				t.Errorf("Check(%q, %q) = %v, %v", pw, enc, ok, err)
			}
			if ok, err := hashers.Check(pw+"!", enc); ok || err != nil {
				t.Errorf("Check(wrong, %q) = %v, %v", enc, ok, err)
			}
		}
	}
}
