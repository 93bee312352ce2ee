package signing

import (
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
	var pooled *[]byte // the scratch buffer data is in, if it is pooled
	if len(payload) > 0 && payload[0] == '.' {
		buf := scratch.Get().(*[]byte)
		z, err := b64DecodeAppend((*buf)[:0], payload[1:])
		if err == nil {
			if _, ok := c.codec.(serializer.JSON); ok {
				// JSON.Unmarshal keeps no reference to its input (its
				// strings share a copy of it), so the inflated bytes
				// can go to a scratch buffer too.
				pooled = scratch.Get().(*[]byte)
				if data, err = zlibx.Inflate((*pooled)[:0], z, c.maxDecompressed); err != nil {
					if errors.Is(err, zlibx.ErrTooLarge) {
						err = fmt.Errorf("%w: payload inflates to more than %d bytes", ErrTooLarge, c.maxDecompressed)
					} else {
						err = inflateError(err)
					}
				}
			} else {
				data, err = inflate(z, c.maxDecompressed)
			}
		}
		if cap(z) <= maxScratch {
			*buf = z[:0]
			scratch.Put(buf)
		}
		if err != nil {
			if pooled != nil {
				scratch.Put(pooled)
			}
			return nil, err
		}
	} else {
		var err error
		if data, err = b64DecodeAppend(nil, payload); err != nil {
			return nil, err
		}
	}
	v, err := c.codec.Unmarshal(data)
	if pooled != nil && cap(data) <= maxScratch {
		*pooled = data[:0]
		scratch.Put(pooled)
	}
	if err != nil {
		return nil, codecError(err)
	}
	return v, nil
}

// scratch holds buffers for compressed bytes, which inflate consumes and
// does not keep, and for inflated JSON, which JSON.Unmarshal copies.
// Buffers larger than maxScratch are left to the garbage collector.
var scratch = sync.Pool{New: func() any { return new([]byte) }}

const maxScratch = 64 << 10

// deflate compresses data into a zlib stream (internal/zlibx: about five
// times faster than compress/zlib on session-sized input, with C zlib's
// compression ratio within 1%; Django accepts any valid stream).
func deflate(data []byte) []byte {
	return zlibx.Deflate(make([]byte, 0, len(data)/2+64), data)
}

// inflate decompresses the zlib stream z, failing with ErrTooLarge as soon
// as the output would exceed limit bytes (never allocating much more than
// that). Like Python's zlib.decompress it checks the Adler-32 checksum and
// ignores bytes after the end of the stream.
func inflate(z []byte, limit int) ([]byte, error) {
	out, err := zlibx.Inflate(nil, z, limit)
	switch {
	case err == nil:
		return out, nil
	case errors.Is(err, zlibx.ErrTooLarge):
		return nil, fmt.Errorf("%w: payload inflates to more than %d bytes", ErrTooLarge, limit)
	}
	return nil, inflateError(err)
}

func inflateError(err error) error {
	return fmt.Errorf("%w: %w", ErrMalformed, err)
}
