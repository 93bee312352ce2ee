package signing

import (
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/djangosess/djangosess/internal/zlibx"
	"github.com/djangosess/djangosess/serializer"
)

// The object methods are Django's sign_object / unsign_object (3.2+; the
// same format as dumps/loads since 1.4): the serializer's bytes, zlib
// compressed when asked and when that saves at least two bytes, base64
// (with a "." in front when compressed), then signed.
//
// Reading verifies the signature (and the age) first; only then is the
// payload decoded, inflated (up to Config.MaxDecompressed bytes) and
// unmarshaled.

// SignObject serializes v with Config.Serializer, optionally compresses it,
// and signs the base64 of the result (Django's Signer.sign_object; no
// timestamp). Serializer errors are returned wrapped.
func (s *Signer) SignObject(v serializer.Value, compress bool) (string, error) {
	return s.c.signObject(v, compress, "")
}

// UnsignObject verifies signed and decodes the object it holds. Errors: those
// of Unsign, then ErrMalformed (bad base64, a zlib stream that does not
// inflate, or a payload the serializer rejects, also matching the
// serializer's errors) and ErrTooLarge.
func (s *Signer) UnsignObject(signed string) (serializer.Value, error) {
	v, _, err := s.VerifyObject(signed)
	return v, err
}

// VerifyObject is UnsignObject, also reporting which key and algorithm
// matched (Verified.Value is the signed base64 payload).
func (s *Signer) VerifyObject(signed string) (serializer.Value, Verified, error) {
	ver, err := s.c.verify(signed)
	if err != nil {
		return nil, Verified{}, err
	}
	v, err := s.c.decodeObject(ver.Value)
	if err != nil {
		return nil, Verified{}, err
	}
	return v, ver, nil
}

// SignObject is SignObjectAt with the current time: Django's
// TimestampSigner.sign_object, and dumps.
func (s *TimestampSigner) SignObject(v serializer.Value, compress bool) (string, error) {
	return s.SignObjectAt(v, compress, unixSeconds(s.now()))
}

// SignObjectAt serializes v, optionally compresses it, and signs the base64
// of the result with the timestamp ts (Unix seconds).
func (s *TimestampSigner) SignObjectAt(v serializer.Value, compress bool, ts int64) (string, error) {
	var b [12]byte
	return s.c.signObject(v, compress, string(appendB62(b[:0], ts)))
}

// UnsignObject verifies signed, whatever its age, and decodes the object it
// holds. Errors are those of Unsign and Signer.UnsignObject.
func (s *TimestampSigner) UnsignObject(signed string) (serializer.Value, error) {
	v, _, err := s.verifyObject(signed, false, 0)
	return v, err
}

// UnsignObjectMaxAge is UnsignObject that also fails with an *ExpiredError
// when the value was signed more than maxAge ago (see UnsignMaxAge). The
// payload is not decoded when the signature or the age is bad.
func (s *TimestampSigner) UnsignObjectMaxAge(signed string, maxAge time.Duration) (serializer.Value, error) {
	v, _, err := s.verifyObject(signed, true, maxAge)
	return v, err
}

// VerifyObject is UnsignObject, also reporting the timestamp and which key
// and algorithm matched (Verified.Value is the signed base64 payload).
func (s *TimestampSigner) VerifyObject(signed string) (serializer.Value, Verified, error) {
	return s.verifyObject(signed, false, 0)
}

// VerifyObjectMaxAge is UnsignObjectMaxAge, also reporting the timestamp
// and which key and algorithm matched.
func (s *TimestampSigner) VerifyObjectMaxAge(signed string, maxAge time.Duration) (serializer.Value, Verified, error) {
	return s.verifyObject(signed, true, maxAge)
}

func (s *TimestampSigner) verifyObject(signed string, checkAge bool, maxAge time.Duration) (serializer.Value, Verified, error) {
	ver, err := s.verify(signed, checkAge, maxAge)
	if err != nil {
		return nil, Verified{}, err
	}
	v, err := s.c.decodeObject(ver.Value)
	if err != nil {
		return nil, Verified{}, err
	}
	return v, ver, nil
}

// signObject serializes v, compresses it when asked (and when that saves
// at least two bytes), and returns the signed string, as sign would for the
// payload "[.]" + b64(bytes), with the timestamp ts unless it is empty. The
// string is built in place: the payload is encoded into it and the
// signature computed over it.
func (c *core) signObject(v serializer.Value, compress bool, ts string) (string, error) {
	var data []byte
	var err error
	var mbuf *[]byte // the scratch buffer the serialized bytes are in, if any
	if am, ok := c.codec.(appendMarshaler); ok {
		mbuf = scratch.Get().(*[]byte)
		data, err = am.AppendMarshal((*mbuf)[:0], v)
	} else {
		data, err = c.codec.Marshal(v)
	}
	if err != nil {
		if mbuf != nil {
			scratch.Put(mbuf)
		}
		return "", fmt.Errorf("signing: %w", err)
	}
	payload, dot := data, 0
	var zbuf *[]byte // the scratch buffer the compressed bytes are in
	if compress {
		zbuf = scratch.Get().(*[]byte)
		z := zlibx.Deflate((*zbuf)[:0], data)
		*zbuf = z[:0]
		if len(z) < len(data)-1 {
			payload, dot = z, 1
		}
	}
	cd := c.cands[0]
	valueEnd := dot + base64.RawURLEncoding.EncodedLen(len(payload))
	signedEnd := valueEnd
	if ts != "" {
		signedEnd += len(c.sep) + len(ts)
	}
	out := make([]byte, signedEnd+len(c.sep)+cd.sigLen)
	if dot == 1 {
		out[0] = '.'
	}
	b64Encode(out[dot:valueEnd], payload)
	i := valueEnd
	if ts != "" {
		i += copy(out[i:], c.sep)
		i += copy(out[i:], ts)
	}
	i += copy(out[i:], c.sep)
	st := cd.pool.Get().(*macState)
	copy(out[i:], cd.mac(st, stringOf(out[:signedEnd]), "", ""))
	cd.pool.Put(st)
	if zbuf != nil && cap(*zbuf) <= maxScratch {
		scratch.Put(zbuf)
	}
	if mbuf != nil && cap(data) <= maxScratch {
		*mbuf = data[:0]
		scratch.Put(mbuf)
	}
	return stringOf(out), nil
}

