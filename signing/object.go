package signing

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"time"

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
	payload, err := s.c.encodeObject(v, compress)
	if err != nil {
		return "", err
	}
	return s.c.sign(payload, ""), nil
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
	payload, err := s.c.encodeObject(v, compress)
	if err != nil {
		return "", err
	}
	return s.c.sign(payload, B62Encode(ts)), nil
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

// encodeObject returns the payload to sign for v.
func (c *core) encodeObject(v serializer.Value, compress bool) (string, error) {
	data, err := c.codec.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("signing: %w", err)
	}
	if compress {
		if z := deflate(data); len(z) < len(data)-1 {
			return "." + B64Encode(z), nil
		}
	}
	return B64Encode(data), nil
}

// decodeObject decodes a verified payload.
func (c *core) decodeObject(payload string) (serializer.Value, error) {
	var data []byte
	if len(payload) > 0 && payload[0] == '.' {
		buf := scratch.Get().(*[]byte)
		z, err := b64DecodeAppend((*buf)[:0], payload[1:])
		if err == nil {
			data, err = inflate(z, c.maxDecompressed)
		}
		if cap(z) <= maxScratch {
			*buf = z[:0]
			scratch.Put(buf)
		}
		if err != nil {
			return nil, err
		}
	} else {
		var err error
		if data, err = b64DecodeAppend(nil, payload); err != nil {
			return nil, err
		}
	}
	v, err := c.codec.Unmarshal(data)
	if err != nil {
		return nil, codecError(err)
	}
	return v, nil
}

// scratch holds buffers for compressed bytes, which inflate consumes and
// does not keep.
// Buffers larger than maxScratch are left to the garbage collector.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

const maxScratch = 64 << 10

// deflaters holds zlib writers at the default level, as zlib.compress uses.
var deflaters = sync.Pool{New: func() any { return zlib.NewWriter(nil) }}

func deflate(data []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(data)/2 + 64)
	zw := deflaters.Get().(*zlib.Writer)
	zw.Reset(&b)
	zw.Write(data) // a bytes.Buffer does not fail
	zw.Close()
	deflaters.Put(zw)
	return b.Bytes()
}

// inflater is a zlib reader kept for reuse with the reader it reads from.
type inflater struct {
	src bytes.Reader
	zr  io.ReadCloser // also a zlib.Resetter; nil until first used
}

var inflaters = sync.Pool{New: func() any { return new(inflater) }}

// inflate decompresses the zlib stream z, failing with ErrTooLarge as soon
// as the output would exceed limit bytes. Like Python's zlib.decompress it
// checks the Adler-32 checksum and ignores bytes after the end of the
// stream.
func inflate(z []byte, limit int) ([]byte, error) {
	inf := inflaters.Get().(*inflater)
	defer func() {
		inf.src.Reset(nil)
		inflaters.Put(inf)
	}()
	inf.src.Reset(z)
	if inf.zr == nil {
		zr, err := zlib.NewReader(&inf.src)
		if err != nil {
			return nil, inflateError(err)
		}
		inf.zr = zr
	} else if err := inf.zr.(zlib.Resetter).Reset(&inf.src, nil); err != nil {
		return nil, inflateError(err)
	}
	// Most payloads inflate to 2–6 times their size; grow by doubling past
	// that, never beyond limit+1 bytes.
	most := limit
	if most < math.MaxInt {
		most++ // room to see that the limit is exceeded
	}
	out := make([]byte, 0, min(most, 4*len(z)+256))
	for {
		if len(out) == cap(out) {
			if len(out) > limit {
				return nil, fmt.Errorf("%w: payload inflates to more than %d bytes", ErrTooLarge, limit)
			}
			out = slices.Grow(out, min(most, 2*cap(out))-len(out))
		}
		n, err := inf.zr.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
		if len(out) > limit {
			return nil, fmt.Errorf("%w: payload inflates to more than %d bytes", ErrTooLarge, limit)
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, inflateError(err)
		}
	}
}

func inflateError(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("%w: zlib: %w", ErrMalformed, err)
}
