package signing

import (
	"encoding/binary"
	"slices"
)

// b64Bad marks a byte outside the alphabet in b64Quad.
const b64Bad = 1 << 31

// b64Quad[k][c] is the 6-bit value of the character c placed where it goes
// as the k-th character of a group of four (bits 18–23 for the first, 0–5
// for the last), or b64Bad for a byte that is not a data character. Both
// alphabets are data: Python's decoder reads '-' and '+' as 62, '_' and
// '/' as 63.
var b64Quad = func() (t [4][256]uint32) {
	for k := range t {
		for c := range 256 {
			v := uint32(b64Table[c])
			if v >= 64 {
				t[k][c] = b64Bad
			} else {
				t[k][c] = v << (18 - 6*k)
			}
		}
	}
	return t
}()

// b64DecodeData appends the decoding of s to dst when s is made of data
// characters only (either alphabet) and is not one character over a
// multiple of four; otherwise it returns dst unchanged and false. What it
// decodes, it decodes as the lenient decoder does (each ignoring the unused
// low bits of the last character), eight characters to a step.
func b64DecodeData(dst []byte, s string) ([]byte, bool) {
	if len(s)%4 == 1 {
		return dst, false
	}
	n := len(s) * 6 / 8 // 1 or 2 bytes for a group of 2 or 3 characters
	// Four bytes of slack: a vector step stores sixteen bytes and keeps
	// twelve, a step here stores eight and keeps six, the last one stores
	// four and may keep one.
	dst = slices.Grow(dst, n+4)
	out := dst[len(dst) : len(dst)+n+4]
	t0, t1, t2, t3 := &b64Quad[0], &b64Quad[1], &b64Quad[2], &b64Quad[3]
	o, i := 0, 0
	if haveB64SSSE3 && len(s) >= 16 {
		k, ok := b64DecodeSSSE3(out, s)
		if !ok {
			return dst, false
		}
		o, i = k, k/12*16
	}
	for ; i+8 <= len(s); i += 8 {
		q := s[i : i+8]
		x := t0[q[0]] | t1[q[1]] | t2[q[2]] | t3[q[3]]
		y := t0[q[4]] | t1[q[5]] | t2[q[6]] | t3[q[7]]
		if (x|y)&b64Bad != 0 {
			return dst, false
		}
		binary.BigEndian.PutUint64(out[o:o+8], uint64(x)<<40|uint64(y)<<16)
		o += 6
	}
	// The last two to seven characters: a whole group, then two or three
	// characters of a group (the missing ones read as zero bits).
	r := s[i:]
	if len(r) >= 4 {
		g := t0[r[0]] | t1[r[1]] | t2[r[2]] | t3[r[3]]
		if g&b64Bad != 0 {
			return dst, false
		}
		binary.BigEndian.PutUint32(out[o:o+4], g<<8)
		o += 3
		r = r[4:]
	}
	var x uint32
	switch len(r) {
	case 0:
		return dst[:len(dst)+n], true
	case 2:
		x = t0[r[0]] | t1[r[1]]
	default: // 3
		x = t0[r[0]] | t1[r[1]] | t2[r[2]]
	}
	if x&b64Bad != 0 {
		return dst, false
	}
	binary.BigEndian.PutUint32(out[o:o+4], x<<8)
	return dst[:len(dst)+n], true
}
