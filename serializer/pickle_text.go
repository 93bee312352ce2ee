package serializer

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The text arguments of protocol 0 opcodes (INT, LONG, FLOAT, STRING,
// UNICODE, GET, PUT), and str validity.

// pkMaxIntDigits bounds the digits of a protocol 0 INT or LONG, as CPython
// 3.11's int() does (sys.get_int_max_str_digits()).
const pkMaxIntDigits = 4300

// parseIntLine reads INT's argument as CPython does: a C long in strtol's
// base-0 syntax (decimal, 0x hex, 0 octal), where "00" and "01" (two
// characters whose value is 0 or 1) are False and True, as protocol 0 writes
// bools.
func (d *pickleDecoder) parseIntLine(line string) (Value, error) {
	x, err := d.parseCInt(line, "INT")
	if err != nil {
		return nil, err
	}
	if len(line) == 2 {
		if v, ok := x.(Int); ok && (v == 0 || v == 1) {
			return Bool(v == 1), nil
		}
	}
	return x, nil
}

// parseLongLine reads LONG's argument: a Python int literal with an
// optional "L" suffix (Python 2 writes "123L").
func (d *pickleDecoder) parseLongLine(line string) (Value, error) {
	s := strings.Trim(strings.TrimSuffix(line, "L"), " \t\n\r\v\f")
	bad := func() (Value, error) { return nil, d.errorf("could not convert LONG argument %q to int", line) }
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	base := 10
	if len(s) > 1 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 10 {
			s = strings.TrimPrefix(s[2:], "_")
		}
	}
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return bad()
	}
	s = strings.ReplaceAll(s, "_", "")
	if base == 10 && len(s) > 1 && s[0] == '0' && strings.Trim(s, "0") != "" {
		return bad() // leading zeros
	}
	if base == 10 && len(s) > pkMaxIntDigits {
		return nil, fmt.Errorf("%w: pickle: LONG argument over %d digits at offset %d", ErrTooLarge, pkMaxIntDigits, d.opPos)
	}
	x, ok := new(big.Int).SetString(s, base)
	if !ok {
		return bad()
	}
	if neg {
		x.Neg(x)
	}
	return NewBigInt(x), nil
}

// parseCInt parses an optionally signed integer as C's strtol(s, &end, 0)
// does: 0x/0X hex, a leading 0 for octal, else decimal. Like CPython, which
// falls back on int(s, 0) beyond a C long, it refuses an octal number that
// does not fit in 64 bits.
func (d *pickleDecoder) parseCInt(s, op string) (Value, error) {
	t := strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	base := 10
	switch {
	case len(t) > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X'):
		base, t = 16, t[2:]
	case len(t) > 1 && t[0] == '0':
		base, t = 8, t[1:]
	}
	if t == "" {
		return nil, d.errorf("could not convert %s argument %q to int", op, s)
	}
	if len(t) > pkMaxIntDigits {
		return nil, fmt.Errorf("%w: pickle: %s argument over %d digits at offset %d", ErrTooLarge, op, pkMaxIntDigits, d.opPos)
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		ok := c >= '0' && c <= '9'
		if base == 8 {
			ok = c >= '0' && c <= '7'
		} else if base == 16 {
			ok = ok || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		}
		if !ok {
			return nil, d.errorf("could not convert %s argument %q to int", op, s)
		}
	}
	if u, err := strconv.ParseUint(t, base, 63); err == nil {
		if neg {
			return Int(-int64(u)), nil
		}
		return Int(u), nil
	}
	x, ok := new(big.Int).SetString(t, base)
	if !ok || base == 8 {
		return nil, d.errorf("could not convert %s argument %q to int", op, s)
	}
	if neg {
		x.Neg(x)
	}
	return NewBigInt(x), nil
}

// parseFloatLine reads FLOAT's argument: a Python float repr ("1.5",
// "1e+300", "inf", "nan"). Values out of range are an error, as in CPython.
func (d *pickleDecoder) parseFloatLine(line string) (float64, error) {
	body := strings.TrimLeft(line, "+-")
	switch strings.ToLower(body) {
	case "inf", "infinity", "nan":
	default:
		if body == "" || strings.Trim(body, "0123456789.eE+-") != "" {
			return 0, d.errorf("could not convert FLOAT argument %q to float", line)
		}
	}
	if len(line)-len(body) > 1 {
		return 0, d.errorf("could not convert FLOAT argument %q to float", line)
	}
	f, err := strconv.ParseFloat(line, 64)
	if err != nil {
		return 0, d.errorf("could not convert FLOAT argument %q to float", line)
	}
	return f, nil
}

