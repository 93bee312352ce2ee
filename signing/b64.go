package signing

import (
	"encoding/base64"
	"slices"
)

// B64Encode encodes b as Django's b64_encode does: URL-safe base64 (A–Z a–z
// 0–9 - _) with the trailing '=' padding removed.
func B64Encode(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}

// B64Decode decodes s exactly as Django's b64_decode does on s's bytes:
// it appends '=' × (-len(s) mod 4) and runs Python's lenient
// base64.urlsafe_b64decode (binascii.a2b_base64 with strict_mode off, as in
// CPython 3.11). That decoder
//
//   - accepts both alphabets: '-' and '+' are 62, '_' and '/' are 63;
//   - silently skips every other byte that is not '=' (spaces, newlines,
//     punctuation, bytes ≥ 0x80);
//   - ignores '=' until at least two data characters of a 4-character group
//     have been read; after that, once the group is completed by '='
//     characters, it stops and ignores the rest of the input;
//   - ignores unused low bits of the last character.
//
// It fails (ErrMalformed) when the data characters leave one character over
// a multiple of four, or leave two or three over without enough '=' to
// complete the group ("Incorrect padding").
func B64Decode(s string) ([]byte, error) {
	return b64DecodeAppend(nil, s)
}

// B64DecodeAppend appends the decoding of s (see B64Decode) to dst and
// returns the extended slice; on error it returns dst, possibly grown.
func B64DecodeAppend(dst []byte, s string) ([]byte, error) {
	return b64DecodeAppend(dst, s)
}

const (
	b64Invalid = 0xff
	b64Pad     = 0xfe
)

// b64Table maps a byte to its 6-bit value, b64Pad for '=', or b64Invalid.
var b64Table = func() (t [256]byte) {
	for i := range t {
		t[i] = b64Invalid
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for i := range len(std) {
		t[std[i]] = byte(i)
	}
	t['+'], t['-'] = 62, 62
	t['/'], t['_'] = 63, 63
	t['='] = b64Pad
	return t
}()

// b64StdTable is b64Table without the URL-safe characters: Python's
// base64.b64decode skips '-' and '_' like any other byte outside the alphabet.
var b64StdTable = func() [256]byte {
	t := b64Table
	t['-'], t['_'] = b64Invalid, b64Invalid
	return t
}()

// B64DecodeStd decodes s as Python's base64.b64decode(s) does (standard
// alphabet, the same lenient binascii decoder as B64Decode, no padding
// added): the legacy session format's base64.
func B64DecodeStd(s string) ([]byte, error) {
	return b64DecodeWith(nil, s, &b64StdTable, false)
}

// b64State is the state of binascii.a2b_base64 between input bytes.
type b64State struct {
	table *[256]byte
	quad  int  // data characters read in the current group, 0–3
	left  byte // bits of the group not yet written
	pads  int  // '=' counted since the last data character (only while quad >= 2)
	done  bool // the padding completed a group: ignore the rest
}

// step feeds one input byte.
func (st *b64State) step(dst []byte, c byte) []byte {
	v := st.table[c]
	switch {
	case v == b64Pad:
		if st.quad >= 2 {
			st.pads++
			if st.quad+st.pads >= 4 {
				st.done = true
			}
		}
		return dst
	case v == b64Invalid:
		return dst
	}
	st.pads = 0
	switch st.quad {
	case 0:
		st.left = v
		st.quad = 1
	case 1:
		dst = append(dst, st.left<<2|v>>4)
		st.left = v & 0x0f
		st.quad = 2
	case 2:
		dst = append(dst, st.left<<4|v>>2)
		st.left = v & 0x03
		st.quad = 3
	default:
		dst = append(dst, st.left<<6|v)
		st.left = 0
		st.quad = 0
	}
	return dst
}

// b64DecodeAppend appends the decoding of s (see B64Decode) to dst.
//
// What Django writes, unpadded URL-safe base64, takes b64DecodeData, which
// is faster and gives the same bytes for input made of data characters
// only. Everything else takes the lenient decoder.
func b64DecodeAppend(dst []byte, s string) ([]byte, error) {
	if out, ok := b64DecodeData(dst, s); ok {
		return out, nil
	}
	return b64DecodeWith(dst, s, &b64Table, true)
}

// b64DecodeWith decodes with the given alphabet table, adding Django's
// b64_decode padding when djangoPad is set.
func b64DecodeWith(dst []byte, s string, table *[256]byte, djangoPad bool) ([]byte, error) {
	dst = slices.Grow(dst, len(s)/4*3+3)
	st := b64State{table: table}
	i := 0
	for i < len(s) && !st.done {
		// Fast path: a whole group of four data characters.
		if st.quad == 0 && i+4 <= len(s) {
			a, b, c, d := table[s[i]], table[s[i+1]], table[s[i+2]], table[s[i+3]]
			if a|b|c|d < 64 {
				dst = append(dst, a<<2|b>>4, b<<4|c>>2, c<<6|d)
				st.pads = 0
				i += 4
				continue
			}
		}
		dst = st.step(dst, s[i])
		i++
	}
	// Django's padding: '=' × (-len(s) mod 4).
	for n := (4 - len(s)%4) % 4; djangoPad && n > 0 && !st.done; n-- {
		dst = st.step(dst, '=')
	}
	switch {
	case st.done || st.quad == 0:
		return dst, nil
	case st.quad == 1:
		return dst, malformed("base64: number of data characters is 1 more than a multiple of 4")
	default:
		return dst, malformed("base64: incorrect padding")
	}
}
