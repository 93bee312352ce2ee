package serializer

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"sync"
)

// pickleEncoder writes a pickle the way CPython's C pickler (_pickle.c)
// does: save() is called for the same objects in the same order, opcode
// boundaries (where a protocol 4+ frame may close) fall at the same places,
// and the memo records the objects CPython would consider distinct (see
// Pickle for the identity rules).
type pickleEncoder struct {
	buf        []byte
	proto      int
	framing    bool
	frameStart int // where the open frame's header is reserved; -1: none
	memoLen    int
	memo       []pkMemoEntry     // shared objects, while few
	memoMap    map[pkMemoKey]int // shared objects, once many
	maxDepth   int
	depth      int
	p          Pickle
	onStack    map[*Object]bool // objects being written (a cycle through arguments)
}

// pkMemoKey identifies an object that may be written more than once.
type pkMemoKey struct {
	ns   uint8
	a, b string
	n, m int64
	p    any
}

// The namespaces of pkMemoKey.
const (
	pkNSChar     uint8 = iota + 1 // '' and one-character str below U+0100 (CPython singletons)
	pkNSKey                       // str dict keys, shared when equal
	pkNSByte                      // b'' and one-byte bytes (singletons)
	pkNSModule                    // a module name string in STACK_GLOBAL
	pkNSGlobal                    // a class or function
	pkNSConst                     // a str constant of CPython's ("latin1", "int")
	pkNSPtr                       // a *Dict, *Object or *TZInfo
	pkNSUTC                       // datetime.timezone.utc
	pkNSPytzUTC                   // pytz.utc
	pkNSPytz                      // a pytz zone (name, offset, dst, abbreviation)
	pkNSPytzZone                  // the zone name string of pytz zones
	pkNSZoneInfo                  // a zoneinfo zone
	pkNSSlice                     // a list, tuple, set, frozenset, bytes or bytearray: its backing array and length
)

// pkSliceKey is the identity of a non-empty slice value: values that share
// their first element's address and their length are one object (what a
// GET decodes to).
func pkSliceKey[T any](s []T) *pkMemoKey {
	if len(s) == 0 {
		return nil
	}
	return &pkMemoKey{ns: pkNSSlice, p: &s[0], n: int64(len(s))}
}

// memoGetKey is memoGet for a key that may be nil (no identity).
func (e *pickleEncoder) memoGetKey(key *pkMemoKey) bool {
	return key != nil && e.memoGet(key)
}

type pkMemoEntry struct {
	key pkMemoKey
	idx int
}

var pickleEncoderPool = sync.Pool{New: func() any { return &pickleEncoder{buf: make([]byte, 0, 256)} }}

func newPickleEncoder(p Pickle, proto int) *pickleEncoder {
	e := pickleEncoderPool.Get().(*pickleEncoder)
	e.proto = proto
	e.p = p
	e.maxDepth = p.maxDepth()
	e.frameStart = -1
	return e
}

func (e *pickleEncoder) release() {
	buf := e.buf[:0]
	memo := e.memo[:0]
	clear(e.memo[:cap(e.memo)])
	big := cap(buf) > 1<<16 || cap(memo) > 256
	*e = pickleEncoder{buf: buf, memo: memo}
	if !big {
		pickleEncoderPool.Put(e)
	}
}

func (e *pickleEncoder) encode(v Value) ([]byte, error) {
	e.buf = append(e.buf, pkProto, byte(e.proto))
	e.framing = e.proto >= 4
	if err := e.save(v); err != nil {
		return nil, err
	}
	e.write(pkStop)
	e.commitFrame()
	return append([]byte(nil), e.buf...), nil
}

// write appends opcodes and arguments, opening a frame when one is due.
func (e *pickleEncoder) write(b ...byte) {
	e.openFrame()
	e.buf = append(e.buf, b...)
}

func (e *pickleEncoder) writeString(s string) {
	e.openFrame()
	e.buf = append(e.buf, s...)
}

func (e *pickleEncoder) openFrame() {
	if e.framing && e.frameStart < 0 {
		e.frameStart = len(e.buf)
		e.buf = append(e.buf, make([]byte, pkFrameHeader)...)
	}
}

