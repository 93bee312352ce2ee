package cachevalue

import (
	"fmt"
	"math/big"

	"github.com/djangosess/djangosess/serializer"
)

// Client says which Python cache backend wrote (or will read) the bytes.
type Client uint8

const (
	// DjangoRedis is django_redis.cache.RedisCache with its DefaultClient
	// (django-redis 5.x; the default).
	DjangoRedis Client = iota
	// Django is Django's own django.core.cache.backends.redis.RedisCache
	// (Django 4.0+; bool pickled as from 4.1).
	Django
)

// String returns "django-redis" or "django", as the CLI spells them.
func (c Client) String() string {
	switch c {
	case DjangoRedis:
		return "django-redis"
	case Django:
		return "django"
	}
	return fmt.Sprintf("Client(%d)", uint8(c))
}

// Codec encodes and decodes one cache configuration. The zero Codec is
// django-redis's default configuration. A Codec is safe for concurrent use.
type Codec struct {
	// Client is the backend: DjangoRedis (default) or Django.
	Client Client
	// Serializer is django-redis's SERIALIZER: "pickle" (default, also
	// ""), "json" (JSONSerializer with DjangoJSONEncoder) or "msgpack". The
	// Django client only pickles.
	Serializer string
	// Compressor is django-redis's COMPRESSOR: "none" (default, also "" and
	// "identity"), "zlib", "gzip" (django-redis 6.0+), "lzma", "lz4" or
	// "zstd". Decode also accepts "auto": the compressor whose stream magic
	// the value starts with, or none. The Django client does not compress.
	Compressor string
	// PickleProtocol is the protocol Encode pickles with: 2 to 5, -1 for
	// the highest (5). Zero means the client's default: 4 for django-redis
	// 5.1+ (pickle.DEFAULT_PROTOCOL), 5 for Django (HIGHEST_PROTOCOL).
	PickleProtocol int
	// MaxSize bounds the input to Decode and what a decompressor may
	// inflate it to, in bytes. Default 16 MiB. Over it: ErrTooLarge.
	MaxSize int
	// AllowGlobal, when not nil, decides which globals a pickled value may
	// name (serializer.Pickle's AllowGlobal): an allowlist for a cache
	// that others can write. Nil: serializer.Pickle's default policy.
	AllowGlobal func(module, name string) bool
}

// DefaultMaxSize is the size cap when Codec.MaxSize is zero.
const DefaultMaxSize = 16 << 20

func (c Codec) maxSize() int {
	if c.MaxSize > 0 {
		return c.MaxSize
	}
	return DefaultMaxSize
}

func (c Codec) protocol() (int, error) {
	switch p := c.PickleProtocol; {
	case p == 0 && c.Client == Django:
		return 5, nil
	case p == 0:
		return 4, nil
	case p == -1:
		return 5, nil
	case p >= 2 && p <= 5:
		return p, nil
	default:
		return 0, fmt.Errorf("%w: cachevalue: pickle protocol %d (2 to 5, or -1)", serializer.ErrUnsupported, p)
	}
}

// config checks the configuration and returns the serializer name and the
// compressor (nil for none; auto reports whether "auto" was asked for).
func (c Codec) config(decoding bool) (ser string, comp *compressor, auto bool, err error) {
	ser = c.Serializer
	if ser == "" {
		ser = "pickle"
	}
	name := c.Compressor
	switch c.Client {
	case DjangoRedis:
	case Django:
		if ser != "pickle" {
			return "", nil, false, fmt.Errorf("%w: cachevalue: Django's RedisCache only pickles (serializer %q)", serializer.ErrUnsupported, ser)
		}
		if name != "" && name != "none" && name != "identity" && !(decoding && name == "auto") {
			return "", nil, false, fmt.Errorf("%w: cachevalue: Django's RedisCache does not compress (compressor %q)", serializer.ErrUnsupported, name)
		}
		return ser, nil, false, nil
	default:
		return "", nil, false, fmt.Errorf("%w: cachevalue: unknown client %d", serializer.ErrUnsupported, c.Client)
	}
	switch ser {
	case "pickle", "json", "msgpack":
	default:
		return "", nil, false, fmt.Errorf("%w: cachevalue: unknown serializer %q (pickle, json, msgpack)", serializer.ErrUnsupported, ser)
	}
	switch name {
	case "", "none", "identity":
		return ser, nil, false, nil
	case "auto":
		if decoding {
			return ser, nil, true, nil
		}
		return "", nil, false, fmt.Errorf("%w: cachevalue: compressor \"auto\" is for decoding only", serializer.ErrUnsupported)
	}
	comp = compressorNamed(name)
	if comp == nil {
		return "", nil, false, fmt.Errorf("%w: cachevalue: unknown compressor %q (none, zlib, gzip, lzma, lz4, zstd)", serializer.ErrUnsupported, name)
	}
	return ser, comp, false, nil
}

