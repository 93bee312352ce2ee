package keys

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
)

// ValidChars is Django's VALID_KEY_CHARS: lowercase only, because of
// case-insensitive file systems.
const ValidChars = "abcdefghijklmnopqrstuvwxyz0123456789"

// Length is the length of the keys Django (and Generate) makes.
const Length = 32

// MinLength is the shortest key Django accepts; a shorter cookie is ignored.
const MinLength = 8

// MaxLength is the width of django_session.session_key (varchar(40)).
const MaxLength = 40

// ErrInvalidKey is returned for a key Django would not use.
var ErrInvalidKey = errors.New("keys: invalid session key")

// Generate returns a new 32-character key from crypto/rand, uniformly
// distributed over ValidChars as Django's get_random_string is.
func Generate() (string, error) {
	return generate(rand.Reader)
}

func generate(r io.Reader) (string, error) {
	const n = len(ValidChars) // 36
	const limit = 256 / n * n // 252: bytes at or above it would bias the draw
	var out [Length]byte
	var buf [Length + 8]byte
	i := 0
	for i < Length {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return "", fmt.Errorf("keys: reading random bytes: %w", err)
		}
		for _, b := range buf {
			if int(b) >= limit {
				continue
			}
			out[i] = ValidChars[int(b)%n]
			i++
			if i == Length {
				break
			}
		}
	}
	return string(out[:]), nil
}

// Validate applies Django's rule for a session key (SessionBase._validate_session_key):
// at least MinLength characters. It also rejects keys longer than the
// session_key column (MaxLength), which no Django backend could store.
func Validate(key string) error {
	switch {
	case len(key) < MinLength:
		return fmt.Errorf("%w: shorter than %d characters", ErrInvalidKey, MinLength)
	case len(key) > MaxLength:
		return fmt.Errorf("%w: longer than %d characters", ErrInvalidKey, MaxLength)
	}
	return nil
}

// ValidateFileKey applies Validate and the file backend's extra rule: every
// character must be in ValidChars, so a key can never name another path.
func ValidateFileKey(key string) error {
	if err := Validate(key); err != nil {
		return err
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return fmt.Errorf("%w: invalid characters in session key", ErrInvalidKey)
		}
	}
	return nil
}
