package zlibx

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"
)

// Reasons for a CorruptError, in zlib's words where zlib has them (Python
// prints them in its zlib.error messages).
const (
	reasonTruncated = "incomplete or truncated stream"
	reasonHeader    = "incorrect header check"
	reasonMethod    = "unknown compression method"
	reasonWindow    = "invalid window size"
	reasonDict      = "preset dictionary not supported"
	reasonBlockType = "invalid block type"
	reasonStored    = "invalid stored block lengths"
	reasonTooMany   = "too many length or distance symbols"
	reasonCodeLens  = "invalid code lengths set"
	reasonRepeat    = "invalid bit length repeat"
	reasonNoEOB     = "invalid code -- missing end-of-block"
	reasonLitLens   = "invalid literal/lengths set"
	reasonDistLens  = "invalid distances set"
	reasonLitCode   = "invalid literal/length code"
	reasonDistCode  = "invalid distance code"
	reasonTooFar    = "invalid distance too far back"
	reasonCheck     = "incorrect data check"
)

// decoder holds the tables of a dynamic block, kept in a pool so that
// Inflate allocates nothing but its output.
type decoder struct {
	lit, dist, codeLen huffTable
	lens               [numLitLen + numDist]uint8
	buckets            [(maxCodeLen + 1) * bucketCap]uint16 // dynamic's symbols by code length
	litEntries         [litEntries]uint32
	distEntries        [distEntries]uint32
	codeEntries        [codeEntries]uint32
}

// bucketCap is the room for one code length in decoder.buckets: every
// symbol of both codes, rounded up to a power of two.
const bucketCap = 512

var decoders = sync.Pool{New: func() any { return newDecoder() }}

func newDecoder() *decoder {
	d := new(decoder)
	d.lit.entries = d.litEntries[:]
	d.dist.entries = d.distEntries[:]
	d.codeLen.entries = d.codeEntries[:]
	return d
}

// inflater is the state of one Inflate call.
type inflater struct {
	src   []byte
	ip    int    // next byte of src to load; passes len(src) once zeros are padded in
	bits  uint64 // bit buffer, next bit lowest
	nbits uint   // valid bits in bits (padding included)
	out   []byte // the output; len(out) == capacity usable within the limit
	op    int    // bytes written to out
	base  int    // len(dst): where this stream's output starts
	max   int    // base + limit: op never passes it
	limit int
	dec   *decoder
}

// Inflate decodes the zlib stream (RFC 1950, RFC 1951) at the start of src
// and appends what it inflates to to dst, returning the extended slice.
//
// The stream must be complete: a valid two-byte header without a preset
// dictionary, deflate blocks up to the final one, and the matching
// Adler-32 checksum. Bytes after the checksum are ignored, as Python's
// zlib.decompress ignores them. Inflate fails with an error matching
// ErrCorrupt (a *CorruptError) for any invalid or truncated stream, and
// with ErrTooLarge as soon as the output would pass limit bytes (not
// counting len(dst)), whatever the stream declares: the buffers it has
// allocated by then add up to at most about twice the limit. A negative
// limit means no limit, for trusted input only. On error Inflate returns
// dst itself (its spare capacity may have been written).
//
// Inflate is safe for concurrent use and allocates nothing but the output
// buffer, which grows by doubling from three times len(src) (nothing at
// all when dst has room for the output and 266 bytes more, the slack its
// fast loop writes in).
func Inflate(dst, src []byte, limit int) ([]byte, error) {
	return inflate(dst, src, limit, nil)
}

// A Tables holds the decoding tables of dynamic blocks for Tables.Inflate,
// which a caller keeping its own per-call state (in a pool of its own, say)
// can hold there instead of Inflate taking them from a pool of this
// package's on every call. A Tables must not be used by two calls at once.
type Tables struct{ d *decoder }

// NewTables returns decoding tables for Tables.Inflate.
func NewTables() *Tables { return &Tables{d: newDecoder()} }

// Inflate is Inflate with the tables t.
func (t *Tables) Inflate(dst, src []byte, limit int) ([]byte, error) {
	return inflate(dst, src, limit, t.d)
}

