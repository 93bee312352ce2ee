package hashers

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"hash"
	"strings"
)

// saltedHasher is MD5PasswordHasher and SHA1PasswordHasher (the latter in
// Django ≤ 5.0): "<algorithm>$<salt>$<hex(H(salt + password))>".
type saltedHasher struct {
	name   string
	digest func() hash.Hash
}

var (
	md5Hasher  = saltedHasher{MD5, md5.New}
	sha1Hasher = saltedHasher{SHA1, sha1.New}
)

func hexDigest(digest func() hash.Hash, s string) string {
	h := digest()
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil))
}

func (h saltedHasher) salt(encoded string) (string, error) {
	// Django: algorithm, salt, hash = encoded.split("$", 2)
	parts := strings.SplitN(encoded, "$", 3)
	if len(parts) != 3 || parts[0] != h.name {
		return "", malformed(h.name, "want 3 fields")
	}
	if parts[1] == "" {
		return "", malformed(h.name, "empty salt")
	}
	return parts[1], nil
}

func (h saltedHasher) hash(password, salt string) string {
	return h.name + "$" + salt + "$" + hexDigest(h.digest, salt+password)
}

func (h saltedHasher) verify(password, encoded string, _ *Limits) (bool, error) {
	salt, err := h.salt(encoded)
	if err != nil {
		return false, err
	}
	return equal(encoded, h.hash(password, salt)), nil
}

func (h saltedHasher) encode(password, salt string, _ Params) (string, error) {
	if err := checkSalt(salt); err != nil {
		return "", err
	}
	return h.hash(password, salt), nil
}

func (h saltedHasher) mustUpdate(encoded string, p Params) bool {
	salt, err := h.salt(encoded)
	return err != nil || weakSalt(salt, p)
}

// unsaltedSHA1 is UnsaltedSHA1PasswordHasher (Django ≤ 5.0):
// "sha1$$<hex(sha1(password))>".
type unsaltedSHA1 struct{}

func (unsaltedSHA1) verify(password, encoded string, _ *Limits) (bool, error) {
	return equal(encoded, "sha1$$"+hexDigest(sha1.New, password)), nil
}

func (unsaltedSHA1) encode(password, salt string, _ Params) (string, error) {
	if salt != "" {
		return "", ErrSalt
	}
	return "sha1$$" + hexDigest(sha1.New, password), nil
}

func (unsaltedSHA1) mustUpdate(string, Params) bool { return false }

// unsaltedMD5 is UnsaltedMD5PasswordHasher (Django ≤ 5.0): the bare
// hex(md5(password)), and "md5$$" followed by it when reading.
type unsaltedMD5 struct{}

func (unsaltedMD5) verify(password, encoded string, _ *Limits) (bool, error) {
	if len(encoded) == 37 && strings.HasPrefix(encoded, "md5$$") {
		encoded = encoded[5:]
	}
	return equal(encoded, hexDigest(md5.New, password)), nil
}

func (unsaltedMD5) encode(password, salt string, _ Params) (string, error) {
	if salt != "" {
		return "", ErrSalt
	}
	return hexDigest(md5.New, password), nil
}

func (unsaltedMD5) mustUpdate(string, Params) bool { return false }
