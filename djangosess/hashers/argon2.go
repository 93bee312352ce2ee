package hashers

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argon2Hasher is Argon2PasswordHasher: "argon2" followed by argon2-cffi's
// encoded hash, "$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>" (salt and
// hash in unpadded standard base64).
//
// Reading follows the reference implementation's decode_string, which
// argon2-cffi's verify calls: decimal fields have no leading zeros, the
// version field may be absent (meaning version 16), the base64 must have
// zero trailing bits, and the string ends at a NUL byte as a C string
// does. The computed hash is compared with the stored one in constant
// time, as argon2_verify does.
type argon2Hasher struct{}

type argon2Fields struct {
	variant string
	version uint32
	m, t, p uint32
	salt    []byte
	hash    []byte
}

var argon2B64 = base64.RawStdEncoding.Strict()

func (argon2Hasher) decode(encoded string) (argon2Fields, error) {
	var f argon2Fields
	rest, ok := strings.CutPrefix(encoded, "argon2$")
	if !ok {
		return f, malformed(Argon2, "want argon2$")
	}
	if i := strings.IndexByte(rest, 0); i >= 0 {
		rest = rest[:i] // a C string ends at NUL
	}
	fields := strings.Split(rest, "$")
	f.variant, fields = fields[0], fields[1:]
	f.version = 0x10
	if len(fields) > 0 && strings.HasPrefix(fields[0], "v=") {
		v, ok := argon2Decimal(fields[0][2:])
		if !ok {
			return f, malformed(Argon2, "bad version")
		}
		f.version, fields = v, fields[1:]
	}
	if len(fields) != 3 {
		return f, malformed(Argon2, "want m,t,p, salt and hash")
	}
	var ok1, ok2, ok3 bool
	mtp := strings.SplitN(fields[0], ",", 3)
	if len(mtp) == 3 {
		f.m, ok1 = argon2Param(mtp[0], "m=")
		f.t, ok2 = argon2Param(mtp[1], "t=")
		f.p, ok3 = argon2Param(mtp[2], "p=")
	}
	if !ok1 || !ok2 || !ok3 {
		return f, malformed(Argon2, "bad m,t,p")
	}
	var err error
	if f.salt, err = argon2B64.DecodeString(fields[1]); err != nil {
		return f, malformed(Argon2, "bad salt base64")
	}
	if f.hash, err = argon2B64.DecodeString(fields[2]); err != nil {
		return f, malformed(Argon2, "bad hash base64")
	}
	// validate_inputs of the reference implementation.
	switch {
	case len(f.hash) < 4:
		return f, malformed(Argon2, "hash shorter than 4 bytes")
	case len(f.salt) < 8:
		return f, malformed(Argon2, "salt shorter than 8 bytes")
	case f.t < 1:
		return f, malformed(Argon2, "t below 1")
	case f.p < 1 || f.p > 0xFFFFFF:
		return f, malformed(Argon2, "p out of range")
	case uint64(f.m) < 8*uint64(f.p):
		return f, malformed(Argon2, "m below 8·p")
	}
	return f, nil
}

func argon2Param(s, prefix string) (uint32, bool) {
	s, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return 0, false
	}
	return argon2Decimal(s)
}

// argon2Decimal is decode_decimal with the uint32 bound: one or more
// digits, no leading zero.
func argon2Decimal(s string) (uint32, bool) {
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
		if n > 0xFFFFFFFF {
			return 0, false
		}
	}
	return uint32(n), true
}

func (h argon2Hasher) verify(password, encoded string, lim *Limits) (bool, error) {
	f, err := h.decode(encoded)
	if err != nil {
		return false, err
	}
	switch {
	case f.variant != "argon2id" && f.variant != "argon2i" && f.variant != "argon2d":
		return false, malformed(Argon2, "unknown variant")
	case f.variant == "argon2d":
		return false, fmt.Errorf("%w: argon2d", ErrUnsupported)
	case f.version == 0x10:
		return false, fmt.Errorf("%w: Argon2 version 16", ErrUnsupported)
	case f.version != 0x13:
		return false, malformed(Argon2, "unknown version")
	case f.m > lim.Argon2MemoryKiB:
		return false, tooExpensive(Argon2, "memory_cost", int64(f.m), int64(lim.Argon2MemoryKiB))
	case f.t > lim.Argon2Time:
		return false, tooExpensive(Argon2, "time_cost", int64(f.t), int64(lim.Argon2Time))
	case int64(f.p) > int64(lim.Argon2Parallelism):
		return false, tooExpensive(Argon2, "parallelism", int64(f.p), int64(lim.Argon2Parallelism))
	}
	got := argon2Key(f.variant, []byte(password), f.salt, f.t, f.m, uint8(f.p), uint32(len(f.hash)))
	return subtle.ConstantTimeCompare(got, f.hash) == 1, nil
}

func argon2Key(variant string, password, salt []byte, t, m uint32, p uint8, n uint32) []byte {
	if variant == "argon2i" {
		return argon2.Key(password, salt, t, m, p, n)
	}
	return argon2.IDKey(password, salt, t, m, p, n)
}

func (argon2Hasher) encode(password, salt string, p Params) (string, error) {
	a := p.Argon2
	switch {
	case len(salt) < 8:
		return "", fmt.Errorf("%w: Argon2 salts have at least 8 bytes", ErrSalt)
	case a.Variant != "argon2id" && a.Variant != "argon2i":
		return "", fmt.Errorf("%w: Argon2 variant %q", ErrUnsupported, a.Variant)
	case a.Time < 1 || a.Parallelism < 1 || a.MemoryKiB < 8*uint32(a.Parallelism) || a.HashLen < 4:
		return "", fmt.Errorf("%w: Argon2 parameters out of range", ErrMalformed)
	}
	key := argon2Key(a.Variant, []byte(password), []byte(salt), a.Time, a.MemoryKiB, a.Parallelism, a.HashLen)
	return "argon2$" + a.Variant + "$v=19$m=" + strconv.FormatUint(uint64(a.MemoryKiB), 10) +
		",t=" + strconv.FormatUint(uint64(a.Time), 10) +
		",p=" + strconv.Itoa(int(a.Parallelism)) +
		"$" + argon2B64.EncodeToString([]byte(salt)) + "$" + argon2B64.EncodeToString(key), nil
}

// mustUpdate is Argon2PasswordHasher.must_update: the parameters differ
// from p's (variant, version, hash length, t, m, p), or (Django ≥ 3.2) the
// salt is too short.
func (h argon2Hasher) mustUpdate(encoded string, p Params) bool {
	f, err := h.decode(encoded)
	if err != nil {
		return true
	}
	a := p.Argon2
	if f.variant != a.Variant || f.version != 0x13 || uint32(len(f.hash)) != a.HashLen ||
		f.t != a.Time || f.m != a.MemoryKiB || f.p != uint32(a.Parallelism) {
		return true
	}
	// Django decodes the salt as latin-1: one character per byte.
	return p.SaltEntropy > 0 && !hasEntropy(len(f.salt), p.SaltEntropy)
}
