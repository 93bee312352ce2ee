package signing

import (
	"encoding/base64"
	"encoding/binary"
)

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
	base64.RawURLEncoding.Encode(dst[di:], src[si:])
}
