package hashers

import (
	"fmt"

	"github.com/djangosess/djangosess/djangosess"
)

// MakeOptions choose how Make hashes.
type MakeOptions struct {
	// Algorithm is the hasher; empty means Params.Algorithm, itself
	// pbkdf2_sha256 by default (Django's PASSWORD_HASHERS[0]).
	Algorithm string

	// Django is the version whose hashers are used: its default work
	// factors (unless Params is set), its salt length, and whether it has
	// the algorithm at all (see Shipped). The zero Version means
	// djangosess.Newest.
	Django djangosess.Version

	// Salt is the salt; empty draws one as Django does: 22 characters of
	// [a-zA-Z0-9] from Django 3.2 (12 before), nothing for the unsalted
	// hashers, and the bcrypt library's own for bcrypt, which takes no
	// chosen salt (ErrSalt).
	Salt string

	// Params overrides DefaultParams(Django), for projects whose hasher
	// subclasses change the work factors.
	Params *Params
}

// Make hashes password as Django's make_password(password, salt, hasher)
// does: with the same salt and parameters the result is byte for byte
// what Django writes.
func Make(password string, opts MakeOptions) (string, error) {
	p := DefaultParams(opts.Django)
	if opts.Params != nil {
		p = *opts.Params
	}
	alg := opts.Algorithm
	if alg == "" {
		alg = p.algorithm()
	}
	h, ok := hashers[alg]
	if !ok {
		if alg == Crypt {
			return "", fmt.Errorf("%w: crypt", ErrUnsupported)
		}
		return "", ErrUnknownHasher
	}
	if !Shipped(alg, opts.Django) {
		return "", fmt.Errorf("%w: Django %v has no %s hasher", ErrUnsupported, version(opts.Django), alg)
	}
	salt := opts.Salt
	if salt == "" {
		switch alg {
		case UnsaltedMD5, UnsaltedSHA1, BcryptSHA256, Bcrypt:
		default:
			salt = randomString(saltLength(p.SaltEntropy))
		}
	}
	return h.encode(password, salt, p)
}

// MustUpdate reports whether Django v would rehash encoded after a
// successful login (check_password's setter): when it is not of v's
// default algorithm (pbkdf2_sha256), or when that hasher's must_update
// says so: another iteration count, or (3.2+) a salt of under 128 bits.
// The zero Version means djangosess.Newest. An unusable password never
// needs an update; a malformed one always does.
func MustUpdate(encoded string, v djangosess.Version) bool {
	return DefaultParams(v).MustUpdate(encoded)
}

// MustUpdate is Django's verify_password decision with p as the preferred
// hasher's parameters: encoded needs rehashing when its algorithm is not
// p.Algorithm or when that hasher's must_update says so.
func (p Params) MustUpdate(encoded string) bool {
	if !IsUsable(encoded) {
		return false
	}
	alg, err := Identify(encoded)
	if err != nil || alg != p.algorithm() {
		return true
	}
	h, ok := hashers[alg]
	if !ok {
		return true
	}
	return h.mustUpdate(encoded, p)
}
