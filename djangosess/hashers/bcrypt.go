package hashers

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// bcryptHasher is BCryptSHA256PasswordHasher ("bcrypt_sha256$" followed by
// the bcrypt string of hex(sha256(password))) and BCryptPasswordHasher
// ("bcrypt$" followed by the bcrypt string of the password itself).
//
// Django re-hashes with the stored 29-character salt prefix through the
// Python bcrypt library and compares the whole string, so only a
// well-formed "$2a$", "$2b$" or "$2y$" string with a canonical salt and
// hash can match; golang.org/x/crypto/bcrypt, which does the hashing here,
// is more lenient, so the format is checked first.
type bcryptHasher struct {
	name   string
	sha256 bool
}

var (
	bcryptSHA256 = bcryptHasher{BcryptSHA256, true}
	bcryptPlain  = bcryptHasher{Bcrypt, false}
)

// bcryptChars is bcrypt's base64 alphabet.
const bcryptChars = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// decode returns the bcrypt string ("$2b$12$…", 60 characters) and cost.
func (h bcryptHasher) decode(encoded string) (string, int, error) {
	data, ok := strings.CutPrefix(encoded, h.name+"$")
	if !ok {
		return "", 0, malformed(h.name, "want "+h.name+"$")
	}
	if len(data) != 60 || data[0] != '$' || data[1] != '2' || !strings.ContainsRune("aby", rune(data[2])) ||
		data[3] != '$' || data[6] != '$' || !isDigit(data[4]) || !isDigit(data[5]) {
		return "", 0, malformed(h.name, "not a bcrypt string")
	}
	for i := 7; i < 60; i++ {
		if strings.IndexByte(bcryptChars, data[i]) < 0 {
			return "", 0, malformed(h.name, "bad bcrypt base64")
		}
	}
	// The last character of the 22-character salt carries 2 bits and of
	// the 31-character hash 4 bits; bcrypt writes the rest as zeros.
	if strings.IndexByte(bcryptChars, data[28])&15 != 0 || strings.IndexByte(bcryptChars, data[59])&3 != 0 {
		return "", 0, malformed(h.name, "non-canonical bcrypt base64")
	}
	cost := int(data[4]-'0')*10 + int(data[5]-'0')
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return "", 0, malformed(h.name, "cost out of range")
	}
	return data, cost, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// secret is what goes into bcrypt: hex(sha256(password)) for
// bcrypt_sha256; for bcrypt the password, which the bcrypt library cuts
// to 72 bytes and in which it refuses a NUL byte.
func (h bcryptHasher) secret(password string) ([]byte, error) {
	if h.sha256 {
		sum := sha256.Sum256([]byte(password))
		return []byte(hex.EncodeToString(sum[:])), nil
	}
	if strings.IndexByte(password, 0) >= 0 {
		return nil, fmt.Errorf("%w: bcrypt refuses NUL bytes", ErrPassword)
	}
	if len(password) > 72 {
		password = password[:72]
	}
	return []byte(password), nil
}

func (h bcryptHasher) verify(password, encoded string, lim *Limits) (bool, error) {
	data, cost, err := h.decode(encoded)
	if err != nil {
		return false, err
	}
	if cost > lim.BcryptCost {
		return false, tooExpensive(h.name, "rounds", int64(cost), int64(lim.BcryptCost))
	}
	secret, err := h.secret(password)
	if err != nil {
		return false, err
	}
	switch err := bcrypt.CompareHashAndPassword([]byte(data), secret); {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	default:
		return false, malformed(h.name, "bcrypt: "+err.Error())
	}
}

// encode makes a new bcrypt hash. The salt always comes from the bcrypt
// library, as Django's gensalt; "$2a$", which golang.org/x/crypto/bcrypt
// writes, becomes "$2b$", which the Python bcrypt library writes (the two
// name the same computation for passwords under 255 bytes, which is all
// bcrypt sees).
func (h bcryptHasher) encode(password, salt string, p Params) (string, error) {
	if salt != "" {
		return "", fmt.Errorf("%w: bcrypt salts are chosen by the bcrypt library", ErrSalt)
	}
	if !h.sha256 && len(password) > 72 {
		return "", fmt.Errorf("%w: bcrypt takes at most 72 bytes", ErrPassword)
	}
	secret, err := h.secret(password)
	if err != nil {
		return "", err
	}
	if p.BcryptRounds < bcrypt.MinCost || p.BcryptRounds > bcrypt.MaxCost {
		return "", fmt.Errorf("%w: bcrypt rounds out of range", ErrMalformed)
	}
	out, err := bcrypt.GenerateFromPassword(secret, p.BcryptRounds)
	if err != nil {
		return "", fmt.Errorf("%w: bcrypt: %v", ErrPassword, err)
	}
	s := string(out)
	if strings.HasPrefix(s, "$2a$") {
		s = "$2b$" + s[4:]
	}
	return h.name + "$" + s, nil
}

// mustUpdate is BCryptSHA256PasswordHasher.must_update: the cost differs.
func (h bcryptHasher) mustUpdate(encoded string, p Params) bool {
	_, cost, err := h.decode(encoded)
	return err != nil || cost != p.BcryptRounds
}
