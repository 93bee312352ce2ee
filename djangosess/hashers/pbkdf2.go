package hashers

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"strconv"
	"strings"
)

// pbkdf2Hasher is PBKDF2PasswordHasher and PBKDF2SHA1PasswordHasher:
// "<algorithm>$<iterations>$<salt>$<b64std(PBKDF2-HMAC(password, salt))>".
type pbkdf2Hasher struct {
	name   string
	digest func() hash.Hash
}

var (
	pbkdf2SHA256 = pbkdf2Hasher{PBKDF2SHA256, sha256.New}
	pbkdf2SHA1   = pbkdf2Hasher{PBKDF2SHA1, sha1.New}
)

type pbkdf2Fields struct {
	iterations int
	salt       string
}

func (h pbkdf2Hasher) decode(encoded string) (pbkdf2Fields, error) {
	// Django: algorithm, iterations, salt, hash = encoded.split("$", 3)
	parts := strings.SplitN(encoded, "$", 4)
	if len(parts) != 4 || parts[0] != h.name {
		return pbkdf2Fields{}, malformed(h.name, "want 4 fields")
	}
	// Django re-encodes with "%d" % int(iterations) and compares the whole
	// string, so only the canonical decimal can ever match.
	n, ok := canonicalInt(parts[1])
	if !ok {
		return pbkdf2Fields{}, malformed(h.name, "bad iteration count")
	}
	if parts[2] == "" {
		return pbkdf2Fields{}, malformed(h.name, "empty salt")
	}
	return pbkdf2Fields{int(n), parts[2]}, nil
}

func (h pbkdf2Hasher) verify(password, encoded string, lim *Limits) (bool, error) {
	f, err := h.decode(encoded)
	if err != nil {
		return false, err
	}
	if f.iterations > lim.PBKDF2Iterations {
		return false, tooExpensive(h.name, "iterations", int64(f.iterations), int64(lim.PBKDF2Iterations))
	}
	again, err := h.hash(password, f.salt, f.iterations)
	if err != nil {
		return false, err
	}
	return equal(encoded, again), nil
}

func (h pbkdf2Hasher) hash(password, salt string, iterations int) (string, error) {
	key, err := pbkdf2.Key(h.digest, password, []byte(salt), iterations, h.digest().Size())
	if err != nil {
		return "", malformed(h.name, err.Error())
	}
	return h.name + "$" + strconv.Itoa(iterations) + "$" + salt + "$" + base64.StdEncoding.EncodeToString(key), nil
}

func (h pbkdf2Hasher) encode(password, salt string, p Params) (string, error) {
	if err := checkSalt(salt); err != nil {
		return "", err
	}
	if p.PBKDF2Iterations <= 0 {
		return "", malformed(h.name, "PBKDF2Iterations must be positive")
	}
	return h.hash(password, salt, p.PBKDF2Iterations)
}

func (h pbkdf2Hasher) mustUpdate(encoded string, p Params) bool {
	f, err := h.decode(encoded)
	if err != nil {
		return true
	}
	return f.iterations != p.PBKDF2Iterations || weakSalt(f.salt, p)
}

// canonicalInt parses what Python's "%d" % n writes for a positive n:
// digits, no sign, no leading zero, at most 18 digits (no overflow).
func canonicalInt(s string) (int64, bool) {
	if s == "" || len(s) > 18 || s[0] == '0' {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// checkSalt is BasePasswordHasher._check_encode_args: a salt must be
// given and cannot contain "$".
func checkSalt(salt string) error {
	if salt == "" || strings.Contains(salt, "$") {
		return ErrSalt
	}
	return nil
}

// weakSalt is must_update_salt(salt, salt_entropy) from Django 3.2: fewer
// characters than the entropy asks for (salt_entropy 0: never).
func weakSalt(salt string, p Params) bool {
	if p.SaltEntropy <= 0 {
		return false
	}
	return !hasEntropy(len([]rune(salt)), p.SaltEntropy)
}
