package hashers

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/scrypt"
)

// scryptHasher is ScryptPasswordHasher (Django ≥ 4.0):
// "scrypt$<N>$<salt>$<r>$<p>$<b64std(scrypt(password, salt, N, r, p, 64))>".
type scryptHasher struct{}

type scryptFields struct {
	n, r, p int
	salt    string
}

func (scryptHasher) decode(encoded string) (scryptFields, error) {
	var f scryptFields
	// Django: algorithm, work_factor, salt, block_size, parallelism, hash_ =
	// encoded.split("$", 6), which raises for a seventh field.
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != Scrypt {
		return f, malformed(Scrypt, "want 6 fields")
	}
	var ok [3]bool
	var v [3]int64
	for i, s := range []string{parts[1], parts[3], parts[4]} {
		v[i], ok[i] = canonicalInt(s)
	}
	if !ok[0] || !ok[1] || !ok[2] {
		return f, malformed(Scrypt, "bad N, r or p")
	}
	if parts[2] == "" {
		return f, malformed(Scrypt, "empty salt")
	}
	n, r, p := v[0], v[1], v[2]
	if n < 2 || n&(n-1) != 0 {
		return f, malformed(Scrypt, "N must be a power of 2 above 1")
	}
	if r > 1<<30 || p > 1<<30 || r*p >= 1<<30 {
		return f, malformed(Scrypt, "r·p too large")
	}
	return scryptFields{int(n), int(r), int(p), parts[2]}, nil
}

func (h scryptHasher) verify(password, encoded string, lim *Limits) (bool, error) {
	f, err := h.decode(encoded)
	if err != nil {
		return false, err
	}
	if int64(f.p) > int64(lim.ScryptParallelism) {
		return false, tooExpensive(Scrypt, "parallelism", int64(f.p), int64(lim.ScryptParallelism))
	}
	// 128·r·(N+p) with N, r, p < 2^60, 2^30, 2^30 checked for overflow.
	if mem, ok := scryptMemory(f.n, f.r, f.p); !ok || mem > lim.ScryptMemory {
		return false, tooExpensive(Scrypt, "memory", mem, lim.ScryptMemory)
	}
	again, err := h.hash(password, f.salt, ScryptParams{f.n, f.r, f.p})
	if err != nil {
		return false, err
	}
	return equal(encoded, again), nil
}

// scryptMemory returns 128·r·(N+p), and false when it exceeds an int64.
func scryptMemory(n, r, p int) (int64, bool) {
	const max = 1<<63 - 1
	np := int64(n) + int64(p)
	if np <= 0 || int64(r) > max/128/np {
		return max, false
	}
	return 128 * int64(r) * np, true
}

func (scryptHasher) hash(password, salt string, s ScryptParams) (string, error) {
	key, err := scrypt.Key([]byte(password), []byte(salt), s.N, s.R, s.P, 64)
	if err != nil {
		return "", malformed(Scrypt, err.Error())
	}
	return Scrypt + "$" + strconv.Itoa(s.N) + "$" + salt + "$" + strconv.Itoa(s.R) + "$" + strconv.Itoa(s.P) +
		"$" + base64.StdEncoding.EncodeToString(key), nil
}

func (h scryptHasher) encode(password, salt string, p Params) (string, error) {
	if err := checkSalt(salt); err != nil {
		return "", err
	}
	if p.Scrypt.N == 0 {
		return "", fmt.Errorf("%w: Django has scrypt from 4.0", ErrUnsupported)
	}
	return h.hash(password, salt, p.Scrypt)
}

// mustUpdate is ScryptPasswordHasher.must_update: N, r or p differ (the
// salt is not checked).
func (h scryptHasher) mustUpdate(encoded string, p Params) bool {
	f, err := h.decode(encoded)
	return err != nil || f.n != p.Scrypt.N || f.r != p.Scrypt.R || f.p != p.Scrypt.P
}
