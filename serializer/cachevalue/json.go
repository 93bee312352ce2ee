package cachevalue

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/djangosess/djangosess/serializer"
)

// jsonMaxDepth is the nesting json.dumps reaches before RecursionError, as
// serializer.JSON counts it.
const jsonMaxDepth = 1000

// encodeJSON is django-redis's JSONSerializer.dumps:
// json.dumps(v, cls=DjangoJSONEncoder).encode(), with json's default
// separators ", " and ": " and ensure_ascii. Scalars are written by
// serializer.JSON (so str escaping and float repr are Python's); the values
// DjangoJSONEncoder.default converts become the strings it makes.
func encodeJSON(v serializer.Value) ([]byte, error) {
	return appendJSON(make([]byte, 0, 256), v, 0)
}

var scalarJSON = serializer.JSON{}

func appendJSON(b []byte, v serializer.Value, depth int) ([]byte, error) {
	switch v := v.(type) {
	case *serializer.Dict:
		if depth >= jsonMaxDepth {
			return nil, jsonTooDeep()
		}
		b = append(b, '{')
		for i, it := range v.Items() {
			if i > 0 {
				b = append(b, ", "...)
			}
			var err error
			if b, err = appendJSONKey(b, it.Key); err != nil {
				return nil, err
			}
			b = append(b, ": "...)
			if b, err = appendJSON(b, it.Value, depth+1); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case serializer.List:
		return appendJSONArray(b, v, depth)
	case serializer.Tuple:
		return appendJSONArray(b, v, depth)
	case serializer.None, serializer.Bool, serializer.Int, serializer.BigInt, serializer.Float, serializer.Str:
		return appendScalarJSON(b, v)
	case *serializer.Object:
		if s, ok := v.StrValue(); ok { // a str subclass (SafeString)
			return appendScalarJSON(b, serializer.Str(s))
		}
	}
	s, err := djangoJSONDefault(v)
	if err != nil {
		return nil, err
	}
	return appendScalarJSON(b, serializer.Str(s))
}

func appendScalarJSON(b []byte, v serializer.Value) ([]byte, error) {
	out, err := scalarJSON.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, out...), nil
}

func jsonTooDeep() error {
	return fmt.Errorf("%w: %w: json: value nested deeper than %d", serializer.ErrUnsupported, serializer.ErrTooLarge, jsonMaxDepth)
}