// commitFrame closes the open frame: it gets its FRAME header, unless it is
// too short to deserve one.
func (e *pickleEncoder) commitFrame() {
	if !e.framing || e.frameStart < 0 {
		return
	}
	n := len(e.buf) - e.frameStart - pkFrameHeader
	if n >= pkFrameMin {
		e.buf[e.frameStart] = pkFrame
		binary.LittleEndian.PutUint64(e.buf[e.frameStart+1:], uint64(n))
	} else {
		copy(e.buf[e.frameStart:], e.buf[e.frameStart+pkFrameHeader:])
		e.buf = e.buf[:len(e.buf)-pkFrameHeader]
	}
	e.frameStart = -1
}

// boundary is where CPython's save() begins: the open frame closes there
// once it holds pkFrameTarget bytes.
func (e *pickleEncoder) boundary() {
	if e.framing && e.frameStart >= 0 && len(e.buf)-e.frameStart-pkFrameHeader >= pkFrameTarget {
		e.commitFrame()
	}
}

// writeLarge writes an opcode with its payload. A payload of pkFrameTarget
// bytes or more goes outside any frame.
func (e *pickleEncoder) writeLarge(header []byte, payload string) {
	if !e.framing || len(payload) < pkFrameTarget {
		e.write(header...)
		e.writeString(payload)
		return
	}
	e.commitFrame()
	e.buf = append(e.buf, header...)
	e.buf = append(e.buf, payload...)
}

// memoPut records the object just written under the next memo index; key
// says which later occurrences are the same object (nil: none).
func (e *pickleEncoder) memoPut(key *pkMemoKey) {
	idx := e.memoLen
	e.memoLen++
	switch {
	case e.proto >= 4:
		e.write(pkMemoize)
	case idx < 256:
		e.write(pkBinPut, byte(idx))
	default:
		e.write(pkLongBinPut, byte(idx), byte(idx>>8), byte(idx>>16), byte(idx>>24))
	}
	if key == nil {
		return
	}
	if e.memoMap != nil {
		e.memoMap[*key] = idx
		return
	}
	e.memo = append(e.memo, pkMemoEntry{*key, idx})
	if len(e.memo) > 32 {
		e.memoMap = make(map[pkMemoKey]int, 2*len(e.memo))
		for _, m := range e.memo {
			e.memoMap[m.key] = m.idx
		}
	}
}

// memoLookup returns the memo index of key's object, or -1.
func (e *pickleEncoder) memoLookup(key *pkMemoKey) int {
	if e.memoMap != nil {
		if i, ok := e.memoMap[*key]; ok {
			return i
		}
		return -1
	}
	for _, m := range e.memo {
		if m.key == *key {
			return m.idx
		}
	}
	return -1
}

// memoGet writes a GET of key's object and reports whether there was one.
func (e *pickleEncoder) memoGet(key *pkMemoKey) bool {
	idx := e.memoLookup(key)
	if idx < 0 {
		return false
	}
	if idx < 256 {
		e.write(pkBinGet, byte(idx))
	} else {
		e.write(pkLongBinGet, byte(idx), byte(idx>>8), byte(idx>>16), byte(idx>>24))
	}
	return true
}

func (e *pickleEncoder) enter() error {
	if e.depth >= e.maxDepth {
		return pickleMarshalTooDeep(e.maxDepth)
	}
	e.depth++
	return nil
}

func (e *pickleEncoder) leave() { e.depth-- }

func pkUnsupported(format string, args ...any) error {
	return fmt.Errorf("%w: pickle: %s", ErrUnsupported, fmt.Sprintf(format, args...))
}

