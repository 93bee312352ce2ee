package hashers

import (
	"github.com/djangosess/djangosess/djangosess"
)

// The algorithm names, as Django writes them before the first "$" (and as
// identify_hasher names the two unsalted forms).
const (
	PBKDF2SHA256 = "pbkdf2_sha256"
	PBKDF2SHA1   = "pbkdf2_sha1"
	Argon2       = "argon2"
	BcryptSHA256 = "bcrypt_sha256"
	Bcrypt       = "bcrypt"
	Scrypt       = "scrypt"
	SHA1         = "sha1"
	MD5          = "md5"
	UnsaltedSHA1 = "unsalted_sha1"
	UnsaltedMD5  = "unsalted_md5"
	// Crypt is recognized (Django ≤ 4.2 has CryptPasswordHasher) but not
	// implemented: Check returns ErrUnsupported.
	Crypt = "crypt"
)

// Params are the work factors of the hashers of one Django project: the
// class attributes of Django's hasher classes, which projects tune by
// subclassing. DefaultParams gives a Django version's defaults.
type Params struct {
	// Algorithm is the preferred hasher, the first of PASSWORD_HASHERS:
	// what Make writes by default, and what MustUpdate wants every
	// password to use. Empty means pbkdf2_sha256.
	Algorithm string

	// PBKDF2Iterations is PBKDF2PasswordHasher.iterations (both PBKDF2
	// hashers).
	PBKDF2Iterations int

	// Argon2 is Argon2PasswordHasher's parameters.
	Argon2 Argon2Params

	// BcryptRounds is BCryptSHA256PasswordHasher.rounds (log2 of the
	// cost; both bcrypt hashers).
	BcryptRounds int

	// Scrypt is ScryptPasswordHasher's parameters; zero N means the Django
	// version has no scrypt hasher (before 4.0).
	Scrypt ScryptParams

	// SaltEntropy is BasePasswordHasher.salt_entropy in bits: generated
	// salts have ceil(SaltEntropy/log2(62)) characters, and MustUpdate
	// wants salts with at least that entropy. Zero is the rule before
	// Django 3.2: 12-character salts and no salt check.
	SaltEntropy int
}

// Argon2Params are an Argon2 hash's parameters.
type Argon2Params struct {
	Variant     string // "argon2id" (Django ≥ 3.2) or "argon2i" (before)
	Time        uint32 // time_cost (t)
	MemoryKiB   uint32 // memory_cost (m), in KiB
	Parallelism uint8  // parallelism (p)
	HashLen     uint32 // argon2-cffi's DEFAULT_HASH_LENGTH, 16
}

// ScryptParams are an scrypt hash's parameters.
type ScryptParams struct {
	N int // work_factor
	R int // block_size
	P int // parallelism
}

var (
	v1_11 = djangosess.Version{Major: 1, Minor: 11}
	v3_2  = djangosess.Version{Major: 3, Minor: 2}
	v4_0  = djangosess.Version{Major: 4, Minor: 0}
	v5_0  = djangosess.Version{Major: 5, Minor: 0}
	v5_1  = djangosess.Version{Major: 5, Minor: 1}
)

// pbkdf2Iterations is PBKDF2PasswordHasher.iterations by feature release
// (django-formats.md §11.3), oldest first.
var pbkdf2Iterations = []struct {
	from djangosess.Version
	n    int
}{
	{v1_11, 36000},
	{djangosess.Version{Major: 2, Minor: 0}, 100000},
	{djangosess.Version{Major: 2, Minor: 1}, 120000},
	{djangosess.Version{Major: 2, Minor: 2}, 150000},
	{djangosess.Version{Major: 3, Minor: 0}, 180000},
	{djangosess.Version{Major: 3, Minor: 1}, 216000},
	{v3_2, 260000},
	{v4_0, 320000},
	{djangosess.Version{Major: 4, Minor: 1}, 390000},
	{djangosess.Version{Major: 4, Minor: 2}, 600000},
	{v5_0, 720000},
	{v5_1, 870000},
	{djangosess.Version{Major: 5, Minor: 2}, 1000000},
	{djangosess.Version{Major: 6, Minor: 0}, 1200000},
}

// version returns v, with the zero Version meaning djangosess.Newest and
// versions after Newest treated as Newest.
func version(v djangosess.Version) djangosess.Version {
	if v.IsZero() || djangosess.Newest.Less(v) {
		return djangosess.Newest
	}
	return v
}

func atLeast(v, w djangosess.Version) bool { return !v.Less(w) }

// DefaultParams returns the hasher parameters of Django v's
// django.contrib.auth.hashers (the zero Version means djangosess.Newest):
//
//   - PBKDF2 iterations from 36,000 (1.11) to 1,200,000 (6.0);
//   - Argon2: argon2id, t=2, m=102400 KiB, p=8 from 3.2; argon2i, t=2,
//     m=512, p=2 before; 16-byte hashes;
//   - bcrypt: 12 rounds;
//   - scrypt (4.0+): N=2^14, r=8, p=1, and p=5 from 5.1;
//   - salts: 22 characters (128 bits) and the salt check from 3.2, 12
//     characters before.
func DefaultParams(v djangosess.Version) Params {
	v = version(v)
	p := Params{Algorithm: PBKDF2SHA256, BcryptRounds: 12}
	for _, it := range pbkdf2Iterations {
		if atLeast(v, it.from) {
			p.PBKDF2Iterations = it.n
		}
	}
	if atLeast(v, v3_2) {
		p.Argon2 = Argon2Params{Variant: "argon2id", Time: 2, MemoryKiB: 102400, Parallelism: 8, HashLen: 16}
		p.SaltEntropy = 128
	} else {
		p.Argon2 = Argon2Params{Variant: "argon2i", Time: 2, MemoryKiB: 512, Parallelism: 2, HashLen: 16}
	}
	if atLeast(v, v4_0) {
		p.Scrypt = ScryptParams{N: 1 << 14, R: 8, P: 1}
		if atLeast(v, v5_1) {
			p.Scrypt.P = 5
		}
	}
	return p
}

// DefaultAlgorithms returns the algorithms of Django v's default
// PASSWORD_HASHERS, in order: pbkdf2_sha256, pbkdf2_sha1, argon2,
// bcrypt_sha256, and scrypt from 4.0. Use it as Checker.Algorithms to
// accept exactly what an unconfigured Django accepts.
func DefaultAlgorithms(v djangosess.Version) []string {
	a := []string{PBKDF2SHA256, PBKDF2SHA1, Argon2, BcryptSHA256}
	if atLeast(version(v), v4_0) {
		a = append(a, Scrypt)
	}
	return a
}

// Shipped reports whether Django v's django.contrib.auth.hashers has the
// algorithm's hasher, which a project can then list in PASSWORD_HASHERS:
// scrypt from 4.0; sha1, unsalted_sha1 and unsalted_md5 until 5.0 (removed
// in 5.1); crypt until 4.2; the others in every version.
func Shipped(algorithm string, v djangosess.Version) bool {
	v = version(v)
	switch algorithm {
	case PBKDF2SHA256, PBKDF2SHA1, Argon2, BcryptSHA256, Bcrypt, MD5:
		return true
	case Scrypt:
		return atLeast(v, v4_0)
	case SHA1, UnsaltedSHA1, UnsaltedMD5:
		return v.Less(v5_1)
	case Crypt:
		return v.Less(v5_0)
	}
	return false
}

func (p Params) algorithm() string {
	if p.Algorithm == "" {
		return PBKDF2SHA256
	}
	return p.Algorithm
}