func appendJSONArray(b []byte, vs []serializer.Value, depth int) ([]byte, error) {
	if depth >= jsonMaxDepth {
		return nil, jsonTooDeep()
	}
	b = append(b, '[')
	for i, x := range vs {
		if i > 0 {
			b = append(b, ", "...)
		}
		var err error
		if b, err = appendJSON(b, x, depth+1); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// appendJSONKey writes a dict key as json.dumps converts it: str as is;
// int, float, bool and None as their JSON text in quotes.
func appendJSONKey(b []byte, k serializer.Value) ([]byte, error) {
	switch k.(type) {
	case serializer.Str:
		return appendScalarJSON(b, k)
	case serializer.Int, serializer.BigInt, serializer.Float, serializer.Bool, serializer.None:
		b = append(b, '"')
		b, err := appendScalarJSON(b, k)
		if err != nil {
			return nil, err
		}
		return append(b, '"'), nil
	}
	name := "NoneType"
	if k != nil {
		name = k.Kind().String()
	}
	return nil, fmt.Errorf("%w: json: keys must be str, int, float, bool or None, not %s", serializer.ErrUnsupported, name)
}

// djangoJSONDefault is DjangoJSONEncoder.default for the value model.
func djangoJSONDefault(v serializer.Value) (string, error) {
	switch v := v.(type) {
	case serializer.DateTime:
		r, err := v.ISOFormat()
		if err != nil {
			return "", err
		}
		if v.Microsecond != 0 {
			r = r[:23] + r[26:]
		}
		if len(r) >= 6 && r[len(r)-6:] == "+00:00" {
			r = r[:len(r)-6] + "Z"
		}
		return r, nil
	case serializer.Date:
		return v.ISOFormat(), nil
	case serializer.Time:
		r, err := v.ISOFormat()
		if err != nil {
			return "", err
		}
		naive := 8
		if v.Microsecond != 0 {
			naive = 15
		}
		if len(r) > naive {
			return "", fmt.Errorf("%w: json: JSON can't represent timezone-aware times", serializer.ErrUnsupported)
		}
		if v.Microsecond != 0 {
			r = r[:12]
		}
		return r, nil
	case serializer.TimeDelta:
		return durationISOString(v), nil
	case serializer.Decimal:
		return string(v), nil
	case serializer.UUID:
		const hex = "0123456789abcdef"
		b := make([]byte, 0, 36)
		for i, c := range v {
			if i == 4 || i == 6 || i == 8 || i == 10 {
				b = append(b, '-')
			}
			b = append(b, hex[c>>4], hex[c&15])
		}
		return string(b), nil
	case *serializer.Object:
		return "", fmt.Errorf("%w: json: Object of type %s is not JSON serializable", serializer.ErrUnsupported, v.QualName())
	case nil:
		return "", fmt.Errorf("%w: json: nil Value", serializer.ErrUnsupported)
	}
	return "", fmt.Errorf("%w: json: Object of type %s is not JSON serializable", serializer.ErrUnsupported, v.Kind())
}

// durationISOString is django.utils.duration.duration_iso_string.
func durationISOString(td serializer.TimeDelta) string {
	sign := ""
	days, secs, us := td.Days, td.Seconds, td.Microseconds
	if days < 0 {
		sign = "-"
		days, secs, us = -days, -secs, -us
		if us < 0 {
			us += 1000000
			secs--
		}
		if secs < 0 {
			secs += 86400
			days--
		}
	}
	b := []byte(sign)
	b = append(b, 'P')
	b = strconv.AppendInt(b, days, 10)
	b = append(b, "DT"...)
	b = fmt.Appendf(b, "%02dH%02dM%02d", secs/3600, secs/60%60, secs%60)
	if us != 0 {
		b = fmt.Appendf(b, ".%06d", us)
	}
	return string(append(b, 'S'))
}

// decodeJSON is django-redis's JSONSerializer.loads:
// json.loads(value.decode()), UTF-8 strictly. serializer.JSON reads bytes as
// latin-1, so the non-ASCII characters (legal only inside strings) are
// handed to it as the \u escapes json.loads reads the same way.
func decodeJSON(b []byte, max int) (serializer.Value, error) {
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii {
		if !utf8.Valid(b) {
			return nil, fmt.Errorf("%w: json: value is not valid UTF-8 (UnicodeDecodeError)", serializer.ErrMalformed)
		}
		esc := make([]byte, 0, len(b)+len(b)/2)
		inStr, backslash := false, false
		for _, r := range string(b) {
			switch {
			case r < 0x80:
				c := byte(r)
				esc = append(esc, c)
				switch {
				case !inStr:
					inStr = c == '"'
				case backslash:
					backslash = false
				case c == '\\':
					backslash = true
				case c == '"':
					inStr = false
				}
				continue
			case !inStr || backslash:
				// json.loads fails here whatever follows; an escape would not.
				return nil, fmt.Errorf("%w: json: unexpected character %q (JSONDecodeError)", serializer.ErrMalformed, r)
			case r < 0x10000:
				esc = fmt.Appendf(esc, `\u%04x`, r)
			default:
				r -= 0x10000
				esc = fmt.Appendf(esc, `\u%04x\u%04x`, 0xD800+r>>10, 0xDC00+r&0x3FF)
			}
		}
		b = esc
		max = 6 * max // each input byte becomes at most 6
	}
	return serializer.JSON{MaxSize: max, MaxDepth: jsonMaxDepth}.Unmarshal(b)
}
