package signing

import (
	"time"

	"github.com/djangosess/djangosess/serializer"
)

// An ObjectReader verifies and decodes one signed object after another, as
// the TimestampSigner it comes from does (VerifyObject), reusing its
// memory from one call to the next. With the JSON serializer the dicts and
// lists of the value it returns are valid only until its next call, which
// overwrites them (see serializer.JSONDecoder); strs and all other values
// stay valid. With another serializer it decodes as the signer does.
//
// It is for loops that are done with each value before the next, such as
// listing or checking every session of a store. An ObjectReader must not be
// used by several goroutines at once.
type ObjectReader struct {
	s    *TimestampSigner
	buf  []byte                  // the last payload's serialized bytes
	json *serializer.JSONDecoder // nil unless the serializer is JSON
}

// NewObjectReader returns an ObjectReader for s.
func (s *TimestampSigner) NewObjectReader() *ObjectReader {
	r := &ObjectReader{s: s}
	if j, ok := s.c.codec.(serializer.JSON); ok {
		r.json = j.NewDecoder()
	}
	return r
}

// VerifyObject is TimestampSigner.VerifyObject, reusing r's memory.
func (r *ObjectReader) VerifyObject(signed string) (serializer.Value, Verified, error) {
	return r.verifyObject(signed, false, 0)
}

// VerifyObjectMaxAge is TimestampSigner.VerifyObjectMaxAge, reusing r's
// memory.
func (r *ObjectReader) VerifyObjectMaxAge(signed string, maxAge time.Duration) (serializer.Value, Verified, error) {
	return r.verifyObject(signed, true, maxAge)
}

func (r *ObjectReader) verifyObject(signed string, checkAge bool, maxAge time.Duration) (serializer.Value, Verified, error) {
	ver, err := r.s.verify(signed, checkAge, maxAge)
	if err != nil {
		return nil, Verified{}, err
	}
	var v serializer.Value
	if r.json == nil {
		v, err = r.s.c.decodeObject(ver.Value)
	} else {
		v, err = r.decodeJSON(ver.Value)
	}
	if err != nil {
		return nil, Verified{}, err
	}
	return v, ver, nil
}

// decodeJSON decodes a verified payload into r's memory: its bytes go to
// r.buf, which the JSON decoder reads in place (it keeps nothing of them).
func (r *ObjectReader) decodeJSON(payload string) (serializer.Value, error) {
	data, err := r.s.c.payloadBytes(r.buf[:0], payload)
	if cap(data) <= maxScratch {
		r.buf = data[:0]
	}
	if err != nil {
		return nil, err
	}
	v, err := r.json.Unmarshal(data)
	if err != nil {
		return nil, codecError(err)
	}
	return v, nil
}
