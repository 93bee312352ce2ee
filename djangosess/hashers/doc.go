// Package hashers checks and makes Django's encoded passwords
// (django.contrib.auth.hashers), byte-compatible with Django from 1.11 to
// 6.0, so that a Go service can log in users whose passwords Django set,
// and set passwords Django accepts.
//
// # Algorithms
//
//	pbkdf2_sha256   pbkdf2_sha256$<iterations>$<salt>$<base64 hash>   Django's default
//	pbkdf2_sha1     pbkdf2_sha1$<iterations>$<salt>$<base64 hash>
//	argon2          argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>  (argon2i before 3.2)
//	bcrypt_sha256   bcrypt_sha256$$2b$12$<salt><hash>, bcrypt of hex(sha256(password))
//	bcrypt          bcrypt$$2b$12$<salt><hash>
//	scrypt          scrypt$<N>$<salt>$<r>$<p>$<base64 hash>            (4.0+)
//	sha1, md5       sha1$<salt>$<hex>, md5$<salt>$<hex>                 (sha1 until 5.0)
//	unsalted_sha1   sha1$$<hex>                                         (until 5.0)
//	unsalted_md5    <32 hex>, or md5$$<32 hex> when reading            (until 5.0)
//
// The primitives come from golang.org/x/crypto (argon2, bcrypt, scrypt) and
// the standard library (PBKDF2, SHA-1, MD5). Django's CryptPasswordHasher
// (UNIX crypt(3), removed in Django 5.0) is out of scope: Identify names it,
// Check returns ErrUnsupported. So are argon2d and Argon2 version 16, which
// Django never writes and golang.org/x/crypto does not implement.
//
// # Checking
//
// Check is check_password: the algorithm comes from the encoded password
// as identify_hasher finds it, the password is hashed again with the
// stored salt and work factors, and the results are compared in constant
// time (crypto/subtle). An unusable password ("!…") is false with no
// error; an unknown algorithm is ErrUnknownHasher, a malformed one
// ErrMalformed. A Checker restricts the algorithms to a project's
// PASSWORD_HASHERS (DefaultAlgorithms gives an unconfigured Django's) and
// bounds the work factors read from the database (Limits): a row asking
// for more than 10 million PBKDF2 iterations, 1 GiB of Argon2 or scrypt
// memory or bcrypt cost 17 gets ErrTooExpensive (a *LimitError) at once
// instead of tying up the service.
//
// What Check accepts was compared with Django's check_password on real
// hashes and on tampered ones (leading zeros, signs, missing or extra
// fields, non-canonical base64 and bcrypt salts, bad scrypt N): Check is
// true exactly when Django says True, and returns an error wherever Django
// raises. The one leniency kept from the C argon2 library Django calls
// is that an Argon2 string ends at a NUL byte.
//
// # Making
//
// Make is make_password: with the same salt and work factors its output is
// Django's byte for byte (bcrypt salts come from the bcrypt library in
// both, so bcrypt hashes are compared by Django re-encoding with Go's
// salt). MakeOptions.Django picks the version's defaults: PBKDF2
// iterations (36,000 in 1.11 to 1,200,000 in 6.0), Argon2, scrypt and
// bcrypt parameters, and salts of 22 characters of [a-zA-Z0-9] from 3.2 (12
// before). Params overrides the work factors for projects whose hasher
// subclasses change them. MustUpdate is must_update: whether Django would
// rehash the password at the next login.
//
// # Differences from Django
//
//   - Plain bcrypt: Check cuts passwords to 72 bytes, as the bcrypt library
//     versions Django has used do; Make refuses longer passwords
//     (ErrPassword), as bcrypt ≥ 5.0 does, rather than store a hash that
//     ignores the tail. A NUL byte is ErrPassword in both.
//   - Django substitutes its default work factor for a zero PBKDF2
//     iteration count or scrypt N (which then never matches); Check
//     reports such rows as ErrMalformed.
//   - Django hashes a random password when the encoded one is unusable or
//     unknown, to even out timing; Check returns at once. Callers that
//     look users up should spend the same time on a missing user.
//   - Before Django 3.2, Argon2's must_update compared fewer parameters;
//     MustUpdate applies the 3.2 rule (variant, version, hash length, t,
//     m, p) to every version.
package hashers
