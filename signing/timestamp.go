package signing

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// TimestampSigner signs and verifies strings as Django's
// django.core.signing.TimestampSigner does: value + sep + b62(unix seconds)
// + sep + b64(HMAC(value + sep + timestamp)). It is safe for concurrent use.
//
// The maximum age is given by choosing a method: Unsign, Verify and
// UnsignObject never look at the age (Django's max_age=None); UnsignMaxAge,
// VerifyMaxAge and UnsignObjectMaxAge reject values older than maxAge, with
// Django's meaning for every duration: the age is Config.Now minus the
// timestamp, exact to the nanosecond, and a value is expired when its age is
// greater than maxAge. So 0 accepts only timestamps not before Now (a value
// signed at Now = 12:00:00.3 carries 12:00:00 and has age 0.3s), and a
// negative maxAge only timestamps in the future.
type TimestampSigner struct {
	c   *core
	now func() time.Time
}

// NewTimestampSigner validates cfg and returns a TimestampSigner. The
// derived HMAC keys for every (key, algorithm) pair are computed here, once.
func NewTimestampSigner(cfg Config) (*TimestampSigner, error) {
	c, err := newCore(cfg, DefaultTimestampSignerSalt)
	if err != nil {
		return nil, err
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &TimestampSigner{c: c, now: now}, nil
}

// String describes the signer without its keys.
func (s *TimestampSigner) String() string { return "signing.TimestampSigner" + s.c.String() }

// GoString is String.
func (s *TimestampSigner) GoString() string { return s.String() }

// Signature returns b64(HMAC(value)) with the signing key and algorithm
// (Django's Signer.signature, which TimestampSigner inherits).
func (s *TimestampSigner) Signature(value string) string {
	return s.c.cands[0].signature(value)
}

// Sign signs value with the current time, as Django does with
// int(time.time()): Unix seconds truncated toward zero.
func (s *TimestampSigner) Sign(value string) string {
	return s.SignAt(value, unixSeconds(s.now()))
}

// SignAt signs value with the timestamp ts, in Unix seconds.
func (s *TimestampSigner) SignAt(value string, ts int64) string {
	return s.c.sign(value, B62Encode(ts))
}

// Unsign verifies signed and returns the value without its timestamp,
// whatever its age. Errors: ErrBadSignature (no separator, or the
// signature does not match), then ErrMalformed (the signed part has no
// second separator, or the timestamp is not base 62), ErrTooLarge (input
// over Config.MaxInput).
func (s *TimestampSigner) Unsign(signed string) (string, error) {
	v, err := s.verify(signed, false, 0)
	return v.Value, err
}

// UnsignMaxAge is Unsign that also fails with an *ExpiredError (matching
// ErrExpired and ErrBadSignature) when the value was signed more than
// maxAge before Config.Now. An age of exactly maxAge is still valid. The
// signature is checked before the timestamp.
func (s *TimestampSigner) UnsignMaxAge(signed string, maxAge time.Duration) (string, error) {
	v, err := s.verify(signed, true, maxAge)
	return v.Value, err
}

// Verify is Unsign, also reporting the timestamp and which key and
// algorithm matched.
func (s *TimestampSigner) Verify(signed string) (Verified, error) {
	return s.verify(signed, false, 0)
}

// VerifyMaxAge is UnsignMaxAge, also reporting the timestamp and which key
// and algorithm matched.
func (s *TimestampSigner) VerifyMaxAge(signed string, maxAge time.Duration) (Verified, error) {
	return s.verify(signed, true, maxAge)
}

func (s *TimestampSigner) verify(signed string, checkAge bool, maxAge time.Duration) (Verified, error) {
	v, err := s.c.verify(signed)
	if err != nil {
		return Verified{}, err
	}
	i := strings.LastIndex(v.Value, s.c.sep)
	if i < 0 {
		return Verified{}, malformed("no %q found in timestamped value", s.c.sep)
	}
	ts, err := B62Decode(v.Value[i+len(s.c.sep):])
	if err != nil {
		return Verified{}, fmt.Errorf("%w (timestamp)", err)
	}
	if checkAge {
		if age := ageAt(s.now(), ts); age > maxAge {
			return Verified{}, &ExpiredError{Age: age, MaxAge: maxAge}
		}
	}
	v.Value, v.Timestamp = v.Value[:i], ts
	return v, nil
}

// unixSeconds is Python's int(time.time()) for t: truncated toward zero,
// which differs from t.Unix() (floor) before 1970.
func unixSeconds(t time.Time) int64 {
	sec := t.Unix()
	if sec < 0 && t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

// ageAt returns now minus the Unix time ts, saturated to the range of
// time.Duration.
func ageAt(now time.Time, ts int64) time.Duration {
	sec := now.Unix()
	diff := sec - ts
	if (sec < 0) != (ts < 0) && (diff < 0) != (sec < 0) { // overflow
		if sec < 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	const limit = math.MaxInt64/int64(time.Second) - 1
	switch {
	case diff > limit:
		return math.MaxInt64
	case diff < -limit:
		return math.MinInt64
	}
	return time.Duration(diff)*time.Second + time.Duration(now.Nanosecond())
}
