package signing

import (
	"fmt"
	"time"

	"github.com/djangosess/djangosess/serializer"
)

// Defaults of the Config fields.
const (
	DefaultSep             = ":"
	DefaultAlgorithm       = "sha256"
	DefaultMaxInput        = 4 << 20
	DefaultMaxDecompressed = 2 << 20

	// DefaultSignerSalt is the salt of a Signer whose Config.Salt is empty:
	// Django's "<module>.<ClassName>".
	DefaultSignerSalt = "django.core.signing.Signer"
	// DefaultTimestampSignerSalt is the salt of a TimestampSigner whose
	// Config.Salt is empty.
	DefaultTimestampSignerSalt = "django.core.signing.TimestampSigner"
)

// Config configures a Signer or a TimestampSigner. The zero value of every
// field except Key means its documented default.
type Config struct {
	// Key is the secret (Django's key argument, by default SECRET_KEY, as
	// its UTF-8 bytes). Required: an empty key gives ErrNoKey. New
	// signatures are always made with Key.
	Key []byte
	// FallbackKeys are older secrets still accepted when verifying, tried
	// in order after Key (Django 4.1+'s fallback_keys, by default
	// SECRET_KEY_FALLBACKS). An empty fallback key gives ErrNoKey.
	FallbackKeys [][]byte
	// Salt namespaces the signatures. Empty means DefaultSignerSalt for a
	// Signer and DefaultTimestampSignerSalt for a TimestampSigner, as
	// Django's `salt or default` does (so, as in Django, the empty salt
	// cannot be used).
	Salt string
	// Sep separates the value from the signature (and from the timestamp).
	// Empty means DefaultSep, ":". Django's empty separator is rejected by
	// Django itself, so no behaviour is lost. A separator made only of
	// characters matching Django's regex ^[A-z0-9-_=]*$ (letters, digits,
	// "-", "_", "=" and, because A-z is an ASCII range, "[ \ ] ^ `"),
	// optionally followed by one "\n" (Python's $ matches before a final
	// newline), gives ErrUnsafeSeparator.
	Sep string
	// Algorithm signs new values and is the first accepted when verifying.
	// Empty means DefaultAlgorithm, "sha256" (Django 4.0+, and 3.1/3.2
	// with the default DEFAULT_HASHING_ALGORITHM). See Algorithms for the
	// names accepted; others give ErrInvalidAlgorithm.
	Algorithm string
	// LegacyAlgorithms are further algorithms accepted (never used for
	// signing) when verifying. Django 3.1 and 3.2 always accept "sha1" as
	// well: set []string{"sha1"} to read what they, or Django ≤ 3.0, wrote.
	LegacyAlgorithms []string
	// Serializer turns values into bytes for SignObject and back for
	// UnsignObject. Nil means serializer.JSON{} (Django's JSONSerializer).
	Serializer serializer.Codec
	// MaxInput bounds the length of a signed string accepted by the
	// Unsign and Verify methods. Zero or negative means DefaultMaxInput
	// (4 MiB). Longer input gives ErrTooLarge before any work is done.
	MaxInput int
	// MaxDecompressed bounds the size a compressed object payload may
	// inflate to. Zero or negative means DefaultMaxDecompressed (2 MiB).
	// Larger gives ErrTooLarge, with only about twice that much memory
	// used, whatever the stream claims.
	MaxDecompressed int
	// Now is the clock of a TimestampSigner (ignored by Signer). Nil means
	// time.Now.
	Now func() time.Time
}

// String describes c without its keys.
func (c Config) String() string {
	return fmt.Sprintf("signing.Config{Key: [%d bytes redacted], FallbackKeys: %d, Salt: %q, Sep: %q, Algorithm: %q, LegacyAlgorithms: %q}",
		len(c.Key), len(c.FallbackKeys), c.Salt, c.Sep, c.Algorithm, c.LegacyAlgorithms)
}

// GoString is String, so that %#v does not print the keys either.
func (c Config) GoString() string { return c.String() }

// Verified describes a signature that was accepted.
type Verified struct {
	// Value is what was signed: the string before the (last) separator.
	// For a TimestampSigner it excludes the timestamp; for the object
	// methods it is the base64 payload.
	Value string
	// KeyIndex says which key matched: 0 for Config.Key, i for
	// Config.FallbackKeys[i-1]. A value signed with a fallback key should
	// be signed again with the current key.
	KeyIndex int
	// Algorithm is the algorithm whose signature matched.
	Algorithm string
	// Timestamp is the signing time in Unix seconds, as the value says
	// (TimestampSigner only; 0 for a Signer).
	Timestamp int64
}

// Time returns Timestamp as a time.Time.
func (v Verified) Time() time.Time { return time.Unix(v.Timestamp, 0) }