// inflate is Inflate, with the tables dec or, when dec is nil, tables from
// the pool once a dynamic block needs them.
func inflate(dst, src []byte, limit int, dec *decoder) ([]byte, error) {
	if limit < 0 {
		limit = math.MaxInt
	}
	f := inflater{src: src, base: len(dst), max: math.MaxInt, limit: limit, dec: dec}
	if limit <= math.MaxInt-len(dst) {
		f.max = len(dst) + limit
	}
	if len(src) < 2 {
		return dst, &CorruptError{Offset: len(src), Reason: reasonTruncated}
	}
	switch {
	case (uint(src[0])<<8|uint(src[1]))%31 != 0:
		return dst, &CorruptError{Offset: 0, Reason: reasonHeader}
	case src[0]&0x0f != 8:
		return dst, &CorruptError{Offset: 0, Reason: reasonMethod}
	case src[0]>>4 > 7:
		return dst, &CorruptError{Offset: 0, Reason: reasonWindow}
	case src[1]&0x20 != 0:
		return dst, &CorruptError{Offset: 1, Reason: reasonDict}
	}
	f.ip = 2

	// Room for what most payloads inflate to; more is added by doubling.
	buf := dst
	if want := min(3*len(src)+64, limit); cap(buf)-len(buf) < want {
		buf = make([]byte, len(dst), len(dst)+want)
		copy(buf, dst)
	}
	f.out = buf[:min(cap(buf), f.max)]
	f.op = len(buf)

	err := f.blocks()
	if f.dec != nil && dec == nil {
		decoders.Put(f.dec)
	}
	if err != nil {
		return dst, err
	}
	// The checksum starts at the next byte boundary.
	f.drop(f.nbits & 7)
	p := f.ip - int(f.nbits/8)
	if p > len(src)-4 {
		return dst, &CorruptError{Offset: len(src), Reason: reasonTruncated}
	}
	out := f.out[:f.op]
	if binary.BigEndian.Uint32(src[p:]) != adler32(out[f.base:]) {
		return dst, &CorruptError{Offset: p, Reason: reasonCheck}
	}
	return out, nil
}

// blocks decodes deflate blocks up to and including the final one.
func (f *inflater) blocks() error {
	for {
		hdr := f.take(3)
		var err error
		switch hdr >> 1 {
		case 0:
			err = f.stored()
		case 1:
			err = f.codes(fixedLit, fixedDist)
		case 2:
			if f.dec == nil {
				f.dec = decoders.Get().(*decoder)
			}
			if err = f.dynamic(f.dec); err == nil {
				err = f.codes(&f.dec.lit, &f.dec.dist)
			}
		default:
			err = f.corrupt(reasonBlockType)
		}
		if err != nil {
			return err
		}
		if hdr&1 != 0 {
			return nil
		}
	}
}

// refill puts at least 56 bits in the bit buffer, padding with zero bytes
// past the end of the input (truncated reports their use).
func (f *inflater) refill() {
	f.ip, f.bits, f.nbits = refill(f.src, f.ip, f.bits, f.nbits)
}

// take consumes and returns the next n (≤ 32) bits.
func (f *inflater) take(n uint) uint64 {
	if f.nbits < n {
		f.refill()
	}
	v := f.bits & (1<<n - 1)
	f.bits >>= n
	f.nbits -= n
	return v
}

func (f *inflater) drop(n uint) {
	f.bits >>= n
	f.nbits -= n
}

// truncated reports whether bits past the end of the input were consumed.
func (f *inflater) truncated() bool {
	return f.ip > len(f.src) && uint(f.ip-len(f.src))*8 > f.nbits
}

// corrupt returns the error for the stream being invalid at the current
// bit. If the decoder has read past the end of the input the stream is
// reported as truncated instead, as zlib would have stopped for more
// input before finding the problem.
func (f *inflater) corrupt(reason string) error {
	if f.truncated() {
		return &CorruptError{Offset: len(f.src), Reason: reasonTruncated}
	}
	off := (f.ip*8 - int(f.nbits)) / 8
	return &CorruptError{Offset: min(off, len(f.src)), Reason: reason}
}

// grow makes room for n more bytes of output at f.op, or fails if that
// passes the limit.
func (f *inflater) grow(n int) error {
	if f.truncated() {
		return f.corrupt(reasonTruncated)
	}
	if n > f.max-f.op {
		return fmt.Errorf("%w: inflates to more than %d bytes", ErrTooLarge, f.limit)
	}
	f.reserve(n)
	return nil
}

// reserve grows the output, within the limit, so that n more bytes fit
// if the limit allows. The room doubles, except that once it would pass
// half the limit it goes to the limit at once: all the buffers allocated
// then add up to at most twice the limit.
func (f *inflater) reserve(n int) {
	room := len(f.out) - f.base
	limit := f.max - f.base
	next := 2 * room
	if room > limit/4 {
		next = limit
	}
	want := f.base + min(max(next, f.op-f.base+n, 256), limit)
	if want > len(f.out) {
		b := make([]byte, want)
		copy(b, f.out[:f.op])
		f.out = b
	}
}

// stored copies a stored block.
func (f *inflater) stored() error {
	f.drop(f.nbits & 7)
	p := f.ip - int(f.nbits/8)
	f.bits, f.nbits, f.ip = 0, 0, p
	src := f.src
	if p < 0 || p > len(src)-4 {
		return &CorruptError{Offset: len(src), Reason: reasonTruncated}
	}
	n := int(binary.LittleEndian.Uint16(src[p:]))
	if uint16(n) != ^binary.LittleEndian.Uint16(src[p+2:]) {
		return &CorruptError{Offset: p, Reason: reasonStored}
	}
	p += 4
	f.ip = p
	if n > len(src)-p {
		return &CorruptError{Offset: len(src), Reason: reasonTruncated}
	}
	if n > len(f.out)-f.op {
		if err := f.grow(n); err != nil {
			return err
		}
	}
	f.op += copy(f.out[f.op:], src[p:p+n])
	f.ip = p + n
	return nil
}
