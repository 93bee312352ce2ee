package redis

import (
	"fmt"
	"math"
	"time"

	"github.com/djangosess/djangosess/djangosess"
	"github.com/djangosess/djangosess/serializer"
	"github.com/djangosess/djangosess/serializer/cachevalue"
)

// timeout is a session's cache timeout, Django's get_expiry_age(), as each
// client sends it to Redis.
type timeout struct {
	ms  int64 // django-redis: int(timeout * 1000), sent as PX
	sec int64 // Django's RedisCache: max(0, int(timeout)), sent as EX
}

// maxTimeout bounds what Redis accepts as an expire time (it refuses
// times whose end overflows a 64-bit millisecond clock).
const maxTimeout = math.MaxInt64 / 4

// positive reports whether the client stores the value at all: a timeout
// of 0 or less deletes the key (set) or stores nothing (add).
func (t timeout) positive(c cachevalue.Client) bool {
	if c == cachevalue.Django {
		return t.sec > 0
	}
	return t.ms > 0
}

// wholeSeconds is a timeout of n seconds.
func wholeSeconds(n int64) (timeout, error) {
	if n > maxTimeout/1000 {
		return timeout{}, fmt.Errorf("%w: djangosess/redis: an expiry of %d seconds is more than Redis stores", serializer.ErrMalformed, n)
	}
	if n < -maxTimeout/1000 {
		n = -1
	}
	return timeout{ms: n * 1000, sec: n}, nil
}

// floorSeconds is timedelta.days*86400 + timedelta.seconds: d in whole
// seconds, rounded down.
func floorSeconds(d time.Duration) int64 {
	s := int64(d / time.Second)
	if d%time.Second < 0 {
		s--
	}
	return s
}

// timeoutOf is the timeout Django's cache backend passes for r saved at now:
// get_expiry_age() of the session, or, when r.Expiry is set, the whole
// seconds until it (get_expiry_age(expiry=r.Expiry), as cached_db does for
// a session read from the database).
//
// get_expiry_age() is SESSION_COOKIE_AGE when _session_expiry is absent or
// falsy, the number itself when it is a number (so 1.5 is 1500 ms for
// django-redis and 1 s for Django's RedisCache), and the whole seconds
// until it when it is a datetime or an ISO string.
func (s *Store) timeoutOf(r djangosess.Record, now time.Time) (timeout, error) {
	if !r.Expiry.IsZero() {
		return wholeSeconds(floorSeconds(r.Expiry.Sub(now)))
	}
	var v serializer.Value
	if r.Data != nil {
		v, _ = r.Data.GetStr(djangosess.ExpiryKey)
	}
	switch x := v.(type) {
	case serializer.Int:
		if x != 0 {
			return wholeSeconds(int64(x))
		}
	case serializer.Bool:
		if x {
			return wholeSeconds(1)
		}
	case serializer.BigInt:
		if x.V != nil && x.V.Sign() < 0 {
			return timeout{ms: -1, sec: -1}, nil
		}
		return wholeSeconds(math.MaxInt64)
	case serializer.Float:
		f := float64(x)
		switch {
		case f == 0:
		case math.IsNaN(f) || math.IsInf(f, 0):
			return timeout{}, fmt.Errorf("%w: djangosess/redis: %s is %v", serializer.ErrMalformed, djangosess.ExpiryKey, f)
		case f*1000 > maxTimeout:
			return wholeSeconds(math.MaxInt64)
		case f*1000 < -maxTimeout:
			return timeout{ms: -1, sec: -1}, nil
		default:
			return timeout{ms: int64(f * 1000), sec: int64(f)}, nil // int() truncates
		}
	}
	// Absent, falsy, a datetime or a string: as get_expiry_date.
	at, err := djangosess.ExpiryDate(r.Data, now, s.cookieAge, s.loc)
	if err != nil {
		return timeout{}, err
	}
	return wholeSeconds(floorSeconds(at.Sub(now)))
}
