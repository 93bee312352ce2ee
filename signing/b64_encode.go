package signing

import "encoding/binary"

// b64Pairs maps 12 bits to the two URL-safe base64 characters that encode
// them, first character in the low byte.
var b64Pairs = func() (t [1 << 12]uint16) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for v := range t {
		t[v] = uint16(alphabet[v>>6]) | uint16(alphabet[v&63])<<8
	}
	return t
}()

// b64Encode writes the unpadded URL-safe base64 of src to dst, which must
// be base64.RawURLEncoding.EncodedLen(len(src)) long: the same bytes as
// base64.RawURLEncoding.Encode, six input bytes (eight characters) at a
// time, with two lookups of character pairs per three bytes.
func b64Encode(dst, src []byte) {
	di, si := 0, 0
	// Each step reads 8 bytes and uses 6 of them, and writes 8.
	for si+8 <= len(src) && di+8 <= len(dst) {
		x := binary.BigEndian.Uint64(src[si:])
		binary.LittleEndian.PutUint64(dst[di:],
			uint64(b64Pairs[x>>52])|
				uint64(b64Pairs[x>>40&0xfff])<<16|
				uint64(b64Pairs[x>>28&0xfff])<<32|
				uint64(b64Pairs[x>>16&0xfff])<<48)
		si += 6
		di += 8
	}
	// Whole groups of three bytes, then the last one or two bytes: their
	// bits are followed by zeros up to a character boundary.
	for si+3 <= len(src) && di+4 <= len(dst) {
		x := uint(src[si])<<16 | uint(src[si+1])<<8 | uint(src[si+2])
		binary.LittleEndian.PutUint32(dst[di:], uint32(b64Pairs[x>>12])|uint32(b64Pairs[x&0xfff])<<16)
		si += 3
		di += 4
	}
	switch len(src) - si {
	case 1:
		p := b64Pairs[uint(src[si])<<4]
		_ = dst[di+1]
		dst[di], dst[di+1] = byte(p), byte(p>>8)
	case 2:
		x := (uint(src[si])<<8 | uint(src[si+1])) << 2
		p, q := b64Pairs[x>>6], b64Pairs[x&63<<6]
		_ = dst[di+2]
		dst[di], dst[di+1], dst[di+2] = byte(p), byte(p>>8), byte(q)
	}
}