// decodeObject decodes a verified payload.
func (c *core) decodeObject(payload string) (serializer.Value, error) {
	if len(payload) > 0 && payload[0] == '.' && copiesInput(c.codec) {
		return c.decodeCompressed(payload[1:])
	}
	var dst []byte
	var pooled *[]byte // the scratch buffer the payload's bytes go to, if any
	if copiesInput(c.codec) {
		pooled = scratch.Get().(*[]byte)
		dst = (*pooled)[:0]
	}
	data, err := c.payloadBytes(dst, payload)
	var v serializer.Value
	if err == nil {
		if v, err = c.codec.Unmarshal(data); err != nil {
			err = codecError(err)
		}
	}
	if pooled != nil && cap(data) <= maxScratch {
		*pooled = data[:0]
		scratch.Put(pooled)
	}
	return v, err
}

// payloadBytes appends to dst the serialized bytes a verified payload
// holds: its base64 decoded and, after a ".", inflated. On error it
// returns dst, possibly grown.
func (c *core) payloadBytes(dst []byte, payload string) ([]byte, error) {
	if len(payload) == 0 || payload[0] != '.' {
		return b64DecodeAppend(dst, payload)
	}
	buf := scratch.Get().(*[]byte)
	z, err := b64DecodeAppend((*buf)[:0], payload[1:])
	if err == nil {
		dst, err = inflate(dst, z, c.maxDecompressed)
	}
	if cap(z) <= maxScratch {
		*buf = z[:0]
		scratch.Put(buf)
	}
	return dst, err
}

// decodeCompressed is decodeObject for a compressed payload (without its
// ".") and a serializer that copies its input: the zlib bytes and what
// they inflate to go to one pooled pair of buffers.
func (c *core) decodeCompressed(payload string) (serializer.Value, error) {
	p := scratchPairs.Get().(*scratchPair)
	z, err := b64DecodeAppend(p.z[:0], payload)
	data := p.out[:0]
	if err == nil {
		data, err = inflateWith(p.tables, data, z, c.maxDecompressed)
	}
	var v serializer.Value
	if err == nil {
		if v, err = c.codec.Unmarshal(data); err != nil {
			err = codecError(err)
		}
	}
	if cap(z) <= maxScratch && cap(data) <= maxScratch {
		p.z, p.out = z[:0], data[:0]
		scratchPairs.Put(p)
	}
	return v, err
}

// scratchPair holds the buffers of decodeCompressed, and inflate tables,
// so that one pool serves the three.
type scratchPair struct {
	z, out []byte
	tables *zlibx.Tables
}

var scratchPairs = sync.Pool{New: func() any { return &scratchPair{tables: zlibx.NewTables()} }}

// appendMarshaler is a serializer that can write into a buffer of ours
// (serializer.JSON): signObject needs the bytes only until they are
// compressed or base64-encoded into the output.
type appendMarshaler interface {
	AppendMarshal(dst []byte, v serializer.Value) ([]byte, error)
}

// copiesInput reports whether the serializer's Unmarshal keeps no
// reference to its input: JSON's and Pickle's strings share a copy of it.
func copiesInput(c serializer.Codec) bool {
	switch c.(type) {
	case serializer.JSON, serializer.Pickle:
		return true
	}
	return false
}

// scratch holds buffers for compressed bytes, which inflate consumes and
// does not keep, and for inflated payloads that the serializer copies.
// Buffers larger than maxScratch are left to the garbage collector.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

const maxScratch = 64 << 10

// inflate appends to dst what the zlib stream z inflates to, failing with
// ErrTooLarge as soon as the output would exceed limit bytes (never
// allocating much more than that). Like Python's zlib.decompress it checks
// the Adler-32 checksum and ignores bytes after the end of the stream. On
// error it returns dst.
func inflate(dst, z []byte, limit int) ([]byte, error) {
	return inflateWith(nil, dst, z, limit)
}

// inflateWith is inflate with the tables t (nil: the pool's).
func inflateWith(t *zlibx.Tables, dst, z []byte, limit int) ([]byte, error) {
	var out []byte
	var err error
	if t != nil {
		out, err = t.Inflate(dst, z, limit)
	} else {
		out, err = zlibx.Inflate(dst, z, limit)
	}
	switch {
	case err == nil:
		return out, nil
	case errors.Is(err, zlibx.ErrTooLarge):
		return dst, fmt.Errorf("%w: payload inflates to more than %d bytes", ErrTooLarge, limit)
	}
	return dst, inflateError(err)
}

func inflateError(err error) error {
	return fmt.Errorf("%w: %w", ErrMalformed, err)
}
