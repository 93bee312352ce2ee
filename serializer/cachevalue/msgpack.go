package cachevalue

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"unicode/utf8"

	"github.com/djangosess/djangosess/serializer"
)

// msgpack as django-redis's MSGPackSerializer uses msgpack-python 1.0:
// msgpack.dumps(v) (use_bin_type=True, float64, nesting limit 511) and
// msgpack.loads(v, raw=False) (strict_map_key=True, lists for arrays).

const (
	msgpackPackLimit   = 511  // _pack's default nest_limit
	msgpackUnpackDepth = 1024 // the unpacker's stack size
)

func msgpackUnsupported(v serializer.Value) error {
	name := "NoneType"
	switch v := v.(type) {
	case nil:
		return fmt.Errorf("%w: msgpack: nil Value", serializer.ErrUnsupported)
	case *serializer.Object:
		name = v.QualName()
	default:
		name = v.Kind().String()
	}
	return fmt.Errorf("%w: msgpack: can not serialize %q object", serializer.ErrUnsupported, name)
}

func encodeMsgpack(v serializer.Value) ([]byte, error) {
	return appendMsgpack(make([]byte, 0, 256), v, msgpackPackLimit)
}

func appendMsgpack(b []byte, v serializer.Value, limit int) ([]byte, error) {
	if limit < 0 {
		return nil, fmt.Errorf("%w: %w: msgpack: recursion limit exceeded", serializer.ErrUnsupported, serializer.ErrTooLarge)
	}
	var err error
	switch v := v.(type) {
	case serializer.None:
		return append(b, 0xc0), nil
	case serializer.Bool:
		if v {
			return append(b, 0xc3), nil
		}
		return append(b, 0xc2), nil
	case serializer.Int:
		if v >= 0 {
			return msgpackUint(b, uint64(v)), nil
		}
		return msgpackNegInt(b, int64(v)), nil
	case serializer.BigInt:
		if v.V != nil && v.V.Sign() > 0 && v.V.IsUint64() {
			return msgpackUint(b, v.V.Uint64()), nil
		}
		return nil, fmt.Errorf("%w: msgpack: Integer value out of range", serializer.ErrUnsupported)
	case serializer.Float:
		b = append(b, 0xcb)
		return binary.BigEndian.AppendUint64(b, math.Float64bits(float64(v))), nil
	case serializer.Str:
		return msgpackStr(b, string(v))
	case serializer.Bytes:
		return msgpackBin(b, v)
	case serializer.ByteArray:
		return msgpackBin(b, v)
	case serializer.List:
		return msgpackArray(b, v, limit)
	case serializer.Tuple:
		return msgpackArray(b, v, limit)
	case *serializer.Dict:
		b = msgpackHeader(b, v.Len(), 0x80, 0xde, 0xdf)
		for _, it := range v.Items() {
			if b, err = appendMsgpack(b, it.Key, limit-1); err != nil {
				return nil, err
			}
			if b, err = appendMsgpack(b, it.Value, limit-1); err != nil {
				return nil, err
			}
		}
		return b, nil
	case *serializer.Object:
		if s, ok := v.StrValue(); ok { // a str subclass packs as str
			return msgpackStr(b, s)
		}
		if out, ok, err := appendMsgpackExt(b, v); ok || err != nil {
			return out, err
		}
	}
	return nil, msgpackUnsupported(v)
}

func msgpackUint(b []byte, u uint64) []byte {
	switch {
	case u < 0x80:
		return append(b, byte(u))
	case u <= math.MaxUint8:
		return append(b, 0xcc, byte(u))
	case u <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(u))
	case u <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(u))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xcf), u)
}

func msgpackNegInt(b []byte, i int64) []byte {
	switch {
	case i >= -32:
		return append(b, byte(i))
	case i >= math.MinInt8:
		return append(b, 0xd0, byte(i))
	case i >= math.MinInt16:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(i))
	case i >= math.MinInt32:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(i))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(i))
}