// parseMemoIndex reads GET's and PUT's decimal argument.
func (d *pickleDecoder) parseMemoIndex(line string) (uint64, error) {
	t := strings.TrimPrefix(line, "+")
	if t == "" || len(t) > 19 || strings.Trim(t, "0123456789") != "" {
		return 0, d.errorf("bad memo index %q", line)
	}
	i, err := strconv.ParseUint(t, 10, 64)
	if err != nil {
		return 0, d.errorf("bad memo index %q", line)
	}
	return i, nil
}

// escapeDecode undoes the escapes of STRING's quoted argument, as CPython's
// codecs.escape_decode does.
func (d *pickleDecoder) escapeDecode(line string) ([]byte, error) {
	if len(line) < 2 || line[0] != line[len(line)-1] || line[0] != '\'' && line[0] != '"' {
		return nil, d.errorf("the STRING opcode argument must be quoted")
	}
	s := line[1 : len(line)-1]
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i >= len(s) {
			return nil, d.errorf("trailing \\ in STRING argument")
		}
		switch c = s[i]; c {
		case '\n':
		case '\\', '\'', '"':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'v':
			out = append(out, '\v')
		case 'a':
			out = append(out, '\a')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			for k := 0; k < 2 && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7'; k++ {
				i++
				v = v<<3 | int(s[i]-'0')
			}
			out = append(out, byte(v))
		case 'x':
			if i+2 >= len(s) {
				return nil, d.errorf("invalid \\x escape in STRING argument")
			}
			h, ok1 := pkUnhex(s[i+1])
			l, ok2 := pkUnhex(s[i+2])
			if !ok1 || !ok2 {
				return nil, d.errorf("invalid \\x escape in STRING argument")
			}
			out = append(out, h<<4|l)
			i += 2
		default:
			out = append(out, '\\', c)
		}
	}
	return out, nil
}

func pkUnhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// rawUnicodeEscape decodes UNICODE's argument with the raw-unicode-escape
// codec: bytes are Latin-1 characters, except \uXXXX and \UXXXXXXXX after
// an odd number of backslashes.
func (d *pickleDecoder) rawUnicodeEscape(s string) (Str, error) {
	out := make([]byte, 0, len(s)+len(s)/4)
	for i := 0; i < len(s); {
		c := s[i]
		if c != '\\' {
			out = pkAppendCodePoint(out, rune(c))
			i++
			continue
		}
		j := i
		for j < len(s) && s[j] == '\\' {
			j++
		}
		n := j - i
		if n%2 == 0 || j >= len(s) || s[j] != 'u' && s[j] != 'U' {
			for ; i < j; i++ {
				out = append(out, '\\')
			}
			continue
		}
		for k := 0; k < n-1; k++ {
			out = append(out, '\\')
		}
		digits := 4
		if s[j] == 'U' {
			digits = 8
		}
		if j+1+digits > len(s) {
			return "", d.errorf("truncated \\uXXXX escape in UNICODE argument")
		}
		var r uint32
		for k := j + 1; k < j+1+digits; k++ {
			h, ok := pkUnhex(s[k])
			if !ok {
				return "", d.errorf("truncated \\uXXXX escape in UNICODE argument")
			}
			r = r<<4 | uint32(h)
		}
		if r > utf8.MaxRune {
			return "", d.errorf("\\Uxxxxxxxx out of range in UNICODE argument")
		}
		out = pkAppendCodePoint(out, rune(r))
		i = j + 1 + digits
	}
	return Str(out), nil
}

// pkAppendCodePoint appends r in UTF-8, a surrogate as the three bytes
// "surrogatepass" writes (see Str).
func pkAppendCodePoint(b []byte, r rune) []byte {
	if r >= 0xD800 && r <= 0xDFFF {
		return append(b, 0xED, byte(0x80|(r>>6)&0x3F), byte(0x80|r&0x3F))
	}
	return utf8.AppendRune(b, r)
}

// pkValidStr reports whether s is a Python str as Str holds it: UTF-8, where
// a surrogate (U+D800–U+DFFF) may appear as its 3-byte sequence.
func pkValidStr(s string) bool {
	if utf8.ValidString(s) {
		return true
	}
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if i+2 < len(s) && s[i] == 0xED && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2] >= 0x80 && s[i+2] <= 0xBF {
				i += 3
				continue
			}
			return false
		}
		i += size
	}
	return true
}
