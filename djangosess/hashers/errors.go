package hashers

import (
	"errors"
	"fmt"
)

// The errors Check, Make and MustUpdate return, for errors.Is. None of them
// carries a password, a salt or a hash.
var (
	// ErrUnknownHasher: the encoded password names no algorithm this
	// package implements, or one the Checker does not allow (Django's
	// identify_hasher raises ValueError and check_password answers False).
	ErrUnknownHasher = errors.New("hashers: unknown password hasher")

	// ErrMalformed: the encoded password names a known algorithm but does
	// not parse as that algorithm writes it (wrong field count, bad number,
	// bad base64, empty salt). Django answers False or raises for these.
	ErrMalformed = errors.New("hashers: malformed encoded password")

	// ErrTooExpensive: the encoded password asks for more work than
	// Limits allow (see LimitError). A hostile or corrupt database row
	// cannot make Check run for minutes or allocate gigabytes.
	ErrTooExpensive = errors.New("hashers: work factor above the limit")

	// ErrUnsupported: a Django format this package recognizes but does not
	// implement: crypt, argon2d, Argon2 version 16 (0x10), scrypt before
	// Django 4.0, or a legacy hasher a newer Django removed.
	ErrUnsupported = errors.New("hashers: unsupported password hasher")

	// ErrSalt: Make was given a salt the algorithm cannot take (empty where
	// one is required, containing "$", shorter than Argon2's 8 bytes, or
	// any chosen salt for bcrypt, whose salts come from the bcrypt library).
	ErrSalt = errors.New("hashers: invalid salt")

	// ErrPassword: the password cannot go through the algorithm: a NUL
	// byte for bcrypt (the Python bcrypt library raises ValueError), or
	// more than 72 bytes for Make with plain bcrypt.
	ErrPassword = errors.New("hashers: password not accepted by the algorithm")
)

// LimitError reports which work factor exceeded which limit. It matches
// ErrTooExpensive.
type LimitError struct {
	Algorithm string // "pbkdf2_sha256", "argon2", ...
	Param     string // "iterations", "memory_cost", ...
	Value     int64
	Max       int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("hashers: %s %s %d above the limit %d", e.Algorithm, e.Param, e.Value, e.Max)
}

// Is makes errors.Is(err, ErrTooExpensive) true.
func (e *LimitError) Is(target error) bool { return target == ErrTooExpensive }

func malformed(alg, what string) error {
	return fmt.Errorf("%w: %s: %s", ErrMalformed, alg, what)
}

func tooExpensive(alg, param string, v, max int64) error {
	return &LimitError{Algorithm: alg, Param: param, Value: v, Max: max}
}
