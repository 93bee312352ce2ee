package hashers

import (
	"strings"
	"unicode/utf8"
)

// UnusablePrefix starts every unusable password (Django's
// UNUSABLE_PASSWORD_PREFIX); no hasher's output starts with it.
const UnusablePrefix = "!"

// IsUsable reports whether encoded can ever match a password: false for
// what set_unusable_password stores ("!" followed by 40 random
// characters), as Django's is_password_usable.
func IsUsable(encoded string) bool { return !strings.HasPrefix(encoded, UnusablePrefix) }

// MakeUnusable returns a new unusable password, as make_password(None):
// "!" followed by 40 random characters of [a-zA-Z0-9].
func MakeUnusable() string { return UnusablePrefix + randomString(40) }

// Identify returns the algorithm of an encoded password as Django's
// identify_hasher names it: 32 characters without "$", or "md5$$" and 32
// more, is unsalted_md5; "sha1$$" and 40 more is unsalted_sha1; otherwise
// the text before the first "$". It returns ErrUnknownHasher for a name
// this package does not know (crypt is known: see ErrUnsupported).
func Identify(encoded string) (string, error) {
	n := utf8.RuneCountInString(encoded) // Python's len() counts characters
	var alg string
	switch {
	case (n == 32 && !strings.Contains(encoded, "$")) || (n == 37 && strings.HasPrefix(encoded, "md5$$")):
		alg = UnsaltedMD5
	case n == 46 && strings.HasPrefix(encoded, "sha1$$"):
		alg = UnsaltedSHA1
	default:
		alg, _, _ = strings.Cut(encoded, "$")
	}
	if _, ok := hashers[alg]; !ok && alg != Crypt {
		return "", ErrUnknownHasher
	}
	return alg, nil
}