// msgpackHeader writes a fix/16/32 header for n items or bytes.
func msgpackHeader(b []byte, n int, fix, m16, m32 byte) []byte {
	switch {
	case n < 16:
		return append(b, fix|byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, m16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, m32), uint32(n))
}

func msgpackStr(b []byte, s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w: msgpack: str is not encodable as UTF-8 (UnicodeEncodeError)", serializer.ErrUnsupported)
	}
	n := len(s)
	switch {
	case n < 32:
		b = append(b, 0xa0|byte(n))
	case n <= math.MaxUint8:
		b = append(b, 0xd9, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
	case uint64(n) <= math.MaxUint32:
		b = binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
	default:
		return nil, fmt.Errorf("%w: msgpack: str too large", serializer.ErrUnsupported)
	}
	return append(b, s...), nil
}

func msgpackBin(b, p []byte) ([]byte, error) {
	n := len(p)
	switch {
	case n <= math.MaxUint8:
		b = append(b, 0xc4, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, 0xc5), uint16(n))
	case uint64(n) <= math.MaxUint32:
		b = binary.BigEndian.AppendUint32(append(b, 0xc6), uint32(n))
	default:
		return nil, fmt.Errorf("%w: msgpack: bytes too large", serializer.ErrUnsupported)
	}
	return append(b, p...), nil
}

