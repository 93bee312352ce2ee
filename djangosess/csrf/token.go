package csrf

import (
	"crypto/rand"
	"crypto/subtle"
	"strings"
)

// Sizes and alphabet of Django's CSRF values.
const (
	SecretLength = 32 // CSRF_SECRET_LENGTH: the secret in the cookie or session
	TokenLength  = 64 // CSRF_TOKEN_LENGTH: a masked token (mask + cipher)
	// AllowedChars is CSRF_ALLOWED_CHARS, in Django's order (the order
	// matters to the masking arithmetic).
	AllowedChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	// SessionKey is CSRF_SESSION_KEY, where CSRF_USE_SESSIONS keeps it.
	SessionKey = "_csrftoken"
)

var charIndex = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := 0; i < len(AllowedChars); i++ {
		t[AllowedChars[i]] = int8(i)
	}
	return t
}()

// randomString returns n characters drawn uniformly from AllowedChars
// with crypto/rand, as Django's get_random_string.
func randomString(n int) string {
	out := make([]byte, 0, n)
	var buf [64]byte
	for len(out) < n {
		rand.Read(buf[:]) // never returns an error (Go ≥ 1.24)
		for _, b := range buf {
			if b < 248 && len(out) < n { // 248 = 4·62: rejection keeps it uniform
				out = append(out, AllowedChars[b%62])
			}
		}
	}
	return string(out)
}

// NewSecret returns a new random secret: 32 characters of [a-zA-Z0-9], as
// Django's _get_new_csrf_string.
func NewSecret() string { return randomString(SecretLength) }

// validChars reports whether s is all [a-zA-Z0-9].
func validChars(s string) bool {
	for i := 0; i < len(s); i++ {
		if charIndex[s[i]] < 0 {
			return false
		}
	}
	return true
}

// checkFormat is Django's _check_token_format (4.0+): 32 or 64
// characters, all [a-zA-Z0-9]; it returns the reason phrase or "".
func checkFormat(s string) string {
	if len(s) != SecretLength && len(s) != TokenLength {
		return ReasonIncorrectLength
	}
	if !validChars(s) {
		return ReasonInvalidChars
	}
	return ""
}

// MaskToken returns a masked token for secret, as Django's
// _mask_cipher_secret: a new random 32-character mask followed by the
// secret's characters shifted by the mask's, modulo 62. This is what
// get_token returns and {% csrf_token %} renders; every call gives a
// different token for the same secret.
func MaskToken(secret string) (string, error) {
	if len(secret) != SecretLength || !validChars(secret) {
		return "", ErrInvalidToken
	}
	return maskWith(secret, randomString(SecretLength)), nil
}

func maskWith(secret, mask string) string {
	var b strings.Builder
	b.Grow(TokenLength)
	b.WriteString(mask)
	for i := 0; i < SecretLength; i++ {
		b.WriteByte(AllowedChars[(int(charIndex[secret[i]])+int(charIndex[mask[i]]))%62])
	}
	return b.String()
}

// UnmaskToken returns the secret of a masked token, as Django's
// _unmask_cipher_token.
func UnmaskToken(token string) (string, error) {
	if len(token) != TokenLength || !validChars(token) {
		return "", ErrInvalidToken
	}
	return unmask(token), nil
}

func unmask(token string) string {
	mask, cipher := token[:SecretLength], token[SecretLength:]
	out := make([]byte, SecretLength)
	for i := range out {
		out[i] = AllowedChars[(int(charIndex[cipher[i]])-int(charIndex[mask[i]])+62)%62]
	}
	return string(out)
}

// equal compares in constant time, as Django's constant_time_compare.
func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
