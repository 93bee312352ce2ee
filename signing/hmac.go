package signing

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha3"
	"crypto/sha512"
	"fmt"
	"hash"
	"sort"
	"unsafe"

	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/blake2s"
)

// algorithm is a hash Django's salted_hmac accepts.
type algorithm struct {
	name string
	new  func() hash.Hash
	size int // digest size in bytes
}

// algorithms are the names salted_hmac accepts: it looks the name up with
// getattr(hashlib, name), so only hashlib's module-level constructors count
// (not every name hashlib.new knows: "sha512_256" and "ripemd160" are
// rejected), and of those only the ones HMAC can use with their default
// digest size (not shake_128/shake_256). blake2b and blake2s use Python's
// default digest sizes, 64 and 32 bytes. The HMAC block size is each hash's
// own, as Python's hmac takes it (hashlib.new(name).block_size).
var algorithms = map[string]*algorithm{}

func init() {
	for _, a := range []*algorithm{
		{name: "md5", new: md5.New},
		{name: "sha1", new: sha1.New},
		{name: "sha224", new: sha256.New224},
		{name: "sha256", new: sha256.New},
		{name: "sha384", new: sha512.New384},
		{name: "sha512", new: sha512.New},
		{name: "sha3_224", new: func() hash.Hash { return sha3.New224() }},
		{name: "sha3_256", new: func() hash.Hash { return sha3.New256() }},
		{name: "sha3_384", new: func() hash.Hash { return sha3.New384() }},
		{name: "sha3_512", new: func() hash.Hash { return sha3.New512() }},
		{name: "blake2b", new: newBlake2b},
		{name: "blake2s", new: newBlake2s},
	} {
		a.size = a.new().Size()
		algorithms[a.name] = a
	}
}

func newBlake2b() hash.Hash {
	h, err := blake2b.New512(nil)
	if err != nil { // only for a key over 64 bytes
		panic(err)
	}
	return h
}

func newBlake2s() hash.Hash {
	h, err := blake2s.New256(nil)
	if err != nil { // only for a key over 32 bytes
		panic(err)
	}
	return h
}

// maxDigest is the largest digest size of any algorithm, in bytes.
const maxDigest = 64

// Algorithms returns the names of the algorithms Config.Algorithm and
// SaltedHMAC accept, sorted.
func Algorithms() []string {
	names := make([]string, 0, len(algorithms))
	for n := range algorithms {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func lookupAlgorithm(name string) (*algorithm, error) {
	if a, ok := algorithms[name]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("%w: %q is not an algorithm accepted by the hashlib module", ErrInvalidAlgorithm, name)
}

// deriveKey returns H(keySalt || secret), the HMAC key of salted_hmac.
func (a *algorithm) deriveKey(keySalt string, secret []byte) []byte {
	h := a.new()
	h.Write([]byte(keySalt))
	h.Write(secret)
	return h.Sum(nil)
}

// SaltedHMAC returns the digest of Django's
// salted_hmac(keySalt, value, secret, algorithm=algorithm):
// HMAC-H(key = H(keySalt || secret), msg = value). Unknown algorithm names
// give ErrInvalidAlgorithm. Unlike Django, whose default inside salted_hmac
// is "sha1", the algorithm is always explicit.
func SaltedHMAC(keySalt string, value, secret []byte, algorithm string) ([]byte, error) {
	a, err := lookupAlgorithm(algorithm)
	if err != nil {
		return nil, err
	}
	m := hmac.New(a.new, a.deriveKey(keySalt, secret))
	m.Write(value)
	return m.Sum(nil), nil
}

// stringOf returns b as a string without copying: b must not change
// afterwards.
func stringOf(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// bytesOf returns the bytes of s without copying. The result must only be
// read: it is handed to hashes and comparisons, never written or kept.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// SaltedMAC is salted_hmac for one key salt, secret and algorithm, with the
// key H(keySalt || secret) derived once. It is safe for concurrent use.
type SaltedMAC struct {
	a   *algorithm
	key []byte
	ni  *hmacSHA256NI // sha256 on the CPU's SHA extensions, if it has them
}

// NewSaltedMAC derives the key of salted_hmac(keySalt, ·, secret,
// algorithm). Unknown algorithm names give ErrInvalidAlgorithm.
func NewSaltedMAC(keySalt string, secret []byte, algorithm string) (*SaltedMAC, error) {
	a, err := lookupAlgorithm(algorithm)
	if err != nil {
		return nil, err
	}
	key := a.deriveKey(keySalt, secret)
	return &SaltedMAC{a: a, key: key, ni: niFor(a, key)}, nil
}

// Sum returns salted_hmac(keySalt, value, secret, algorithm).digest().
func (m *SaltedMAC) Sum(value []byte) []byte {
	return m.AppendSum(nil, value)
}

// AppendSum appends salted_hmac(keySalt, value, secret,
// algorithm).digest() to dst: with room in dst for the digest, SHA-256's
// on a CPU with the SHA extensions allocates nothing.
func (m *SaltedMAC) AppendSum(dst, value []byte) []byte {
	if m.ni != nil {
		var sum [sha256.Size]byte
		m.ni.mac(&sum, stringOf(value), "", "")
		return append(dst, sum[:]...)
	}
	h := hmac.New(m.a.new, m.key)
	h.Write(value)
	return h.Sum(dst)
}
