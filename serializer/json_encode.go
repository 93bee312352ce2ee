package serializer

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Marshal returns the bytes of CPython's json.dumps(v, separators=(",", ":")),
// which is what Django's JSONSerializer.dumps writes (encoded as latin-1,
// which changes nothing: the output is ASCII).
//
//   - None, Bool, Int and BigInt as null, true/false and decimal integers;
//     Float as Python's repr (1.0, 1e+16, 1.5e-05) and NaN, Infinity,
//     -Infinity bare.
//   - Str with every character outside 0x20–0x7E escaped: \" \\ \b \f \n \r
//     \t, all others \uXXXX in lowercase hex, with surrogate pairs above the
//     BMP and lone surrogates as themselves.
//   - List and Tuple as arrays; *Dict as an object in insertion order, with
//     keys converted as Python does (float repr, true/false, null, decimal).
//
// Values JSON cannot hold give an error matching ErrUnsupported, as
// json.dumps raises TypeError or ValueError: Bytes, ByteArray, Set,
// FrozenSet, DateTime, Date, Time, TimeDelta, Decimal, UUID, *Object, a nil
// Value, a dict key other than str, int, float, bool or None, a Str that is
// not UTF-8 (apart from lone surrogates, see Str), and (also matching
// ErrTooLarge) an integer of more than MaxIntDigits digits or nesting deeper
// than MaxDepth.
func (j JSON) Marshal(v Value) ([]byte, error) {
	e := jsonEncoderPool.Get().(*jsonEncoder)
	e.buf = e.buf[:0]
	e.maxDepth = j.maxDepth()
	e.maxIntDigits = j.maxIntDigits()
	err := e.value(v, 0)
	var out []byte
	if err == nil {
		out = append([]byte(nil), e.buf...)
	}
	if cap(e.buf) <= 1<<16 {
		jsonEncoderPool.Put(e)
	}
	return out, err
}

// AppendMarshal appends Marshal's bytes for v to dst and returns the
// extended slice; it allocates nothing when dst has room for them. On
// error it returns dst unchanged (its spare capacity may have been written).
func (j JSON) AppendMarshal(dst []byte, v Value) ([]byte, error) {
	e := jsonEncoderPool.Get().(*jsonEncoder)
	own := e.buf
	e.buf = dst
	e.maxDepth = j.maxDepth()
	e.maxIntDigits = j.maxIntDigits()
	err := e.value(v, 0)
	out := e.buf
	e.buf = own[:0]
	jsonEncoderPool.Put(e)
	if err != nil {
		return dst, err
	}
	return out, nil
}

var jsonEncoderPool = sync.Pool{New: func() any { return &jsonEncoder{buf: make([]byte, 0, 512)} }}

type jsonEncoder struct {
	buf          []byte
	maxDepth     int
	maxIntDigits int
}

func jsonNotSerializable(v Value) error {
	name := "NoneType"
	switch v := v.(type) {
	case nil:
		return fmt.Errorf("%w: json: nil Value", ErrUnsupported)
	case *Object:
		name = v.QualName()
	default:
		name = v.Kind().String()
	}
	return fmt.Errorf("%w: json: Object of type %s is not JSON serializable", ErrUnsupported, name)
}