func msgpackArray(b []byte, vs []serializer.Value, limit int) ([]byte, error) {
	if uint64(len(vs)) > math.MaxUint32 {
		return nil, fmt.Errorf("%w: msgpack: list too large", serializer.ErrUnsupported)
	}
	b = msgpackHeader(b, len(vs), 0x90, 0xdc, 0xdd)
	var err error
	for _, x := range vs {
		if b, err = appendMsgpack(b, x, limit-1); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// decodeMsgpack is msgpack.loads(b, raw=False).
func decodeMsgpack(b []byte) (serializer.Value, error) {
	d := msgpackDecoder{b: b}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.p != len(b) {
		return nil, fmt.Errorf("%w: msgpack: extra data after the value (ExtraData)", serializer.ErrMalformed)
	}
	return v, nil
}

type msgpackDecoder struct {
	b []byte
	p int
}

func (d *msgpackDecoder) incomplete() error {
	return fmt.Errorf("%w: msgpack: Unpack failed: incomplete input", serializer.ErrMalformed)
}

// take returns the next n bytes.
func (d *msgpackDecoder) take(n uint64) ([]byte, error) {
	if n > uint64(len(d.b)-d.p) {
		return nil, d.incomplete()
	}
	s := d.b[d.p : d.p+int(n)]
	d.p += int(n)
	return s, nil
}

func (d *msgpackDecoder) uint(size int) (uint64, error) {
	s, err := d.take(uint64(size))
	if err != nil {
		return 0, err
	}
	var u uint64
	for _, c := range s {
		u = u<<8 | uint64(c)
	}
	return u, nil
}

func (d *msgpackDecoder) value(depth int) (serializer.Value, error) {
	if d.p >= len(d.b) {
		return nil, d.incomplete()
	}
	c := d.b[d.p]
	d.p++
	switch {
	case c < 0x80:
		return serializer.Int(c), nil
	case c >= 0xe0:
		return serializer.Int(int8(c)), nil
	case c&0xf0 == 0x80:
		return d.dict(uint64(c&0x0f), depth)
	case c&0xf0 == 0x90:
		return d.list(uint64(c&0x0f), depth)
	case c&0xe0 == 0xa0:
		return d.str(uint64(c & 0x1f))
	}
	switch c {
	case 0xc0:
		return serializer.None{}, nil
	case 0xc2:
		return serializer.Bool(false), nil
	case 0xc3:
		return serializer.Bool(true), nil
	case 0xc4, 0xc5, 0xc6:
		n, err := d.uint(1 << (c - 0xc4))
		if err != nil {
			return nil, err
		}
		s, err := d.take(n)
		if err != nil {
			return nil, err
		}
		return serializer.Bytes(append([]byte{}, s...)), nil
	case 0xca:
		u, err := d.uint(4)
		return serializer.Float(math.Float32frombits(uint32(u))), err
	case 0xcb:
		u, err := d.uint(8)
		return serializer.Float(math.Float64frombits(u)), err
	case 0xcc, 0xcd, 0xce, 0xcf:
		u, err := d.uint(1 << (c - 0xcc))
		if err != nil {
			return nil, err
		}
		if u > math.MaxInt64 {
			return serializer.NewBigInt(new(big.Int).SetUint64(u)), nil
		}
		return serializer.Int(u), nil
	case 0xd0, 0xd1, 0xd2, 0xd3:
		size := 1 << (c - 0xd0)
		u, err := d.uint(size)
		if err != nil {
			return nil, err
		}
		shift := 64 - 8*size
		return serializer.Int(int64(u<<shift) >> shift), nil
	case 0xd9, 0xda, 0xdb:
		n, err := d.uint(1 << (c - 0xd9))
		if err != nil {
			return nil, err
		}
		return d.str(n)
	case 0xdc, 0xdd:
		n, err := d.uint(2 << (c - 0xdc))
		if err != nil {
			return nil, err
		}
		return d.list(n, depth)
	case 0xde, 0xdf:
		n, err := d.uint(2 << (c - 0xde))
		if err != nil {
			return nil, err
		}
		return d.dict(n, depth)
	case 0xc7, 0xc8, 0xc9, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8:
		var n uint64
		var err error
		if c >= 0xd4 {
			n = 1 << (c - 0xd4)
		} else if n, err = d.uint(1 << (c - 0xc7)); err != nil {
			return nil, err
		}
		typ, err := d.take(1)
		if err != nil {
			return nil, err
		}
		data, err := d.take(n)
		if err != nil {
			return nil, err
		}
		return msgpackExt(int8(typ[0]), data)
	}
	return nil, fmt.Errorf("%w: msgpack: invalid type byte %#02x", serializer.ErrMalformed, c)
}

func (d *msgpackDecoder) str(n uint64) (serializer.Value, error) {
	s, err := d.take(n)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(s) {
		return nil, fmt.Errorf("%w: msgpack: str is not valid UTF-8 (UnicodeDecodeError)", serializer.ErrMalformed)
	}
	return serializer.Str(s), nil
}

func (d *msgpackDecoder) enter(n, minItemSize uint64, depth int) error {
	if depth >= msgpackUnpackDepth {
		return fmt.Errorf("%w: msgpack: containers nested deeper than %d", serializer.ErrTooLarge, msgpackUnpackDepth)
	}
	if n > uint64(len(d.b)-d.p)/minItemSize {
		return d.incomplete()
	}
	return nil
}

func (d *msgpackDecoder) list(n uint64, depth int) (serializer.Value, error) {
	if err := d.enter(n, 1, depth); err != nil {
		return nil, err
	}
	out := make(serializer.List, 0, n)
	for i := uint64(0); i < n; i++ {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (d *msgpackDecoder) dict(n uint64, depth int) (serializer.Value, error) {
	if err := d.enter(n, 2, depth); err != nil {
		return nil, err
	}
	out := serializer.NewDict(int(n))
	for i := uint64(0); i < n; i++ {
		k, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		switch k.(type) {
		case serializer.Str, serializer.Bytes:
		default:
			return nil, fmt.Errorf("%w: msgpack: %s is not allowed for map key when strict_map_key=True", serializer.ErrMalformed, k.Kind())
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := out.Set(k, v); err != nil {
			return nil, fmt.Errorf("%w: msgpack: %v", serializer.ErrMalformed, err)
		}
	}
	return out, nil
}
