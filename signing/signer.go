package signing

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"hash"
	"strings"
	"sync"

	"github.com/djangosess/djangosess/serializer"
)

// Signer signs and verifies strings as Django's django.core.signing.Signer
// does: value + sep + b64(HMAC). A Signer is safe for concurrent use.
type Signer struct {
	c *core
}

// NewSigner validates cfg and returns a Signer. The derived HMAC keys for
// every (key, algorithm) pair are computed here, once.
func NewSigner(cfg Config) (*Signer, error) {
	c, err := newCore(cfg, DefaultSignerSalt)
	if err != nil {
		return nil, err
	}
	return &Signer{c: c}, nil
}

// String describes the signer without its keys.
func (s *Signer) String() string { return "signing.Signer" + s.c.String() }

// GoString is String.
func (s *Signer) GoString() string { return s.String() }

// Signature returns b64(HMAC(value)) with the signing key and algorithm,
// Django's Signer.signature.
func (s *Signer) Signature(value string) string {
	return s.c.cands[0].signature(value)
}

// Sign returns value + sep + Signature(value).
func (s *Signer) Sign(value string) string {
	return s.c.sign(value, "")
}

// Unsign verifies signed and returns the value that was signed. It fails
// with ErrBadSignature when signed holds no separator or when the
// signature does not match, and with ErrTooLarge when signed is longer
// than Config.MaxInput.
func (s *Signer) Unsign(signed string) (string, error) {
	v, err := s.c.verify(signed)
	return v.Value, err
}

// Verify is Unsign, also reporting which key and algorithm matched.
func (s *Signer) Verify(signed string) (Verified, error) {
	return s.c.verify(signed)
}

// core holds what Signer and TimestampSigner share.
type core struct {
	sep             string
	salt            string
	cands           []*candidate // cands[0] is (Key, Algorithm): the signing pair
	codec           serializer.Codec
	maxInput        int
	maxDecompressed int
}

// candidate is one (key, algorithm) pair accepted when verifying.
type candidate struct {
	keyIndex int
	alg      *algorithm
	sigLen   int           // length of the base64 signature
	pool     sync.Pool     // of *macState keyed with the derived key
	ni       *hmacSHA256NI // sha256 on the CPU's SHA extensions, if it has them
}

// macState is an HMAC keyed for one candidate (h is nil when the candidate
// has ni), with room for its result.
type macState struct {
	h   hash.Hash
	sum [maxDigest]byte
	enc [(maxDigest*8 + 5) / 6]byte
}

func newCore(cfg Config, defaultSalt string) (*core, error) {
	if len(cfg.Key) == 0 {
		return nil, fmt.Errorf("%w: Config.Key is empty", ErrNoKey)
	}
	for i, k := range cfg.FallbackKeys {
		if len(k) == 0 {
			return nil, fmt.Errorf("%w: Config.FallbackKeys[%d] is empty", ErrNoKey, i)
		}
	}
	c := &core{
		sep:             orDefault(cfg.Sep, DefaultSep),
		salt:            orDefault(cfg.Salt, defaultSalt),
		codec:           cfg.Serializer,
		maxInput:        cfg.MaxInput,
		maxDecompressed: cfg.MaxDecompressed,
	}
	if unsafeSep(c.sep) {
		return nil, fmt.Errorf("%w: %q", ErrUnsafeSeparator, c.sep)
	}
	if c.codec == nil {
		c.codec = serializer.JSON{}
	}
	if c.maxInput <= 0 {
		c.maxInput = DefaultMaxInput
	}
	if c.maxDecompressed <= 0 {
		c.maxDecompressed = DefaultMaxDecompressed
	}
	var algs []*algorithm
	for _, name := range append([]string{orDefault(cfg.Algorithm, DefaultAlgorithm)}, cfg.LegacyAlgorithms...) {
		a, err := lookupAlgorithm(name)
		if err != nil {
			return nil, err
		}
		dup := false
		for _, b := range algs {
			dup = dup || b == a
		}
		if !dup {
			algs = append(algs, a)
		}
	}
	keySalt := c.salt + "signer"
	keys := append([][]byte{cfg.Key}, cfg.FallbackKeys...)
	for ki, key := range keys {
		for _, a := range algs {
			c.cands = append(c.cands, newCandidate(ki, a, a.deriveKey(keySalt, key)))
		}
	}
	return c, nil
}

func newCandidate(keyIndex int, a *algorithm, derived []byte) *candidate {
	cd := &candidate{
		keyIndex: keyIndex,
		alg:      a,
		sigLen:   base64.RawURLEncoding.EncodedLen(a.size),
	}
	if cd.ni = niFor(a, derived); cd.ni != nil {
		cd.pool.New = func() any { return new(macState) }
		return cd
	}
	cd.pool.New = func() any {
		return &macState{h: hmac.New(a.new, derived)}
	}
	return cd
}

// orDefault returns s, or def when s is empty.
func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// unsafeSep reports whether Django's ^[A-z0-9-_=]*$ matches sep.
func unsafeSep(sep string) bool {
	sep = strings.TrimSuffix(sep, "\n") // $ also matches before a final newline
	for i := range len(sep) {
		ch := sep[i]
		ok := 'A' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '=' // '_' is in A-z
		if !ok {
			return false
		}
	}
	return true
}

