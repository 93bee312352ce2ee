package signing

import (
	"crypto/sha256"
	"encoding/binary"
)

// hmacSHA256NI is HMAC-SHA256 (RFC 2104) for one key, on the SHA
// extensions of x86 CPUs (sha256BlocksNI). It does what crypto/hmac does
// with the states after the key's inner and outer pads computed once, but
// without the hash.Hash interface between it and the compression function:
// a session's signature is a few blocks, and on inputs that short that
// layer is a quarter of the time. Its results are checked against
// crypto/hmac (TestHMACSHA256NI, FuzzHMACSHA256NI).
type hmacSHA256NI struct {
	inner, outer [8]uint32 // the states after ipad and opad
}

// sha256IV is SHA-256's initial state (FIPS 180-4 section 5.3.3).
var sha256IV = [8]uint32{
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
}

// niFor returns the SHA-extensions HMAC keyed with key when a is sha256
// and the CPU has the extensions, and nil otherwise (crypto/hmac then).
func niFor(a *algorithm, key []byte) *hmacSHA256NI {
	if a.name != "sha256" || !haveSHANI {
		return nil
	}
	return newHMACSHA256NI(key)
}

// newHMACSHA256NI returns HMAC-SHA256 keyed with key. It must only be
// called when haveSHANI is true.
func newHMACSHA256NI(key []byte) *hmacSHA256NI {
	if len(key) > sha256.BlockSize {
		k := sha256.Sum256(key)
		key = k[:]
	}
	var ipad, opad [sha256.BlockSize]byte
	copy(ipad[:], key)
	copy(opad[:], key)
	for i := range ipad {
		ipad[i] ^= 0x36
		opad[i] ^= 0x5c
	}
	h := &hmacSHA256NI{inner: sha256IV, outer: sha256IV}
	sha256BlocksNI(&h.inner, ipad[:])
	sha256BlocksNI(&h.outer, opad[:])
	return h
}

// mac writes the HMAC of a || b || c to out.
func (h *hmacSHA256NI) mac(out *[sha256.Size]byte, a, b, c string) {
	if b == "" && c == "" {
		h.mac1(out, a)
		return
	}
	st := h.inner
	var buf [2 * sha256.BlockSize]byte
	n := 0 // bytes waiting in buf
	for _, s := range [3]string{a, b, c} {
		if n > 0 {
			k := copy(buf[n:sha256.BlockSize], s)
			n += k
			s = s[k:]
			if n < sha256.BlockSize {
				continue
			}
			sha256BlocksNI(&st, buf[:sha256.BlockSize])
			n = 0
		}
		if m := len(s) &^ (sha256.BlockSize - 1); m > 0 {
			sha256BlocksNI(&st, bytesOf(s[:m]))
			s = s[m:]
		}
		n = copy(buf[:], s)
	}
	clear(buf[n+1:]) // buf may hold an earlier block's bytes
	h.finish(out, &st, &buf, n, len(a)+len(b)+len(c))
}

// mac1 is mac of a single string (what verifying a signature asks for):
// its whole blocks straight from s, the rest from a buffer.
func (h *hmacSHA256NI) mac1(out *[sha256.Size]byte, s string) {
	st := h.inner
	m := len(s) &^ (sha256.BlockSize - 1)
	if m > 0 {
		sha256BlocksNI(&st, bytesOf(s[:m]))
	}
	var buf [2 * sha256.BlockSize]byte
	n := copy(buf[:], s[m:])
	h.finish(out, &st, &buf, n, len(s))
}

// finish pads the n message bytes left in buf (whose other bytes are
// zero) with 0x80, zeros and the length in bits of ipad and the total
// message, hashes them into the inner state st, and writes the outer
// hash of the inner digest to out.
func (h *hmacSHA256NI) finish(out *[sha256.Size]byte, st *[8]uint32, buf *[2 * sha256.BlockSize]byte, n, total int) {
	end := sha256.BlockSize
	if n >= sha256.BlockSize-8 {
		end = 2 * sha256.BlockSize
	}
	buf[n] = 0x80
	binary.BigEndian.PutUint64(buf[end-8:end], uint64(sha256.BlockSize+total)*8)
	sha256BlocksNI(st, buf[:end])

	// The outer hash: opad, then the inner digest.
	var ob [sha256.BlockSize]byte
	for i, v := range st {
		binary.BigEndian.PutUint32(ob[4*i:], v)
	}
	ob[sha256.Size] = 0x80
	binary.BigEndian.PutUint64(ob[sha256.BlockSize-8:], (sha256.BlockSize+sha256.Size)*8)
	o := h.outer
	sha256BlocksNI(&o, ob[:])
	for i, v := range o {
		binary.BigEndian.PutUint32(out[4*i:], v)
	}
}
