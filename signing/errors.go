package signing

import (
	"errors"
	"fmt"
	"time"

	"github.com/djangosess/djangosess/serializer"
)

// The errors this package returns, usually wrapped with detail. Test for
// them with errors.Is. No error (and no String method) in this package ever
// includes key material.
var (
	// ErrBadSignature: the signature is missing or does not match any
	// accepted key and algorithm (Django's BadSignature). An *ExpiredError
	// matches it too.
	ErrBadSignature = errors.New("signing: bad signature")
	// ErrExpired: the signature is valid but older than the maximum age
	// (Django's SignatureExpired). Returned as an *ExpiredError.
	ErrExpired = errors.New("signing: signature expired")
	// ErrMalformed: the signature is valid but what it covers cannot be
	// read: a timestamp that is missing or not base 62, bad base64, a zlib
	// stream that does not inflate, or a payload the serializer rejects.
	// Django raises ValueError, binascii.Error, zlib.error or the
	// serializer's exception for these, not BadSignature. B64Decode and
	// B62Decode return it for bad input too. Serializer errors
	// are wrapped so that they also match serializer.ErrMalformed (and
	// whatever else the codec reported).
	ErrMalformed = errors.New("signing: malformed input")
	// ErrTooLarge: the signed string is longer than Config.MaxInput, or the
	// payload inflates to more than Config.MaxDecompressed bytes, or the
	// serializer reported serializer.ErrTooLarge (which then matches too).
	ErrTooLarge = errors.New("signing: input over limit")
	// ErrInvalidAlgorithm: the algorithm is not one Django's salted_hmac
	// accepts (Django's InvalidAlgorithm).
	ErrInvalidAlgorithm = errors.New("signing: invalid algorithm")
	// ErrUnsafeSeparator: the separator is made only of characters that can
	// occur in a signature or in base64 (Django's "Unsafe Signer separator").
	ErrUnsafeSeparator = errors.New("signing: unsafe separator")
	// ErrNoKey: Config.Key (or one of Config.FallbackKeys) is empty.
	ErrNoKey = errors.New("signing: no key")
)

// ExpiredError reports a valid signature older than the allowed maximum age
// (Django's SignatureExpired). It matches both ErrExpired and
// ErrBadSignature with errors.Is.
type ExpiredError struct {
	// Age is how long ago the value was signed, measured with the signer's
	// clock.
	Age time.Duration
	// MaxAge is the limit that Age exceeded.
	MaxAge time.Duration
}

func (e *ExpiredError) Error() string {
	return fmt.Sprintf("signing: signature expired: age %v > %v", e.Age, e.MaxAge)
}

// Is reports whether target is ErrExpired or ErrBadSignature.
func (e *ExpiredError) Is(target error) bool {
	return target == ErrExpired || target == ErrBadSignature
}

// malformed wraps a detail message as ErrMalformed.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

// codecError wraps an error from serializer.Codec.Unmarshal so that it
// matches ErrTooLarge or ErrMalformed from this package as well as
// everything the codec's error matches.
func codecError(err error) error {
	if errors.Is(err, serializer.ErrTooLarge) {
		return fmt.Errorf("%w: %w", ErrTooLarge, err)
	}
	return fmt.Errorf("%w: %w", ErrMalformed, err)
}