// Decode returns the value the configured client's decode gives for the
// bytes b read from Redis: an Int or BigInt when Python's int(b) succeeds,
// otherwise the deserialized value, decompressed first when b decompresses.
func (c Codec) Decode(b []byte) (serializer.Value, error) {
	ser, comp, auto, err := c.config(true)
	if err != nil {
		return nil, err
	}
	max := c.maxSize()
	if len(b) > max {
		return nil, fmt.Errorf("%w: cachevalue: value is %d bytes, over the limit of %d", serializer.ErrTooLarge, len(b), max)
	}
	if v, ok := parsePyInt(b); ok {
		return v, nil
	}
	if auto {
		comp = sniff(b)
	}
	data := b
	if comp != nil {
		out, ok, err := comp.decompress(b, max)
		if err != nil {
			return nil, err
		}
		if ok {
			data = out
		}
	}
	switch ser {
	case "json":
		return decodeJSON(data, max)
	case "msgpack":
		return decodeMsgpack(data)
	}
	return serializer.Pickle{MaxSize: max, AllowGlobal: c.AllowGlobal}.Unmarshal(data)
}

// Encode returns the bytes the configured client sends to Redis for v: the
// decimal digits of an Int or BigInt, otherwise v serialized and, for
// django-redis, compressed when it is longer than the compressor's
// threshold.
func (c Codec) Encode(v serializer.Value) ([]byte, error) {
	ser, comp, _, err := c.config(false)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case serializer.Int:
		return fmt.Appendf(nil, "%d", int64(v)), nil
	case serializer.BigInt:
		return encodeBigInt(v)
	}
	var out []byte
	switch ser {
	case "json":
		out, err = encodeJSON(v)
	case "msgpack":
		out, err = encodeMsgpack(v)
	default:
		var p int
		if p, err = c.protocol(); err == nil {
			out, err = serializer.Pickle{Protocol: p}.Marshal(v)
		}
	}
	if err != nil {
		return nil, err
	}
	if comp != nil && len(out) > comp.minLen {
		return comp.compress(out)
	}
	return out, nil
}

// encodeBigInt writes repr(v) as redis-py does, which fails (ValueError) past
// CPython's 4300-digit limit.
func encodeBigInt(v serializer.BigInt) ([]byte, error) {
	if v.V == nil {
		return nil, fmt.Errorf("%w: cachevalue: BigInt with a nil V", serializer.ErrUnsupported)
	}
	if v.V.BitLen() > 14300 { // > 4300 digits for sure
		return nil, fmt.Errorf("%w: %w: cachevalue: integer over %d digits", serializer.ErrUnsupported, serializer.ErrTooLarge, maxIntDigits)
	}
	out := v.V.Append(nil, 10)
	if n := len(out) - boolInt(v.V.Sign() < 0); n > maxIntDigits {
		return nil, fmt.Errorf("%w: %w: cachevalue: integer of %d digits, over %d", serializer.ErrUnsupported, serializer.ErrTooLarge, n, maxIntDigits)
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// maxIntDigits is CPython's default sys.get_int_max_str_digits().
const maxIntDigits = 4300

// isSpace is Py_ISSPACE: the ASCII whitespace int() strips.
func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// parsePyInt is Python's int(b) in base 10 on bytes: surrounding ASCII
// whitespace, an optional sign, digits with single underscores between
// them, at most 4300 digits. ok is false where int() raises ValueError.
func parsePyInt(b []byte) (serializer.Value, bool) {
	i, j := 0, len(b)
	for i < j && isSpace(b[i]) {
		i++
	}
	for j > i && isSpace(b[j-1]) {
		j--
	}
	s := b[i:j]
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 || s[0] < '0' || s[0] > '9' {
		return nil, false
	}
	digits := 0
	var n uint64
	fits := true
	for k := 0; k < len(s); k++ {
		c := s[k]
		if c == '_' {
			if k+1 >= len(s) || s[k+1] < '0' || s[k+1] > '9' {
				return nil, false
			}
			continue
		}
		if c < '0' || c > '9' {
			return nil, false
		}
		digits++
		if fits {
			if n > (1<<63)/10 {
				fits = false
			} else {
				n = n*10 + uint64(c-'0')
				if n > 1<<63 {
					fits = false
				}
			}
		}
	}
	if digits > maxIntDigits {
		return nil, false
	}
	if fits && (n < 1<<63 || neg) {
		if neg {
			return serializer.Int(-int64(n)), true // -(1<<63) wraps to itself
		}
		return serializer.Int(int64(n)), true
	}
	clean := make([]byte, 0, digits+1)
	if neg {
		clean = append(clean, '-')
	}
	for _, c := range s {
		if c != '_' {
			clean = append(clean, c)
		}
	}
	z, _ := new(big.Int).SetString(string(clean), 10)
	return serializer.NewBigInt(z), true
}
