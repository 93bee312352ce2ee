package cachevalue

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/djangosess/djangosess/serializer"
)

// msgpack's extension types, as msgpack-python (which django-redis's
// MSGPackSerializer calls with raw=False) gives them: type -1 is a
// msgpack.ext.Timestamp, types 0 to 127 a msgpack.ext.ExtType(code, data),
// any other type a ValueError. Both are Objects as pickle's reduce
// protocol describes them (and as Python's own pickle of them holds):
// ExtType, a namedtuple, is cls.__new__(cls, code, data); Timestamp, a
// class with __slots__, is cls.__new__(cls) with the state (None,
// {"seconds": s, "nanoseconds": ns}). Encode writes them back as
// msgpack-python's Packer does.

const msgpackExtModule = "msgpack.ext"

// msgpackExt decodes the data of an extension of type typ.
func msgpackExt(typ int8, data []byte) (serializer.Value, error) {
	switch {
	case typ == -1:
		var sec int64
		var nsec uint64
		switch len(data) {
		case 4:
			sec = int64(binary.BigEndian.Uint32(data))
		case 8:
			d := binary.BigEndian.Uint64(data)
			sec, nsec = int64(d&0x3FFFFFFFF), d>>34
		case 12:
			nsec, sec = uint64(binary.BigEndian.Uint32(data)), int64(binary.BigEndian.Uint64(data[4:]))
		default:
			return nil, fmt.Errorf("%w: msgpack: a Timestamp of %d bytes (ValueError)", serializer.ErrMalformed, len(data))
		}
		if nsec >= 1e9 {
			return nil, fmt.Errorf("%w: msgpack: Timestamp nanoseconds out of range (ValueError)", serializer.ErrMalformed)
		}
		return &serializer.Object{Module: msgpackExtModule, Name: "Timestamp", Build: serializer.BuildNewObj, Args: serializer.Tuple{},
			State: serializer.Tuple{serializer.None{}, serializer.DictOf("seconds", serializer.Int(sec), "nanoseconds", serializer.Int(int64(nsec)))}}, nil
	case typ < 0:
		return nil, fmt.Errorf("%w: msgpack: extension type %d: ExtType code must be 0~127 (ValueError)", serializer.ErrMalformed, typ)
	}
	return &serializer.Object{Module: msgpackExtModule, Name: "ExtType", Build: serializer.BuildNewObj,
		Args: serializer.Tuple{serializer.Int(typ), serializer.Bytes(append([]byte{}, data...))}}, nil
}

// appendMsgpackExt writes an ExtType or a Timestamp Object, in the form
// msgpackExt gives them; ok is false for any other Object.
func appendMsgpackExt(b []byte, o *serializer.Object) (out []byte, ok bool, err error) {
	if o.Module != msgpackExtModule || o.Build != serializer.BuildNewObj || o.Kwargs != nil ||
		len(o.ListItems) != 0 || len(o.DictItems) != 0 {
		return nil, false, nil
	}
	switch o.Name {
	case "ExtType":
		if len(o.Args) != 2 || o.State != nil {
			return nil, false, nil
		}
		code, cok := o.Args[0].(serializer.Int)
		data, dok := o.Args[1].(serializer.Bytes)
		if !cok || !dok || code < 0 || code > 127 {
			return nil, false, nil
		}
		return append(msgpackExtHeader(b, int8(code), len(data)), data...), true, nil
	case "Timestamp":
		st, _ := o.State.(serializer.Tuple)
		if len(o.Args) != 0 || len(st) != 2 || st[0] != (serializer.None{}) {
			return nil, false, nil
		}
		slots, _ := st[1].(*serializer.Dict)
		if slots == nil || slots.Len() != 2 {
			return nil, false, nil
		}
		sec, sok := slots.Int64("seconds")
		ns, nok := slots.Int64("nanoseconds")
		if !sok || !nok || ns < 0 || ns >= 1e9 {
			return nil, false, nil
		}
		var data []byte
		switch {
		case sec>>34 == 0 && ns == 0 && sec <= math.MaxUint32:
			data = binary.BigEndian.AppendUint32(nil, uint32(sec))
		case sec>>34 == 0:
			data = binary.BigEndian.AppendUint64(nil, uint64(ns)<<34|uint64(sec))
		default:
			data = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint32(nil, uint32(ns)), uint64(sec))
		}
		return append(msgpackExtHeader(b, -1, len(data)), data...), true, nil
	}
	return nil, false, nil
}

// msgpackExtHeader is the Packer's header for n bytes of type typ: fixext
// for 1, 2, 4, 8 and 16 bytes, else ext 8, 16 or 32.
func msgpackExtHeader(b []byte, typ int8, n int) []byte {
	switch n {
	case 1:
		return append(b, 0xd4, byte(typ))
	case 2:
		return append(b, 0xd5, byte(typ))
	case 4:
		return append(b, 0xd6, byte(typ))
	case 8:
		return append(b, 0xd7, byte(typ))
	case 16:
		return append(b, 0xd8, byte(typ))
	}
	switch {
	case n <= math.MaxUint8:
		b = append(b, 0xc7, byte(n))
	case n <= math.MaxUint16:
		b = binary.BigEndian.AppendUint16(append(b, 0xc8), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, 0xc9), uint32(n))
	}
	return append(b, byte(typ))
}