func (e *jsonEncoder) value(v Value, depth int) error {
	switch v := v.(type) {
	case Str:
		return e.str(string(v))
	case Int:
		return e.int(v)
	case None:
		e.buf = append(e.buf, "null"...)
	case Bool:
		if v {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case Float:
		e.buf = appendPyFloat(e.buf, float64(v))
	case BigInt:
		return e.bigInt(v)
	case *Dict:
		if depth >= e.maxDepth {
			return e.tooDeep()
		}
		e.buf = append(e.buf, '{')
		for i, it := range v.Items() {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			if err := e.key(it.Key); err != nil {
				return err
			}
			e.buf = append(e.buf, ':')
			if err := e.value(it.Value, depth+1); err != nil {
				return err
			}
		}
		e.buf = append(e.buf, '}')
	case List:
		return e.array(v, depth)
	case Tuple:
		return e.array(v, depth)
	default:
		return jsonNotSerializable(v)
	}
	return nil
}

func (e *jsonEncoder) tooDeep() error {
	return fmt.Errorf("%w: json: value nested deeper than %d (%w)", ErrUnsupported, e.maxDepth, ErrTooLarge)
}

func (e *jsonEncoder) array(vs []Value, depth int) error {
	if depth >= e.maxDepth {
		return e.tooDeep()
	}
	e.buf = append(e.buf, '[')
	for i, x := range vs {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		if err := e.value(x, depth+1); err != nil {
			return err
		}
	}
	e.buf = append(e.buf, ']')
	return nil
}

// key writes a dict key as the string json.dumps makes of it.
func (e *jsonEncoder) key(k Value) error {
	switch k := k.(type) {
	case Str:
		return e.str(string(k))
	case Bool, None:
		e.buf = append(e.buf, '"')
		_ = e.value(k, 0)
	case Float:
		e.buf = append(e.buf, '"')
		e.buf = appendPyFloat(e.buf, float64(k))
	case Int, BigInt:
		e.buf = append(e.buf, '"')
		if err := e.value(k, 0); err != nil {
			return err
		}
	default:
		name := "NoneType"
		if k != nil {
			name = k.Kind().String()
		}
		return fmt.Errorf("%w: json: keys must be str, int, float, bool or None, not %s", ErrUnsupported, name)
	}
	e.buf = append(e.buf, '"')
	return nil
}

func (e *jsonEncoder) tooManyDigits(n int) error {
	return fmt.Errorf("%w: json: integer of %d digits, over the limit of %d (%w)", ErrUnsupported, n, e.maxIntDigits, ErrTooLarge)
}

func (e *jsonEncoder) int(v Int) error {
	n := len(e.buf)
	e.buf = strconv.AppendInt(e.buf, int64(v), 10)
	if digits := len(e.buf) - n - int(v>>63&1); digits > e.maxIntDigits {
		e.buf = e.buf[:n]
		return e.tooManyDigits(digits)
	}
	return nil
}

func (e *jsonEncoder) bigInt(v BigInt) error {
	if v.V == nil {
		return fmt.Errorf("%w: json: BigInt with a nil V", ErrUnsupported)
	}
	// Refuse numbers far over the limit before formatting them:
	// a number of b bits has at least floor((b-1)·log10(2))+1 digits.
	if lower := int(float64(v.V.BitLen()-1)*math.Log10(2)) + 1; lower > e.maxIntDigits+1 {
		return e.tooManyDigits(lower)
	}
	n := len(e.buf)
	e.buf = v.V.Append(e.buf, 10)
	digits := len(e.buf) - n
	if v.V.Sign() < 0 {
		digits--
	}
	if digits > e.maxIntDigits {
		e.buf = e.buf[:n]
		return e.tooManyDigits(digits)
	}
	return nil
}

// jsonSafe[c] is true for the ASCII bytes json.dumps writes unescaped.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x7F; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const jsonHexDigits = "0123456789abcdef"

func (e *jsonEncoder) str(s string) error {
	b := append(e.buf, '"')
	start := 0
	for i := 0; i < len(s); {
		i = jsonSafeRun(s, i)
		if i == len(s) {
			break
		}
		c := s[i]
		b = append(b, s[start:i]...)
		if c < 0x80 {
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = jsonAppendU4(b, rune(c))
			}
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				// Python's surrogatepass form of a lone surrogate:
				// ED A0–BF 80–BF.
				if c != 0xED || i+2 >= len(s) || s[i+1] < 0xA0 || s[i+1] > 0xBF || s[i+2]&0xC0 != 0x80 {
					e.buf = b[:len(e.buf)]
					return fmt.Errorf("%w: json: str is not valid UTF-8 (byte %#02x at %d)", ErrUnsupported, c, i)
				}
				r, size = 0xD000|rune(s[i+1]&0x3F)<<6|rune(s[i+2]&0x3F), 3
			}
			if r >= 0x10000 {
				r -= 0x10000
				b = jsonAppendU4(b, 0xD800+r>>10)
				b = jsonAppendU4(b, 0xDC00+r&0x3FF)
			} else {
				b = jsonAppendU4(b, r)
			}
			i += size
		}
		start = i
	}
	b = append(b, s[start:]...)
	e.buf = append(b, '"')
	return nil
}

// jsonSafeRun returns the index of the first byte of s from i on that
// json.dumps escapes, or len(s). It is str's inner loop, kept apart so that
// its variables stay in registers.
func jsonSafeRun(s string, i int) int {
	// Eight bytes at a time: the bytes the decoder finds special in a
	// string (quote, backslash, control character, non-ASCII), and DEL.
	const lo7, one = 0x7F7F7F7F7F7F7F7F, 0x0101010101010101
	for ; i+8 <= len(s); i += 8 {
		w := jsonLoad8(s, i)
		if m := jsonSpecial8(w) | ((w&lo7)+one)&(one<<7); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(s) && jsonSafe[s[i]] {
		i++
	}
	return i
}

func jsonAppendU4(b []byte, r rune) []byte {
	return append(b, '\\', 'u', jsonHexDigits[r>>12&0xF], jsonHexDigits[r>>8&0xF], jsonHexDigits[r>>4&0xF], jsonHexDigits[r&0xF])
}

// appendPyFloat appends Python's repr(f) (as json.dumps writes a float):
// the shortest digits that read back as f, in fixed notation when the
// decimal exponent is in [-4, 16) and always with a fractional part there,
// otherwise as d.ddde±XX.
func appendPyFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	var scratch [32]byte
	b := strconv.AppendFloat(scratch[:0], f, 'e', -1, 64) // [-]d[.ddd]e±dd[d]
	m := 0
	for b[m] != 'e' {
		m++
	}
	exp := 0
	for _, c := range b[m+2:] {
		exp = exp*10 + int(c-'0')
	}
	if b[m+1] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= 16 {
		return append(dst, b...) // Go's 'e' format is Python's here
	}
	mant := b[:m]
	if mant[0] == '-' {
		dst = append(dst, '-')
		mant = mant[1:]
	}
	// Collect the digits without the point.
	var digitBuf [20]byte
	digits := append(digitBuf[:0], mant[0])
	if len(mant) > 2 {
		digits = append(digits, mant[2:]...)
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for i := -1; i > exp; i-- {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	if len(digits) <= exp+1 {
		dst = append(dst, digits...)
		for i := len(digits); i <= exp; i++ {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0')
	}
	dst = append(dst, digits[:exp+1]...)
	dst = append(dst, '.')
	return append(dst, digits[exp+1:]...)
}