// save writes one value, as CPython's save().
func (e *pickleEncoder) save(v Value) error {
	e.boundary()
	switch x := v.(type) {
	case None:
		e.write(pkNone)
	case Bool:
		if x {
			e.write(pkNewTrue)
		} else {
			e.write(pkNewFalse)
		}
	case Int:
		e.saveInt(int64(x))
	case BigInt:
		if x.V == nil {
			e.saveInt(0)
		} else if x.V.IsInt64() {
			e.saveInt(x.V.Int64())
		} else {
			e.saveLong(pkLongBytes(x.V))
		}
	case Float:
		var b [9]byte
		b[0] = pkBinFloat
		binary.BigEndian.PutUint64(b[1:], math.Float64bits(float64(x)))
		e.write(b[:]...)
	case Str:
		return e.saveStr(string(x), false)
	case Bytes:
		return e.saveBytes(string(x), false, pkSliceKey(x))
	case ByteArray:
		return e.saveByteArray(string(x), pkSliceKey(x))
	case List:
		return e.saveList(x, pkSliceKey(x))
	case Tuple:
		return e.saveTuple(x, pkSliceKey(x))
	case Set:
		return e.saveSet(x, false, pkSliceKey(x))
	case FrozenSet:
		return e.saveSet(x, true, pkSliceKey(x))
	case *Dict:
		return e.saveDict(x)
	case DateTime:
		return e.saveDateTime(x)
	case Date:
		return e.saveDate(x)
	case Time:
		return e.saveTime(x)
	case TimeDelta:
		return e.saveTimeDelta(x)
	case Decimal:
		return e.saveDecimal(x)
	case UUID:
		return e.saveUUID(x)
	case *Object:
		return e.saveObject(x)
	case nil:
		return pkUnsupported("nil Value")
	default:
		return pkUnsupported("a %T", v)
	}
	return nil
}

