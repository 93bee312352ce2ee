package hashers

import (
	"crypto/subtle"
	"fmt"
	"slices"
)

// Limits bound the work an encoded password can ask of Check. Django
// trusts its database; a Go service sharing it should not let a corrupt or
// hostile row make one login take minutes or gigabytes. Each zero field
// means its default; an encoded password above a limit gets a *LimitError
// (ErrTooExpensive) before any hashing.
type Limits struct {
	// PBKDF2Iterations: default 10,000,000 (Django 6.0 uses 1,200,000).
	PBKDF2Iterations int
	// Argon2MemoryKiB: Argon2 m in KiB; default 1 GiB (Django uses 100 MiB).
	Argon2MemoryKiB uint32
	// Argon2Time: Argon2 t; default 32 (Django uses 2).
	Argon2Time uint32
	// Argon2Parallelism: Argon2 p; default and ceiling 255 (Django uses 8).
	Argon2Parallelism int
	// ScryptMemory: scrypt's working memory 128·r·(N+p) bytes; default
	// 1 GiB (Django's r=8, N=2^14 use 16 MiB; OpenSSL refuses more than
	// 32 MiB unless the hasher's maxmem is raised).
	ScryptMemory int64
	// ScryptParallelism: scrypt p; default 64 (Django uses 1 or 5).
	ScryptParallelism int
	// BcryptCost: log2 rounds; default 16 (Django uses 12; each step
	// doubles the time).
	BcryptCost int
}

// DefaultLimits are the limits a zero Limits field stands for.
var DefaultLimits = Limits{
	PBKDF2Iterations:  10_000_000,
	Argon2MemoryKiB:   1 << 20,
	Argon2Time:        32,
	Argon2Parallelism: 255,
	ScryptMemory:      1 << 30,
	ScryptParallelism: 64,
	BcryptCost:        16,
}

func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.PBKDF2Iterations > 0 {
		d.PBKDF2Iterations = l.PBKDF2Iterations
	}
	if l.Argon2MemoryKiB > 0 {
		d.Argon2MemoryKiB = l.Argon2MemoryKiB
	}
	if l.Argon2Time > 0 {
		d.Argon2Time = l.Argon2Time
	}
	if l.Argon2Parallelism > 0 && l.Argon2Parallelism < d.Argon2Parallelism {
		d.Argon2Parallelism = l.Argon2Parallelism
	}
	if l.ScryptMemory > 0 {
		d.ScryptMemory = l.ScryptMemory
	}
	if l.ScryptParallelism > 0 {
		d.ScryptParallelism = l.ScryptParallelism
	}
	if l.BcryptCost > 0 {
		d.BcryptCost = l.BcryptCost
	}
	return d
}

// Checker checks passwords against encoded passwords as Django's
// check_password does. The zero Checker accepts every algorithm this
// package implements, under DefaultLimits. A Checker is safe for
// concurrent use.
type Checker struct {
	// Algorithms is the PASSWORD_HASHERS of the Django project, as
	// algorithm names: an encoded password of another algorithm gets
	// ErrUnknownHasher, as in Django. Nil allows every algorithm this
	// package implements. DefaultAlgorithms(v) is an unconfigured
	// Django's list.
	Algorithms []string

	// Limits bound the work factors read from encoded passwords.
	Limits Limits
}

// Check reports whether password matches encoded, as Django's
// check_password(password, encoded) does:
//
//   - an unusable password ("!…") never matches: false, nil;
//   - the algorithm is identified as Django's identify_hasher does, and
//     one that is unknown or not in Algorithms is ErrUnknownHasher;
//   - a malformed encoded password is ErrMalformed (Django answers False
//     or raises);
//   - a work factor above Limits is ErrTooExpensive, before any hashing;
//   - otherwise the password is hashed with the stored salt and
//     parameters, and the result compared in constant time (the whole
//     encoded string for the hashers where Django does that, the raw hash
//     for Argon2 as argon2-cffi does).
//
// ok is never true together with a non-nil error.
func (c *Checker) Check(password, encoded string) (ok bool, err error) {
	if !IsUsable(encoded) {
		return false, nil
	}
	alg, err := Identify(encoded)
	if err != nil {
		return false, err
	}
	if c.Algorithms != nil && !slices.Contains(c.Algorithms, alg) {
		return false, fmt.Errorf("%w: %s is not in the configured algorithms", ErrUnknownHasher, alg)
	}
	h, ok := hashers[alg]
	if !ok {
		return false, fmt.Errorf("%w: %s", ErrUnsupported, alg)
	}
	lim := c.Limits.orDefault()
	return h.verify(password, encoded, &lim)
}

// Check is (&Checker{}).Check: every implemented algorithm, DefaultLimits.
func Check(password, encoded string) (bool, error) {
	var c Checker
	return c.Check(password, encoded)
}

// equal compares in constant time, as Django's constant_time_compare.
func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// hasher is one of Django's password hashers.
type hasher interface {
	// verify checks password against encoded, which Identify named this
	// hasher's.
	verify(password, encoded string, lim *Limits) (bool, error)
	// encode hashes password with salt ("" for a random one) and p.
	encode(password, salt string, p Params) (string, error)
	// mustUpdate is the hasher's must_update against p, for an encoded
	// password of this hasher.
	mustUpdate(encoded string, p Params) bool
}

var hashers = map[string]hasher{
	PBKDF2SHA256: pbkdf2SHA256,
	PBKDF2SHA1:   pbkdf2SHA1,
	Argon2:       argon2Hasher{},
	BcryptSHA256: bcryptSHA256,
	Bcrypt:       bcryptPlain,
	Scrypt:       scryptHasher{},
	SHA1:         sha1Hasher,
	MD5:          md5Hasher,
	UnsaltedSHA1: unsaltedSHA1{},
	UnsaltedMD5:  unsaltedMD5{},
}
