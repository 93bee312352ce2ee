package signing

import "math"

// b62Alphabet is Django's BASE62_ALPHABET: digits, then upper case, then
// lower case.
const b62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// b62Index maps a byte to its digit value, or 0xff.
var b62Index = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := range len(b62Alphabet) {
		t[b62Alphabet[i]] = byte(i)
	}
	return t
}()

// B62Encode encodes n as Django's b62_encode (and, up to 3.2,
// django.utils.baseconv.base62.encode) does: "0" for 0, a leading '-' for a
// negative number, most significant digit first.
func B62Encode(n int64) string {
	if n == 0 {
		return "0"
	}
	var buf [12]byte
	return string(appendB62(buf[:0], n))
}

// appendB62 appends B62Encode(n) to dst.
func appendB62(dst []byte, n int64) []byte {
	if n == 0 {
		return append(dst, '0')
	}
	var buf [12]byte // 11 digits for 2^63, and the sign
	i := len(buf)
	u := uint64(n)
	if n < 0 {
		u = -u
	}
	for u > 0 {
		i--
		buf[i] = b62Alphabet[u%62]
		u /= 62
	}
	if n < 0 {
		i--
		buf[i] = '-'
	}
	return append(dst, buf[i:]...)
}

// B62Decode decodes s as Django's b62_decode does. A leading '-' negates the
// rest; leading zeros are allowed; "-" alone is 0, as in Python. The errors
// (ErrMalformed) are where Python raises: an empty string (IndexError), a
// character outside the alphabet, including a second '-' (ValueError).
// Python's integers are unbounded, so a value outside the int64 range,
// which Python would return, is an ErrMalformed error here.
func B62Decode(s string) (int64, error) {
	if s == "" {
		return 0, malformed("base62: empty string")
	}
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var u uint64
	for i := range len(s) {
		d := b62Index[s[i]]
		if d == 0xff {
			return 0, malformed("base62: invalid character %q", s[i])
		}
		// 62^10 < 2^63: the first ten digits cannot overflow (a
		// timestamp has six), so only later ones are checked.
		if i >= 10 && u > (math.MaxUint64-uint64(d))/62 {
			return 0, malformed("base62: value out of range")
		}
		u = u*62 + uint64(d)
	}
	switch {
	case !neg && u <= math.MaxInt64:
		return int64(u), nil
	case neg && u <= 1<<63:
		return int64(-u), nil
	}
	return 0, malformed("base62: value out of range")
}