// saveInt writes an int as CPython's save_long: BININT1, BININT2 or BININT
// within 32 bits, else LONG1.
func (e *pickleEncoder) saveInt(x int64) {
	if x >= math.MinInt32 && x <= math.MaxInt32 {
		u := uint32(x)
		switch {
		case u>>16 != 0:
			e.write(pkBinInt, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
		case u>>8 != 0:
			e.write(pkBinInt2, byte(u), byte(u>>8))
		default:
			e.write(pkBinInt1, byte(u))
		}
		return
	}
	var b [9]byte
	for i := range b[:8] {
		b[i] = byte(x >> (8 * i))
	}
	// Python's minimal two's complement: one byte more than the magnitude
	// needs, less a redundant sign byte.
	mag := uint64(x)
	if x < 0 {
		mag = -mag
	}
	n := (64-bits.LeadingZeros64(mag))/8 + 1
	if x < 0 {
		for i := 8; i < n; i++ {
			b[i] = 0xFF
		}
		if n > 1 && b[n-1] == 0xFF && b[n-2]&0x80 != 0 {
			n--
		}
	}
	e.saveLong(b[:n])
}

// pkLongBytes is x in minimal little-endian two's complement, as CPython's
// save_long makes it.
func pkLongBytes(x *big.Int) []byte {
	n := x.BitLen()/8 + 1
	var v *big.Int
	if x.Sign() < 0 {
		v = new(big.Int).Lsh(big.NewInt(1), uint(8*n))
		v.Add(v, x)
	} else {
		v = x
	}
	be := v.FillBytes(make([]byte, n))
	b := make([]byte, n)
	for i := range be {
		b[n-1-i] = be[i]
	}
	if x.Sign() < 0 && n > 1 && b[n-1] == 0xFF && b[n-2]&0x80 != 0 {
		b = b[:n-1]
	}
	return b
}

func (e *pickleEncoder) saveLong(b []byte) {
	if len(b) < 256 {
		e.write(pkLong1, byte(len(b)))
	} else {
		n := uint32(len(b))
		e.write(pkLong4, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	}
	e.write(b...)
}

// pkSingletonStr reports whether CPython keeps one object for every str
// equal to s: the empty str and one character below U+0100.
func pkSingletonStr(s string) bool {
	switch len(s) {
	case 0:
		return true
	case 1:
		return s[0] < 0x80
	case 2:
		return (s[0] == 0xC2 || s[0] == 0xC3) && s[1] >= 0x80 && s[1] <= 0xBF
	}
	return false
}

// saveStr writes a str; isKey says it is a dict key (see Pickle).
func (e *pickleEncoder) saveStr(s string, isKey bool) error {
	var key *pkMemoKey
	switch {
	case pkSingletonStr(s):
		key = &pkMemoKey{ns: pkNSChar, a: s}
	case isKey:
		key = &pkMemoKey{ns: pkNSKey, a: s}
	}
	if key != nil && e.memoGet(key) {
		return nil
	}
	if !pkValidStr(s) {
		return pkUnsupported("str is not UTF-8: %q", s)
	}
	e.writeStrData(s)
	e.memoPut(key)
	return nil
}

// saveConstStr writes a str that is one object inside CPython (an interned
// identifier such as "latin1"), under its own namespace.
func (e *pickleEncoder) saveConstStr(ns uint8, s string) {
	e.boundary()
	key := &pkMemoKey{ns: ns, a: s}
	if e.memoGet(key) {
		return
	}
	e.writeStrData(s)
	e.memoPut(key)
}

// saveNewStr writes a str that is a new object.
func (e *pickleEncoder) saveNewStr(s string) error {
	e.boundary()
	return e.saveStr(s, false)
}

func (e *pickleEncoder) writeStrData(s string) {
	n := uint64(len(s))
	switch {
	case n <= 0xFF && e.proto >= 4:
		e.writeLarge([]byte{pkShortBinUnicode, byte(n)}, s)
	case n <= 0xFFFFFFFF:
		e.writeLarge([]byte{pkBinUnicode, byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}, s)
	default:
		h := []byte{pkBinUnicode8, 0, 0, 0, 0, 0, 0, 0, 0}
		binary.LittleEndian.PutUint64(h[1:], n)
		e.writeLarge(h, s)
	}
}

// saveBytes writes a bytes object; fresh says it is a new object even when
// CPython would otherwise share it (the bytes a bytearray reduces to), and
// ident is its identity (nil: none).
func (e *pickleEncoder) saveBytes(s string, fresh bool, ident *pkMemoKey) error {
	var key *pkMemoKey
	switch {
	case fresh:
	case len(s) <= 1:
		key = &pkMemoKey{ns: pkNSByte, a: s}
	default:
		key = ident
	}
	if e.memoGetKey(key) {
		return nil
	}
	if e.proto < 3 {
		// Protocol 2 has no bytes opcode: CPython writes bytes() or
		// _codecs.encode(s.decode("latin1"), "latin1").
		if len(s) == 0 {
			if err := e.saveGlobal("builtins", "bytes"); err != nil {
				return err
			}
			e.boundary()
			e.write(pkEmptyTuple)
		} else {
			if err := e.saveGlobal("_codecs", "encode"); err != nil {
				return err
			}
			e.boundary()
			text := make([]byte, 0, 2*len(s))
			for i := 0; i < len(s); i++ {
				text = pkAppendCodePoint(text, rune(s[i]))
			}
			if err := e.saveNewStr(string(text)); err != nil {
				return err
			}
			e.saveConstStr(pkNSConst, "latin1")
			e.write(pkTuple2)
			e.memoPut(nil)
		}
		e.write(pkReduce)
		e.memoPut(key)
		return nil
	}
	n := uint64(len(s))
	switch {
	case n <= 0xFF:
		e.writeLarge([]byte{pkShortBinBytes, byte(n)}, s)
	case n <= 0xFFFFFFFF:
		e.writeLarge([]byte{pkBinBytes, byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}, s)
	default:
		h := []byte{pkBinBytes8, 0, 0, 0, 0, 0, 0, 0, 0}
		binary.LittleEndian.PutUint64(h[1:], n)
		e.writeLarge(h, s)
	}
	e.memoPut(key)
	return nil
}

func (e *pickleEncoder) saveByteArray(s string, key *pkMemoKey) error {
	if e.memoGetKey(key) {
		return nil
	}
	if e.proto >= 5 {
		h := []byte{pkByteArray8, 0, 0, 0, 0, 0, 0, 0, 0}
		binary.LittleEndian.PutUint64(h[1:], uint64(len(s)))
		e.writeLarge(h, s)
		e.memoPut(key)
		return nil
	}
	// bytearray() or bytearray(bytes(b)), reduced.
	if err := e.saveGlobal("builtins", "bytearray"); err != nil {
		return err
	}
	e.boundary()
	if len(s) == 0 {
		e.write(pkEmptyTuple)
	} else {
		e.boundary()
		if err := e.saveBytes(s, true, nil); err != nil {
			return err
		}
		e.write(pkTuple1)
		e.memoPut(nil)
	}
	e.write(pkReduce)
	e.memoPut(key)
	return nil
}