func (c *core) String() string {
	names := make([]string, 0, len(c.cands))
	for _, cd := range c.cands {
		if cd.keyIndex == 0 {
			names = append(names, cd.alg.name)
		}
	}
	return fmt.Sprintf("{Salt: %q, Sep: %q, Algorithms: %q, Keys: %d}",
		c.salt, c.sep, names, len(c.cands)/len(names))
}

// mac computes the HMAC of a||b||c into st and returns its base64, which
// is only valid until st is put back.
func (cd *candidate) mac(st *macState, a, b, c string) []byte {
	if cd.ni != nil {
		sum := (*[32]byte)(st.sum[:32])
		cd.ni.mac(sum, a, b, c)
		b64Encode(st.enc[:base64.RawURLEncoding.EncodedLen(len(sum))], sum[:])
		return st.enc[:cd.sigLen]
	}
	st.h.Reset()
	st.h.Write(bytesOf(a))
	if b != "" {
		st.h.Write(bytesOf(b))
		st.h.Write(bytesOf(c))
	}
	sum := st.h.Sum(st.sum[:0])
	b64Encode(st.enc[:base64.RawURLEncoding.EncodedLen(len(sum))], sum)
	return st.enc[:cd.sigLen]
}

// signature returns the signature of value.
func (cd *candidate) signature(value string) string {
	st := cd.pool.Get().(*macState)
	sig := string(cd.mac(st, value, "", ""))
	cd.pool.Put(st)
	return sig
}

// equal reports, in constant time, whether sig is the signature of value.
func (cd *candidate) equal(value, sig string) bool {
	if cd.ni != nil {
		return cd.equalNI(value, sig)
	}
	st := cd.pool.Get().(*macState)
	ok := subtle.ConstantTimeCompare(cd.mac(st, value, "", ""), bytesOf(sig)) == 1
	cd.pool.Put(st)
	return ok
}

// equalNI is equal for a candidate with ni: the HMAC and its base64 go to
// the stack, with no pooled state to fetch and return.
func (cd *candidate) equalNI(value, sig string) bool {
	var sum [sha256.Size]byte
	var enc [(sha256.Size*8 + 5) / 6]byte
	cd.ni.mac(&sum, value, "", "")
	b64Encode(enc[:], sum[:])
	return subtle.ConstantTimeCompare(enc[:], bytesOf(sig)) == 1
}

// sign returns value + sep + signature(value) when ts is empty, and
// value + sep + ts + sep + signature(value + sep + ts) otherwise.
func (c *core) sign(value, ts string) string {
	cd := c.cands[0]
	n := len(value) + len(c.sep) + cd.sigLen
	sep := ""
	if ts != "" {
		n += len(c.sep) + len(ts)
		sep = c.sep
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(value)
	b.WriteString(sep)
	b.WriteString(ts)
	b.WriteString(c.sep)
	st := cd.pool.Get().(*macState)
	b.Write(cd.mac(st, value, sep, ts))
	cd.pool.Put(st)
	return b.String()
}

// verify checks the signature of signed against the candidates in order
// (Key then FallbackKeys, each with Algorithm then LegacyAlgorithms) and
// reports the first that matched.
func (c *core) verify(signed string) (Verified, error) {
	if len(signed) > c.maxInput {
		return Verified{}, fmt.Errorf("%w: signed value of %d bytes is over the limit of %d", ErrTooLarge, len(signed), c.maxInput)
	}
	i := lastSep(signed, c.sep, c.cands[0].sigLen)
	if i < 0 {
		return Verified{}, fmt.Errorf("%w: no %q found in value", ErrBadSignature, c.sep)
	}
	value, sig := signed[:i], signed[i+len(c.sep):]
	// As Django does, the candidates are tried in order and the first match
	// wins: each comparison is constant-time, and which candidate matched
	// (or that the signature's length fits none) is no secret. A length
	// that does not fit a candidate's algorithm skips its HMAC.
	for _, cd := range c.cands {
		if len(sig) == cd.sigLen && cd.equal(value, sig) {
			return Verified{Value: value, KeyIndex: cd.keyIndex, Algorithm: cd.alg.name}, nil
		}
	}
	return Verified{}, fmt.Errorf("%w: signature does not match", ErrBadSignature)
}

// lastSep returns strings.LastIndex(s, sep) (Django's rsplit(sep, 1)),
// looking first where a signature of n characters puts it: there, it
// takes one comparison and a vector search of the signature instead of a
// byte-by-byte search back from the end.
func lastSep(s, sep string, n int) int {
	if i := len(s) - n - len(sep); i >= 0 && s[i:i+len(sep)] == sep && !strings.Contains(s[i+1:], sep) {
		return i
	}
	return strings.LastIndex(s, sep)
}

// CookieKey returns the key of Django's get_cookie_signer for secret:
// "django.http.cookies" || secret. Signed cookies (and, from Django 4.1,
// their fallback keys) use it with a TimestampSigner whose salt is the
// cookie name + the salt given to set_signed_cookie.
func CookieKey(secret []byte) []byte {
	return append([]byte("django.http.cookies"), secret...)
}
